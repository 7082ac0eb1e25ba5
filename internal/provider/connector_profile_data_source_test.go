package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
)

func TestConnectorProfileDataSource(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	const data = "data.stackone_connector_profile.by_id"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: profileConfig(tg, `
  name          = "looked up"
  client_secret = "s"
  scopes        = ["api:data:news"]
`) + `
data "stackone_connector_profile" "by_id" { id = stackone_connector_profile.test.id }
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(data, tfjsonpath.New("id"), profileAddr, tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(data, tfjsonpath.New("redirect_uri"), profileAddr, tfjsonpath.New("redirect_uri"), compare.ValuesSame()),
					statecheck.ExpectKnownValue(data, tfjsonpath.New("name"), knownvalue.StringExact("looked up")),
					statecheck.ExpectKnownValue(data, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("api:data:news")})),
					statecheck.ExpectKnownValue(data, tfjsonpath.New("client_secret_set"), knownvalue.Bool(true)),
				},
			},
			{
				Config:      tg.ProviderConfig() + `data "stackone_connector_profile" "missing" { id = "00000000-0000-4000-8000-000000000000" }`,
				ExpectError: expectError(`Connector profile not found.*data.stackone_connector_profiles`),
			},
			{
				Config:      tg.ProviderConfig() + `data "stackone_connector_profile" "bad" { id = "../etc" }`,
				ExpectError: expectError(`Invalid connector profile id`),
			},
		},
	})
}
