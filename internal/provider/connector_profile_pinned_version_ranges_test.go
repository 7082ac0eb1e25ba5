package provider_test

import (
	"context"
	"fmt"
	"strings"
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

// expectRuns checks the version StackOne says the profile runs (the
// profile's connector_version, "the resolved connector version").
func expectRuns(tg *acctest.Target, profileID, version string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		p, err := tg.ReadProfile(context.Background(), profileID)
		if err != nil {
			return err
		}
		if p.ConnectorVersion != version {
			return fmt.Errorf("profile runs %q (pinned %q), want %q", p.ConnectorVersion, p.ConnectorPinnedVersion, version)
		}
		return nil
	}
}

// TestPinnedVersionResource_ranges: against the published API (what live
// StackOne serves), the pin forms StackOne's connector-versioning guide
// accepts apply and plan clean (the framework plans again after each apply
// and fails on a diff), are read back as written, and run the version the
// range selects; the forms it refuses fail at plan with the accepted forms.
func TestPinnedVersionResource_ranges(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	id := dashboardZoomInfoProfile(t, tg).ID
	accepted := `Use "latest", a major range like "1.x.x", a minor range like "1.2.x", or an exact version like "1.5.0"`
	step := func(pin, runs string) resource.TestStep {
		// The profile's data source shows both: the pin as set, and the
		// version it runs.
		profile := fmt.Sprintf("\ndata \"stackone_connector_profile\" \"p\" {\n  id         = %q\n  depends_on = [%s]\n}\n", id, pinAddr)
		return resource.TestStep{
			Config: pinConfig(tg, id, pin) + profile,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(pinAddr, tfjsonpath.New("pinned_version"), knownvalue.StringExact(pin)),
				statecheck.ExpectKnownValue(pinAddr, tfjsonpath.New("owner"), knownvalue.StringExact("stackone")),
				statecheck.ExpectKnownValue("data.stackone_connector_profile.p", tfjsonpath.New("connector_pinned_version"), knownvalue.StringExact(pin)),
				statecheck.ExpectKnownValue("data.stackone_connector_profile.p", tfjsonpath.New("connector_version"), knownvalue.StringExact(runs)),
			},
			Check: resource.ComposeTestCheckFunc(expectPin(tg, id, pin, "stackone"), expectRuns(tg, id, runs)),
		}
	}
	refused := func(pin, pattern string) resource.TestStep {
		return resource.TestStep{Config: pinConfig(tg, id, pin), PlanOnly: true, ExpectError: expectError(pattern)}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			step("latest", "1.5.0"),
			{
				// A refresh reads the range back: nothing to change.
				Config: pinConfig(tg, id, "latest"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
			step("1.x.x", "1.5.0"),
			step("1.4.x", "1.4.0"),
			refused("^1.2.0", `Pin form not accepted.*pinned_version is "\^1.2.0": StackOne does not accept caret \(\^\) or tilde \(~\) ranges\. `+accepted),
			refused("~1.2", `Pin form not accepted.*"~1.2".*`+accepted),
			refused("1.x", `Pin form not accepted.*"1.x": the only ranges StackOne accepts are N.x.x and N.M.x\. `+accepted),
			refused("2.x.x", `No connector version in range.*Connector profile "`+id+`" has no version in "2.x.x", so StackOne would refuse the pin\. Accepted forms: "latest", a major range.*Set pinned_version to one of the versions it has`),
			refused("1.3.x", `No connector version in range.*has no version in "1.3.x"`),
		},
	})
}

// TestPinnedVersionResource_notTakenOver: a profile pinned in the dashboard
// is not taken over by a new resource: the plan fails naming the pin and how
// to import it, and the dashboard's pin stays. Once imported, the resource
// manages it, and a destroy plan says what destroying removes.
func TestPinnedVersionResource_notTakenOver(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	ctx := context.Background()
	id := dashboardZoomInfoProfile(t, tg).ID
	if _, err := tg.Sandbox.PinVersion(id, "1.5.0", ""); err != nil { // the dashboard's pin
		t.Fatal(err)
	}
	cli := acctest.NewCLI(t, tg)
	config := fmt.Sprintf(`
terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}
resource "stackone_connector_profile_pinned_version" "zoominfo" {
  connector_profile_id = %q
  pinned_version       = "1.4.0"
}
`, id)
	cli.WriteFile("main.tf", config)
	out, code := cli.Run("plan", "-input=false")
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"Connector profile already pinned",
		fmt.Sprintf(`Connector profile %q is already pinned to "1.5.0" (owner "stackone")`, id),
		"Terraform does not take over a pin it did not make",
		fmt.Sprintf(`id = %q`, id),
		fmt.Sprintf(`terraform import stackone_connector_profile_pinned_version.<name> %s`, id),
	} {
		if code == 0 || !strings.Contains(flat, want) {
			t.Fatalf("plan on a pinned profile: exit %d, want an error with %q\n%s", code, want, out)
		}
	}
	// The apply, too, refuses (it plans again) and leaves the pin alone.
	if out, code := cli.Run("apply", "-auto-approve", "-input=false"); code == 0 || !strings.Contains(out, "Connector profile already pinned") {
		t.Fatalf("apply on a pinned profile: exit %d\n%s", code, out)
	}
	if pin, _ := tg.Sandbox.PinnedVersion(id); pin.Version != "1.5.0" {
		t.Fatalf("the dashboard's pin became %+v", pin)
	}

	// Imported, it is managed: the apply sets the configured version.
	if out, code := cli.Run("import", "-input=false", "stackone_connector_profile_pinned_version.zoominfo", id); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	if out, code := cli.Run("apply", "-auto-approve", "-input=false"); code != 0 {
		t.Fatalf("apply after import: exit %d\n%s", code, out)
	}
	if pin, err := tg.Client.GetPinnedVersion(ctx, id); err != nil || pin.PinnedVersion != "1.4.0" {
		t.Fatalf("after the apply, pin = %+v, %v; want 1.4.0", pin, err)
	}
	out, code = cli.Run("plan", "-destroy", "-input=false")
	flat = strings.Join(strings.Fields(out), " ")
	if code != 0 || !strings.Contains(flat, "Destroying removes an imported pin") ||
		!strings.Contains(flat, fmt.Sprintf(`Destroying it removes pin "1.4.0" (owner "stackone") from connector profile %q: the profile then follows the connector's latest version`, id)) ||
		!strings.Contains(flat, "destroy = false") {
		t.Fatalf("destroy plan of an imported pin: exit %d, want a warning saying what it removes\n%s", code, out)
	}
	if out, code := cli.Run("destroy", "-auto-approve", "-input=false"); code != 0 {
		t.Fatalf("destroy: exit %d\n%s", code, out)
	}
	if _, err := tg.Client.GetPinnedVersion(ctx, id); !stackone.IsNotFound(err) {
		t.Fatalf("after destroy the pin is still there: %v", err)
	}
}

// TestPinnedVersionResource_ownPinNoWarning: destroying a pin Terraform made
// itself plans without the imported-pin warning.
func TestPinnedVersionResource_ownPinNoWarning(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	id := dashboardZoomInfoProfile(t, tg).ID
	cli := acctest.NewCLI(t, tg)
	cli.WriteFile("main.tf", fmt.Sprintf(`
terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}
resource "stackone_connector_profile_pinned_version" "zoominfo" {
  connector_profile_id = %q
  pinned_version       = "1.x.x"
}
`, id))
	if out, code := cli.Run("apply", "-auto-approve", "-input=false"); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	if out, code := cli.Run("plan", "-destroy", "-input=false"); code != 0 || strings.Contains(out, "imported pin") {
		t.Fatalf("destroy plan of an own pin: exit %d, want no imported-pin warning\n%s", code, out)
	}
}

// TestPinnedVersionResource_pinnedSincePlan: a pin set after the plan (or
// when the plan could not check, the profile id being unknown) is found by
// the create itself, which refuses it and leaves it as it is.
func TestPinnedVersionResource_pinnedSincePlan(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	id := dashboardZoomInfoProfile(t, tg).ID
	if _, err := tg.Sandbox.PinVersion(id, "1.4.x", ""); err != nil {
		t.Fatal(err)
	}
	ps := newProtoServer(t, tg)
	typ := ps.resourceType("stackone_connector_profile_pinned_version")
	null, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]tftypes.Value{
		"connector_profile_id": tftypes.NewValue(tftypes.String, id),
		"pinned_version":       tftypes.NewValue(tftypes.String, "1.5.0"),
	}
	planned := map[string]tftypes.Value{
		"owner":      tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"created_at": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"updated_at": tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
	}
	for k, v := range attrs {
		planned[k] = v
	}
	resp, err := ps.server.ApplyResourceChange(context.Background(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: "stackone_connector_profile_pinned_version", PriorState: &null,
		Config:       ps.resourceValue("stackone_connector_profile_pinned_version", attrs),
		PlannedState: ps.resourceValue("stackone_connector_profile_pinned_version", planned),
	})
	if err != nil {
		t.Fatal(err)
	}
	diags := resp.Diagnostics
	if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `Connector profile already pinned.*"`+id+`" is already pinned to "1.4.x" \(owner "stackone"\).*import it`) {
		t.Fatalf("want the create refused, naming the pin, got %s", diagText(diags))
	}
	if pin, _ := tg.Sandbox.PinnedVersion(id); pin.Version != "1.4.x" {
		t.Fatalf("the existing pin became %+v", pin)
	}
}

// TestPinnedVersionResource_moveToPinnedProfile: moving a pin to a profile
// pinned in the dashboard (a replacement) fails at plan, before the old pin
// is removed.
func TestPinnedVersionResource_moveToPinnedProfile(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	ours, theirs := dashboardZoomInfoProfile(t, tg).ID, dashboardZoomInfoProfile(t, tg).ID
	if _, err := tg.Sandbox.PinVersion(theirs, "1.5.0", ""); err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: pinConfig(tg, ours, "1.4.0"), Check: expectPin(tg, ours, "1.4.0", "stackone")},
			{
				Config:      pinConfig(tg, theirs, "1.4.0"),
				ExpectError: expectError(`Connector profile already pinned.*"` + theirs + `" is already pinned to "1.5.0"`),
			},
			{
				// The refused move removed nothing: both pins are as they were.
				PreConfig: func() {
					if err := resource.ComposeTestCheckFunc(expectPin(tg, ours, "1.4.0", "stackone"), expectPin(tg, theirs, "1.5.0", "stackone"))(nil); err != nil {
						t.Fatalf("after the refused move: %v", err)
					}
				},
				Config: pinConfig(tg, ours, "1.4.0"),
				Check:  resource.ComposeTestCheckFunc(expectPin(tg, ours, "1.4.0", "stackone"), expectPin(tg, theirs, "1.5.0", "stackone")),
			},
		},
	})
}
