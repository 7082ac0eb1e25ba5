package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

const pinAddr = "stackone_connector_profile_pinned_version.test"

// bothAPIModes runs f against a sandbox serving StackOne's published API
// (what live StackOne serves) and one serving the extension too.
func bothAPIModes(t *testing.T, f func(t *testing.T, tg *acctest.Target)) {
	for _, mode := range []sandbox.APIMode{sandbox.APIPublished, sandbox.APIExtended} {
		t.Run(string(mode), func(t *testing.T) {
			tg := acctest.NewWithOptions(t, sandbox.Options{API: mode})
			tg.RequireSandbox(t) // the profile is made in the dashboard stand-in
			f(t, tg)
		})
	}
}

// dashboardZoomInfoProfile makes a ZoomInfo profile for the sandbox's app as
// a person does in the dashboard (in either API mode).
func dashboardZoomInfoProfile(t *testing.T, tg *acctest.Target) *stackone.ConnectorProfile {
	t.Helper()
	app := tg.Sandbox.ZoomInfoApp()
	name, scopes := "ZoomInfo (dashboard)", []string{"api:data:contact"}
	p, err := tg.Dashboard().CreateProfile(context.Background(), acctest.DashboardProfile{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce",
		Name: &name, ClientID: &app.ClientID, ClientSecret: &app.ClientSecret, Scopes: &scopes,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pinConfig(tg *acctest.Target, profileID, version string, extra ...string) string {
	body := fmt.Sprintf("  connector_profile_id = %q\n  pinned_version       = %q\n", profileID, version)
	for _, line := range extra {
		body += "  " + line + "\n"
	}
	return tg.ProviderConfig() + fmt.Sprintf("\nresource %q \"test\" {\n%s}\n", "stackone_connector_profile_pinned_version", body)
}

// expectPin checks the pin StackOne holds for the profile.
func expectPin(tg *acctest.Target, profileID, version, owner string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		pin, err := tg.Client.GetPinnedVersion(context.Background(), profileID)
		if err != nil {
			return fmt.Errorf("read the pin: %w", err)
		}
		if pin.PinnedVersion != version || pin.Owner != owner {
			return fmt.Errorf("StackOne holds pin %s (owner %s), want %s (owner %s)", pin.PinnedVersion, pin.Owner, version, owner)
		}
		return nil
	}
}

// TestPinnedVersionResource: pin → clean plan → import → a pin changed
// outside Terraform is drift, and the apply restores it → a version pinned
// from configuration takes its owner → an unknown version or a wrong owner
// is refused at plan, with the versions the profile has → a pin removed
// outside is planned again → destroy removes the pin.
func TestPinnedVersionResource(t *testing.T) {
	bothAPIModes(t, func(t *testing.T, tg *acctest.Target) {
		ctx := context.Background()
		id := dashboardZoomInfoProfile(t, tg).ID
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
			CheckDestroy: func(*terraform.State) error {
				pin, err := tg.Client.GetPinnedVersion(ctx, id)
				if !stackone.IsNotFound(err) {
					return fmt.Errorf("after destroy, want no pin; got %+v, %v", pin, err)
				}
				return nil
			},
			Steps: []resource.TestStep{
				{
					// The framework checks that the plan after the apply is empty.
					Config: pinConfig(tg, id, "1.4.0"),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(pinAddr, tfjsonpath.New("connector_profile_id"), knownvalue.StringExact(id)),
						statecheck.ExpectKnownValue(pinAddr, tfjsonpath.New("pinned_version"), knownvalue.StringExact("1.4.0")),
						statecheck.ExpectKnownValue(pinAddr, tfjsonpath.New("owner"), knownvalue.StringExact("stackone")),
						statecheck.ExpectKnownValue(pinAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339)),
						statecheck.ExpectKnownValue(pinAddr, tfjsonpath.New("updated_at"), knownvalue.StringRegexp(rfc3339)),
					},
					Check: expectPin(tg, id, "1.4.0", "stackone"),
				},
				{
					ResourceName:                         pinAddr,
					ImportState:                          true,
					ImportStateId:                        id,
					ImportStateVerify:                    true,
					ImportStateVerifyIdentifierAttribute: "connector_profile_id",
				},
				{
					// Pinned to another version in the dashboard: the
					// refresh sees it and the plan puts 1.4.0 back.
					PreConfig: func() {
						if _, err := tg.Client.PinVersion(ctx, id, stackone.PinVersionRequest{PinnedVersion: "1.5.0-acme.1"}); err != nil {
							t.Fatal(err)
						}
					},
					Config: pinConfig(tg, id, "1.4.0"),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pinAddr, plancheck.ResourceActionUpdate),
						expectOnlyChanged(pinAddr, "pinned_version"),
						plancheck.ExpectKnownValue(pinAddr, tfjsonpath.New("pinned_version"), knownvalue.StringExact("1.4.0")),
					}},
					Check: expectPin(tg, id, "1.4.0", "stackone"),
				},
				{
					// A version of another owner, pinned from configuration.
					Config: pinConfig(tg, id, "1.5.0-acme.1"),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pinAddr, plancheck.ResourceActionUpdate),
					}},
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue(pinAddr, tfjsonpath.New("owner"), knownvalue.StringExact("acme-corp")),
					},
					Check: expectPin(tg, id, "1.5.0-acme.1", "acme-corp"),
				},
				{
					Config:      pinConfig(tg, id, "1.5"),
					ExpectError: expectError(`Connector version not found.*Connector profile "` + id + `" has no version "1.5". Set pinned_version to one of the versions it has, nearest first: "1.5.0" \(owner stackone\), "1.5.0-acme.1" \(owner acme-corp\), "1.4.0" \(owner stackone\)\.`),
				},
				{
					Config:      pinConfig(tg, id, "1.5.0", `owner = "acme-corp"`),
					ExpectError: expectError(`Version not published by this owner.*Version "1.5.0" of connector profile "` + id + `" is published by "stackone", not "acme-corp"`),
				},
				{
					// Removed in the dashboard: dropped from state, pinned again.
					PreConfig: func() {
						if err := tg.Client.UnpinVersion(ctx, id); err != nil {
							t.Fatal(err)
						}
					},
					Config: pinConfig(tg, id, "1.5.0", `owner = "stackone"`),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(pinAddr, plancheck.ResourceActionCreate),
					}},
					Check: expectPin(tg, id, "1.5.0", "stackone"),
				},
			},
		})
	})
}

// TestPinnedVersionResource_checkedWhenIDKnown: when the profile is created
// in the same apply, its id is unknown at plan; the version is checked when
// the apply plans the pin again, before anything is pinned.
func TestPinnedVersionResource_checkedWhenIDKnown(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t) // extended: Terraform creates the profile
	tg.RequireSandbox(t)
	app := tg.Sandbox.ZoomInfoApp()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: tg.ProviderConfig() + fmt.Sprintf(`
resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "ZoomInfo"
  client_id     = %q
  client_secret = %q
}

resource "stackone_connector_profile_pinned_version" "test" {
  connector_profile_id = stackone_connector_profile.test.id
  pinned_version       = "1.3.0"
}
`, app.ClientID, app.ClientSecret),
			ExpectError: expectError(`Connector version not found.*has no version "1.3.0". Set pinned_version to one of the versions it has, nearest first: "1.4.0" \(owner stackone\), "1.5.0" \(owner stackone\), "1.5.0-acme.1" \(owner acme-corp\)\.`),
		}},
	})
}

// TestPinnedVersionResource_refusedAtApply: a version that reaches StackOne
// unchecked (the plan could not read the versions) is refused by its 400,
// reported on pinned_version with the versions the profile has.
func TestPinnedVersionResource_refusedAtApply(t *testing.T) {
	bothAPIModes(t, func(t *testing.T, tg *acctest.Target) {
		id := dashboardZoomInfoProfile(t, tg).ID
		ps := newProtoServer(t, tg)
		diags := applyPinCreate(ps, id, "1.3.0")
		if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `StackOne refused the pinned version.*Pinning version "1.3.0" on connector profile "`+id+`" failed:.*with 400 Bad Request.*Set pinned_version to one of the versions it has, nearest first: "1.4.0" \(owner stackone\), "1.5.0" \(owner stackone\), "1.5.0-acme.1" \(owner acme-corp\)\.`) {
			t.Fatalf("want the 400 on pinned_version with the versions, got %s", diagText(diags))
		}
		if _, pinned := tg.Sandbox.PinnedVersion(id); pinned {
			t.Fatal("a refused version was pinned")
		}
	})
}

// TestPinnedVersionResource_removedOutsideWarns: a refresh that finds no pin
// drops the resource from state with a warning that says what happens next.
func TestPinnedVersionResource_removedOutsideWarns(t *testing.T) {
	bothAPIModes(t, func(t *testing.T, tg *acctest.Target) {
		id := dashboardZoomInfoProfile(t, tg).ID
		ps := newProtoServer(t, tg)
		diags, kept := ps.readResource("stackone_connector_profile_pinned_version", map[string]tftypes.Value{
			"connector_profile_id": tftypes.NewValue(tftypes.String, id),
			"pinned_version":       tftypes.NewValue(tftypes.String, "1.4.0"),
		}, nil)
		if kept || !hasDiag(diags, tfprotov6.DiagnosticSeverityWarning, `Pinned version no longer exists.*"`+id+`" has no pinned version any more.*removed from state.*next apply pins the configured version again`) {
			t.Fatalf("want the resource dropped with a warning; kept=%v, %s", kept, diagText(diags))
		}
	})
}

// TestPinnedVersionResource_brokenAnswers: a pin StackOne reports for
// another profile, or without a version, is an error, never state.
func TestPinnedVersionResource_brokenAnswers(t *testing.T) {
	for name, body := range map[string]string{
		"other profile": `{"connector_profile_id":"other","pinned_version":"1.4.0","owner":"stackone","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}`,
		"no version":    `{"connector_profile_id":"p1","pinned_version":"","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}`,
	} {
		t.Run(name, func(t *testing.T) {
			tg := fakeStackOne(t, map[string]string{"GET /connector_profiles/p1/pinned_version": body})
			ps := newProtoServer(t, tg)
			diags, _ := ps.readResource("stackone_connector_profile_pinned_version", map[string]tftypes.Value{
				"connector_profile_id": tftypes.NewValue(tftypes.String, "p1"),
				"pinned_version":       tftypes.NewValue(tftypes.String, "1.4.0"),
			}, nil)
			if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `Cannot read the pinned version.*profile "p1"`) {
				t.Fatalf("want an error, got %s", diagText(diags))
			}
		})
	}
}

// TestPinnedVersionResource_otherVersionPinned: a PUT answered with another
// version than the one asked for is an error, and nothing goes into state.
func TestPinnedVersionResource_otherVersionPinned(t *testing.T) {
	tg := fakeStackOne(t, map[string]string{"PUT /connector_profiles/p1/pinned_version": `{"connector_profile_id":"p1","pinned_version":"1.5.0","owner":"stackone","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}`})
	ps := newProtoServer(t, tg)
	diags := applyPinCreate(ps, "p1", "1.4.0")
	if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `StackOne pinned another version.*Asked to pin version "1.4.0" on connector profile "p1", StackOne answered with version "1.5.0"`) {
		t.Fatalf("want an error, got %s", diagText(diags))
	}
}

// applyPinCreate applies the creation of a pin of version on the profile, as
// planned when the plan could not check the version (owner and times unknown).
func applyPinCreate(ps *protoServer, profileID, version string) []*tfprotov6.Diagnostic {
	config := map[string]tftypes.Value{
		"connector_profile_id": tftypes.NewValue(tftypes.String, profileID),
		"pinned_version":       tftypes.NewValue(tftypes.String, version),
	}
	planned := map[string]tftypes.Value{
		"owner":      tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"created_at": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"updated_at": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	}
	for k, v := range config {
		planned[k] = v
	}
	return ps.applyResourceChange("stackone_connector_profile_pinned_version", nil, config, planned)
}
