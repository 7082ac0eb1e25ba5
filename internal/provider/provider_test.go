package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
)

const connectorLookup = `data "stackone_connector" "z" { key = "zoominfo" }`

// TestProvider_configFromEnvironment: with no provider block, the API key and
// base URL come from STACKONE_API_KEY and STACKONE_BASE_URL.
func TestProvider_configFromEnvironment(t *testing.T) {
	tg := acctest.New(t)
	t.Setenv("STACKONE_API_KEY", tg.APIKey)
	t.Setenv("STACKONE_BASE_URL", tg.BaseURL)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: connectorLookup,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.stackone_connector.z", tfjsonpath.New("name"), knownvalue.StringExact("ZoomInfo")),
			},
		}},
	})
}

func TestProvider_configErrors(t *testing.T) {
	tg := acctest.New(t)
	t.Setenv("STACKONE_API_KEY", "")
	t.Setenv("STACKONE_BASE_URL", "")
	cases := []struct {
		name, block, want string
	}{
		{"missing key", fmt.Sprintf(`provider "stackone" { base_url = %q }`, tg.BaseURL),
			`Missing StackOne API key.*"api_key" or the environment variable STACKONE_API_KEY`},
		{"plain http to a remote host", `provider "stackone" {
  api_key  = "k"
  base_url = "http://api.example.com"
}`, `Invalid StackOne base URL.*http`},
		{"wrong key", fmt.Sprintf(`provider "stackone" {
  api_key  = "v1.wrong"
  base_url = %q
}`, tg.BaseURL), `STACKONE_API_KEY`},
		{"bad timeout", fmt.Sprintf(`provider "stackone" {
  api_key         = "k"
  base_url        = %q
  request_timeout = "soon"
}`, tg.BaseURL), `request_timeout is "soon", which is not a positive Go duration`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
				Steps:                    []resource.TestStep{{Config: tc.block + "\n" + connectorLookup, ExpectError: expectError(tc.want)}},
			})
		})
	}
}

// TestProvider_maxRetriesZeroMeansOneAttempt: max_retries = 0 is no retry,
// not the default.
func TestProvider_maxRetriesZeroMeansOneAttempt(t *testing.T) {
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	tg.Sandbox.SetDown(true)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      tg.ProviderConfig("max_retries = 0") + connectorLookup,
			ExpectError: expectError(`503`),
		}},
	})
	if n := tg.Sandbox.Stats().Requests["GET /actions"]; n != 1 {
		t.Fatalf("GET /actions sent %d times with max_retries = 0, want 1", n)
	}
}

// TestProvider_configKnownOnlyAtApply: an api_key that comes from a resource
// not yet created does not stop a plan that only creates profiles; the
// catalog check then runs at apply, so a bad scope still fails before
// anything is created. Once profiles exist, a refresh that cannot call
// StackOne says which provider attribute it waits for.
func TestProvider_configKnownOnlyAtApply(t *testing.T) {
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	config := func(keyFrom, scope string) string {
		return fmt.Sprintf(`
resource "terraform_data" "key" {
  input = %q
}
resource "terraform_data" "key2" {
  count = %d
  input = %q
}
provider "stackone" {
  api_key  = %s
  base_url = %q
}
resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "key from another resource"
  client_id     = "cid"
  client_secret = "a-client-secret"
  scopes        = [%q]
}
`, tg.APIKey, map[bool]int{true: 1, false: 0}[keyFrom == "terraform_data.key2[0].output"], tg.APIKey, keyFrom, tg.BaseURL, scope)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config:      config("terraform_data.key.output", "api:data:contcat"),
				ExpectError: expectError(`Unknown scope.*api:data:contact`),
			},
			{
				PreConfig: func() {
					if n := tg.Sandbox.Stats().Requests["POST /connector_profiles"]; n != 0 {
						t.Fatalf("%d profiles created for a bad scope", n)
					}
				},
				Config: config("terraform_data.key.output", "api:data:contact"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("stackone_connector_profile.test", tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("api:data:contact")})),
				},
			},
			{
				Config:      config("terraform_data.key2[0].output", "api:data:contact"),
				ExpectError: expectError(`Provider configuration not known at plan time.*api_key depends on something not yet applied.*-target`),
			},
			// Back to a known key, so that the destroy at the end can run.
			{Config: config("terraform_data.key.output", "api:data:contact"), PlanOnly: true},
		},
	})
}

// TestProvider_unknownKeyWithSkippedCatalog: with api_key known only at
// apply and skip_catalog_validation = true, the plan neither promises a
// catalog check at apply nor needs StackOne for a scope probe given its
// endpoint and redirect URI.
func TestProvider_unknownKeyWithSkippedCatalog(t *testing.T) {
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	ps := newProtoServerWith(t, tg, map[string]tftypes.Value{
		"api_key":                 tftypes.NewValue(tftypes.String, tftypes.UnknownValue),
		"skip_catalog_validation": tftypes.NewValue(tftypes.Bool, true),
	})
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	cfg := map[string]tftypes.Value{
		"connector": str("zoominfo"), "auth_type": str("oauth2_authorization_code_pkce"), "name": str("n"),
		"client_id": str("c"), "client_secret": str("a-client-secret"),
	}
	if diags := ps.planProfileChange(nil, cfg, cfg); len(diags) != 0 {
		t.Fatalf("create plan: want no diagnostics, got %v", diags)
	}
	app := tg.Sandbox.ZoomInfoApp()
	diags, state := ps.readDataSource("stackone_registered_scopes", map[string]tftypes.Value{
		"connector": str("zoominfo"), "client_id": str(app.ClientID),
		"authorization_endpoint": str(tg.Sandbox.AuthServer().Metadata().AuthorizationEndpoint),
		"redirect_uri":           str(app.RedirectURIs[0]),
		"scopes":                 stringSetValue(app.Scopes[0]),
	})
	var all bool
	_ = state["all_registered"].As(&all)
	if len(diags) != 0 || !all {
		t.Fatalf("probe without the catalog: diagnostics %v, all_registered %v", diags, all)
	}
}
