package authserver

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func (e *env) admin(method, path, body, token string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.do(req)
}

func TestAdminRequiresToken(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/admin/apps"}, {"POST", "/admin/apps"}, {"GET", "/admin/apps/" + testClientID}, {"PATCH", "/admin/apps/" + testClientID},
	} {
		for _, token := range []string{"", "wrong-token"} {
			r := e.admin(tc.method, tc.path, `{"client_secret":"x"}`, token)
			if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Fatalf("%s %s with token %q: status %d", tc.method, tc.path, token, r.status)
			}
		}
	}
	if a, _ := e.srv.App(testClientID); a.ClientSecret != testClientSecret {
		t.Fatal("an unauthenticated PATCH changed the app")
	}

	// No AdminToken configured: the admin API is closed, not open.
	closed := New(Config{Issuer: "http://127.0.0.1:1/oauth2/default"})
	for _, auth := range []string{"", "Bearer ", "Bearer x"} {
		req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/admin/apps", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		w := &recorder{header: http.Header{}}
		closed.ServeHTTP(w, req)
		if w.status != http.StatusUnauthorized {
			t.Fatalf("empty AdminToken, Authorization %q: status %d", auth, w.status)
		}
	}
}

type recorder struct {
	header http.Header
	status int
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(s int)           { r.status = s }

func TestAdminCreateGetList(t *testing.T) {
	e := newEnv(t)
	r := e.admin("POST", "/admin/apps", `{"redirect_uris":["https://x.example/cb"],"scopes":["api:data:news"],"pkce_required":true}`, testAdminToken)
	if r.status != http.StatusCreated {
		t.Fatalf("create status %d: %s", r.status, r.body)
	}
	var created appView
	if err := json.Unmarshal([]byte(r.body), &created); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^0oa[A-Za-z0-9]{17}$`).MatchString(created.ClientID) {
		t.Fatalf("generated client_id %q does not look like an Okta id", created.ClientID)
	}
	if len(created.ClientSecret) != 40 {
		t.Fatalf("generated secret has length %d, want 40", len(created.ClientSecret))
	}
	if !slices.Equal(created.GrantTypes, []string{GrantAuthorizationCode, GrantRefreshToken}) || !created.PKCERequired {
		t.Fatalf("created app %+v", created)
	}
	if r.header.Get("Location") != "/admin/apps/"+created.ClientID {
		t.Fatalf("Location = %q", r.header.Get("Location"))
	}
	if a, ok := e.srv.App(created.ClientID); !ok || a.ClientSecret != created.ClientSecret {
		t.Fatal("created app not stored with its secret")
	}

	r = e.admin("GET", "/admin/apps/"+created.ClientID, "", testAdminToken)
	if r.status != http.StatusOK || strings.Contains(r.body, "client_secret") || !strings.Contains(r.body, `"pkce_required":true`) {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	r = e.admin("GET", "/admin/apps", "", testAdminToken)
	var list struct{ Data []appView }
	if err := json.Unmarshal([]byte(r.body), &list); err != nil || r.status != http.StatusOK {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if len(list.Data) != 2 || strings.Contains(r.body, "client_secret") || strings.Contains(r.body, testClientSecret) {
		t.Fatalf("list: %s", r.body)
	}
	if r := e.admin("GET", "/admin/apps/0oaMissing", "", testAdminToken); r.status != http.StatusNotFound {
		t.Fatalf("get unknown: %d", r.status)
	}

	// Explicit id and secret are kept; a duplicate id conflicts.
	r = e.admin("POST", "/admin/apps", `{"client_id":"0oaExplicit000000001","client_secret":"explicit-secret-value","redirect_uris":["https://x.example/cb"]}`, testAdminToken)
	if r.status != http.StatusCreated || !strings.Contains(r.body, `"client_secret":"explicit-secret-value"`) {
		t.Fatalf("create explicit: %d %s", r.status, r.body)
	}
	if r := e.admin("POST", "/admin/apps", `{"client_id":"`+testClientID+`"}`, testAdminToken); r.status != http.StatusConflict {
		t.Fatalf("duplicate create: %d", r.status)
	}
	if a, _ := e.srv.App(testClientID); a.ClientSecret != testClientSecret {
		t.Fatal("a conflicting create replaced the app")
	}
}

func TestAdminRejectsInvalidApps(t *testing.T) {
	e := newEnv(t)
	for name, body := range map[string]string{
		"unknown field":        `{"redirect_uris":["https://x.example/cb"],"pkce":true}`,
		"not JSON":             `client_id=x`,
		"relative redirect":    `{"redirect_uris":["/cb"]}`,
		"redirect fragment":    `{"redirect_uris":["https://x.example/cb#frag"]}`,
		"scope with space":     `{"scopes":["a b"]}`,
		"empty scope":          `{"scopes":[""]}`,
		"unknown grant":        `{"grant_types":["client_credentials"]}`,
		"refresh without code": `{"grant_types":["refresh_token"]}`,
		"client_id with slash": `{"client_id":"a/b"}`,
		"trailing data":        `{"scopes":[]} {}`,
	} {
		if r := e.admin("POST", "/admin/apps", body, testAdminToken); r.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400 (%s)", name, r.status, r.body)
		}
	}
	if n := len(e.srv.Apps()); n != 1 {
		t.Fatalf("invalid creates stored apps: %d apps", n)
	}
}

func TestAdminPatch(t *testing.T) {
	e := newEnv(t)
	patch := func(body string) response {
		return e.admin("PATCH", "/admin/apps/"+testClientID, body, testAdminToken)
	}

	t.Run("rotating the secret makes the old one fail", func(t *testing.T) {
		r := patch(`{"client_secret":""}`)
		if r.status != http.StatusOK {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
		var v appView
		_ = json.Unmarshal([]byte(r.body), &v)
		if v.ClientSecret == "" || v.ClientSecret == testClientSecret {
			t.Fatalf("PATCH did not return a new secret: %s", r.body)
		}
		r = e.postForm(e.srv.Metadata().TokenEndpoint, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, testClientID, testClientSecret)
		wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client", "")

		vf := newVerifier(t)
		code := e.obtainCode(authorizeParams(vf))
		f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirectURI}, "code_verifier": {vf}}
		if r := e.postForm(e.srv.Metadata().TokenEndpoint, f, testClientID, v.ClientSecret); r.status != http.StatusOK {
			t.Fatalf("new secret rejected: %d %s", r.status, r.body)
		}
		// Setting an explicit secret works too, and GET hides it again.
		if r := patch(`{"client_secret":"` + testClientSecret + `"}`); r.status != http.StatusOK || !strings.Contains(r.body, testClientSecret) {
			t.Fatalf("patch explicit secret: %d %s", r.status, r.body)
		}
		if r := e.admin("GET", "/admin/apps/"+testClientID, "", testAdminToken); strings.Contains(r.body, "client_secret") {
			t.Fatalf("GET shows the secret: %s", r.body)
		}
	})
	t.Run("scopes", func(t *testing.T) {
		r := patch(`{"scopes":["api:data:company"]}`)
		if r.status != http.StatusOK || strings.Contains(r.body, "client_secret") {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
		loc := e.authorize(authorizeParams(newVerifier(t))).location(t)
		if loc.Query().Get("error") != "invalid_scope" {
			t.Fatalf("removed scope still accepted: %s", loc)
		}
		patch(`{"scopes":["api:data:contact","api:data:company","offline_access"]}`)
		e.startLogin(authorizeParams(newVerifier(t)))
	})
	t.Run("redirect_uris", func(t *testing.T) {
		patch(`{"redirect_uris":["https://new.example/cb"]}`)
		if r := e.authorize(authorizeParams(newVerifier(t))); r.status != http.StatusBadRequest {
			t.Fatalf("old redirect URI still accepted: %d", r.status)
		}
		patch(`{"redirect_uris":["` + testRedirectURI + `"]}`)
	})
	t.Run("pkce_required", func(t *testing.T) {
		patch(`{"pkce_required":false}`)
		loc := e.authorize(authorizeParams(newVerifier(t))).location(t)
		if loc.Query().Get("error_description") != descPKCENotEnabled {
			t.Fatalf("challenge accepted by an app without PKCE: %s", loc)
		}
		// Without a challenge the non-PKCE app works end to end.
		q := authorizeParams("")
		q.Del("code_challenge")
		q.Del("code_challenge_method")
		code := e.obtainCode(q)
		r := e.token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirectURI}})
		if r.status != http.StatusOK {
			t.Fatalf("non-PKCE exchange: %d %s", r.status, r.body)
		}
		patch(`{"pkce_required":true}`)
	})
	t.Run("invalid patches change nothing", func(t *testing.T) {
		before, _ := e.srv.App(testClientID)
		for _, body := range []string{`{"client_id":"0oaOther"}`, `{"redirect_uris":["relative"]}`, `{"grant_types":["implicit"]}`, `{"bogus":1}`} {
			if r := patch(body); r.status != http.StatusBadRequest {
				t.Errorf("%s: status %d", body, r.status)
			}
		}
		after, _ := e.srv.App(testClientID)
		if !slices.Equal(before.RedirectURIs, after.RedirectURIs) || !slices.Equal(before.GrantTypes, after.GrantTypes) || before.ClientSecret != after.ClientSecret {
			t.Fatalf("app changed: %+v -> %+v", before, after)
		}
		if r := e.admin("PATCH", "/admin/apps/0oaMissing", `{}`, testAdminToken); r.status != http.StatusNotFound {
			t.Fatalf("patch unknown: %d", r.status)
		}
	})
}

func TestInProcessAppAPI(t *testing.T) {
	e := newEnv(t)
	a, ok := e.srv.App(testClientID)
	if !ok || a.ClientSecret != testClientSecret || !slices.Equal(a.GrantTypes, []string{GrantAuthorizationCode, GrantRefreshToken}) {
		t.Fatalf("App() = %+v, %v", a, ok)
	}
	// Returned apps are copies.
	a.Scopes[0] = "mutated"
	if b, _ := e.srv.App(testClientID); b.Scopes[0] == "mutated" {
		t.Fatal("App() shares its slices with the server")
	}
	if e.srv.UpdateApp("0oaMissing", func(*App) {}) {
		t.Fatal("UpdateApp on a missing app reported true")
	}
	if !e.srv.UpdateApp(testClientID, func(a *App) { a.ClientID = "changed"; a.PKCERequired = false }) {
		t.Fatal("UpdateApp reported false")
	}
	if b, ok := e.srv.App(testClientID); !ok || b.PKCERequired {
		t.Fatalf("UpdateApp: %+v %v", b, ok)
	}
	if _, ok := e.srv.App("changed"); ok {
		t.Fatal("UpdateApp changed the client id")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("PutApp without a ClientID did not panic")
		}
	}()
	e.srv.PutApp(App{})
}
