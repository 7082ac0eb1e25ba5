package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
)

func TestConnectorDataSource(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	const addr = "data.stackone_connector.zoominfo"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: tg.ProviderConfig() + `data "stackone_connector" "zoominfo" { key = "zoominfo" }`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact("ZoomInfo")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("auth_types"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"key":               knownvalue.StringExact("oauth2_authorization_code_pkce"),
							"pkce":              knownvalue.Null(),
							"callback_url":      knownvalue.StringExact(tg.BaseURL + "/connect/oauth2/zoominfo/callback"),
							"authorization_url": knownvalue.Null(), // not in StackOne's published catalog
						}),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("scope_names"), knownvalue.SetPartial([]knownvalue.Check{
						knownvalue.StringExact("api:data:contact"), knownvalue.StringExact("api:audience:manage"),
					})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("action_ids"), knownvalue.SetPartial([]knownvalue.Check{
						knownvalue.StringExact("zoominfo_search_contacts"),
					})),
				},
				Check: func(s *terraform.State) error {
					// Every catalog scope and action is there, with includes and required scopes.
					attrs := s.RootModule().Resources[addr].Primary.Attributes
					want := 0
					for _, c := range tg.Sandbox.Catalog() {
						if c.Key == "zoominfo" {
							want = len(c.ScopeDefinitions)
						}
					}
					if attrs["scopes.#"] != fmt.Sprint(want) {
						return fmt.Errorf("scopes.# = %s, want %d", attrs["scopes.#"], want)
					}
					for k, v := range attrs {
						if strings.HasSuffix(k, ".name") && v == "api:audience:manage" {
							prefix := strings.TrimSuffix(k, ".name")
							if attrs[prefix+".includes.0"] != "api:audience:read" {
								return fmt.Errorf("api:audience:manage should include api:audience:read")
							}
						}
					}
					return nil
				},
			},
			{
				Config:      tg.ProviderConfig() + `data "stackone_connector" "x" { key = "zoomnfo" }`,
				ExpectError: expectError(`connector "zoomnfo" is not in StackOne's catalog. Did you mean "zoominfo"`),
			},
		},
	})
}

// TestCatalogDataSources_catalogErrorAdviceFitsTheCaller: when the catalog
// cannot be fetched, a data source's error sits on its connector attribute
// and gives advice that can help it: skip_catalog_validation cannot help
// stackone_connector. (stackone_registered_scopes needs no catalog with
// skip_catalog_validation set; its advice is tested with its own tests.)
func TestCatalogDataSources_catalogErrorAdviceFitsTheCaller(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	ps := newProtoServerWith(t, tg, map[string]tftypes.Value{
		"skip_catalog_validation": tftypes.NewValue(tftypes.Bool, true),
		"max_retries":             tftypes.NewValue(tftypes.Number, 0),
	})
	tg.Sandbox.SetDown(true)
	for _, tc := range []struct {
		typeName, attr string
		attrs          map[string]tftypes.Value
		advice, not    string
	}{
		{"stackone_connector", "key", map[string]tftypes.Value{"key": tftypes.NewValue(tftypes.String, "zoominfo")},
			`for connector "zoominfo" failed: .*503`, "skip_catalog_validation"},
	} {
		diags, _ := ps.readDataSource(tc.typeName, tc.attrs)
		if len(diags) != 1 {
			t.Fatalf("%s: diagnostics %v, want one error", tc.typeName, diags)
		}
		d := diags[0]
		if !d.Attribute.Equal(tftypes.NewAttributePath().WithAttributeName(tc.attr)) {
			t.Errorf("%s: error on %v, want on %s", tc.typeName, d.Attribute, tc.attr)
		}
		if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, "Cannot read StackOne's catalog.*"+tc.advice) {
			t.Errorf("%s: %s: %s; want advice matching %q", tc.typeName, d.Summary, d.Detail, tc.advice)
		}
		if tc.not != "" && strings.Contains(d.Detail, tc.not) {
			t.Errorf("%s: advice names %s, which cannot help here: %s", tc.typeName, tc.not, d.Detail)
		}
	}
}
