// Command benchnull-provider is a do-nothing terraform-plugin-framework
// provider whose one resource, benchnull_profile, has the schema of
// stackone_connector_profile (taken from the real resource) but no API
// behind it: Create fills the computed attributes, Read returns the state as
// it is. stackone-bench runs it as a floor: what Terraform plus the
// framework cost for such a resource, before the provider does anything.
// It is a benchmark fixture, never shipped.
package main

import (
	"context"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	stackone "github.com/stackonehq/terraform-provider-stackone/internal/provider"
)

func main() {
	if os.Getenv("BENCHNULL_RAW") == "1" {
		if err := tf6server.Serve("registry.terraform.io/stackonehq/benchnull", newRawServer); err != nil {
			log.Fatal(err)
		}
		return
	}
	if os.Getenv("BENCHNULL_SERVE") == "stackone" {
		// Served as the stackone provider serves itself (main.go): through
		// provider.ProtocolServer, which releases the contexts the framework
		// keeps until StopProvider. So the floor differs from the provider
		// only by the resource's own code.
		err := tf6server.Serve("registry.terraform.io/stackonehq/benchnull", stackone.ProtocolServer(func() provider.Provider { return nullProvider{} }))
		if err != nil {
			log.Fatal(err)
		}
		return
	}
	err := providerserver.Serve(context.Background(), func() provider.Provider { return nullProvider{} }, providerserver.ServeOpts{
		Address: "registry.terraform.io/stackonehq/benchnull", ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}

type nullProvider struct{}

func (nullProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "benchnull"
}

func (nullProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{}
}

func (nullProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (nullProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return profile{} }, func() resource.Resource { return dataShaped{} }}
}

func (nullProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type profile struct{}

type profileModel struct {
	ID                    types.String   `tfsdk:"id"`
	Connector             types.String   `tfsdk:"connector"`
	AuthType              types.String   `tfsdk:"auth_type"`
	Name                  types.String   `tfsdk:"name"`
	ClientID              types.String   `tfsdk:"client_id"`
	ClientSecret          types.String   `tfsdk:"client_secret"`
	ClientSecretWO        types.String   `tfsdk:"client_secret_wo"`
	ClientSecretWOVersion types.Int64    `tfsdk:"client_secret_wo_version"`
	Scopes                types.Set      `tfsdk:"scopes"`
	Actions               types.Set      `tfsdk:"actions"`
	Active                types.Bool     `tfsdk:"active"`
	RedirectURI           types.String   `tfsdk:"redirect_uri"`
	CreatedAt             types.String   `tfsdk:"created_at"`
	UpdatedAt             types.String   `tfsdk:"updated_at"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

func (profile) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_profile"
}

// Schema is stackone_connector_profile's own schema, read from the real
// resource so that the floor cannot drift from it: the same attributes,
// defaults, plan modifiers, write-only secret, timeouts block, and
// validators. The validators stay: they are part of the schema, and the
// framework runs them in ValidateResourceConfig for any provider that
// declares them; what this floor leaves out is the resource's own code
// (ValidateConfig, ModifyPlan, the API calls of Create and Read). They are
// cheap (length and character checks of a few strings).
func (profile) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	stackone.NewConnectorProfileResource().Schema(ctx, req, resp)
	reshape(&resp.Schema, os.Getenv("BENCHNULL_RESHAPE"))
}

// reshape takes features out of the profile schema, for measuring what each
// costs Terraform (BENCHNULL_RESHAPE, comma-separated): "timeouts" drops the
// block, "writeonly" makes client_secret_wo a plain attribute, "sensitive"
// marks nothing sensitive, "sets" makes scopes and actions lists. Only with
// BENCHNULL_RAW=1: the framework resource's model has the full shape.
func reshape(s *schema.Schema, what string) {
	for _, w := range strings.Split(what, ",") {
		switch w {
		case "timeouts":
			s.Blocks = nil
		case "writeonly":
			if a, ok := s.Attributes["client_secret_wo"].(schema.StringAttribute); ok {
				a.WriteOnly = false
				s.Attributes["client_secret_wo"] = a
			}
		case "sensitive":
			for _, name := range []string{"client_secret", "client_secret_wo"} {
				if a, ok := s.Attributes[name].(schema.StringAttribute); ok {
					a.Sensitive = false
					s.Attributes[name] = a
				}
			}
		case "sets":
			for _, name := range []string{"scopes", "actions"} {
				s.Attributes[name] = schema.ListAttribute{ElementType: types.StringType, Optional: true, Computed: true}
			}
		}
	}
}

func (profile) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m profileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.ID = types.StringValue("null-" + m.Name.ValueString())
	m.RedirectURI = types.StringValue("https://example.invalid/callback")
	m.CreatedAt = types.StringValue("2026-01-01T00:00:00Z")
	m.UpdatedAt = m.CreatedAt
	m.ClientSecretWO = types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (profile) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m profileModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (profile) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m profileModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ClientSecretWO = types.StringNull()
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (profile) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// dataShaped is benchnull_data, a resource of terraform_data's size (an id
// and one input), for separating what Terraform pays per plugin resource
// from what it pays for a larger schema.
type dataShaped struct{}

func (dataShaped) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_data"
}

func (dataShaped) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":    schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"input": schema.StringAttribute{Optional: true},
	}}
}

type dataShapedModel struct {
	ID    types.String `tfsdk:"id"`
	Input types.String `tfsdk:"input"`
}

func (dataShaped) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m dataShapedModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	m.ID = types.StringValue("null-id")
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (dataShaped) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (dataShaped) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (dataShaped) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
