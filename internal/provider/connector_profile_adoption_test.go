package provider_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
)

// Adopted profiles against a StackOne that takes no profile writes: what is
// recorded without calling it, and what is refused.

// forgetProfile ends a test on a published-only server: destroying is
// refused there, so the profile leaves state with a removed block.
func forgetProfile(tg *acctest.Target) resource.TestStep {
	return resource.TestStep{Config: tg.ProviderConfig() + `
removed {
  from = stackone_connector_profile.test
  lifecycle {
    destroy = false
  }
}
`}
}

// dashboardProfile makes the ZoomInfo profile publishedProfileConfig adopts.
func dashboardProfile(t *testing.T, tg *acctest.Target) string {
	t.Helper()
	name, clientID, secret := "ZoomInfo (dashboard)", "0oaf6t3osgvaPvy4E1d7", "dashboard-secret"
	scopes, actions := []string{"api:data:contact", "api:data:company"}, []string{"zoominfo_search_contacts"}
	made, err := tg.Dashboard().CreateProfile(context.Background(), acctest.DashboardProfile{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce",
		Name: &name, ClientID: &clientID, ClientSecret: &secret, Scopes: &scopes, Actions: &actions,
	})
	if err != nil {
		t.Fatal(err)
	}
	return made.ID
}

// A change that sends nothing (a timeouts block) applies without calling
// StackOne, even where it takes no writes.
func TestConnectorProfilePublished_changeThatSendsNothing(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	base := publishedProfileConfig(tg, dashboardProfile(t, tg), "ZoomInfo (dashboard)")
	withTimeouts := strings.Replace(base, `actions                  = ["zoominfo_search_contacts"]`,
		"actions                  = [\"zoominfo_search_contacts\"]\n  timeouts {\n    update = \"20m\"\n  }", 1)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps:                    []resource.TestStep{{Config: base}, {Config: withTimeouts}, forgetProfile(tg)},
	})
}

// Adoption happens once: a secret rotation after it (a version set where the
// adopted configuration had none) is a change to send, refused with the
// dashboard advice, never recorded as done.
func TestConnectorProfilePublished_rotationAfterAdoptionIsRefused(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	v1 := publishedProfileConfig(tg, dashboardProfile(t, tg), "ZoomInfo (dashboard)")
	noVersion := strings.Replace(v1, "client_secret_wo_version = 1\n", "", 1)
	rotated := strings.Replace(v1, `client_secret_wo         = "dashboard-secret"`, `client_secret_wo         = "ROTATED"`, 1)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{Config: noVersion},
			{Config: rotated, ExpectError: expectError(`does not accept connector profile writes.*Make the change in the StackOne dashboard`)},
			forgetProfile(tg),
		},
	})
}

// A profile listed without authentication_config_key (optional in the
// published profile) is adopted in place, not replaced.
func TestConnectorProfilePublished_importWithoutAuthType(t *testing.T) {
	t.Parallel()
	tg := fakeStackOne(t, map[string]string{
		"GET /connector_profiles": `{"data":[{"id":"p1","name":"ZI","connector_key":"zoominfo","connector_label":"ZoomInfo","logo_url":"x","categories":[],"active":true,"default":false,"release_stage":"ga","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}],"page":1,"page_size":100,"total":1}`,
	})
	config := tg.ProviderConfig("skip_catalog_validation = true") + `
import {
  to = stackone_connector_profile.test
  id = "p1"
}
resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "ZI"
  client_id     = "abc"
  client_secret = "s"
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("stackone_connector_profile.test", plancheck.ResourceActionUpdate),
				}},
			},
			forgetProfile(tg),
		},
	})
}

// A blank base_url (a variable defaulting to "") counts as unset: the
// environment's STACKONE_BASE_URL applies, not StackOne's production host.
func TestProvider_blankBaseURLFallsBackToEnvironment(t *testing.T) {
	tg := acctest.New(t)
	t.Setenv("STACKONE_API_KEY", tg.APIKey)
	t.Setenv("STACKONE_BASE_URL", tg.BaseURL)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: `provider "stackone" {
  base_url        = ""
  max_retries     = 0
  request_timeout = "2s"
}
` + connectorLookup,
		}},
	})
}

// An adoption that leaves scopes and actions out records them empty, and
// says what that means: every scope registered on the OAuth app, which the
// dashboard's profile (here two scopes) may not have; the plan says so
// before the apply does it.
func TestConnectorProfilePublished_adoptionSaysWhatEmptyScopesMean(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	id := dashboardProfile(t, tg)
	cli := acctest.NewCLI(t, tg)
	cli.WriteFile("main.tf", requireStackone+fmt.Sprintf(`
import {
  to = stackone_connector_profile.adopted
  id = %q
}
resource "stackone_connector_profile" "adopted" {
  connector        = "zoominfo"
  auth_type        = "oauth2_authorization_code_pkce"
  name             = "ZoomInfo (dashboard)"
  client_id        = "0oaf6t3osgvaPvy4E1d7"
  client_secret_wo = "dashboard-secret"
}
`, id))
	recorded := `client_id = "0oaf6t3osgvaPvy4E1d7" scopes = \[\] \(every scope registered on the OAuth app, which may not be what the dashboard's profile has: copy its scopes\) actions = \[\] \(no action enabled`
	out, code := cli.Run("plan", "-input=false")
	if code != 0 || !expectError(`Adopting a profile StackOne reports only in part.*without calling StackOne: `+recorded).MatchString(out) {
		t.Fatalf("the plan does not say what the adoption records; exit %d:\n%s", code, out)
	}
	out, code = cli.Run("apply", "-input=false", "-auto-approve")
	if code != 0 || !expectError(`Recorded without checking StackOne.*without sending or checking them: `+recorded+`.*Compare each with the profile in the StackOne dashboard \(Connector Profiles → ZoomInfo \(dashboard\)\)`).MatchString(out) {
		t.Fatalf("the apply does not list what it recorded; exit %d:\n%s", code, out)
	}
}
