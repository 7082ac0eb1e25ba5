package provider_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
)

// Against a StackOne that publishes profiles read-only (live StackOne
// today, `stackone-sandbox -api published`), a profile is made in the
// dashboard and adopted with an import block.

// publishedProfileConfig adopts profile id (made in the dashboard) into
// stackone_connector_profile.test, with the given name.
func publishedProfileConfig(tg *acctest.Target, id, name string) string {
	return tg.ProviderConfig() + fmt.Sprintf(`
import {
  to = stackone_connector_profile.test
  id = %q
}

resource "stackone_connector_profile" "test" {
  connector                = "zoominfo"
  auth_type                = "oauth2_authorization_code_pkce"
  name                     = %q
  client_id                = "0oaf6t3osgvaPvy4E1d7"
  client_secret_wo         = "dashboard-secret"
  client_secret_wo_version = 1
  scopes                   = ["api:data:contact", "api:data:company"]
  actions                  = ["zoominfo_search_contacts"]
}
`, id, name)
}

func TestConnectorProfilePublishedAPIAdoption(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	ctx := context.Background()
	name, clientID, secret := "ZoomInfo (dashboard)", "0oaf6t3osgvaPvy4E1d7", "dashboard-secret"
	scopes, actions := []string{"api:data:contact", "api:data:company"}, []string{"zoominfo_search_contacts"}
	made, err := tg.Dashboard().CreateProfile(ctx, acctest.DashboardProfile{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce",
		Name: &name, ClientID: &clientID, ClientSecret: &secret, Scopes: &scopes, Actions: &actions,
	})
	if err != nil {
		t.Fatal(err)
	}
	id := made.ID
	renamed := "Renamed in the dashboard"
	writes := func() int {
		st := tg.Sandbox.Stats()
		return st.Requests["POST /connector_profiles"] + st.Requests["PATCH /connector_profiles/{id}"] + st.Requests["DELETE /connector_profiles/{id}"]
	}

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				// Import, then the first apply records client id, scopes,
				// actions and the secret's version without calling StackOne;
				// the plan after it is clean (checked by the framework).
				Config: publishedProfileConfig(tg, id, name),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("client_id"), knownvalue.StringExact(clientID)),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("api:data:contact"), knownvalue.StringExact("api:data:company"),
					})),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("client_secret_wo_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("redirect_uri"), knownvalue.StringExact(tg.BaseURL+"/connect/oauth2/zoominfo/callback")),
				},
				Check: func(*terraform.State) error {
					if n := writes(); n != 0 {
						return fmt.Errorf("adopting the profile sent %d writes to StackOne, want none", n)
					}
					return nil
				},
			},
			{
				// A rename in the dashboard shows as drift; applying it is
				// refused with the dashboard advice.
				PreConfig: func() {
					if _, err := tg.Dashboard().UpdateProfile(ctx, id, acctest.DashboardProfile{Name: &renamed}); err != nil {
						t.Fatal(err)
					}
				},
				Config: publishedProfileConfig(tg, id, name),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectOnlyChanged(profileAddr, "name"),
				}},
				ExpectError: expectError(`does not accept connector profile writes.*Make the change in the StackOne dashboard`),
			},
			{
				// The state was left as it was: taking the dashboard's name
				// makes the plan clean, and nothing was written.
				Config: publishedProfileConfig(tg, id, renamed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("name"), knownvalue.StringExact(renamed)),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("client_id"), knownvalue.StringExact(clientID)),
				},
				Check: func(*terraform.State) error {
					if p, ok := tg.Sandbox.Profile(id); !ok || p.Name != renamed {
						return fmt.Errorf("the dashboard's profile changed: %+v", p)
					}
					return nil
				},
			},
			{
				// Destroying is refused too (the profile stays); forgetting it
				// with a removed block is the way out.
				Config: tg.ProviderConfig() + `
removed {
  from = stackone_connector_profile.test
  lifecycle {
    destroy = false
  }
}
`,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if _, ok := tg.Sandbox.Profile(id); !ok {
				return fmt.Errorf("profile %s was deleted", id)
			}
			return nil
		},
	})
}

// A profile adopted from the dashboard and later deleted there: the plan
// warns that it cannot be created again (instead of failing, since
// Terraform plans the same create in the refresh that precedes a destroy),
// and terraform destroy, run by the test case at its end, succeeds.
func TestConnectorProfilePublishedAPIDeletedInTheDashboard(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	ctx := context.Background()
	name, clientID, secret := "ZoomInfo (dashboard)", "0oaf6t3osgvaPvy4E1d7", "dashboard-secret"
	scopes, actions := []string{"api:data:contact", "api:data:company"}, []string{"zoominfo_search_contacts"}
	made, err := tg.Dashboard().CreateProfile(ctx, acctest.DashboardProfile{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce",
		Name: &name, ClientID: &clientID, ClientSecret: &secret, Scopes: &scopes, Actions: &actions,
	})
	if err != nil {
		t.Fatal(err)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{Config: publishedProfileConfig(tg, made.ID, name)},
			{
				PreConfig: func() {
					if err := tg.Dashboard().DeleteProfile(ctx, made.ID); err != nil {
						t.Fatal(err)
					}
				},
				Config:             publishedProfileConfig(tg, made.ID, name),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			// The plan only warned; the apply still refuses to create it.
			{
				Config:      publishedProfileConfig(tg, made.ID, name),
				ExpectError: expectError(`StackOne does not accept connector profile writes.*cannot create profiles there.*Create the profile in the StackOne dashboard`),
			},
		},
	})
	if n := len(tg.Sandbox.Profiles()); n != 0 {
		t.Errorf("the refused create left %d profiles", n)
	}
}

func TestConnectorProfilePublishedAPICreateRefused(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	config := profileConfig(tg, `
  name             = "ZoomInfo"
  client_secret_wo = "s"
`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: expectError(`does not accept connector profile writes.*Connector Profiles → \+ Connector Profile → zoominfo.*import \{.*Nothing was recorded in state`),
			},
			{
				// Nothing in state, and the plan says so: it fails, with the
				// same advice, instead of promising "1 to add".
				Config:      config,
				PlanOnly:    true,
				ExpectError: expectError(`does not accept connector profile writes.*Connector Profiles → \+ Connector Profile → zoominfo.*Found out while planning`),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if n := len(tg.Sandbox.Profiles()); n != 0 {
				return fmt.Errorf("%d profiles on the server, want none", n)
			}
			return nil
		},
	})
}

// A refresh of five profiles reads one list, never a profile by id.
func TestConnectorProfileRefreshReadsTheListOnly(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	cli := acctest.NewCLI(t, tg)
	cli.WriteFile("main.tf", `
terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}
resource "stackone_connector_profile" "fleet" {
  count            = 5
  connector        = "zoominfo"
  auth_type        = "oauth2_authorization_code_pkce"
  name             = "fleet ${count.index}"
  client_id        = "cid"
  client_secret_wo = "s"
}
`)
	if out, code := cli.Run("apply", "-auto-approve", "-input=false"); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	before := tg.Sandbox.Stats().Requests
	if out, code := cli.Run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
		t.Fatalf("plan after apply: exit %d, want 0 (no changes)\n%s", code, out)
	}
	after := tg.Sandbox.Stats().Requests
	if byID := after["GET /connector_profiles/{id}"] - before["GET /connector_profiles/{id}"]; byID != 0 {
		t.Errorf("the refresh read %d profiles by id, want 0", byID)
	}
	if lists := after["GET /connector_profiles"] - before["GET /connector_profiles"]; lists < 1 || lists > 2 {
		t.Errorf("the refresh listed profiles %d times, want 1 or 2", lists)
	}
}

// TestConnectorProfile_importAndRefreshExisting adopts a profile made in the
// dashboard with an import block and -generate-config-out, then plans with
// the generated configuration: the import reads the profile from the
// published list, and nothing is written. It runs against the sandbox's
// published API, and against live StackOne (make testacc) when
// STACKONE_TEST_PROFILE_ID names a profile there.
func TestConnectorProfile_importAndRefreshExisting(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	id := os.Getenv("STACKONE_TEST_PROFILE_ID")
	switch {
	case tg.Sandbox != nil:
		name, clientID, secret := "made in the dashboard", "0oaf6t3osgvaPvy4E1d7", "dashboard-secret"
		p, err := tg.Dashboard().CreateProfile(context.Background(), acctest.DashboardProfile{
			ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce",
			Name: &name, ClientID: &clientID, ClientSecret: &secret,
		})
		if err != nil {
			t.Fatal(err)
		}
		id = p.ID
	case id == "":
		t.Skip("set STACKONE_TEST_PROFILE_ID to a connector profile of the live StackOne account to test its import and refresh")
	}
	cli := acctest.NewCLI(t, tg)
	cli.WriteFile("main.tf", fmt.Sprintf(`
terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}
import {
  to = stackone_connector_profile.adopted
  id = %q
}
`, id))
	out, code := cli.Run("plan", "-input=false", "-generate-config-out=generated.tf")
	if code == 0 || !expectError(`Missing client secret`).MatchString(out) {
		t.Fatalf("the generated config should need a secret and a client id; exit %d:\n%s", code, out)
	}
	generated := cli.ReadFile("generated.tf")
	// What StackOne does not report, the user writes in: the client id and
	// the write-only secret.
	edited := regexp.MustCompile(`(?m)^\s*client_secret_wo\s*=\s*null.*$`).ReplaceAllString(generated, `  client_secret_wo = "dashboard-secret"`)
	edited = regexp.MustCompile(`(?m)^\s*client_id\s*=\s*null.*$`).ReplaceAllString(edited, `  client_id = "0oaf6t3osgvaPvy4E1d7"`)
	if edited == generated || !strings.Contains(edited, "client_id") {
		t.Fatalf("nothing to fill in the generated config:\n%s", generated)
	}
	cli.WriteFile("generated.tf", edited)
	out, code = cli.Run("plan", "-input=false", "-detailed-exitcode")
	if code != 2 || !strings.Contains(out, "1 to import") || !strings.Contains(out, id) {
		t.Fatalf("want a plan that imports %s; exit %d:\n%s", id, code, out)
	}
	if tg.Sandbox != nil {
		if st := tg.Sandbox.Stats(); st.Requests["POST /connector_profiles"]+st.Requests["PATCH /connector_profiles/{id}"]+st.Requests["GET /connector_profiles/{id}"] != 0 {
			t.Errorf("import and plan sent writes or reads by id: %v", st.Requests)
		}
	}
}

// TestDataSources_publishedAPI reads the catalog and the profile list as
// StackOne publishes them; it runs against live StackOne too.
func TestDataSources_publishedAPI(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	// Against the sandbox, the list must hold the profile made in its
	// dashboard, with the published fields (the extension's are null).
	var profiles knownvalue.Check = knownvalue.NotNull()
	if tg.Sandbox != nil {
		id := dashboardProfile(t, tg)
		profiles = knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"id":        knownvalue.StringExact(id),
			"name":      knownvalue.StringExact("ZoomInfo (dashboard)"),
			"auth_type": knownvalue.StringExact("oauth2_authorization_code_pkce"),
			"active":    knownvalue.Bool(true),
			"client_id": knownvalue.Null(),
			"scopes":    knownvalue.Null(),
		})})
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: tg.ProviderConfig() + `
data "stackone_connector" "zoominfo" {
  key = "zoominfo"
}
data "stackone_connector_profiles" "zoominfo" {
  connector = "zoominfo"
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.stackone_connector.zoominfo", tfjsonpath.New("auth_types").AtSliceIndex(0).AtMapKey("callback_url"),
					knownvalue.StringExact(strings.TrimSuffix(tg.BaseURL, "/")+"/connect/oauth2/zoominfo/callback")),
				statecheck.ExpectKnownValue("data.stackone_connector_profiles.zoominfo", tfjsonpath.New("profiles"), profiles),
			},
		}},
	})
}
