package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
)

func TestPKCEChallengeFunction(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{
			{
				// RFC 7636 Appendix B.
				Config: `output "challenge" { value = provider::stackone::pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") }`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("challenge", knownvalue.StringExact("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")),
				},
			},
			{
				Config:      `output "challenge" { value = provider::stackone::pkce_challenge("too-short") }`,
				ExpectError: expectError(`43 to 128 characters of A-Z a-z 0-9 - . _ ~`),
			},
			{
				Config:      `output "challenge" { value = provider::stackone::pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk+") }`,
				ExpectError: expectError(`character '\+' at position`),
			},
		},
	})
}
