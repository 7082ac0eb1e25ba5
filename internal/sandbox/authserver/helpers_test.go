package authserver

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
	"github.com/stackonehq/terraform-provider-stackone/internal/testclock"
)

const (
	testClientID     = "0oaf6t3osgvaPvy4E1d7"
	testClientSecret = "s3cr3t-client-secret-value-0123456789ab"
	testRedirectURI  = "https://api.stackone.com/connect/oauth2/zoominfo/callback"
	testAdminToken   = "admin-token-for-tests"
	testUser         = "alice@example.com"
	testPassword     = "correct horse battery staple"
)

var testScopes = []string{"api:data:contact", "api:data:company", "offline_access"}

// env is one authorization server on a loopback listener, with a PKCE app
// registered and an HTTP client that never follows redirects, so tests see
// exactly what the server answered.
type env struct {
	t      *testing.T
	srv    *Server
	ts     *httptest.Server
	clock  *testclock.Clock
	client *http.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	clock := testclock.New(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := New(Config{
		Issuer:     "http://" + ts.Listener.Addr().String() + "/oauth2/default",
		AdminToken: testAdminToken,
		Users:      map[string]string{testUser: testPassword},
		Now:        clock.Now,
	})
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	srv.PutApp(App{
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
		RedirectURIs: []string{testRedirectURI},
		Scopes:       testScopes,
		PKCERequired: true,
	})
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &env{t: t, srv: srv, ts: ts, clock: clock, client: client}
}

func newVerifier(t *testing.T) string {
	t.Helper()
	v, err := pkce.GenerateVerifier(0)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// authorizeParams is a valid authorization request for the test app.
func authorizeParams(verifier string) url.Values {
	return url.Values{
		"client_id":             {testClientID},
		"redirect_uri":          {testRedirectURI},
		"response_type":         {"code"},
		"state":                 {"state-123"},
		"scope":                 {"api:data:contact offline_access"},
		"code_challenge":        {pkce.S256Challenge(verifier)},
		"code_challenge_method": {"S256"},
	}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r response) location(t *testing.T) *url.URL {
	t.Helper()
	loc := r.header.Get("Location")
	if loc == "" {
		t.Fatalf("no Location header (status %d, body %s)", r.status, r.body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("bad Location %q: %v", loc, err)
	}
	return u
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("body is not a JSON object (status %d): %v\n%s", r.status, err, r.body)
	}
	return m
}

func (e *env) do(req *http.Request) response {
	e.t.Helper()
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (e *env) get(rawURL string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

func (e *env) postForm(rawURL string, form url.Values, basicUser, basicPass string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(url.QueryEscape(basicUser), url.QueryEscape(basicPass))
	}
	return e.do(req)
}

func (e *env) authorize(params url.Values) response {
	e.t.Helper()
	return e.get(e.srv.Metadata().AuthorizationEndpoint + "?" + params.Encode())
}

// startLogin sends a valid authorization request and returns the login
// transaction id from the redirect to the login page.
func (e *env) startLogin(params url.Values) string {
	e.t.Helper()
	r := e.authorize(params)
	if r.status != http.StatusFound {
		e.t.Fatalf("authorize status = %d, want 302; body %s", r.status, r.body)
	}
	loc := r.location(e.t)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != e.srv.LoginURL() {
		e.t.Fatalf("authorize redirected to %s, want the login page %s", got, e.srv.LoginURL())
	}
	tx := loc.Query().Get("tx")
	if tx == "" {
		e.t.Fatal("login redirect has no tx")
	}
	return tx
}

func (e *env) login(tx, user, password string) response {
	e.t.Helper()
	return e.postForm(e.srv.LoginURL(), url.Values{"tx": {tx}, "username": {user}, "password": {password}}, "", "")
}

// obtainCode runs authorize and login and returns the code from the
// redirect, checking the state round-trips.
func (e *env) obtainCode(params url.Values) string {
	e.t.Helper()
	r := e.login(e.startLogin(params), testUser, testPassword)
	if r.status != http.StatusFound {
		e.t.Fatalf("login status = %d, want 302; body %s", r.status, r.body)
	}
	loc := r.location(e.t)
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != params.Get("redirect_uri") {
		e.t.Fatalf("login redirected to %s, want %s", got, params.Get("redirect_uri"))
	}
	if got := loc.Query().Get("state"); got != params.Get("state") {
		e.t.Fatalf("state = %q, want %q", got, params.Get("state"))
	}
	code := loc.Query().Get("code")
	if code == "" {
		e.t.Fatalf("no code in %s", loc.Redacted())
	}
	return code
}

// token posts to the token endpoint with client_secret_basic.
func (e *env) token(form url.Values) response {
	e.t.Helper()
	return e.postForm(e.srv.Metadata().TokenEndpoint, form, testClientID, testClientSecret)
}

func (e *env) exchange(code, verifier string) response {
	e.t.Helper()
	return e.token(url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {testRedirectURI},
		"code_verifier": {verifier},
	})
}

func (e *env) refresh(refreshToken string) response {
	e.t.Helper()
	return e.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
}

func (e *env) introspect(token string) map[string]any {
	e.t.Helper()
	r := e.postForm(e.srv.Metadata().IntrospectionEndpoint, url.Values{"token": {token}}, testClientID, testClientSecret)
	if r.status != http.StatusOK {
		e.t.Fatalf("introspect status %d: %s", r.status, r.body)
	}
	return r.json(e.t)
}

func (e *env) revoke(token string) response {
	e.t.Helper()
	return e.postForm(e.srv.Metadata().RevocationEndpoint, url.Values{"token": {token}}, testClientID, testClientSecret)
}

// wantOAuthError checks status, error code, description and the no-store
// headers every token endpoint answer carries.
func wantOAuthError(t *testing.T, r response, status int, code, desc string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	m := r.json(t)
	if m["error"] != code {
		t.Fatalf("error = %v, want %q; body %s", m["error"], code, r.body)
	}
	if desc != "" && m["error_description"] != desc {
		t.Fatalf("error_description = %v, want %q", m["error_description"], desc)
	}
	wantNoStore(t, r)
}

func wantNoStore(t *testing.T, r response) {
	t.Helper()
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Pragma") != "no-cache" {
		t.Fatalf("Cache-Control = %q, Pragma = %q; want no-store, no-cache", r.header.Get("Cache-Control"), r.header.Get("Pragma"))
	}
}
