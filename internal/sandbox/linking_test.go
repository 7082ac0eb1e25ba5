package sandbox

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox/authserver"
	"github.com/stackonehq/terraform-provider-stackone/internal/testclock"
)

// browser is a person's browser reduced to what the tests need: GET and
// form POST without following redirects, and no API key.
type browser struct {
	t    *testing.T
	http *http.Client
}

func newBrowser(t *testing.T) *browser {
	return &browser{t: t, http: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *browser) send(req *http.Request) response {
	b.t.Helper()
	req.Header.Set("User-Agent", "Mozilla/5.0 (sandbox-test)")
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

func (b *browser) get(u string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.send(req)
}

func (b *browser) post(u string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

func location(t *testing.T, r response) *url.URL {
	t.Helper()
	if r.status != http.StatusFound {
		t.Fatalf("status %d, want 302; body %s", r.status, r.body)
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// linkProfile creates a ZoomInfo profile holding the seeded app's
// credentials (or secret, when not empty) and the given scopes.
func linkProfile(c *testClient, scopes []string, secret string) profileJSON {
	app := c.s.ZoomInfoApp()
	if secret == "" {
		secret = app.ClientSecret
	}
	return c.create(map[string]any{
		"provider": "zoominfo", "name": "link " + randomHex(4), "auth_type": "oauth2_authorization_code_pkce",
		"client_id": app.ClientID, "client_secret": secret, "scopes": scopes,
	})
}

func newSession(c *testClient, profileID string) connectSessionCreated {
	c.t.Helper()
	var cs connectSessionCreated
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connect_sessions", map[string]any{
		"origin_owner_id": "owner-1", "origin_owner_name": "Owner One", "provider": "zoominfo", "integration_id": profileID,
	}).json(c.t, &cs)
	return cs
}

func sessionStatus(c *testClient, id string) connectSessionJSON {
	c.t.Helper()
	var st connectSessionJSON
	c.mustStatus(http.StatusOK, http.MethodGet, "/connect_sessions/"+id, nil).json(c.t, &st)
	return st
}

// toCallback opens the auth link and signs in, returning where the
// authorization server sends the browser back (not opened) and the
// authorization request StackOne made.
func toCallback(t *testing.T, s *Sandbox, b *browser, authLink string) (callback, authorize *url.URL) {
	t.Helper()
	authorize = location(t, b.get(authLink))
	next := location(t, b.get(authorize.String()))
	if strings.HasPrefix(next.String(), s.BaseURL()) {
		return next, authorize // the authorization server redirected an error
	}
	if !strings.HasPrefix(next.String(), s.AuthServer().LoginURL()) {
		t.Fatalf("authorize sent the browser to %s", next.Redacted())
	}
	if form := b.get(next.String()); form.status != http.StatusOK || !strings.Contains(string(form.body), `name="password"`) {
		t.Fatalf("login form: %d %s", form.status, form.body)
	}
	user, password := s.User()
	cb := location(t, b.post(s.AuthServer().LoginURL(), url.Values{
		"tx": {next.Query().Get("tx")}, "username": {user}, "password": {password},
	}))
	return cb, authorize
}

func TestConnectSessionCreate(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	p := linkProfile(c, []string{"api:data:contact"}, "")

	cs := newSession(c, p.ID)
	if cs.ID == "" || len(cs.Token) < 43 || cs.AuthLinkURL != s.BaseURL()+"/connect/oauth2/"+p.ID+"?token="+cs.Token {
		t.Fatalf("session = %+v", cs)
	}
	st := sessionStatus(c, cs.ID)
	if st.Status != SessionPending || st.IntegrationID != p.ID || st.Provider != "zoominfo" || st.OriginOwnerID != "owner-1" ||
		st.Error != nil || st.AccountID != nil {
		t.Fatalf("status = %+v", st)
	}
	if r := c.do(http.MethodGet, "/connect_sessions/"+cs.ID, nil); strings.Contains(string(r.body), cs.Token) {
		t.Error("GET /connect_sessions/{id} shows the session token")
	}
	if again := newSession(c, p.ID); again.Token == cs.Token || again.ID == cs.ID {
		t.Error("two sessions share a token or id")
	}

	acmeProfile := c.create(map[string]any{"provider": "acmecrm", "name": "cc", "auth_type": "oauth2_client_credentials",
		"client_id": "x", "client_secret": "y"})
	inactive := linkProfile(c, nil, "")
	c.mustStatus(http.StatusOK, http.MethodPatch, "/connector_profiles/"+inactive.ID, map[string]any{"active": false})

	body := func(mod func(map[string]any)) map[string]any {
		b := map[string]any{"origin_owner_id": "o", "origin_owner_name": "O", "integration_id": p.ID}
		mod(b)
		return b
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		msg    string
	}{
		{"unknown profile", body(func(b map[string]any) { b["integration_id"] = "nope" }), 404, "not found"},
		{"inactive profile", body(func(b map[string]any) { b["integration_id"] = inactive.ID }), 422, "inactive"},
		{"provider mismatch", body(func(b map[string]any) { b["provider"] = "acmecrm" }), 422, "does not match"},
		{"no user step", body(func(b map[string]any) { b["integration_id"] = acmeProfile.ID }), 422, "no user authorization step"},
		{"missing owner", body(func(b map[string]any) { delete(b, "origin_owner_id") }), 400, "origin_owner_id is required"},
		{"missing profile", body(func(b map[string]any) { delete(b, "integration_id") }), 400, "integration_id is required"},
		{"unknown field", body(func(b map[string]any) { b["expires_in"] = 5 }), 400, "expires_in is not a field of a connect session"},
		{"not an object", "[]", 400, "single JSON object"},
	} {
		r := c.do(http.MethodPost, "/connect_sessions", tc.body)
		if r.status != tc.status || !strings.Contains(r.apiErr(t).Message, tc.msg) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	c.mustStatus(http.StatusUnauthorized, http.MethodPost, "/connect_sessions", body(func(map[string]any) {}), noAuth())
	c.mustStatus(http.StatusUnauthorized, http.MethodGet, "/connect_sessions/"+cs.ID, nil, noAuth())
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/connect_sessions/nope", nil)
	c.mustStatus(http.StatusUnauthorized, http.MethodGet, "/accounts", nil, noAuth())
}

func TestConnectStartRedirect(t *testing.T) {
	clk := testclock.New(time.Now())
	s := startSandbox(t, Options{Now: clk.Now})
	c := newClient(t, s)
	b := newBrowser(t)
	p := linkProfile(c, []string{"api:data:contact", "api:data:company"}, "")
	cs := newSession(c, p.ID)

	// The browser sends no API key.
	r := b.get(cs.AuthLinkURL)
	loc := location(t, r)
	if r.header.Get("Referrer-Policy") != "no-referrer" || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", r.header)
	}
	authz := s.AuthServer().Metadata().AuthorizationEndpoint
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != authz {
		t.Fatalf("redirected to %s, want %s", got, authz)
	}
	q := loc.Query()
	for k, want := range map[string]string{
		"response_type": "code", "client_id": s.ZoomInfoApp().ClientID, "redirect_uri": p.RedirectURI,
		"scope": "api:data:contact api:data:company", "code_challenge_method": "S256",
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	state := q.Get("state")
	s.link.mu.Lock()
	att := s.link.attempts[state]
	s.link.mu.Unlock()
	if state == "" || att == nil {
		t.Fatalf("no attempt stored for state %q", state)
	}
	if err := pkce.ValidateVerifier(att.verifier); err != nil {
		t.Errorf("stored verifier: %v", err)
	}
	if q.Get("code_challenge") != pkce.S256Challenge(att.verifier) {
		t.Error("code_challenge is not the S256 challenge of the stored verifier")
	}
	if strings.Contains(loc.String(), att.verifier) {
		t.Error("the verifier left the sandbox")
	}

	// Single use: the same link again is refused, and so is a token on another profile's path.
	if r := b.get(cs.AuthLinkURL); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "already been used") {
		t.Errorf("second use: %d %s", r.status, r.body)
	}
	other := linkProfile(c, nil, "")
	cs2 := newSession(c, p.ID)
	if r := b.get(s.BaseURL() + "/connect/oauth2/" + other.ID + "?token=" + url.QueryEscape(cs2.Token)); r.status != http.StatusBadRequest {
		t.Errorf("token on another profile: %d", r.status)
	}
	if r := b.get(s.BaseURL() + "/connect/oauth2/" + p.ID); r.status != http.StatusBadRequest {
		t.Errorf("no token: %d", r.status)
	}
	// The refused attempt on the wrong path did not spend cs2's token: each
	// attempt gets its own state and verifier.
	q2 := location(t, b.get(cs2.AuthLinkURL)).Query()
	if q2.Get("state") == state || q2.Get("code_challenge") == q.Get("code_challenge") {
		t.Error("state or challenge reused across attempts")
	}

	// A profile without scopes asks for none: the app's registered scopes are granted.
	noScopes := newSession(c, other.ID)
	if q := location(t, b.get(noScopes.AuthLinkURL)).Query(); q.Has("scope") {
		t.Errorf("scope = %q for a profile without scopes", q.Get("scope"))
	}

	// Links expire.
	late := newSession(c, p.ID)
	clk.Advance(sessionLifetime + time.Second)
	if r := b.get(late.AuthLinkURL); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "expired") {
		t.Errorf("expired link: %d %s", r.status, r.body)
	}
	// POST is not how a browser opens a link.
	if r := b.post(cs2.AuthLinkURL, url.Values{}); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST link: %d", r.status)
	}
}

func TestLinkSuccess(t *testing.T) {
	var logMu sync.Mutex
	var logs []string
	s := startSandbox(t, Options{Logf: func(format string, args ...any) {
		logMu.Lock()
		logs = append(logs, fmt.Sprintf(format, args...))
		logMu.Unlock()
	}})
	c := newClient(t, s)
	b := newBrowser(t)
	p := linkProfile(c, []string{"api:data:contact", "api:data:company"}, "")
	cs := newSession(c, p.ID)

	cb, _ := toCallback(t, s, b, cs.AuthLinkURL)
	code := cb.Query().Get("code")
	if code == "" || cb.Path != "/connect/oauth2/zoominfo/callback" {
		t.Fatalf("callback %s", cb.Redacted())
	}
	r := b.get(cb.String())
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "Account linked") {
		t.Fatalf("callback: %d %s", r.status, r.body)
	}

	st := sessionStatus(c, cs.ID)
	if st.Status != SessionLinked || st.AccountID == nil || st.Error != nil {
		t.Fatalf("session = %+v", st)
	}
	var accounts struct {
		Data []accountJSON `json:"data"`
		Next *string       `json:"next"`
	}
	ar := c.mustStatus(http.StatusOK, http.MethodGet, "/accounts", nil)
	ar.json(t, &accounts)
	if len(accounts.Data) != 1 || accounts.Next != nil {
		t.Fatalf("accounts = %s", ar.body)
	}
	a := accounts.Data[0]
	if a.ID != *st.AccountID || a.Provider != "zoominfo" || a.IntegrationID != p.ID || a.Status != "active" ||
		!slices.Equal(a.Scopes, []string{"api:data:company", "api:data:contact"}) || a.OriginOwnerID != "owner-1" {
		t.Fatalf("account = %+v", a)
	}
	if _, err := time.Parse(time.RFC3339Nano, a.CreatedAt); err != nil {
		t.Error(err)
	}

	// The exchange was real: the stored access token is active at the
	// authorization server, and never shown.
	s.link.mu.Lock()
	access, refresh := s.link.accounts[0].accessToken, s.link.accounts[0].refreshToken
	s.link.mu.Unlock()
	if access == "" || refresh == "" {
		t.Fatal("no tokens stored")
	}
	if strings.Contains(string(ar.body), access) || strings.Contains(string(r.body), access) || strings.Contains(string(r.body), code) {
		t.Error("a token or the code is shown")
	}
	app := s.ZoomInfoApp()
	req, _ := http.NewRequest(http.MethodPost, strings.TrimSuffix(s.AuthServer().Metadata().IntrospectionEndpoint, "/"),
		strings.NewReader(url.Values{"token": {access}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(app.ClientID, app.ClientSecret)
	ir := b.send(req)
	if ir.status != http.StatusOK || !strings.Contains(string(ir.body), `"active":true`) {
		t.Errorf("introspect: %d %s", ir.status, ir.body)
	}

	// Replaying the callback finds a spent state.
	if r := b.get(cb.String()); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "unknown, expired or already used") {
		t.Errorf("replayed callback: %d %s", r.status, r.body)
	}
	if got := s.Accounts(); len(got) != 1 || got[0].ID != a.ID {
		t.Errorf("Accounts() = %+v", got)
	}

	// Filter and pagination.
	cs2 := newSession(c, p.ID)
	cb2, _ := toCallback(t, s, b, cs2.AuthLinkURL)
	if r := b.get(cb2.String()); r.status != http.StatusOK {
		t.Fatalf("second link: %d %s", r.status, r.body)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/accounts?page_size=1", nil).json(t, &accounts)
	if len(accounts.Data) != 1 || accounts.Data[0].ID != a.ID || accounts.Next == nil {
		t.Fatalf("page 1 = %+v", accounts)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/accounts?page_size=1&next="+*accounts.Next, nil).json(t, &accounts)
	if len(accounts.Data) != 1 || accounts.Data[0].ID == a.ID || accounts.Next != nil {
		t.Fatalf("page 2 = %+v", accounts)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/accounts?filter[provider]=acmecrm", nil).json(t, &accounts)
	if len(accounts.Data) != 0 {
		t.Errorf("acmecrm accounts = %+v", accounts.Data)
	}

	st2 := s.Stats()
	for _, k := range []string{"POST /connect_sessions", "GET /connect_sessions/{id}", "GET /accounts",
		"GET /connect/oauth2/{id}", "GET /connect/oauth2/{provider}/callback"} {
		if st2.Requests[k] == 0 {
			t.Errorf("stats miss %q: %v", k, st2.Requests)
		}
	}

	logMu.Lock()
	lines := slices.Clone(logs)
	logMu.Unlock()
	if len(lines) == 0 {
		t.Error("nothing logged")
	}
	for _, line := range lines {
		for _, secret := range []string{cs.Token, code, access, refresh, app.ClientSecret, cb.Query().Get("state")} {
			if strings.Contains(line, secret) {
				t.Errorf("log line %q carries a secret", line)
			}
		}
	}

	// Reset forgets sessions and accounts.
	c.mustStatus(http.StatusNoContent, http.MethodPost, "/admin/reset", nil, bearer(s.AdminToken()))
	if len(s.Accounts()) != 0 {
		t.Error("accounts survive a reset")
	}
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/connect_sessions/"+cs.ID, nil)
}

func TestLinkFailures(t *testing.T) {
	clk := testclock.New(time.Now())
	s := startSandbox(t, Options{Now: clk.Now})
	c := newClient(t, s)
	b := newBrowser(t)
	contact := []string{"api:data:contact"}

	for _, tc := range []struct {
		name     string
		scopes   []string
		secret   string
		tamper   func(cb *url.URL) // before the callback is opened
		wantErr  string
		wantDesc string
	}{
		{name: "unregistered scope", scopes: []string{"api:data:contact", "api:data:scoops"},
			wantErr: "invalid_scope", wantDesc: "One or more scopes are not configured"},
		{name: "wrong client secret", scopes: contact, secret: "not-the-secret",
			wantErr: "invalid_client", wantDesc: "Client authentication failed"},
		{name: "wrong verifier", scopes: contact, tamper: func(cb *url.URL) {
			s.link.mu.Lock()
			defer s.link.mu.Unlock()
			v, _ := pkce.GenerateVerifier(0)
			s.link.attempts[cb.Query().Get("state")].verifier = v
		}, wantErr: "invalid_grant", wantDesc: "PKCE verification failed."},
		{name: "expired code", scopes: contact, tamper: func(*url.URL) { clk.Advance(authserver.DefaultCodeLifetime + time.Second) },
			wantErr: "invalid_grant", wantDesc: "invalid or has expired"},
		{name: "access denied with markup", scopes: contact, tamper: func(cb *url.URL) {
			q := url.Values{"state": {cb.Query().Get("state")}, "error": {"access_denied"}, "error_description": {"<script>x</script> said no"}}
			cb.RawQuery = q.Encode()
		}, wantErr: "access_denied", wantDesc: "<script>x</script> said no"},
		{name: "neither code nor error", scopes: contact, tamper: func(cb *url.URL) {
			cb.RawQuery = url.Values{"state": {cb.Query().Get("state")}}.Encode()
		}, wantErr: "invalid_request", wantDesc: "neither a code nor an error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, b := newClient(t, s), newBrowser(t)
			p := linkProfile(c, tc.scopes, tc.secret)
			cs := newSession(c, p.ID)
			cb, _ := toCallback(t, s, b, cs.AuthLinkURL)
			if tc.tamper != nil {
				tc.tamper(cb)
			}
			r := b.get(cb.String())
			page := string(r.body)
			if r.status < 400 || !strings.Contains(page, "Linking failed") || !strings.Contains(page, tc.wantErr) {
				t.Fatalf("callback page: %d %s", r.status, page)
			}
			if strings.Contains(page, "<script>") {
				t.Error("the page reflects markup unescaped")
			}
			st := sessionStatus(c, cs.ID)
			if st.Status != SessionFailed || st.Error == nil || *st.Error != tc.wantErr || st.ErrorDescription == nil ||
				!strings.Contains(*st.ErrorDescription, tc.wantDesc) || st.AccountID != nil {
				t.Errorf("session = %+v (error %v %v)", st, deref(st.Error), deref(st.ErrorDescription))
			}
			// A failed session stays failed: its state is spent.
			if r := b.get(cb.String()); r.status != http.StatusBadRequest {
				t.Errorf("replay after failure: %d", r.status)
			}
		})
	}
	if len(s.Accounts()) != 0 {
		t.Errorf("failures linked accounts: %+v", s.Accounts())
	}

	// An unknown state changes nothing and says so.
	r := b.get(s.BaseURL() + "/connect/oauth2/zoominfo/callback?state=forged&code=abc")
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "unknown, expired or already used") {
		t.Errorf("forged state: %d %s", r.status, r.body)
	}
	// The callback of another provider does not accept ZoomInfo's state.
	p := linkProfile(c, contact, "")
	cs := newSession(c, p.ID)
	cb, _ := toCallback(t, s, b, cs.AuthLinkURL)
	wrong := *cb
	wrong.Path = "/connect/oauth2/acmecrm/callback"
	if r := b.get(wrong.String()); r.status != http.StatusBadRequest {
		t.Errorf("state on another provider's callback: %d", r.status)
	}
	if r := b.get(cb.String()); r.status != http.StatusOK {
		t.Errorf("the right callback after a wrong one: %d %s", r.status, r.body)
	}
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}
