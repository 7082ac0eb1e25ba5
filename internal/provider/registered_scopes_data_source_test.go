package provider_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox/authserver"
)

// registeredScopes reads stackone_registered_scopes once through the
// protocol, so the authorization server's request count is exact.
func registeredScopes(t *testing.T, tg *acctest.Target, attrs map[string]tftypes.Value) ([]*tfprotov6.Diagnostic, map[string]tftypes.Value, int) {
	t.Helper()
	ps := newProtoServer(t, tg)
	if _, ok := attrs["connector"]; !ok {
		attrs["connector"] = tftypes.NewValue(tftypes.String, "zoominfo")
	}
	if _, ok := attrs["client_id"]; !ok {
		attrs["client_id"] = tftypes.NewValue(tftypes.String, tg.Sandbox.ZoomInfoApp().ClientID)
	}
	if _, ok := attrs["authorization_endpoint"]; !ok {
		// The sandbox's stand-in for ZoomInfo's gateway, the documented
		// endpoint the data source uses by default.
		attrs["authorization_endpoint"] = tftypes.NewValue(tftypes.String, tg.Sandbox.AuthServer().GatewayAuthorizeEndpoint())
	}
	before := tg.Sandbox.AuthServer().AuthorizeRequests()
	diags, state := ps.readDataSource("stackone_registered_scopes", attrs)
	return diags, state, tg.Sandbox.AuthServer().AuthorizeRequests() - before
}

func TestRegisteredScopes_allRegisteredIsOneRequest(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	scopes := tg.Sandbox.ZoomInfoApp().Scopes
	diags, state, requests := registeredScopes(t, tg, map[string]tftypes.Value{"scopes": stringSetValue(scopes...)})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if requests != 1 {
		t.Fatalf("%d authorize requests for %d registered scopes, want exactly 1", requests, len(scopes))
	}
	var all bool
	_ = state["all_registered"].As(&all)
	if !all || len(setStringsOf(t, state["registered_scopes"])) != len(scopes) || len(setStringsOf(t, state["unregistered_scopes"])) != 0 {
		t.Fatalf("state = %v", state)
	}
}

func TestRegisteredScopes_reportsExactlyTheUnregistered(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	// api:data:lookup and api:audience:read are in the catalog but not on the seeded app.
	asked := []string{"api:data:contact", "api:data:company", "api:data:lookup", "api:audience:read"}
	diags, state, requests := registeredScopes(t, tg, map[string]tftypes.Value{
		"scopes":               stringSetValue(asked...),
		"fail_on_unregistered": tftypes.NewValue(tftypes.Bool, false),
	})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if got := strings.Join(setStringsOf(t, state["unregistered_scopes"]), " "); got != "api:audience:read api:data:lookup" {
		t.Fatalf("unregistered_scopes = %q", got)
	}
	if got := strings.Join(setStringsOf(t, state["registered_scopes"]), " "); got != "api:data:company api:data:contact" {
		t.Fatalf("registered_scopes = %q", got)
	}
	if requests != 1+len(asked) {
		t.Fatalf("%d authorize requests, want 1 for all then 1 per scope = %d", requests, 1+len(asked))
	}

	// With the default fail_on_unregistered, the same check fails and lists every one.
	diags, _, _ = registeredScopes(t, tg, map[string]tftypes.Value{"scopes": stringSetValue(asked...)})
	if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `does not have these scopes: "api:audience:read", "api:data:lookup".*ZoomInfo Developer Portal`) {
		t.Fatalf("want an error listing both unregistered scopes, got %v", diags)
	}
}

func TestRegisteredScopes_appProblems(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	app := tg.Sandbox.ZoomInfoApp()
	profileRedirect := tg.BaseURL + "/connect/oauth2/zoominfo/callback"

	t.Run("unknown client", func(t *testing.T) {
		diags, _, _ := registeredScopes(t, tg, map[string]tftypes.Value{"client_id": tftypes.NewValue(tftypes.String, "0oaNOTANAPP")})
		if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `Unknown OAuth client.*"0oaNOTANAPP"`) {
			t.Fatalf("got %v", diags)
		}
	})
	t.Run("redirect URI not registered", func(t *testing.T) {
		tg.Sandbox.AuthServer().UpdateApp(app.ClientID, func(a *authserver.App) { a.RedirectURIs = []string{"https://elsewhere.example/cb"} })
		defer tg.Sandbox.AuthServer().UpdateApp(app.ClientID, func(a *authserver.App) { a.RedirectURIs = app.RedirectURIs })
		diags, _, _ := registeredScopes(t, tg, map[string]tftypes.Value{})
		if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `add exactly.*`+strings.ReplaceAll(profileRedirect, ".", `\.`)+`.*Sign-in redirect URIs`) {
			t.Fatalf("want the exact redirect URI to add, got %v", diags)
		}
	})
	t.Run("app without PKCE", func(t *testing.T) {
		tg.Sandbox.AuthServer().UpdateApp(app.ClientID, func(a *authserver.App) { a.PKCERequired = false })
		defer tg.Sandbox.AuthServer().UpdateApp(app.ClientID, func(a *authserver.App) { a.PKCERequired = true })
		diags, _, _ := registeredScopes(t, tg, map[string]tftypes.Value{"scopes": stringSetValue("api:data:contact")})
		if !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `PKCE is not enabled on the OAuth app`) {
			t.Fatalf("got %v", diags)
		}
	})
	t.Run("plain http to a remote endpoint", func(t *testing.T) {
		diags, _, requests := registeredScopes(t, tg, map[string]tftypes.Value{
			"authorization_endpoint": tftypes.NewValue(tftypes.String, "http://login.example.com/oauth2/v1/authorize"),
		})
		if requests != 0 || !hasDiag(diags, tfprotov6.DiagnosticSeverityError, `authorization_endpoint|https`) {
			t.Fatalf("got %v (requests %d)", diags, requests)
		}
	})
}

// TestRegisteredScopes_feedsProfile: the check-then-declare pattern. The
// registered scopes become the profile's scopes; it applies and plans clean.
func TestRegisteredScopes_feedsProfile(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	app := tg.Sandbox.ZoomInfoApp()
	config := tg.ProviderConfig() + fmt.Sprintf(`
data "stackone_registered_scopes" "zoominfo" {
  connector              = "zoominfo"
  client_id              = %[1]q
  scopes                 = ["api:data:contact", "api:data:company", "api:data:lookup"]
  authorization_endpoint = %[3]q
  fail_on_unregistered   = false
}

resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "checked"
  client_id     = %[1]q
  client_secret = %[2]q
  scopes        = data.stackone_registered_scopes.zoominfo.registered_scopes
}
`, app.ClientID, app.ClientSecret, tg.Sandbox.AuthServer().GatewayAuthorizeEndpoint())
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("api:data:company"), knownvalue.StringExact("api:data:contact"),
					})),
					statecheck.ExpectKnownValue("data.stackone_registered_scopes.zoominfo", tfjsonpath.New("all_registered"), knownvalue.Bool(false)),
				},
			},
			{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}
