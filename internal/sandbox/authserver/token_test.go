package authserver

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFullFlowByHand(t *testing.T) {
	e := newEnv(t)
	verifier := newVerifier(t)
	code := e.obtainCode(authorizeParams(verifier))

	r := e.exchange(code, verifier)
	if r.status != http.StatusOK {
		t.Fatalf("exchange status %d: %s", r.status, r.body)
	}
	wantNoStore(t, r)
	tok := r.json(t)
	if tok["token_type"] != "Bearer" || tok["expires_in"] != float64(3600) ||
		tok["scope"] != "api:data:contact offline_access" {
		t.Fatalf("token response %v", tok)
	}
	access, _ := tok["access_token"].(string)
	refresh1, _ := tok["refresh_token"].(string)
	if len(access) < 40 || len(refresh1) < 40 || access == refresh1 {
		t.Fatalf("tokens not long random strings: %q %q", access, refresh1)
	}
	if in := e.introspect(access); in["active"] != true || in["scope"] != "api:data:contact offline_access" || in["username"] != testUser || in["client_id"] != testClientID {
		t.Fatalf("introspect access: %v", in)
	}

	// Refresh rotates: a new refresh token, same scope.
	r = e.refresh(refresh1)
	if r.status != http.StatusOK {
		t.Fatalf("refresh status %d: %s", r.status, r.body)
	}
	wantNoStore(t, r)
	tok2 := r.json(t)
	refresh2, _ := tok2["refresh_token"].(string)
	if refresh2 == "" || refresh2 == refresh1 || tok2["access_token"] == access {
		t.Fatal("refresh did not rotate the tokens")
	}
	if tok2["scope"] != tok["scope"] {
		t.Fatalf("refresh changed scope to %v", tok2["scope"])
	}
	if in := e.introspect(refresh1); in["active"] != false {
		t.Fatalf("a used refresh token is still active: %v", in)
	}

	// refresh2 can be used once; revoke the family through it afterwards.
	r = e.refresh(refresh2)
	if r.status != http.StatusOK {
		t.Fatalf("second refresh status %d: %s", r.status, r.body)
	}
	refresh3, _ := r.json(t)["refresh_token"].(string)
	access3, _ := r.json(t)["access_token"].(string)

	// Reusing a rotated refresh token fails.
	wantOAuthError(t, e.refresh(refresh2), http.StatusBadRequest, "invalid_grant", descRefreshInvalid)
	// ... and, as reuse means the token leaked, the family is revoked.
	wantOAuthError(t, e.refresh(refresh3), http.StatusBadRequest, "invalid_grant", descRefreshInvalid)
	if in := e.introspect(access3); in["active"] != false {
		t.Fatalf("access token survived refresh token reuse: %v", in)
	}

	// Revoke answers 200 for tokens already dead, and for unknown ones.
	for _, tk := range []string{refresh3, "never-issued"} {
		if r := e.revoke(tk); r.status != http.StatusOK {
			t.Fatalf("revoke status %d: %s", r.status, r.body)
		}
	}
}

func TestRevoke(t *testing.T) {
	e := newEnv(t)
	newTokens := func() (access, refresh string) {
		v := newVerifier(t)
		r := e.exchange(e.obtainCode(authorizeParams(v)), v)
		m := r.json(t)
		return m["access_token"].(string), m["refresh_token"].(string)
	}

	t.Run("refresh token revokes the grant", func(t *testing.T) {
		access, refresh := newTokens()
		if r := e.revoke(refresh); r.status != http.StatusOK {
			t.Fatalf("revoke status %d", r.status)
		}
		wantOAuthError(t, e.refresh(refresh), http.StatusBadRequest, "invalid_grant", "")
		if in := e.introspect(access); in["active"] != false {
			t.Fatalf("access token still active: %v", in)
		}
	})
	t.Run("access token only", func(t *testing.T) {
		access, refresh := newTokens()
		if r := e.revoke(access); r.status != http.StatusOK {
			t.Fatalf("revoke status %d", r.status)
		}
		if in := e.introspect(access); in["active"] != false {
			t.Fatalf("access token still active: %v", in)
		}
		if r := e.refresh(refresh); r.status != http.StatusOK {
			t.Fatalf("refresh after access revocation: %d %s", r.status, r.body)
		}
	})
	t.Run("another client cannot revoke", func(t *testing.T) {
		access, _ := newTokens()
		e.srv.PutApp(App{ClientID: "0oaOtherClient000001", ClientSecret: "other-secret-0123456789", RedirectURIs: []string{testRedirectURI}, Scopes: testScopes, PKCERequired: true})
		r := e.postForm(e.srv.Metadata().RevocationEndpoint, url.Values{"token": {access}}, "0oaOtherClient000001", "other-secret-0123456789")
		if r.status != http.StatusOK {
			t.Fatalf("status %d", r.status)
		}
		if in := e.introspect(access); in["active"] != true {
			t.Fatal("another client's revocation took effect")
		}
	})
	t.Run("client auth and token required", func(t *testing.T) {
		r := e.postForm(e.srv.Metadata().RevocationEndpoint, url.Values{"token": {"x"}}, testClientID, "wrong-secret")
		wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client", "")
		wantOAuthError(t, e.revoke(""), http.StatusBadRequest, "invalid_request", "")
	})
}

func TestScopeOmittedGrantsAllRegistered(t *testing.T) {
	e := newEnv(t)
	v := newVerifier(t)
	q := authorizeParams(v)
	q.Del("scope")
	r := e.exchange(e.obtainCode(q), v)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if got, want := r.json(t)["scope"], strings.Join(testScopes, " "); got != want {
		t.Fatalf("scope = %v, want %q", got, want)
	}
}

func TestWrongVerifier(t *testing.T) {
	e := newEnv(t)
	v := newVerifier(t)
	code := e.obtainCode(authorizeParams(v))
	wantOAuthError(t, e.exchange(code, newVerifier(t)), http.StatusBadRequest, "invalid_grant", "PKCE verification failed.")
	// The failed attempt spent the code: a stolen code gets one guess.
	wantOAuthError(t, e.exchange(code, v), http.StatusBadRequest, "invalid_grant", descCodeInvalid)

	// A malformed verifier is a verification failure too.
	code = e.obtainCode(authorizeParams(v))
	wantOAuthError(t, e.exchange(code, "short"), http.StatusBadRequest, "invalid_grant", "PKCE verification failed.")

	// A missing verifier is a malformed request and leaves the code usable.
	code = e.obtainCode(authorizeParams(v))
	wantOAuthError(t, e.exchange(code, ""), http.StatusBadRequest, "invalid_request", descVerifierMissing)
	if r := e.exchange(code, v); r.status != http.StatusOK {
		t.Fatalf("exchange after a missing-verifier attempt: %d %s", r.status, r.body)
	}
}

func TestCodeReplayRevokesTokens(t *testing.T) {
	e := newEnv(t)
	v := newVerifier(t)
	code := e.obtainCode(authorizeParams(v))
	r := e.exchange(code, v)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	tok := r.json(t)
	wantOAuthError(t, e.exchange(code, v), http.StatusBadRequest, "invalid_grant", descCodeInvalid)
	if in := e.introspect(tok["access_token"].(string)); in["active"] != false {
		t.Fatal("access token from a replayed code is still active")
	}
	wantOAuthError(t, e.refresh(tok["refresh_token"].(string)), http.StatusBadRequest, "invalid_grant", "")
}

func TestCodeExpires(t *testing.T) {
	e := newEnv(t)
	v := newVerifier(t)

	code := e.obtainCode(authorizeParams(v))
	e.clock.Advance(59 * time.Second)
	if r := e.exchange(code, v); r.status != http.StatusOK {
		t.Fatalf("code rejected before 60s: %d %s", r.status, r.body)
	}

	code = e.obtainCode(authorizeParams(v))
	e.clock.Advance(DefaultCodeLifetime)
	wantOAuthError(t, e.exchange(code, v), http.StatusBadRequest, "invalid_grant", descCodeInvalid)
}

func TestTokenRedirectURIMustMatch(t *testing.T) {
	e := newEnv(t)
	const second = "https://app.example/other-callback"
	e.srv.UpdateApp(testClientID, func(a *App) { a.RedirectURIs = append(a.RedirectURIs, second) })
	v := newVerifier(t)
	code := e.obtainCode(authorizeParams(v))
	r := e.token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {second}, "code_verifier": {v}})
	wantOAuthError(t, r, http.StatusBadRequest, "invalid_grant", descRedirectMatch)
}

func TestClientAuthentication(t *testing.T) {
	e := newEnv(t)
	tokenURL := e.srv.Metadata().TokenEndpoint
	exchangeForm := func(v, code string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirectURI}, "code_verifier": {v}}
	}

	t.Run("client_secret_basic", func(t *testing.T) {
		v := newVerifier(t)
		r := e.postForm(tokenURL, exchangeForm(v, e.obtainCode(authorizeParams(v))), testClientID, testClientSecret)
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	})
	t.Run("client_secret_post", func(t *testing.T) {
		v := newVerifier(t)
		f := exchangeForm(v, e.obtainCode(authorizeParams(v)))
		f.Set("client_id", testClientID)
		f.Set("client_secret", testClientSecret)
		if r := e.postForm(tokenURL, f, "", ""); r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	})
	t.Run("basic with characters that need form encoding", func(t *testing.T) {
		const id, secret = "0oaSpecial0000000001", "p+s/w:rd%=&secret-value"
		e.srv.PutApp(App{ClientID: id, ClientSecret: secret, RedirectURIs: []string{testRedirectURI}, Scopes: testScopes, PKCERequired: true})
		r := e.postForm(tokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"unknown"}}, id, secret)
		wantOAuthError(t, r, http.StatusBadRequest, "invalid_grant", "") // authenticated, then the grant fails
	})

	failures := []struct {
		name       string
		basic      [2]string
		post       url.Values
		wantStatus int
		wantError  string
		wantChall  bool
	}{
		{name: "bad secret basic", basic: [2]string{testClientID, "wrong-secret"}, wantStatus: 401, wantError: "invalid_client", wantChall: true},
		{name: "bad secret post", post: url.Values{"client_id": {testClientID}, "client_secret": {"wrong-secret"}}, wantStatus: 401, wantError: "invalid_client"},
		{name: "unknown client", basic: [2]string{"0oaUnknown0000000001", testClientSecret}, wantStatus: 401, wantError: "invalid_client", wantChall: true},
		{name: "no credentials", wantStatus: 401, wantError: "invalid_client"},
		{name: "client_id without secret", post: url.Values{"client_id": {testClientID}}, wantStatus: 401, wantError: "invalid_client"},
		{name: "two authentication methods", basic: [2]string{testClientID, testClientSecret}, post: url.Values{"client_secret": {testClientSecret}}, wantStatus: 400, wantError: "invalid_request"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t)
			code := e.obtainCode(authorizeParams(v))
			f := exchangeForm(v, code)
			for k, vs := range tt.post {
				f[k] = vs
			}
			r := e.postForm(tokenURL, f, tt.basic[0], tt.basic[1])
			wantOAuthError(t, r, tt.wantStatus, tt.wantError, "")
			if got := r.header.Get("WWW-Authenticate") != ""; got != tt.wantChall {
				t.Fatalf("WWW-Authenticate present = %v, want %v", got, tt.wantChall)
			}
			if strings.Contains(r.body, testClientSecret) || strings.Contains(r.body, "wrong-secret") || strings.Contains(r.body, code) {
				t.Fatal("error body echoes a secret or the code")
			}
			// A request that failed client authentication does not spend the code.
			if r := e.exchange(code, v); r.status != http.StatusOK {
				t.Fatalf("code unusable after a failed client auth: %d %s", r.status, r.body)
			}
		})
	}
}

func TestTokenRequestErrors(t *testing.T) {
	e := newEnv(t)
	v := newVerifier(t)
	tests := []struct {
		name      string
		form      url.Values
		wantError string
	}{
		{"grant_type missing", url.Values{"code": {"x"}}, "invalid_request"},
		{"client_credentials", url.Values{"grant_type": {"client_credentials"}}, "unsupported_grant_type"},
		{"password", url.Values{"grant_type": {"password"}, "username": {"u"}, "password": {"p"}}, "unsupported_grant_type"},
		{"code missing", url.Values{"grant_type": {"authorization_code"}, "redirect_uri": {testRedirectURI}, "code_verifier": {v}}, "invalid_request"},
		{"redirect_uri missing", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "code_verifier": {v}}, "invalid_request"},
		{"unknown code", url.Values{"grant_type": {"authorization_code"}, "code": {"never-issued"}, "redirect_uri": {testRedirectURI}, "code_verifier": {v}}, "invalid_grant"},
		{"refresh_token missing", url.Values{"grant_type": {"refresh_token"}}, "invalid_request"},
		{"unknown refresh token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"never-issued"}}, "invalid_grant"},
		{"duplicated parameter", url.Values{"grant_type": {"authorization_code", "authorization_code"}}, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantOAuthError(t, e.token(tt.form), http.StatusBadRequest, tt.wantError, "")
		})
	}
	t.Run("JSON body", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, e.srv.Metadata().TokenEndpoint, strings.NewReader(`{"grant_type":"authorization_code"}`))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(testClientID, testClientSecret)
		wantOAuthError(t, e.do(req), http.StatusBadRequest, "invalid_request", descFormBody)
	})
	t.Run("GET", func(t *testing.T) {
		if r := e.get(e.srv.Metadata().TokenEndpoint); r.status != http.StatusMethodNotAllowed {
			t.Fatalf("status %d, want 405", r.status)
		}
	})
	t.Run("app without refresh_token grant", func(t *testing.T) {
		e.srv.UpdateApp(testClientID, func(a *App) { a.GrantTypes = []string{GrantAuthorizationCode} })
		defer e.srv.UpdateApp(testClientID, func(a *App) { a.GrantTypes = nil })
		code := e.obtainCode(authorizeParams(v))
		r := e.exchange(code, v)
		if r.status != http.StatusOK {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		if _, ok := r.json(t)["refresh_token"]; ok {
			t.Fatal("refresh token issued to an app without the refresh_token grant")
		}
		wantOAuthError(t, e.refresh("anything"), http.StatusBadRequest, "unauthorized_client", "")
	})
	t.Run("code of another client", func(t *testing.T) {
		const other, otherSecret = "0oaOtherClient000002", "other-secret-abcdefgh"
		e.srv.PutApp(App{ClientID: other, ClientSecret: otherSecret, RedirectURIs: []string{testRedirectURI}, Scopes: testScopes, PKCERequired: true})
		code := e.obtainCode(authorizeParams(v))
		f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirectURI}, "code_verifier": {v}}
		wantOAuthError(t, e.postForm(e.srv.Metadata().TokenEndpoint, f, other, otherSecret), http.StatusBadRequest, "invalid_grant", "")
		if r := e.exchange(code, v); r.status != http.StatusOK {
			t.Fatalf("owner cannot redeem after another client tried: %d %s", r.status, r.body)
		}
	})
	t.Run("refresh scope cannot grow", func(t *testing.T) {
		r := e.exchange(e.obtainCode(authorizeParams(v)), v)
		rt := r.json(t)["refresh_token"].(string)
		wantOAuthError(t, e.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {"api:data:company"}}), http.StatusBadRequest, "invalid_scope", "")
		r = e.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "scope": {"api:data:contact"}})
		if r.status != http.StatusOK || r.json(t)["scope"] != "api:data:contact offline_access" {
			t.Fatalf("refresh restating a granted scope: %d %s", r.status, r.body)
		}
	})
}
