package sandbox

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
)

type catalogPage struct {
	Data []Connector `json:"data"`
	Next *string     `json:"next"`
}

func TestCatalogEndpoint(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)

	var all catalogPage
	r := c.mustStatus(http.StatusOK, http.MethodGet, "/actions", nil)
	r.json(t, &all)
	if len(all.Data) != 2 || all.Data[0].Key != "zoominfo" || all.Data[1].Key != "acmecrm" || all.Next != nil {
		t.Fatalf("catalog = %+v", all)
	}
	zi := all.Data[0]
	if zi.Name != "ZoomInfo" || len(zi.Authentication) != 1 {
		t.Fatalf("zoominfo = %+v", zi)
	}
	auth := zi.Authentication[0]
	md := s.AuthServer().Metadata()
	if auth.Key != "oauth2_authorization_code_pkce" || auth.Label != "OAuth 2.0 (Authorization Code + PKCE)" ||
		auth.Type != "oauth2" || auth.RequiredScopes == nil || auth.Support.Link == "" {
		t.Fatalf("zoominfo authentication = %+v", auth)
	}
	// The sandbox still knows, inside, where to send a linking user.
	inside := s.Catalog()[0].Authentication[0]
	if !inside.PKCE || inside.AuthorizationURL != md.AuthorizationEndpoint || inside.TokenURL != md.TokenEndpoint ||
		inside.CallbackURL != s.BaseURL()+"/connect/oauth2/zoominfo/callback" {
		t.Fatalf("zoominfo authentication inside = %+v", inside)
	}
	if acme := s.Catalog()[1].Authentication[0]; acme.Key != "oauth2_authorization_code" || acme.PKCE ||
		acme.CallbackURL != s.BaseURL()+"/connect/oauth2/acmecrm/callback" || strings.Contains(acme.AuthorizationURL, "127.0.0.1") {
		t.Fatalf("acmecrm authentication = %+v", acme)
	}
	// On the wire an authentication item has exactly the published fields.
	var items struct {
		Data []struct {
			Authentication []map[string]json.RawMessage `json:"authentication"`
		} `json:"data"`
	}
	r.json(t, &items)
	for _, conn := range items.Data {
		for _, a := range conn.Authentication {
			keys := slices.Sorted(maps.Keys(a))
			if !slices.Equal(keys, []string{"key", "label", "required_scopes", "support", "type"}) {
				t.Errorf("authentication item has fields %v", keys)
			}
		}
	}
	for _, leak := range []string{s.AuthzURL(), s.BaseURL(), `"authorization_url"`, `"token_url"`, `"callback_url"`, `"pkce"`} {
		if strings.Contains(string(r.body), leak) {
			t.Errorf("catalog carries %q: %s", leak, r.body)
		}
	}
	// Wire shape: lists are arrays, never null.
	if strings.Contains(strings.Replace(string(r.body), `"next":null`, "", 1), "null") {
		t.Errorf("catalog has a null: %s", r.body)
	}
	var raw map[string][]map[string]json.RawMessage
	r.json(t, &raw)
	for _, k := range []string{"key", "name", "actions", "authentication", "scope_definitions"} {
		if _, ok := raw["data"][0][k]; !ok {
			t.Errorf("connector has no %q", k)
		}
	}

	if got := s.Catalog(); len(got) != 2 || got[0].Authentication[0].Key != auth.Key || got[0].Authentication[0].Support != auth.Support {
		t.Errorf("Catalog() disagrees with GET /actions")
	}
	// Catalog returns a copy.
	s.Catalog()[0].ScopeDefinitions[0].Name = "mutated"
	if s.Catalog()[0].ScopeDefinitions[0].Name == "mutated" {
		t.Error("Catalog() exposes internal state")
	}

	var filtered catalogPage
	c.mustStatus(http.StatusOK, http.MethodGet, "/actions?filter[connectors]=acmecrm", nil).json(t, &filtered)
	if len(filtered.Data) != 1 || filtered.Data[0].Key != "acmecrm" {
		t.Errorf("filter acmecrm = %+v", filtered)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/actions?filter[connectors]=nobody", nil).json(t, &filtered)
	if len(filtered.Data) != 0 {
		t.Errorf("filter nobody = %+v", filtered)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/actions?filter[connectors]=acmecrm,zoominfo&page_size=1", nil).json(t, &filtered)
	if len(filtered.Data) != 1 || filtered.Data[0].Key != "zoominfo" || filtered.Next == nil {
		t.Fatalf("first page of two = %+v", filtered)
	}
	var second catalogPage
	c.mustStatus(http.StatusOK, http.MethodGet, "/actions?filter[connectors]=acmecrm,zoominfo&page_size=1&next="+*filtered.Next, nil).json(t, &second)
	if len(second.Data) != 1 || second.Data[0].Key != "acmecrm" || second.Next != nil {
		t.Fatalf("second page = %+v", second)
	}
	c.mustStatus(http.StatusBadRequest, http.MethodGet, "/actions?next="+encodeCursor("profiles", 1), nil)
}

func TestCatalogContent(t *testing.T) {
	s := startSandbox(t, Options{})
	for _, conn := range s.Catalog() {
		defined := map[string]ScopeDefinition{}
		for _, d := range conn.ScopeDefinitions {
			if d.Description == "" || d.Includes == nil {
				t.Errorf("%s: scope %+v", conn.Key, d)
			}
			defined[d.Name] = d
		}
		for _, d := range conn.ScopeDefinitions {
			for _, inc := range d.Includes {
				if _, ok := defined[inc]; !ok {
					t.Errorf("%s: %s includes undefined %s", conn.Key, d.Name, inc)
				}
			}
			// Every manage scope includes its read scope.
			if read, ok := strings.CutSuffix(d.Name, ":manage"); ok && !slices.Contains(d.Includes, read+":read") {
				t.Errorf("%s does not include %s:read", d.Name, read)
			}
		}
		for _, a := range conn.Actions {
			if !strings.HasPrefix(a.ID, conn.Key+"_") || a.Label == "" || len(a.RequiredScopes) == 0 {
				t.Errorf("%s: action %+v", conn.Key, a)
			}
			for _, sc := range a.RequiredScopes {
				if _, ok := defined[sc]; !ok {
					t.Errorf("%s: action %s requires undefined %s", conn.Key, a.ID, sc)
				}
			}
		}
	}

	zi := s.Catalog()[0]
	var names []string
	for _, d := range zi.ScopeDefinitions {
		names = append(names, d.Name)
	}
	for _, want := range strings.Fields(`api:data:contact api:data:company api:data:intent api:data:news api:data:scoops
		api:data:lookup api:audience:read api:audience:manage api:audience-member:read api:audience-member:manage
		api:account-summary:read api:gtm-config:read api:gtm-config:manage api:insights:read api:recommendations:read
		api:gtm-data-model:read api:gtm-data-model:manage openid profile email offline_access`) {
		if !slices.Contains(names, want) {
			t.Errorf("zoominfo scope %s missing", want)
		}
	}
	wantActions := map[string]string{
		"zoominfo_search_contacts": "api:data:contact", "zoominfo_search_companies": "api:data:company",
		"zoominfo_enrich_contacts": "api:data:contact", "zoominfo_enrich_companies": "api:data:company",
		"zoominfo_search_intent": "api:data:intent", "zoominfo_search_news": "api:data:news",
		"zoominfo_search_scoops": "api:data:scoops", "zoominfo_lookup": "api:data:lookup",
	}
	for _, a := range zi.Actions {
		if wantActions[a.ID] != a.RequiredScopes[0] {
			t.Errorf("action %s requires %v", a.ID, a.RequiredScopes)
		}
		delete(wantActions, a.ID)
	}
	if len(wantActions) != 0 {
		t.Errorf("actions missing: %v", wantActions)
	}

	// The default app registers a strict subset of the catalog's scopes.
	def := DefaultAppScopes()
	for _, sc := range def {
		if !slices.Contains(names, sc) {
			t.Errorf("default app scope %s not in the catalog", sc)
		}
	}
	if len(def) >= len(names) {
		t.Errorf("default app scopes are not a strict subset")
	}
}

func TestEnv(t *testing.T) {
	s := startSandbox(t, Options{APIKey: "v1.sandbox.k", AdminToken: "admintoken"})
	env := s.Env()
	if len(env) < 3 {
		t.Fatalf("env = %v", env)
	}
	want := []EnvVar{{"STACKONE_BASE_URL", s.BaseURL()}, {"STACKONE_API_KEY", "v1.sandbox.k"}, {"SANDBOX_ADMIN_TOKEN", "admintoken"}}
	if !slices.Equal(env[:3], want) {
		t.Errorf("env = %v, want it to start with %v", env, want)
	}
	// Env returns a fresh slice each time.
	env[0].Value = "changed"
	if s.Env()[0].Value != s.BaseURL() {
		t.Error("Env exposes internal state")
	}
	// The authorization listener is up and serving the glue's handler.
	resp, err := http.Get(s.AuthzURL() + "/anything")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
