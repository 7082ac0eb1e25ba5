package sandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
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
func linkProfile(c *testClient, scopes []string, secret string) wireProfile {
	app := c.s.ZoomInfoApp()
	if secret == "" {
		secret = app.ClientSecret
	}
	return c.create(map[string]any{
		"connector_key": "zoominfo", "name": "link " + randomHex(4), "authentication_config_key": "oauth2_authorization_code_pkce",
		"client_id": app.ClientID, "client_secret": secret, "scopes": scopes,
	})
}

// wireSession decodes a connect session as POST and GET answer it; a
// string id fails to decode into ID.
type wireSession struct {
	ID                      int64           `json:"id"`
	OrganizationID          string          `json:"organization_id"`
	ProjectID               string          `json:"project_id"`
	OriginOwnerID           string          `json:"origin_owner_id"`
	OriginOwnerName         string          `json:"origin_owner_name"`
	OriginUsername          *string         `json:"origin_username"`
	Provider                string          `json:"provider"`
	ConnectorProfileID      string          `json:"connector_profile_id"`
	AccountID               *string         `json:"account_id"`
	Label                   *string         `json:"label"`
	Metadata                json.RawMessage `json:"metadata"`
	Categories              []string        `json:"categories"`
	Type                    *string         `json:"type"`
	CreatedAt               string          `json:"created_at"`
	Token                   string          `json:"token"`
	AuthLinkURL             string          `json:"auth_link_url"`
	LatestConnectionAttempt *wireAttempt    `json:"latest_connection_attempt"`
}

type wireAttempt struct {
	ID                    string  `json:"id"`
	Status                string  `json:"status"`
	OAuthErrorCode        *string `json:"oauth_error_code"`
	OAuthErrorDescription *string `json:"oauth_error_description"`
	AccountSecureID       *string `json:"account_secure_id"`
	CreatedAt             string  `json:"created_at"`
	UpdatedAt             string  `json:"updated_at"`
}

// wireAccount decodes a LinkedAccount.
type wireAccount struct {
	ID                 string   `json:"id"`
	Provider           string   `json:"provider"`
	ProviderName       string   `json:"provider_name"`
	OriginOwnerID      string   `json:"origin_owner_id"`
	OriginOwnerName    string   `json:"origin_owner_name"`
	OriginUsername     *string  `json:"origin_username"`
	Label              *string  `json:"label"`
	Status             string   `json:"status"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
	ConnectorProfileID string   `json:"connector_profile_id"`
	Scopes             []string `json:"scopes"`
}

func newSession(c *testClient, profileID string) wireSession {
	c.t.Helper()
	var cs wireSession
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connect_sessions", map[string]any{
		"origin_owner_id": "owner-1", "origin_owner_name": "Owner One", "provider": "zoominfo", "connector_profile_id": profileID,
	}).json(c.t, &cs)
	return cs
}

func sessionStatus(c *testClient, id int64) wireSession {
	c.t.Helper()
	var st wireSession
	c.mustStatus(http.StatusOK, http.MethodGet, fmt.Sprintf("/connect_sessions/%d", id), nil).json(c.t, &st)
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

	r := c.mustStatus(http.StatusCreated, http.MethodPost, "/connect_sessions", map[string]any{
		"origin_owner_id": "owner-1", "origin_owner_name": "Owner One", "provider": "zoominfo", "connector_profile_id": p.ID,
		"label": "Sales", "origin_username": "ada@example.com", "categories": []string{"crm"}, "type": "production",
		"metadata": map[string]any{"plan": "gold"}, "multiple": true, "expires_in": 600, "provider_version": "1.0.0",
	})
	var cs wireSession
	r.json(t, &cs)
	if cs.ID < 1 || len(cs.Token) < 43 || cs.AuthLinkURL != s.BaseURL()+"/connect/oauth2/"+p.ID+"?token="+cs.Token ||
		cs.OrganizationID != SandboxOrganizationID || cs.ProjectID != SandboxProjectID || cs.ConnectorProfileID != p.ID ||
		cs.Provider != "zoominfo" || cs.OriginOwnerName != "Owner One" || deref(cs.Label) != "Sales" ||
		deref(cs.OriginUsername) != "ada@example.com" || !slices.Equal(cs.Categories, []string{"crm"}) ||
		deref(cs.Type) != "production" || string(cs.Metadata) != `{"plan":"gold"}` || cs.AccountID != nil {
		t.Fatalf("session = %s", r.body)
	}
	if _, err := time.Parse(time.RFC3339Nano, cs.CreatedAt); err != nil {
		t.Error(err)
	}
	st := sessionStatus(c, cs.ID)
	if st.ConnectorProfileID != p.ID || st.Provider != "zoominfo" || st.OriginOwnerID != "owner-1" || st.ID != cs.ID ||
		st.LatestConnectionAttempt != nil || st.Token != "" || st.AuthLinkURL != "" {
		t.Fatalf("status = %+v", st)
	}
	gr := c.do(http.MethodGet, fmt.Sprintf("/connect_sessions/%d", cs.ID), nil)
	if strings.Contains(string(gr.body), cs.Token) {
		t.Error("GET /connect_sessions/{id} shows the session token")
	}
	if v, ok := keysOf(t, gr.body)["latest_connection_attempt"]; !ok || string(v) != "null" {
		t.Errorf("latest_connection_attempt before any attempt = %s, want null", v)
	}
	if stored, ok := s.ConnectSession(strconv.FormatInt(cs.ID, 10)); !ok || stored.Status != SessionPending || stored.IntegrationID != p.ID {
		t.Errorf("ConnectSession() = %+v, %v", stored, ok)
	}
	again := newSession(c, p.ID)
	if again.Token == cs.Token || again.ID == cs.ID {
		t.Error("two sessions share a token or id")
	}

	// The older field name and the provider alone both name the profile.
	var viaOld, viaProvider wireSession
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connect_sessions", map[string]any{
		"origin_owner_id": "o", "origin_owner_name": "O", "integration_id": p.ID}).json(t, &viaOld)
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connect_sessions", map[string]any{
		"origin_owner_id": "o", "origin_owner_name": "O", "provider": "zoominfo"}).json(t, &viaProvider)
	if viaOld.ConnectorProfileID != p.ID || viaProvider.ConnectorProfileID != p.ID {
		t.Errorf("integration_id gave %q, provider gave %q; want %q", viaOld.ConnectorProfileID, viaProvider.ConnectorProfileID, p.ID)
	}

	acmeProfile := c.create(map[string]any{"connector_key": "acmecrm", "name": "cc", "authentication_config_key": "oauth2_client_credentials",
		"client_id": "x", "client_secret": "y"})
	inactive := linkProfile(c, nil, "")
	c.mustStatus(http.StatusOK, http.MethodPatch, "/connector_profiles/"+inactive.ID, map[string]any{"active": false})

	body := func(mod func(map[string]any)) map[string]any {
		b := map[string]any{"origin_owner_id": "o", "origin_owner_name": "O", "connector_profile_id": p.ID}
		mod(b)
		return b
	}
	for _, tc := range []struct {
		name   string
		body   any
		status int
		msg    string
	}{
		{"unknown profile", body(func(b map[string]any) { b["connector_profile_id"] = "nope" }), 404, "not found"},
		{"inactive profile", body(func(b map[string]any) { b["connector_profile_id"] = inactive.ID }), 422, "inactive"},
		{"provider mismatch", body(func(b map[string]any) { b["provider"] = "acmecrm" }), 422, "does not match"},
		{"no user step", body(func(b map[string]any) { b["connector_profile_id"] = acmeProfile.ID }), 422, "no user authorization step"},
		{"missing owner", body(func(b map[string]any) { delete(b, "origin_owner_id") }), 400, "origin_owner_id is required"},
		{"missing owner name", body(func(b map[string]any) { delete(b, "origin_owner_name") }), 400, "origin_owner_name is required"},
		{"unknown account to edit", body(func(b map[string]any) { b["account_id"] = "nope" }), 404, `account "nope" (account_id) not found`},
		{"both names differ", body(func(b map[string]any) { b["integration_id"] = inactive.ID }), 400, "integration_id"},
		{"expires_in zero", body(func(b map[string]any) { b["expires_in"] = 0 }), 400, "expires_in"},
		{"expires_in text", body(func(b map[string]any) { b["expires_in"] = "60" }), 400, "expires_in"},
		{"metadata not an object", body(func(b map[string]any) { b["metadata"] = []string{"x"} }), 400, "metadata"},
		{"multiple not a bool", body(func(b map[string]any) { b["multiple"] = "yes" }), 400, "multiple"},
		{"unknown field", body(func(b map[string]any) { b["nope"] = 5 }), 400, "nope is not a field of a connect session"},
		{"not an object", "[]", 400, "single JSON object"},
	} {
		r := c.do(http.MethodPost, "/connect_sessions", tc.body)
		if r.status != tc.status || !strings.Contains(r.apiErr(t).Message, tc.msg) {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	c.mustStatus(http.StatusUnauthorized, http.MethodPost, "/connect_sessions", body(func(map[string]any) {}), noAuth())
	c.mustStatus(http.StatusUnauthorized, http.MethodGet, fmt.Sprintf("/connect_sessions/%d", cs.ID), nil, noAuth())
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/connect_sessions/nope", nil)
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/connect_sessions/999999", nil)
	c.mustStatus(http.StatusUnauthorized, http.MethodGet, "/accounts", nil, noAuth())
}

func TestSessionExpiresIn(t *testing.T) {
	clk := testclock.New(time.Now())
	s := startSandbox(t, Options{Now: clk.Now})
	c := newClient(t, s)
	b := newBrowser(t)
	p := linkProfile(c, nil, "")
	var short wireSession
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connect_sessions", map[string]any{
		"origin_owner_id": "o", "origin_owner_name": "O", "connector_profile_id": p.ID, "expires_in": 30}).json(t, &short)
	r := c.mustStatus(http.StatusUnprocessableEntity, http.MethodPost, "/connect_sessions", map[string]any{
		"origin_owner_id": "o", "origin_owner_name": "O", "provider": "acmecrm"})
	if e := r.apiErr(t); !strings.Contains(e.Message, "no active connector profile") {
		t.Errorf("provider without a profile: %s", r.body)
	}
	clk.Advance(31 * time.Second)
	if r := b.get(short.AuthLinkURL); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "expired") {
		t.Errorf("link after its expires_in: %d %s", r.status, r.body)
	}
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
		"response_type": "code", "client_id": s.ZoomInfoApp().ClientID, "redirect_uri": s.BaseURL() + "/connect/oauth2/zoominfo/callback",
		"scope": "api:data:contact api:data:company", "code_challenge_method": "S256",
	} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if st := sessionStatus(c, cs.ID); st.LatestConnectionAttempt == nil || st.LatestConnectionAttempt.Status != AttemptPending ||
		st.LatestConnectionAttempt.OAuthErrorCode != nil || st.LatestConnectionAttempt.AccountSecureID != nil {
		t.Errorf("after opening the link, latest_connection_attempt = %+v", st.LatestConnectionAttempt)
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
	att := st.LatestConnectionAttempt
	if att == nil || att.Status != AttemptAuthenticated || att.AccountSecureID == nil || att.OAuthErrorCode != nil ||
		att.OAuthErrorDescription != nil || att.ID == "" {
		t.Fatalf("latest_connection_attempt = %+v", att)
	}
	var accounts []wireAccount
	ar := c.mustStatus(http.StatusOK, http.MethodGet, "/accounts", nil)
	ar.json(t, &accounts)
	if len(accounts) != 1 {
		t.Fatalf("accounts = %s", ar.body)
	}
	a := accounts[0]
	if a.ID != *att.AccountSecureID || a.Provider != "zoominfo" || a.ProviderName != "ZoomInfo" || a.ConnectorProfileID != p.ID ||
		a.Status != "active" || !slices.Equal(a.Scopes, []string{"api:data:company", "api:data:contact"}) ||
		a.OriginOwnerID != "owner-1" || a.OriginOwnerName != "Owner One" {
		t.Fatalf("account = %+v", a)
	}
	for _, ts := range []string{a.CreatedAt, a.UpdatedAt} {
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
			t.Error(err)
		}
	}
	var one wireAccount
	c.mustStatus(http.StatusOK, http.MethodGet, "/accounts/"+a.ID, nil).json(t, &one)
	if !reflect.DeepEqual(one, a) {
		t.Errorf("GET /accounts/{id} = %+v, want %+v", one, a)
	}
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/accounts/nope", nil)

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

	// Pagination (multiple: a second account of the same owner).
	var cs2 wireSession
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connect_sessions", map[string]any{
		"origin_owner_id": "owner-1", "origin_owner_name": "Owner One", "connector_profile_id": p.ID, "multiple": true,
	}).json(t, &cs2)
	cb2, _ := toCallback(t, s, b, cs2.AuthLinkURL)
	if r := b.get(cb2.String()); r.status != http.StatusOK {
		t.Fatalf("second link: %d %s", r.status, r.body)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/accounts?page_size=1", nil).json(t, &accounts)
	if len(accounts) != 1 || accounts[0].ID != a.ID {
		t.Fatalf("page 1 = %+v", accounts)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/accounts?page_size=1&page=2", nil).json(t, &accounts)
	if len(accounts) != 1 || accounts[0].ID == a.ID {
		t.Fatalf("page 2 = %+v", accounts)
	}
	if r := c.mustStatus(http.StatusOK, http.MethodGet, "/accounts?page_size=1&page=3", nil); string(r.body) != "[]\n" {
		t.Fatalf("page 3 = %s, want []", r.body)
	}
	for _, q := range []string{"page=0", "page_size=0", "page=x"} {
		c.mustStatus(http.StatusBadRequest, http.MethodGet, "/accounts?"+q, nil).apiErr(t)
	}

	st2 := s.Stats()
	for _, k := range []string{"POST /connect_sessions", "GET /connect_sessions/{id}", "GET /accounts", "GET /accounts/{id}",
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
	c.mustStatus(http.StatusNotFound, http.MethodGet, fmt.Sprintf("/connect_sessions/%d", cs.ID), nil)
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
		// wantStatus is the attempt's status; AttemptError when empty.
		wantStatus string
	}{
		{name: "unregistered scope", scopes: []string{"api:data:contact", "api:data:lookup"},
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
		}, wantErr: "access_denied", wantDesc: "<script>x</script> said no", wantStatus: AttemptCancelled},
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
			att := sessionStatus(c, cs.ID).LatestConnectionAttempt
			if att == nil {
				t.Fatal("no latest_connection_attempt after a failed link")
			}
			wantStatus := cmp.Or(tc.wantStatus, AttemptError)
			if att.Status != wantStatus || deref(att.OAuthErrorCode) != tc.wantErr ||
				!strings.Contains(deref(att.OAuthErrorDescription), tc.wantDesc) || att.AccountSecureID != nil {
				t.Errorf("latest_connection_attempt = %+v (error %v %v), want %s", att, deref(att.OAuthErrorCode), deref(att.OAuthErrorDescription), wantStatus)
			}
			if stored, _ := s.ConnectSession(strconv.FormatInt(cs.ID, 10)); stored.Status != SessionFailed || stored.Error != tc.wantErr {
				t.Errorf("stored session = %+v", stored)
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
