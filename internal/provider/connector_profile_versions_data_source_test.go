package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
)

func versionCheck(version, owner string, builtin, pinned bool) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"version": knownvalue.StringExact(version), "owner": knownvalue.StringExact(owner),
		"builtin": knownvalue.Bool(builtin), "pinned": knownvalue.Bool(pinned),
	})
}

// TestConnectorProfileVersionsDataSource lists a profile's versions in
// StackOne's order, the pinned one marked; an unknown profile is an error on
// connector_profile_id.
func TestConnectorProfileVersionsDataSource(t *testing.T) {
	bothAPIModes(t, func(t *testing.T, tg *acctest.Target) {
		id := dashboardZoomInfoProfile(t, tg).ID
		if _, err := tg.Sandbox.PinVersion(id, "1.5.0-acme.1", ""); err != nil {
			t.Fatal(err)
		}
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
			Steps: []resource.TestStep{
				{
					// First: the destroy at the end plans the last configuration.
					Config:      tg.ProviderConfig() + `data "stackone_connector_profile_versions" "test" { connector_profile_id = "../` + id + `" }`,
					ExpectError: expectError(`Invalid connector profile id.*connector_profile_id "../` + id + `" is not a connector profile id: it contains '.'; ids are letters, digits, '-' and '_'`),
				},
				{
					Config: tg.ProviderConfig() + `data "stackone_connector_profile_versions" "test" { connector_profile_id = "` + id + `" }`,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.stackone_connector_profile_versions.test", tfjsonpath.New("versions"), knownvalue.ListExact([]knownvalue.Check{
							versionCheck("1.4.0", "stackone", true, false),
							versionCheck("1.5.0", "stackone", true, false),
							versionCheck("1.5.0-acme.1", "acme-corp", false, true),
						})),
					},
				},
				{
					Config:      tg.ProviderConfig() + `data "stackone_connector_profile_versions" "test" { connector_profile_id = "no-such-profile" }`,
					ExpectError: expectError(`Connector profile not found.*with data.stackone_connector_profile_versions.test.*StackOne has no connector profile "no-such-profile"`),
				},
			},
		})
	})
}

// TestConnectorProfileVersionsDataSource_brokenAnswer: a version without a
// name, or two pinned versions, is an error rather than a list.
func TestConnectorProfileVersionsDataSource_brokenAnswer(t *testing.T) {
	for name, body := range map[string]string{
		"no version": `[{"version":"1.4.0","owner":"stackone","builtin":true,"pinned":false},{"version":" ","owner":"stackone","builtin":true,"pinned":false}]`,
		"two pinned": `[{"version":"1.4.0","owner":"stackone","builtin":true,"pinned":true},{"version":"1.5.0","owner":"stackone","builtin":true,"pinned":true}]`,
	} {
		t.Run(name, func(t *testing.T) {
			ps := newProtoServer(t, fakeStackOne(t, map[string]string{"GET /connector_profiles/p1/versions": body}))
			diags, _ := ps.readDataSource("stackone_connector_profile_versions", map[string]tftypes.Value{"connector_profile_id": tftypes.NewValue(tftypes.String, "p1")})
			if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `Cannot read the connector versions.*StackOne listed`) {
				t.Fatalf("want an error, got %s", diagText(diags))
			}
		})
	}
}
