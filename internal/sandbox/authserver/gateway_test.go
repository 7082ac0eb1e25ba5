package authserver

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// newGatewayEnv is newEnv with the gateway on a listener of its own, on
// 127.0.0.2 where the machine allows it (another host than the issuer's
// 127.0.0.1), else on another port.
func newGatewayEnv(t *testing.T) (*env, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
	}
	gw := &httptest.Server{Listener: ln, Config: &http.Server{}}
	gatewayURL := "http://" + ln.Addr().String()
	e := newEnv(t)
	// Rebuild the server with the gateway apart, keeping the app.
	app, _ := e.srv.App(testClientID)
	e.srv = New(Config{Issuer: e.srv.Issuer(), AdminToken: testAdminToken, Users: map[string]string{testUser: testPassword}, Now: e.clock.Now, GatewayURL: gatewayURL})
	e.srv.PutApp(app)
	e.ts.Config.Handler = e.srv
	gw.Config.Handler = e.srv.GatewayHandler()
	gw.Start()
	t.Cleanup(gw.Close)
	return e, gatewayURL
}

// TestGatewayGolangOAuth2 runs Authorization Code + PKCE with
// golang.org/x/oauth2 through the gateway's two endpoints on their own host:
// the gateway forwards the authorization request unchanged to the Okta
// server, and redeems the code itself.
func TestGatewayGolangOAuth2(t *testing.T) {
	e, gatewayURL := newGatewayEnv(t)
	if got := e.srv.GatewayAuthorizeEndpoint(); got != gatewayURL+"/gtm/oauth/v1/authorize" {
		t.Fatalf("GatewayAuthorizeEndpoint = %s", got)
	}
	for name, style := range map[string]oauth2.AuthStyle{"header": oauth2.AuthStyleInHeader, "params": oauth2.AuthStyleInParams} {
		t.Run(name, func(t *testing.T) {
			conf := &oauth2.Config{
				ClientID: testClientID, ClientSecret: testClientSecret, RedirectURL: testRedirectURI,
				Scopes:   []string{"api:data:contact", "offline_access"},
				Endpoint: oauth2.Endpoint{AuthURL: e.srv.GatewayAuthorizeEndpoint(), TokenURL: e.srv.GatewayTokenEndpoint(), AuthStyle: style},
			}
			verifier := oauth2.GenerateVerifier()
			authURL := conf.AuthCodeURL("state-gw", oauth2.S256ChallengeOption(verifier))
			r := e.get(authURL)
			fwd := r.location(t)
			if r.status != http.StatusFound || fwd.Scheme+"://"+fwd.Host+fwd.Path != e.srv.Metadata().AuthorizationEndpoint {
				t.Fatalf("gateway answered %d to %s, want a forward to the Okta authorize endpoint", r.status, fwd.Redacted())
			}
			sent, _ := url.Parse(authURL)
			if fwd.RawQuery != sent.RawQuery {
				t.Fatalf("gateway changed the query: %q, sent %q", fwd.RawQuery, sent.RawQuery)
			}
			r = e.get(fwd.String())
			tx := r.location(t).Query().Get("tx")
			r = e.login(tx, testUser, testPassword)
			cb := r.location(t)
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, e.ts.Client())
			tok, err := conf.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("exchange through the gateway: %v", err)
			}
			if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Extra("scope") != "api:data:contact offline_access" {
				t.Fatalf("token %+v", tok)
			}
			// Refresh through the gateway too.
			tok.Expiry = tok.Expiry.Add(-2 * AccessTokenLifetime)
			if fresh, err := conf.TokenSource(ctx, tok).Token(); err != nil || fresh.RefreshToken == tok.RefreshToken {
				t.Fatalf("refresh through the gateway: %v", err)
			}
		})
	}
}

// TestGatewayBasicWinsOverBody: at the gateway's token endpoint the
// Authorization header decides and client credentials in the body are
// ignored, even wrong ones; Okta's own endpoint refuses the same request.
func TestGatewayBasicWinsOverBody(t *testing.T) {
	e, _ := newGatewayEnv(t)
	for _, tc := range []struct {
		endpoint string
		status   int
	}{
		{e.srv.Metadata().TokenEndpoint, http.StatusBadRequest},
		{e.srv.GatewayTokenEndpoint(), http.StatusOK},
	} {
		v := newVerifier(t)
		code := e.obtainCode(authorizeParams(v))
		r := e.postForm(tc.endpoint, url.Values{
			"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirectURI}, "code_verifier": {v},
			"client_id": {"0oaSomebodyElse000001"}, "client_secret": {"wrong-secret"},
		}, testClientID, testClientSecret)
		if r.status != tc.status {
			t.Fatalf("%s: status %d, want %d: %s", tc.endpoint, r.status, tc.status, r.body)
		}
		if tc.status == http.StatusBadRequest {
			wantOAuthError(t, r, http.StatusBadRequest, "invalid_request", descMultipleAuth)
		} else if r.json(t)["access_token"] == "" {
			t.Fatalf("no access token: %s", r.body)
		}
	}
	// Without a header, the body's credentials are used, and checked.
	v := newVerifier(t)
	r := e.postForm(e.srv.GatewayTokenEndpoint(), url.Values{
		"grant_type": {"authorization_code"}, "code": {e.obtainCode(authorizeParams(v))}, "redirect_uri": {testRedirectURI}, "code_verifier": {v},
		"client_id": {testClientID}, "client_secret": {"wrong-secret"},
	}, "", "")
	wantOAuthError(t, r, http.StatusUnauthorized, "invalid_client", descClientAuth)
}

// TestGatewayErrorShape: errors of the gateway itself use its JSON shape.
func TestGatewayErrorShape(t *testing.T) {
	e, gatewayURL := newGatewayEnv(t)
	for _, tc := range []struct {
		name   string
		do     func() response
		status int
		code   string
	}{
		{"token by GET", func() response { return e.get(e.srv.GatewayTokenEndpoint()) }, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"unknown path", func() response { return e.get(gatewayURL + "/gtm/oauth/v1/nothing") }, http.StatusNotFound, "NOT_FOUND"},
		{"not under /gtm", func() response { return e.get(gatewayURL + "/oauth2/default/v1/authorize") }, http.StatusNotFound, "NOT_FOUND"},
		{"token body not a form", func() response {
			req, _ := http.NewRequest(http.MethodPost, e.srv.GatewayTokenEndpoint(), strings.NewReader(`{"grant_type":"authorization_code"}`))
			req.Header.Set("Content-Type", "application/json")
			return e.do(req)
		}, http.StatusBadRequest, "BAD_REQUEST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.do()
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			inner, ok := r.json(t)["error"].(map[string]any)
			if !ok {
				t.Fatalf("body %s: want {\"error\": {...}}", r.body)
			}
			for _, k := range []string{"code", "message", "status", "requestId", "retryable"} {
				if _, ok := inner[k]; !ok {
					t.Fatalf("error object lacks %q: %s", k, r.body)
				}
			}
			if inner["code"] != tc.code || inner["status"] != float64(tc.status) || inner["retryable"] != false || inner["requestId"] == "" {
				t.Fatalf("error object %v", inner)
			}
		})
	}
	// An OAuth error of the token step passes through in RFC 6749 form.
	r := e.postForm(e.srv.GatewayTokenEndpoint(), url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}, "redirect_uri": {testRedirectURI}}, testClientID, testClientSecret)
	wantOAuthError(t, r, http.StatusBadRequest, "invalid_grant", descCodeInvalid)
}
