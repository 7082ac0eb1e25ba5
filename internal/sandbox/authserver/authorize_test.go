package authserver

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestMetadataDocument(t *testing.T) {
	e := newEnv(t)
	issuer := e.ts.URL + "/oauth2/default"
	for _, path := range []string{
		"/oauth2/default/.well-known/oauth-authorization-server",
		"/oauth2/default/.well-known/openid-configuration",
		"/.well-known/oauth-authorization-server/oauth2/default",
	} {
		r := e.get(e.ts.URL + path)
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s: status %d, content type %q", path, r.status, r.header.Get("Content-Type"))
		}
		m := r.json(t)
		want := map[string]string{
			"issuer":                 issuer,
			"authorization_endpoint": issuer + "/v1/authorize",
			"token_endpoint":         issuer + "/v1/token",
			"revocation_endpoint":    issuer + "/v1/revoke",
			"introspection_endpoint": issuer + "/v1/introspect",
			"jwks_uri":               issuer + "/v1/keys",
		}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("%s: %s = %v, want %s", path, k, m[k], v)
			}
		}
		lists := map[string][]string{
			"code_challenge_methods_supported":      {"S256"},
			"response_types_supported":              {"code"},
			"grant_types_supported":                 {"authorization_code", "refresh_token"},
			"token_endpoint_auth_methods_supported": {"client_secret_basic", "client_secret_post"},
		}
		for k, v := range lists {
			if got := strSlice(m[k]); !slices.Equal(got, v) {
				t.Errorf("%s: %s = %v, want %v", path, k, got, v)
			}
		}
		scopes := strSlice(m["scopes_supported"])
		for _, sc := range append(testScopes, "api:data:intent", "openid") {
			if !slices.Contains(scopes, sc) {
				t.Errorf("%s: scopes_supported lacks %s", path, sc)
			}
		}
	}
	if got := e.srv.Metadata(); got.Issuer != issuer || got.TokenEndpoint != issuer+"/v1/token" {
		t.Fatalf("Metadata() = %+v", got)
	}
	// An app's own scope shows up in scopes_supported.
	e.srv.UpdateApp(testClientID, func(a *App) { a.Scopes = append(a.Scopes, "custom:scope") })
	if !slices.Contains(e.srv.Metadata().ScopesSupported, "custom:scope") {
		t.Fatal("scopes_supported does not include app scopes")
	}
	r := e.get(issuer + "/v1/keys")
	if r.status != http.StatusOK || strings.TrimSpace(r.body) != `{"keys":[]}` {
		t.Fatalf("keys: %d %s", r.status, r.body)
	}
}

func strSlice(v any) []string {
	raw, _ := v.([]any)
	out := make([]string, 0, len(raw))
	for _, x := range raw {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestAuthorizeErrors(t *testing.T) {
	const plainApp, noCodeApp = "0oaPlainNoPKCE000001", "0oaNoCodeGrant000001"
	tests := []struct {
		name   string
		change func(url.Values)
		// For errors shown as a page: status 400 and no Location.
		wantPage string
		// For redirected errors: the error code and description.
		wantError, wantDesc string
		wantNoState         bool
	}{
		{name: "unknown client", change: func(q url.Values) { q.Set("client_id", "0oaDoesNotExist00001") }, wantPage: "invalid_client"},
		{name: "missing client_id", change: func(q url.Values) { q.Del("client_id") }, wantPage: "invalid_client"},
		{name: "redirect_uri not registered", change: func(q url.Values) { q.Set("redirect_uri", "https://evil.example/callback") }, wantPage: descBadRedirectURI},
		{name: "redirect_uri differs by a trailing slash", change: func(q url.Values) { q.Set("redirect_uri", testRedirectURI+"/") }, wantPage: descBadRedirectURI},
		{name: "redirect_uri differs in case", change: func(q url.Values) { q.Set("redirect_uri", strings.ToUpper(testRedirectURI)) }, wantPage: descBadRedirectURI},
		{name: "redirect_uri missing", change: func(q url.Values) { q.Del("redirect_uri") }, wantPage: descBadRedirectURI},
		{name: "redirect_uri duplicated", change: func(q url.Values) { q.Add("redirect_uri", testRedirectURI) }, wantPage: descBadRedirectURI},
		{name: "response_type token", change: func(q url.Values) { q.Set("response_type", "token") }, wantError: "unsupported_response_type"},
		{name: "response_type missing", change: func(q url.Values) { q.Del("response_type") }, wantError: "unsupported_response_type"},
		{name: "state missing", change: func(q url.Values) { q.Del("state") }, wantError: "invalid_request", wantDesc: descStateRequired, wantNoState: true},
		{name: "state duplicated", change: func(q url.Values) { q.Add("state", "other") }, wantError: "invalid_request", wantNoState: true},
		{name: "code_challenge missing", change: func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, wantError: "invalid_request", wantDesc: descPKCERequired},
		{name: "code_challenge_method plain", change: func(q url.Values) { q.Set("code_challenge_method", "plain") }, wantError: "invalid_request", wantDesc: descChallengeMethod},
		{name: "code_challenge_method missing", change: func(q url.Values) { q.Del("code_challenge_method") }, wantError: "invalid_request", wantDesc: descChallengeMethod},
		{name: "code_challenge malformed", change: func(q url.Values) { q.Set("code_challenge", "too-short") }, wantError: "invalid_request"},
		{name: "scope not registered", change: func(q url.Values) { q.Set("scope", "api:data:intent") }, wantError: "invalid_scope", wantDesc: descInvalidScope},
		{name: "one scope of several not registered", change: func(q url.Values) { q.Set("scope", "api:data:contact api:data:news") }, wantError: "invalid_scope", wantDesc: descInvalidScope},
		{name: "response_mode fragment", change: func(q url.Values) { q.Set("response_mode", "fragment") }, wantError: "invalid_request"},
		{name: "app without the authorization_code grant", change: func(q url.Values) { q.Set("client_id", noCodeApp) }, wantError: "unauthorized_client"},
		{name: "app without PKCE sent a challenge", change: func(q url.Values) { q.Set("client_id", plainApp) }, wantError: "invalid_request", wantDesc: descPKCENotEnabled},
	}
	e := newEnv(t)
	e.srv.PutApp(App{ClientID: noCodeApp, ClientSecret: "nocode-secret-0123456789", RedirectURIs: []string{testRedirectURI}, Scopes: testScopes, PKCERequired: true, GrantTypes: []string{GrantRefreshToken}})
	e.srv.PutApp(App{ClientID: plainApp, ClientSecret: "plain-secret-0123456789", RedirectURIs: []string{testRedirectURI}, Scopes: testScopes})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := authorizeParams(newVerifier(t))
			tt.change(q)
			r := e.authorize(q)
			if tt.wantPage != "" {
				if r.status != http.StatusBadRequest {
					t.Fatalf("status = %d, want 400", r.status)
				}
				if loc := r.header.Get("Location"); loc != "" {
					t.Fatalf("error page must not redirect, got Location %s", loc)
				}
				if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(r.body, tt.wantPage) {
					t.Fatalf("page (%s) does not contain %q:\n%s", r.header.Get("Content-Type"), tt.wantPage, r.body)
				}
				return
			}
			if r.status != http.StatusFound {
				t.Fatalf("status = %d, want 302; body %s", r.status, r.body)
			}
			loc := r.location(t)
			if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirectURI {
				t.Fatalf("redirected to %s, want %s", got, testRedirectURI)
			}
			lq := loc.Query()
			if lq.Get("error") != tt.wantError {
				t.Fatalf("error = %q, want %q (description %q)", lq.Get("error"), tt.wantError, lq.Get("error_description"))
			}
			if tt.wantDesc != "" && lq.Get("error_description") != tt.wantDesc {
				t.Fatalf("error_description = %q, want %q", lq.Get("error_description"), tt.wantDesc)
			}
			if lq.Get("error_description") == "" {
				t.Fatal("no error_description")
			}
			if lq.Has("code") {
				t.Fatal("an error redirect carries a code")
			}
			wantState := "state-123"
			if tt.wantNoState {
				wantState = ""
			}
			if got := lq.Get("state"); got != wantState {
				t.Fatalf("state = %q, want %q", got, wantState)
			}
		})
	}
	if got := e.srv.AuthorizeRequests(); got != len(tests) {
		t.Fatalf("AuthorizeRequests = %d, want %d", got, len(tests))
	}
}

func TestAuthorizeValidGoesToLogin(t *testing.T) {
	e := newEnv(t)
	tx := e.startLogin(authorizeParams(newVerifier(t)))
	r := e.get(e.srv.LoginURL() + "?tx=" + url.QueryEscape(tx))
	if r.status != http.StatusOK {
		t.Fatalf("login form status %d", r.status)
	}
	for _, want := range []string{`<form method="post"`, `name="username"`, `type="password" name="password"`, `type="hidden" name="tx" value="` + tx + `"`, testClientID} {
		if !strings.Contains(r.body, want) {
			t.Errorf("login form lacks %q:\n%s", want, r.body)
		}
	}
}

func TestAuthorizeKeepsRegisteredQuery(t *testing.T) {
	e := newEnv(t)
	const withQuery = "https://app.example/cb?tenant=a%20b"
	e.srv.UpdateApp(testClientID, func(a *App) { a.RedirectURIs = append(a.RedirectURIs, withQuery) })
	q := authorizeParams(newVerifier(t))
	q.Set("redirect_uri", withQuery)
	q.Set("scope", "api:data:news")
	loc := e.authorize(q).location(t)
	if loc.Query().Get("tenant") != "a b" || loc.Query().Get("error") != "invalid_scope" {
		t.Fatalf("redirect %s lost the registered query or the error", loc)
	}
}

func TestLoginForm(t *testing.T) {
	e := newEnv(t)
	tx := e.startLogin(authorizeParams(newVerifier(t)))

	t.Run("bad password re-renders the form", func(t *testing.T) {
		r := e.login(tx, testUser, "wrong password value")
		if r.status != http.StatusUnauthorized || r.header.Get("Location") != "" {
			t.Fatalf("status %d, Location %q; want 401 and no redirect", r.status, r.header.Get("Location"))
		}
		if !strings.Contains(r.body, "Sign in failed") || !strings.Contains(r.body, `name="password"`) {
			t.Fatalf("form not re-rendered with an error:\n%s", r.body)
		}
		if strings.Contains(r.body, "wrong password value") {
			t.Fatal("the password is echoed")
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		r := e.login(tx, "mallory@example.com", testPassword)
		if r.status != http.StatusUnauthorized || r.header.Get("Location") != "" {
			t.Fatalf("status %d, want 401", r.status)
		}
	})
	t.Run("unknown transaction", func(t *testing.T) {
		r := e.login("no-such-tx", testUser, testPassword)
		if r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
			t.Fatalf("status %d, want 400", r.status)
		}
		if r := e.get(e.srv.LoginURL() + "?tx=no-such-tx"); r.status != http.StatusBadRequest {
			t.Fatalf("GET unknown tx status %d, want 400", r.status)
		}
	})
	t.Run("success then the transaction is spent", func(t *testing.T) {
		r := e.login(tx, testUser, testPassword)
		if r.status != http.StatusFound {
			t.Fatalf("status %d, want 302", r.status)
		}
		loc := r.location(t)
		if loc.Query().Get("code") == "" || loc.Query().Get("state") != "state-123" {
			t.Fatalf("redirect %s lacks code or state", loc.Redacted())
		}
		if r := e.login(tx, testUser, testPassword); r.status != http.StatusBadRequest {
			t.Fatalf("second login with the same tx: status %d, want 400", r.status)
		}
	})
	t.Run("transaction expires", func(t *testing.T) {
		tx := e.startLogin(authorizeParams(newVerifier(t)))
		e.clock.Advance(loginTxLifetime + 1)
		if r := e.login(tx, testUser, testPassword); r.status != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", r.status)
		}
	})
}

func TestAuthorizeRequestsCounter(t *testing.T) {
	e := newEnv(t)
	q := authorizeParams(newVerifier(t))
	e.authorize(q)
	q.Set("scope", "api:data:news")
	e.authorize(q)
	q.Set("client_id", "unknown")
	e.authorize(q)
	e.postForm(e.srv.Metadata().AuthorizationEndpoint, q, "", "") // 405, still counted
	e.get(e.srv.Metadata().TokenEndpoint)                         // other endpoints are not
	if got := e.srv.AuthorizeRequests(); got != 4 {
		t.Fatalf("AuthorizeRequests = %d, want 4", got)
	}
	e.srv.ResetCounters()
	if got := e.srv.AuthorizeRequests(); got != 0 {
		t.Fatalf("after reset AuthorizeRequests = %d", got)
	}
	e.authorize(q)
	if got := e.srv.AuthorizeRequests(); got != 1 {
		t.Fatalf("AuthorizeRequests = %d, want 1", got)
	}
}

func TestIssuerWithoutPath(t *testing.T) {
	s := New(Config{Issuer: "http://127.0.0.1:1/"})
	if md := s.Metadata(); md.Issuer != "http://127.0.0.1:1" || md.AuthorizationEndpoint != "http://127.0.0.1:1/v1/authorize" {
		t.Fatalf("metadata %+v", md)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/.well-known/oauth-authorization-server", nil))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"token_endpoint":"http://127.0.0.1:1/v1/token"`) {
		t.Fatalf("metadata at the root: %d %s", w.Code, w.Body)
	}
}

func TestNewRejectsBadIssuer(t *testing.T) {
	for _, issuer := range []string{"", "/oauth2/default", "ftp://h/x", "http://h/x?q=1"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(Issuer %q) did not panic", issuer)
				}
			}()
			New(Config{Issuer: issuer})
		}()
	}
}
