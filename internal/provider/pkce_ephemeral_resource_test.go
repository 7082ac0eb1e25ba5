package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
)

// TestPKCEEphemeralResource echoes the ephemeral values into a test-only
// resource (the echo provider pattern), since Terraform stores them nowhere else.
func TestPKCEEphemeralResource(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	factories := acctest.ProtoV6ProviderFactories()
	factories["echo"] = echoprovider.NewProviderServer()
	// Each step echoes into a resource of its own: the echo resource keeps
	// the data it was created with.
	config := func(name, length string) string {
		return tg.ProviderConfig() + fmt.Sprintf(`
ephemeral "stackone_pkce" "test" {
  %s
}
provider "echo" {
  data = ephemeral.stackone_pkce.test
}
resource "echo" %q {}
`, length, name)
	}
	check := func(name string, wantLen int) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			attrs := s.RootModule().Resources["echo."+name].Primary.Attributes
			v, c := attrs["data.code_verifier"], attrs["data.code_challenge"]
			if len(v) != wantLen {
				return fmt.Errorf("verifier length %d, want %d", len(v), wantLen)
			}
			if err := pkce.ValidateVerifier(v); err != nil {
				return err
			}
			if c != pkce.S256Challenge(v) || attrs["data.code_challenge_method"] != "S256" {
				return fmt.Errorf("challenge %q does not match the verifier", c)
			}
			return nil
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
		Steps: []resource.TestStep{
			{Config: config("bad", "length = 20"), ExpectError: expectError(`length.*between 43 and 128`)},
			{Config: config("default", ""), Check: check("default", pkce.DefaultVerifierLength)},
			{Config: config("short", "length = 43"), Check: check("short", 43)},
			{Config: config("long", "length = 128"), Check: check("long", 128)},
		},
	})
}
