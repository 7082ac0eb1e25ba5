package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// TestConnectorProfilesDataSource lists more profiles than one page holds
// (the client asks for 100 a page), with and without the connector filter.
func TestConnectorProfilesDataSource(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t) // creates 103 profiles
	ctx := context.Background()
	var zoominfoIDs []knownvalue.Check
	for i := 0; i < 102; i++ {
		p, err := tg.Client.CreateConnectorProfile(ctx, stackone.CreateConnectorProfileRequest{
			ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: fmt.Sprintf("zi-%03d", i), ClientID: "cid", ClientSecret: "s",
		})
		if err != nil {
			t.Fatal(err)
		}
		zoominfoIDs = append(zoominfoIDs, knownvalue.StringExact(p.ID))
	}
	if _, err := tg.Client.CreateConnectorProfile(ctx, stackone.CreateConnectorProfileRequest{
		ConnectorKey: "acmecrm", AuthenticationConfigKey: "oauth2_authorization_code", Name: "acme", ClientID: "cid", ClientSecret: "s",
	}); err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: tg.ProviderConfig() + `
data "stackone_connector_profiles" "zoominfo" { connector = "zoominfo" }
data "stackone_connector_profiles" "all" {}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.stackone_connector_profiles.zoominfo", tfjsonpath.New("ids"), knownvalue.ListExact(zoominfoIDs)),
				statecheck.ExpectKnownValue("data.stackone_connector_profiles.all", tfjsonpath.New("ids"), knownvalue.ListSizeExact(103)),
				statecheck.ExpectKnownValue("data.stackone_connector_profiles.zoominfo", tfjsonpath.New("profiles").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
					"name": knownvalue.StringExact("zi-000"), "connector": knownvalue.StringExact("zoominfo"),
					"client_secret_set": knownvalue.Bool(true), "scopes": knownvalue.SetSizeExact(0),
				})),
			},
		}},
	})
}

// TestConnectorProfilesDataSource_unknownConnectorWarns: an empty list for a
// connector that is not in the catalog (a typo) says so and suggests the
// nearest key; an empty list for a real connector says nothing.
func TestConnectorProfilesDataSource_unknownConnectorWarns(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	ps := newProtoServer(t, tg)
	diags, _ := ps.readDataSource("stackone_connector_profiles", map[string]tftypes.Value{"connector": tftypes.NewValue(tftypes.String, "zoominfoo")})
	if !hasDiag(diags, tfprotov6.DiagnosticSeverityWarning, `No profiles of an unknown connector.*"zoominfoo".*Did you mean "zoominfo".*The list is empty`) {
		t.Fatalf("want a warning with a suggestion, got %v", diags)
	}
	if diags, _ := ps.readDataSource("stackone_connector_profiles", map[string]tftypes.Value{"connector": tftypes.NewValue(tftypes.String, "acmecrm")}); len(diags) != 0 {
		t.Fatalf("a real connector with no profiles: want no diagnostics, got %v", diags)
	}
}
