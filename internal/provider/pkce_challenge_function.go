package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
)

var _ function.Function = (*pkceChallengeFunction)(nil)

// NewPKCEChallengeFunction returns provider::stackone::pkce_challenge.
func NewPKCEChallengeFunction() function.Function { return &pkceChallengeFunction{} }

type pkceChallengeFunction struct{}

func (f *pkceChallengeFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "pkce_challenge"
}

func (f *pkceChallengeFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary:             "PKCE S256 code challenge of a code verifier",
		MarkdownDescription: "Returns `BASE64URL(SHA256(verifier))` without padding, the S256 `code_challenge` of RFC 7636. The verifier must be 43 to 128 characters of `A-Z a-z 0-9 - . _ ~`.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "verifier",
				MarkdownDescription: "The PKCE code verifier.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *pkceChallengeFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var verifier string
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &verifier))
	if resp.Error != nil {
		return
	}
	if err := pkce.ValidateVerifier(verifier); err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, pkce.S256Challenge(verifier)))
}
