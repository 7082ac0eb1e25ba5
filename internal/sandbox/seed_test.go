package sandbox

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	seededProfileID = "3f2b8c1e-7a4d-4e59-9b61-0c8d2f5a7e10"
	seededAccountID = "a7c4e2d0-5b1f-4f8a-8e3c-6d9b0f2a1c55"
)

// exampleSeed is the seed file users copy (examples/testing/seed.json).
func exampleSeed(t *testing.T) *Seed {
	t.Helper()
	file := filepath.Join("..", "..", "examples", "testing", "seed.json")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := ParseSeed("seed.json", data)
	if err != nil {
		t.Fatal(err)
	}
	return sd
}

// The example seed, loaded into a sandbox serving only the published API,
// is what a client reads back: the dashboard's profile with its pin, the
// linked account, and the app's registered scopes.
func TestSeedLoadsProfilesPinsAccountsAndAppScopes(t *testing.T) {
	s := startSandbox(t, Options{API: APIPublished, Seed: exampleSeed(t)})
	c := newClient(t, s)

	var page wireProfilePage
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles", nil).json(t, &page)
	if page.Total != 1 || len(page.Data) != 1 {
		t.Fatalf("profiles = %+v", page)
	}
	p := page.Data[0]
	if p.ID != seededProfileID || p.Name != "ZoomInfo (made in the dashboard)" || p.ConnectorKey != "zoominfo" ||
		p.AuthenticationConfigKey != "oauth2_authorization_code_pkce" || !p.Active {
		t.Errorf("seeded profile = %+v", p)
	}
	if p.ConnectorPinnedVersion == nil || *p.ConnectorPinnedVersion != "1.4.0" || p.ConnectorVersion != "1.4.0" {
		t.Errorf("seeded pin: connector_pinned_version %v, connector_version %q", p.ConnectorPinnedVersion, p.ConnectorVersion)
	}
	var pin pinnedVersionJSON
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles/"+seededProfileID+"/pinned_version", nil).json(t, &pin)
	if pin.PinnedVersion != "1.4.0" || pin.Owner != builtinOwner {
		t.Errorf("pinned_version = %+v", pin)
	}

	// Client id, secret, scopes and actions are stored, though this mode
	// does not report them; a ZoomInfo profile without client_id and
	// client_secret uses the sandbox's own app, so linking through it works.
	stored, _ := s.Profile(seededProfileID)
	app := s.ZoomInfoApp()
	if stored.ClientID != app.ClientID || stored.ClientSecret != app.ClientSecret ||
		!slices.Equal(stored.Scopes, []string{"api:data:contact", "api:data:company"}) ||
		!slices.Equal(stored.Actions, []string{"zoominfo_search_contacts", "zoominfo_enrich_companies"}) {
		t.Errorf("stored profile = %+v", stored)
	}
	if !slices.Equal(app.Scopes, []string{"api:data:contact", "api:data:company", "api:data:intent"}) {
		t.Errorf("the app's registered scopes = %q, want the seed's", app.Scopes)
	}

	var accounts []publishedAccountJSON
	c.mustStatus(http.StatusOK, http.MethodGet, "/accounts?origin_owner_id=customer-1", nil).json(t, &accounts)
	if len(accounts) != 1 || accounts[0].ID != seededAccountID || accounts[0].Provider != "zoominfo" ||
		accounts[0].Status != AccountActive || accounts[0].Label == nil || *accounts[0].Label != "Customer One's ZoomInfo" {
		t.Fatalf("seeded accounts = %+v", accounts)
	}
	if a, _ := s.Account(seededAccountID); a.IntegrationID != seededProfileID || !slices.Equal(a.Scopes, stored.Scopes) {
		t.Errorf("seeded account = %+v, want the profile's id and scopes", a)
	}
}

// Reset returns to the seed: what a test changed through the dashboard is
// undone, and a deleted profile is back.
func TestSeedResetRestoresTheSeed(t *testing.T) {
	s := startSandbox(t, Options{API: APIPublished, Seed: exampleSeed(t)})
	c := newClient(t, s)
	admin := bearer(s.AdminToken())
	c.mustStatus(http.StatusOK, http.MethodPatch, "/admin/connector_profiles/"+seededProfileID, map[string]any{"name": "Renamed"}, admin)
	c.mustStatus(http.StatusCreated, http.MethodPost, "/admin/connector_profiles", zoomInfoBody("another"), admin)
	if got := len(s.Profiles()); got != 2 {
		t.Fatalf("%d profiles before the reset", got)
	}
	c.mustStatus(http.StatusNoContent, http.MethodDelete, "/admin/connector_profiles/"+seededProfileID, nil, admin)
	if _, ok := s.Profile(seededProfileID); ok {
		t.Fatal("DELETE /admin/connector_profiles/{id} left the profile")
	}
	c.mustStatus(http.StatusNoContent, http.MethodPost, "/admin/reset", nil, admin)
	ps := s.Profiles()
	if len(ps) != 1 || ps[0].ID != seededProfileID || ps[0].Name != "ZoomInfo (made in the dashboard)" {
		t.Fatalf("profiles after reset = %+v", ps)
	}
	if pin, ok := s.PinnedVersion(seededProfileID); !ok || pin.Version != "1.4.0" {
		t.Errorf("pin after reset = %+v, %v", pin, ok)
	}
	if as := s.Accounts(); len(as) != 1 || as[0].ID != seededAccountID {
		t.Errorf("accounts after reset = %+v", as)
	}
}

// A mistake in a seed names the file, line, column and field, and what to
// write instead; the sandbox does not start on half a seed.
func TestSeedErrorsNameTheFieldAndPosition(t *testing.T) {
	profile := func(extra string) string {
		return `{"connector_profiles": [
  {"id": "p1", "connector_key": "zoominfo", "authentication_config_key": "oauth2_authorization_code_pkce",
   "name": "Z"` + extra + `}
]}`
	}
	account := func(fields string) string {
		return strings.Replace(profile(""), "\n]}", "\n], \"accounts\": [\n  {"+fields+"}\n]}", 1)
	}
	for _, tc := range []struct {
		name, seed, want string
	}{
		{"syntax", "{\"connector_profiles\": [\n  {\"name\": }\n]}", `seed s.json:2:12: not valid JSON`},
		{"truncated", `{"accounts": [`, `seed s.json:1:15: the file ends in the middle of a JSON value`},
		{"not an object", `[]`, `seed s.json:1:1: a seed file holds one JSON object, not an array`},
		{"two values", `{} {}`, `seed s.json:1:4: unexpected`},
		{"unknown top field", `{"profiles": []}`, `seed s.json:1:2: profiles: is not a field here (accepted: zoominfo_app, connector_profiles, accounts)`},
		{"misspelt field", profile(`, "scope": ["api:data:contact"]`), `seed s.json:3:17: connector_profiles[0].scope: is not a field here (accepted: id, pinned_version, connector_key,`},
		{"duplicate field", profile(`, "name": "again"`), `seed s.json:3:17: field "name" appears twice`},
		{"wrong type", profile(`, "active": "yes"`), `seed s.json:3:27: connector_profiles[0].active: must be a boolean`},
		{"profiles not an array", `{"connector_profiles": {}}`, `seed s.json:1:24: connector_profiles: must be an array of objects, not an object`},
		{"required", `{"connector_profiles": [{"connector_key": "zoominfo"}]}`, `seed s.json:1:25: connector_profiles[0]: authentication_config_key is required`},
		{"unknown connector", strings.Replace(profile(""), `"connector_key": "zoominfo"`, `"connector_key": "zoomnfo"`, 1), `seed s.json:2:33: connector_profiles[0].connector_key: "zoomnfo" is not a connector in the catalog (one of: zoominfo, acmecrm)`},
		{"unknown scope", profile(`, "scopes": ["api:data:contact", "api:data:nope"]`), `seed s.json:3:27: connector_profiles[0].scopes: "api:data:nope" is not a scope of connector "zoominfo"`},
		{"blank scope", profile(`, "scopes": ["api:data:contact", " "]`), `seed s.json:3:27: connector_profiles[0].scopes[1]: scopes[1] must not be blank`},
		{"unknown action", profile(`, "actions": ["zoominfo_fly"]`), `seed s.json:3:28: connector_profiles[0].actions: "zoominfo_fly" is not an action`},
		{"pin version", profile(`, "pinned_version": {"version": "9.9.9"}`), `seed s.json:3:35: connector_profiles[0].pinned_version: "9.9.9"`},
		{"pin field", profile(`, "pinned_version": {"pinned_version": "1.4.0"}`), `seed s.json:3:36: connector_profiles[0].pinned_version.pinned_version: is not a field here (accepted: version, owner)`},
		{"bad id", strings.Replace(profile(""), `"p1"`, `"a/b"`, 1), `seed s.json:2:10: connector_profiles[0].id: "a/b" must not contain spaces`},
		{"dot id", strings.Replace(profile(""), `"p1"`, `".."`, 1), `seed s.json:2:10: connector_profiles[0].id: ".." is a path's dot segment`},
		{"duplicate id", strings.Replace(profile(""), "\n]}", ", {\"id\": \"p1\", \"connector_key\": \"zoominfo\", \"authentication_config_key\": \"oauth2_authorization_code_pkce\", \"name\": \"Y\"}\n]}", 1), `connector_profiles[1].id: "p1" is the id of an earlier profile too`},
		{"account profile", account(`"connector_profile_id": "p2", "origin_owner_id": "o", "origin_owner_name": "O"`), `seed s.json:5:28: accounts[0].connector_profile_id: "p2" is not the id of a profile in the seed (the seed's profile ids are p1)`},
		{"account status", account(`"connector_profile_id": "p1", "origin_owner_id": "o", "origin_owner_name": "O", "status": "linked"`), `accounts[0].status: "linked" is not an account status (one of: active,`},
		{"account owner", account(`"connector_profile_id": "p1", "origin_owner_name": "O"`), `seed s.json:5:3: accounts[0]: origin_owner_id is required`},
		{"account scope", account(`"connector_profile_id": "p1", "origin_owner_id": "o", "origin_owner_name": "O", "scopes": ["nope"]`), `accounts[0].scopes: "nope" is not a scope of connector "zoominfo"`},
		{"app scopes", `{"zoominfo_app": {"registered_scopes": []}}`, `seed s.json:1:40: zoominfo_app.registered_scopes: must name at least one scope`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sd, err := ParseSeed("s.json", []byte(tc.seed))
			if err == nil {
				var s *Sandbox
				s, err = Start(Options{Seed: sd})
				if err == nil {
					s.Close()
					t.Fatalf("the sandbox started with the seed\n%s", tc.seed)
				}
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error\n  %v\nwant it to contain\n  %s", err, tc.want)
			}
		})
	}
}

func TestSeedAppScopesAndAppScopesOptionConflict(t *testing.T) {
	_, err := Start(Options{Seed: exampleSeed(t), AppScopes: []string{"api:data:contact"}})
	if err == nil || !strings.Contains(err.Error(), "zoominfo_app.registered_scopes") {
		t.Fatalf("Start = %v, want the conflict named", err)
	}
}
