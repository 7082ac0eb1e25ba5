package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
)

var _ ephemeral.EphemeralResource = (*pkceEphemeralResource)(nil)

// NewPKCEEphemeralResource returns the stackone_pkce ephemeral resource.
func NewPKCEEphemeralResource() ephemeral.EphemeralResource { return &pkceEphemeralResource{} }

type pkceEphemeralResource struct{}

type pkceModel struct {
	Length              types.Int64  `tfsdk:"length"`
	CodeVerifier        types.String `tfsdk:"code_verifier"`
	CodeChallenge       types.String `tfsdk:"code_challenge"`
	CodeChallengeMethod types.String `tfsdk:"code_challenge_method"`
}

func (r *pkceEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_pkce"
}

func (r *pkceEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A fresh PKCE (RFC 7636) code verifier and its S256 challenge. Ephemeral: never written to plan or state (Terraform 1.10 and later).",
		Attributes: map[string]schema.Attribute{
			"length": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("Verifier length, %d to %d. Defaults to %d.", pkce.MinVerifierLength, pkce.MaxVerifierLength, pkce.DefaultVerifierLength),
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(pkce.MinVerifierLength, pkce.MaxVerifierLength)},
			},
			"code_verifier": schema.StringAttribute{
				MarkdownDescription: "The code verifier: send it with the token request.",
				Computed:            true,
				Sensitive:           true,
			},
			"code_challenge": schema.StringAttribute{
				MarkdownDescription: "`BASE64URL(SHA256(code_verifier))`: send it with the authorization request.",
				Computed:            true,
			},
			"code_challenge_method": schema.StringAttribute{
				MarkdownDescription: "Always `S256`.",
				Computed:            true,
			},
		},
	}
}

func (r *pkceEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m pkceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	verifier, err := pkce.GenerateVerifier(int(m.Length.ValueInt64()))
	if err != nil {
		resp.Diagnostics.AddAttributeError(pathLength, "Cannot generate a PKCE verifier", err.Error())
		return
	}
	m.CodeVerifier = types.StringValue(verifier)
	m.CodeChallenge = types.StringValue(pkce.S256Challenge(verifier))
	m.CodeChallengeMethod = types.StringValue(pkce.MethodS256)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

var pathLength = path.Root("length")
