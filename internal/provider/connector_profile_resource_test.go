package provider_test

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

const profileAddr = "stackone_connector_profile.test"

// profileConfig renders a ZoomInfo profile. body holds the attributes that
// vary between steps.
func profileConfig(tg *acctest.Target, body string) string {
	return tg.ProviderConfig() + fmt.Sprintf(`
resource "stackone_connector_profile" "test" {
  connector = "zoominfo"
  auth_type = "oauth2_authorization_code_pkce"
  client_id = "0oaf6t3osgvaPvy4E1d7"
%s
}
`, body)
}

// profileOnServer fetches the profile in state from the API.
func profileOnServer(t *testing.T, tg *acctest.Target, s *terraform.State) *stackone.ConnectorProfile {
	t.Helper()
	rs, ok := s.RootModule().Resources[profileAddr]
	if !ok {
		t.Fatalf("%s not in state", profileAddr)
	}
	p, err := tg.ReadProfile(context.Background(), rs.Primary.ID)
	if err != nil {
		t.Fatalf("get profile %s: %v", rs.Primary.ID, err)
	}
	return p
}

func stateID(s *terraform.State) string { return s.RootModule().Resources[profileAddr].Primary.ID }

func checkDestroyed(tg *acctest.Target) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "stackone_connector_profile" {
				continue
			}
			if _, err := tg.ReadProfile(context.Background(), rs.Primary.ID); !stackone.IsNotFound(err) {
				return fmt.Errorf("profile %s still exists after destroy (err=%v)", rs.Primary.ID, err)
			}
		}
		return nil
	}
}

func TestConnectorProfile_createUpdateInPlace(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             checkDestroyed(tg),
		Steps: []resource.TestStep{
			{
				Config: profileConfig(tg, `
  name          = "ZoomInfo production"
  client_secret = "first-secret"
  scopes        = ["api:data:contact", "api:data:company"]
  actions       = ["zoominfo_search_contacts"]
`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(profileAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("api:data:contact"), knownvalue.StringExact("api:data:company"),
					})),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("redirect_uri"),
						knownvalue.StringExact(tg.BaseURL+"/connect/oauth2/zoominfo/callback")),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
				Check: func(s *terraform.State) error {
					p := profileOnServer(t, tg, s)
					if p.Name != "ZoomInfo production" || p.ClientSecretSet == nil || !*p.ClientSecretSet || p.ClientID == nil || *p.ClientID != "0oaf6t3osgvaPvy4E1d7" {
						return fmt.Errorf("server profile = %+v", p)
					}
					if tg.Sandbox != nil {
						if sp, _ := tg.Sandbox.Profile(p.ID); sp.ClientSecret != "first-secret" {
							return fmt.Errorf("sandbox holds a different secret")
						}
					}
					return nil
				},
			},
			{
				Config: profileConfig(tg, `
  name          = "ZoomInfo prod"
  client_secret = "first-secret"
  scopes        = ["api:data:contact", "api:data:company", "api:data:intent"]
  actions       = []
  active        = false
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(profileAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("name"), knownvalue.StringExact("ZoomInfo prod")),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("active"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("actions"), knownvalue.SetSizeExact(0)),
				},
				Check: func(s *terraform.State) error {
					p := profileOnServer(t, tg, s)
					scopes := acctest.Strings(p.Scopes)
					sort.Strings(scopes)
					if p.Name != "ZoomInfo prod" || p.Active == nil || *p.Active || strings.Join(scopes, " ") != "api:data:company api:data:contact api:data:intent" || p.Actions == nil || len(*p.Actions) != 0 {
						return fmt.Errorf("server profile after update = %+v", p)
					}
					return nil
				},
			},
		},
	})
}

func TestConnectorProfile_scopeOrderMakesNoDiff(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: profileConfig(tg, `
  name          = "order"
  client_secret = "s"
  scopes        = ["api:data:contact", "api:data:company", "api:data:news"]
  actions       = ["zoominfo_search_contacts", "zoominfo_enrich_companies"]
`)},
			{
				Config: profileConfig(tg, `
  name          = "order"
  client_secret = "s"
  scopes        = ["api:data:news", "api:data:contact", "api:data:company"]
  actions       = ["zoominfo_enrich_companies", "zoominfo_search_contacts"]
`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestConnectorProfile_replaceOnConnectorOrAuthType(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t) // the second connector lives in the sandbox catalog
	differentID := statecheck.CompareValue(compare.ValuesDiffer())
	acme := func(name string) string {
		return tg.ProviderConfig() + fmt.Sprintf(`
resource "stackone_connector_profile" "test" {
  connector     = "acmecrm"
  auth_type     = "oauth2_authorization_code"
  name          = %q
  client_id     = "acme-client"
  client_secret = "acme-secret"
  scopes        = ["contacts:read"]
}
`, name)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             checkDestroyed(tg),
		Steps: []resource.TestStep{
			{
				Config:            profileConfig(tg, `name = "replace me"`+"\n  client_secret = \"s\""),
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(profileAddr, tfjsonpath.New("id"))},
			},
			{
				Config: acme("acme"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					differentID.AddStateValue(profileAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("redirect_uri"),
						knownvalue.StringExact(tg.BaseURL+"/connect/oauth2/acmecrm/callback")),
				},
				Check: func(s *terraform.State) error {
					if n := len(tg.Sandbox.Profiles()); n != 1 {
						return fmt.Errorf("sandbox holds %d profiles after replace, want 1", n)
					}
					return nil
				},
			},
		},
	})
}

func TestConnectorProfile_replaceOnAuthType(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	cfg := func(authType, scopes string) string {
		return tg.ProviderConfig() + fmt.Sprintf(`
resource "stackone_connector_profile" "test" {
  connector     = "acmecrm"
  auth_type     = %q
  name          = "acme"
  client_id     = "acme-client"
  client_secret = "acme-secret"
  scopes        = %s
}
`, authType, scopes)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg("oauth2_authorization_code", `["contacts:read"]`)},
			{
				Config: cfg("oauth2_client_credentials", `[]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

func TestConnectorProfile_import(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{Config: profileConfig(tg, `
  name             = "imported"
  client_secret_wo = "wo-secret"
  scopes           = ["api:data:contact"]
  actions          = ["zoominfo_search_contacts"]
`)},
			{
				ResourceName:      profileAddr,
				ImportState:       true,
				ImportStateKind:   resource.ImportCommandWithID,
				ImportStateVerify: true,
			},
			{
				// An import block with the same configuration plans no change:
				// the write-only secret is not in state to differ.
				ResourceName:    profileAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
			{
				ResourceName:  profileAddr,
				ImportState:   true,
				ImportStateId: "no/such/id",
				ExpectError:   expectError(`Invalid import id.*profile's id`),
			},
			{
				ResourceName:  profileAddr,
				ImportState:   true,
				ImportStateId: "00000000-0000-4000-8000-000000000000",
				ExpectError:   expectError(`Cannot import non-existent remote object`),
			},
		},
	})
}

func TestConnectorProfile_importWithClientSecretVerifies(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: profileConfig(tg, `
  name          = "imported"
  client_secret = "in-state"
  scopes        = ["api:data:company"]
`)},
			{
				ResourceName:      profileAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// The API never returns the secret, so an import cannot know it.
				ImportStateVerifyIgnore: []string{"client_secret"},
			},
		},
	})
}

func TestConnectorProfile_outOfBandChangeIsPlannedAndRestored(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	cfg := profileConfig(tg, `
  name          = "declared name"
  client_secret = "s"
  scopes        = ["api:data:contact"]
`)
	var id string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: func(s *terraform.State) error { id = stateID(s); return nil }},
			{
				PreConfig: func() {
					name := "renamed in the dashboard"
					if _, err := tg.Client.UpdateConnectorProfile(context.Background(), id, "", stackone.UpdateConnectorProfileRequest{Name: &name}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionUpdate),
					expectOnlyChanged(profileAddr, "name"),
				}},
				Check: func(s *terraform.State) error {
					if p := profileOnServer(t, tg, s); p.Name != "declared name" {
						return fmt.Errorf("apply did not restore the name: %q", p.Name)
					}
					return nil
				},
			},
		},
	})
}

func TestConnectorProfile_outOfBandDeletePlansCreate(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	cfg := profileConfig(tg, `
  name          = "deleted elsewhere"
  client_secret = "s"
`)
	var id string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: func(s *terraform.State) error { id = stateID(s); return nil }},
			{
				PreConfig: func() {
					if err := tg.Client.DeleteConnectorProfile(context.Background(), id, ""); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionCreate),
				}},
				Check: func(s *terraform.State) error {
					if stateID(s) == id {
						return fmt.Errorf("expected a new profile id after re-create")
					}
					return nil
				},
			},
		},
	})
}

func TestConnectorProfile_writeOnlySecret(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t) // reads the stored secret back from the sandbox
	const first, second = "write-only-first-secret", "write-only-rotated-secret"
	cfg := func(secret string, version int) string {
		return profileConfig(tg, fmt.Sprintf(`
  name                     = "wo"
  client_secret_wo         = %q
  client_secret_wo_version = %d
`, secret, version))
	}
	serverSecret := func(s *terraform.State) string {
		p, _ := tg.Sandbox.Profile(stateID(s))
		return p.ClientSecret
	}
	noSecretInState := func(s *terraform.State) error {
		for k, v := range s.RootModule().Resources[profileAddr].Primary.Attributes {
			if strings.Contains(v, "write-only") {
				return fmt.Errorf("state attribute %s holds the write-only secret", k)
			}
		}
		return nil
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config: cfg(first, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(profileAddr, tfjsonpath.New("client_secret_wo"), knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("client_secret_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("client_secret"), knownvalue.Null()),
				},
				Check: func(s *terraform.State) error {
					if got := serverSecret(s); got != first {
						return fmt.Errorf("server secret after create is not the configured one")
					}
					return noSecretInState(s)
				},
			},
			{
				// A new value without a version bump is not sent: Terraform cannot see it change.
				Config:           cfg(second, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(s *terraform.State) error {
					if serverSecret(s) != first {
						return fmt.Errorf("secret changed without a version bump")
					}
					return nil
				},
			},
			{
				Config: cfg(second, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionUpdate),
				}},
				Check: func(s *terraform.State) error {
					if serverSecret(s) != second {
						return fmt.Errorf("bumping client_secret_wo_version did not re-send the secret")
					}
					return noSecretInState(s)
				},
			},
		},
	})
}

func TestConnectorProfile_secretDriftResendsClientSecret(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	cfg := profileConfig(tg, `
  name          = "drift"
  client_secret = "declared-secret"
`)
	var id string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg, Check: func(s *terraform.State) error { id = stateID(s); return nil }},
			{
				PreConfig: func() {
					other := "rotated-in-dashboard"
					if _, err := tg.Client.UpdateConnectorProfile(context.Background(), id, "", stackone.UpdateConnectorProfileRequest{ClientSecret: &other}); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionUpdate),
					expectOnlyChanged(profileAddr, "client_secret"),
				}},
				Check: func(s *terraform.State) error {
					if p, _ := tg.Sandbox.Profile(id); p.ClientSecret != "declared-secret" {
						return fmt.Errorf("apply did not restore the declared secret")
					}
					return nil
				},
			},
		},
	})
}

// TestConnectorProfile_badConfigurations: each mistake fails at validate or
// plan with a message naming the attribute, and nothing reaches the server.
func TestConnectorProfile_badConfigurations(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	cases := []struct {
		name, body string
		connector  string
		want       string
	}{
		{"empty client_id", `client_id = ""` + "\n client_secret = \"s\"", "", `client_id must not be empty`},
		{"blank client_id", `client_id = "   "` + "\n client_secret = \"s\"", "", `client_id must not be empty`},
		{"unknown auth_type", `auth_type = "oauth2_pkce"` + "\n client_secret = \"s\"", "", `auth_type "oauth2_pkce" is not an auth type of connector "zoominfo".*oauth2_authorization_code_pkce`},
		{"blank scope", `client_secret = "s"` + "\n scopes = [\"api:data:contact\", \"\"]", "", `scopes entry "" must not be empty`},
		{"duplicate scope", `client_secret = "s"` + "\n scopes = [\"api:data:contact\", \"API:data:contact\"]", "", `scopes lists.*differ only in case`},
		{"scope with space", `client_secret = "s"` + "\n scopes = [\"api:data:contact api:data:company\"]", "", `scopes entry.*contains whitespace`},
		{"both secrets", `client_secret = "s"` + "\n client_secret_wo = \"w\"", "", `client_secret_wo.*not both`},
		{"no secret", ``, "", `needs the OAuth app's client secret: set client_secret_wo`},
		{"version without write-only secret", `client_secret = "s"` + "\n client_secret_wo_version = 1", "", `client_secret_wo_version.*set client_secret_wo too`},
		{"unknown connector", `client_secret = "s"`, "zoominf", `connector "zoominf" is not in StackOne's catalog.*Did you mean "zoominfo"`},
		{"misspelt scope", `client_secret = "s"` + "\n scopes = [\"api:data:contacts\"]", "", `scope "api:data:contacts" is not defined.*Did you mean "api:data:contact"`},
		{"action without its scope", `client_secret = "s"` + "\n scopes = [\"api:data:company\"]\n actions = [\"zoominfo_search_contacts\"]", "", `zoominfo_search_contacts.*api:data:contact`},
		{"unknown action", `client_secret = "s"` + "\n actions = [\"zoominfo_search_contact\"]", "", `action "zoominfo_search_contact" is not an action.*Did you mean`},
		{"control character in name", `client_secret = "s"` + "\n name = \"bad\\u0007name\"", "", `name contains a control character`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			attrs := map[string]string{"connector": `"zoominfo"`, "auth_type": `"oauth2_authorization_code_pkce"`, "client_id": `"cid"`, "name": `"bad config"`}
			if tc.connector != "" {
				attrs["connector"] = fmt.Sprintf("%q", tc.connector)
			}
			for _, line := range strings.Split(tc.body, "\n") {
				if k, _, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
					delete(attrs, strings.TrimSpace(k))
				}
			}
			var b strings.Builder
			for k, v := range attrs {
				fmt.Fprintf(&b, "  %s = %s\n", k, v)
			}
			config := tg.ProviderConfig() + fmt.Sprintf("resource \"stackone_connector_profile\" \"test\" {\n%s  %s\n}\n", b.String(), tc.body)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				Steps:                    []resource.TestStep{{Config: config, ExpectError: expectError(tc.want)}},
			})
		})
	}
	if n := len(tg.Sandbox.Profiles()); n != 0 {
		t.Fatalf("bad configurations created %d profiles on the server", n)
	}
	if n := tg.Sandbox.Stats().Requests["POST /connector_profiles"]; n != 0 {
		t.Fatalf("bad configurations sent %d creates", n)
	}
}

// TestConnectorProfile_refreshWarnings checks the warnings a refresh gives:
// a profile deleted outside Terraform, and a write-only secret rotated outside it.
func TestConnectorProfile_refreshWarnings(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	// Each read through a new provider server, as each Terraform command
	// starts a new provider process (which reads the profile list anew).
	ctx := context.Background()

	t.Run("deleted outside Terraform", func(t *testing.T) {
		diags, inState := newProtoServer(t, tg).readProfile(map[string]tftypes.Value{
			"id": tftypes.NewValue(tftypes.String, "00000000-0000-4000-8000-000000000000"),
		}, nil)
		if inState {
			t.Fatal("a profile missing on the server stayed in state")
		}
		if !hasDiag(diags, tfprotov6.DiagnosticSeverityWarning, `no longer exists.*deleted outside Terraform.*removed from state.*next apply creates it`) {
			t.Fatalf("want a warning about the deleted profile, got %v", diags)
		}
	})

	t.Run("write-only secret rotated outside Terraform", func(t *testing.T) {
		p, err := tg.Client.CreateConnectorProfile(ctx, stackone.CreateConnectorProfileRequest{
			ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: "wo drift", ClientID: "cid", ClientSecret: "one",
		})
		if err != nil {
			t.Fatal(err)
		}
		written := map[string][]byte{"secret_written_at": []byte(`"` + p.ClientSecretUpdatedAt.UTC().Format(time.RFC3339Nano) + `"`)}
		state := map[string]tftypes.Value{
			"id":                       tftypes.NewValue(tftypes.String, p.ID),
			"client_secret_wo_version": tftypes.NewValue(tftypes.Number, 1),
		}
		if diags, _ := newProtoServer(t, tg).readProfile(state, written); len(diags) != 0 {
			t.Fatalf("no drift yet, but got %v", diags)
		}
		time.Sleep(10 * time.Millisecond) // the rotation must get a later timestamp
		other := "two"
		if _, err := tg.Client.UpdateConnectorProfile(ctx, p.ID, "", stackone.UpdateConnectorProfileRequest{ClientSecret: &other}); err != nil {
			t.Fatal(err)
		}
		written["secret_mode"] = []byte(`"wo"`)
		diags, inState := newProtoServer(t, tg).readProfile(state, written)
		if !inState || !hasDiag(diags, tfprotov6.DiagnosticSeverityWarning, `changed outside Terraform.*cannot see write-only values.*increase client_secret_wo_version`) {
			t.Fatalf("want a warning to bump client_secret_wo_version, got %v", diags)
		}
		// A client_secret user whose state lost the secret (after an import
		// or a refresh-only apply) is told the plan re-sends it, not to bump
		// a version they do not have.
		written["secret_mode"] = []byte(`"state"`)
		diags, _ = newProtoServer(t, tg).readProfile(state, written)
		if !hasDiag(diags, tfprotov6.DiagnosticSeverityWarning, `changed outside Terraform.*The plan re-sends client_secret`) ||
			hasDiag(diags, tfprotov6.DiagnosticSeverityWarning, `client_secret_wo_version`) {
			t.Fatalf("want the client_secret advice only, got %v", diags)
		}
	})
}

// TestConnectorProfile_generateConfigPlansCleanOnceSecretAdded drives the CLI
// as a user would: import with -generate-config-out, add the write-only
// secret to the generated block, and plan again: nothing to change.
func TestConnectorProfile_generateConfigPlansCleanOnceSecretAdded(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	p, err := tg.Client.CreateConnectorProfile(context.Background(), stackone.CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: "made in the dashboard",
		ClientID: "0oaf6t3osgvaPvy4E1d7", ClientSecret: "dashboard-secret",
		Scopes: []string{"api:data:contact", "api:data:company"}, Actions: []string{"zoominfo_search_contacts"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tg.Client.DeleteConnectorProfile(context.Background(), p.ID, "") })

	cli := acctest.NewCLI(t, tg)
	cli.WriteFile("main.tf", fmt.Sprintf(`
terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}
import {
  to = stackone_connector_profile.imported
  id = %q
}
`, p.ID))
	out, code := cli.Run("plan", "-input=false", "-generate-config-out=generated.tf")
	if code == 0 || !expectError(`Missing client secret`).MatchString(out) {
		t.Fatalf("the generated config should plan only once a secret is added; exit %d:\n%s", code, out)
	}
	generated := cli.ReadFile("generated.tf")
	if !strings.Contains(generated, `client_secret_wo`) || !strings.Contains(generated, p.ID) && !strings.Contains(generated, "made in the dashboard") {
		t.Fatalf("unexpected generated config:\n%s", generated)
	}
	// The user's edit: set the write-only secret.
	edited := regexp.MustCompile(`(?m)^\s*client_secret_wo\s*=\s*null.*$`).ReplaceAllString(generated, `  client_secret_wo = "dashboard-secret"`)
	if edited == generated {
		t.Fatalf("no client_secret_wo line to edit in:\n%s", generated)
	}
	t.Logf("generated:\n%s", generated)
	cli.WriteFile("generated.tf", edited)
	out, code = cli.Run("plan", "-input=false", "-detailed-exitcode")
	if code != 2 || !strings.Contains(out, "1 to import, 0 to add, 0 to change, 0 to destroy") {
		t.Fatalf("want a plan that only imports; exit %d:\n%s", code, out)
	}
}

// TestConnectorProfile_unknownAtPlanSkipsCatalogCheck: scopes known only at
// apply are not checked at plan (nor refused), and the profile applies.
func TestConnectorProfile_unknownAtPlanSkipsCatalogCheck(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: tg.ProviderConfig() + `
resource "terraform_data" "scope" {
  input = "api:data:contact"
}
resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "unknown at plan"
  client_id     = "cid"
  client_secret = "s"
  scopes        = [terraform_data.scope.output]
  actions       = ["zoominfo_search_contacts"]
}
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("api:data:contact")})),
			},
		}},
	})
}

// TestConnectorProfile_skipCatalogValidation: with the check off, a name the
// catalog lacks reaches the server, whose refusal is the error; no catalog
// request is made.
func TestConnectorProfile_skipCatalogValidation(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: tg.ProviderConfig("skip_catalog_validation = true") + `
resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "unchecked"
  client_id     = "cid"
  client_secret = "s"
  scopes        = ["api:data:contacts"]
}
`,
			ExpectError: expectError(`Cannot create the connector profile.*api:data:contacts`),
		}},
	})
	if n := tg.Sandbox.Stats().Requests["GET /actions"]; n != 0 {
		t.Fatalf("skip_catalog_validation still fetched the catalog %d times", n)
	}
}

// TestConnectorProfile_catalogFetchesDoNotGrowWithProfiles: the catalog is
// fetched once per provider process, so 1 profile and 25 cost the same.
func TestConnectorProfile_catalogFetchesDoNotGrowWithProfiles(t *testing.T) {
	t.Parallel()
	fetches := func(n int) int {
		tg := acctest.New(t)
		tg.RequireSandbox(t)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
			Steps: []resource.TestStep{{Config: tg.ProviderConfig() + fmt.Sprintf(`
resource "stackone_connector_profile" "test" {
  count         = %d
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "p${count.index}"
  client_id     = "cid"
  client_secret = "s"
  scopes        = ["api:data:contact"]
  actions       = ["zoominfo_search_contacts"]
}
`, n)}},
		})
		return tg.Sandbox.Stats().Requests["GET /actions"]
	}
	one, many := fetches(1), fetches(25)
	if one == 0 || many != one {
		t.Fatalf("GET /actions: %d for 1 profile, %d for 25; want the same non-zero count", one, many)
	}
}

// TestConnectorProfile_changeWarningsAndErrors covers what a plan and an
// apply say about risky changes: a new client_id without a new write-only
// secret, and an update of a profile deleted after the plan's refresh.
func TestConnectorProfile_changeWarningsAndErrors(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	ps := newProtoServer(t, tg)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	num := func(n int) tftypes.Value { return tftypes.NewValue(tftypes.Number, n) }
	emptySet := tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{})
	prior := map[string]tftypes.Value{
		"id": str("00000000-0000-4000-8000-000000000000"), "connector": str("zoominfo"), "auth_type": str("oauth2_authorization_code_pkce"),
		"name": str("n"), "client_id": str("old-client"), "client_secret_wo_version": num(1),
		"scopes": emptySet, "actions": emptySet, "active": tftypes.NewValue(tftypes.Bool, true),
		"redirect_uri": str("https://api.stackone.com/connect/oauth2/zoominfo/callback"),
		"created_at":   str("2026-01-01T00:00:00Z"), "updated_at": str("2026-01-01T00:00:00Z"),
	}
	with := func(base map[string]tftypes.Value, kv ...any) map[string]tftypes.Value {
		m := maps.Clone(base)
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1].(tftypes.Value)
		}
		return m
	}
	config := func(kv ...any) map[string]tftypes.Value {
		c := map[string]tftypes.Value{}
		for _, k := range []string{"connector", "auth_type", "name", "client_id", "client_secret_wo_version"} {
			c[k] = prior[k]
		}
		c["client_secret_wo"] = str("the-secret")
		return with(c, kv...)
	}
	proposed := func(cfg map[string]tftypes.Value) map[string]tftypes.Value {
		p := maps.Clone(prior)
		maps.Copy(p, cfg)
		return p
	}
	const warning = `New client id, same client secret.*"old-client" to "new-client" but client_secret_wo_version does not.*invalid_client`

	t.Run("new client id, same version", func(t *testing.T) {
		cfg := config("client_id", str("new-client"))
		if diags := ps.planProfileChange(prior, cfg, proposed(cfg)); !hasDiag(diags, tfprotov6.DiagnosticSeverityWarning, warning) {
			t.Fatalf("want the warning, got %v", diags)
		}
	})
	t.Run("new client id and version", func(t *testing.T) {
		cfg := config("client_id", str("new-client"), "client_secret_wo_version", num(2))
		if diags := ps.planProfileChange(prior, cfg, proposed(cfg)); hasDiag(diags, tfprotov6.DiagnosticSeverityWarning, `New client id`) {
			t.Fatalf("no warning wanted when the version changes too, got %v", diags)
		}
	})
	t.Run("same client id", func(t *testing.T) {
		cfg := config("name", str("renamed"))
		if diags := ps.planProfileChange(prior, cfg, proposed(cfg)); hasDiag(diags, tfprotov6.DiagnosticSeverityWarning, `New client id`) {
			t.Fatalf("no warning wanted for a rename, got %v", diags)
		}
	})
	t.Run("new client id on a replacement", func(t *testing.T) {
		cfg := config("client_id", str("new-client"), "auth_type", str("oauth2_authorization_code"))
		if diags := ps.planProfileChange(prior, cfg, proposed(cfg)); hasDiag(diags, tfprotov6.DiagnosticSeverityWarning, `New client id`) {
			t.Fatalf("a replacement creates the profile with the new secret: no warning wanted, got %v", diags)
		}
	})
	t.Run("new client id, from client_secret to client_secret_wo", func(t *testing.T) {
		inState := with(prior, "client_secret", str("old-client-secret"), "client_secret_wo_version", tftypes.NewValue(tftypes.Number, nil))
		cfg := config("client_id", str("new-client"), "client_secret_wo_version", tftypes.NewValue(tftypes.Number, nil))
		p := with(proposed(cfg), "client_secret", tftypes.NewValue(tftypes.String, nil))
		if diags := ps.planProfileChange(inState, cfg, p); hasDiag(diags, tfprotov6.DiagnosticSeverityWarning, `New client id`) {
			t.Fatalf("leaving client_secret sends the new secret: no warning wanted, got %v", diags)
		}
	})
	t.Run("update of a profile deleted after the refresh", func(t *testing.T) {
		cfg := config("name", str("renamed"))
		planned := with(proposed(cfg), "client_secret_wo", tftypes.NewValue(tftypes.String, nil))
		diags := ps.applyProfileChange(prior, cfg, planned)
		if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `Connector profile no longer exists.*404.*deleted outside Terraform after this plan's refresh.*Run terraform apply again`) {
			t.Fatalf("want advice on the deleted profile, got %v", diags)
		}
	})
}

// TestConnectorProfile_catalogRefusedKey: a catalog check refused for the
// API key says so, and does not suggest skipping the check, which would only
// move the same refusal to the apply.
func TestConnectorProfile_catalogRefusedKey(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	ps := newProtoServerWith(t, tg, map[string]tftypes.Value{
		"api_key":     tftypes.NewValue(tftypes.String, "v1.sandbox.not-a-key"),
		"max_retries": tftypes.NewValue(tftypes.Number, 0),
	})
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	prior := map[string]tftypes.Value{
		"id": str("00000000-0000-4000-8000-000000000000"), "connector": str("zoominfo"),
		"auth_type": str("oauth2_authorization_code_pkce"), "name": str("n"), "client_id": str("c"), "client_secret": str("a-client-secret"),
	}
	cfg := maps.Clone(prior)
	delete(cfg, "id")
	cfg["name"] = str("renamed")
	proposed := maps.Clone(prior)
	proposed["name"] = str("renamed")
	diags := ps.planProfileChange(prior, cfg, proposed)
	if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `Cannot check the profile against StackOne's catalog.*401`) {
		t.Fatalf("want the refused key reported, got %v", diags)
	}
	for _, d := range diags {
		if strings.Contains(d.Detail, "skip_catalog_validation") {
			t.Fatalf("advice to skip the check for a refused key: %s", d.Detail)
		}
	}
}
