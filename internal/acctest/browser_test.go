package acctest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox/authserver"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
	"github.com/stackonehq/terraform-provider-stackone/internal/testclock"
)

func newProfile(t *testing.T, tg *Target, clientID, secret string, scopes ...string) *stackone.ConnectorProfile {
	t.Helper()
	p, err := tg.Client.CreateConnectorProfile(t.Context(), stackone.CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", Name: "browser test", AuthenticationConfigKey: "oauth2_authorization_code_pkce",
		ClientID: clientID, ClientSecret: secret, Scopes: scopes, Actions: []string{},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLinkAccount(t *testing.T) {
	tg := New(t)
	tg.RequireSandbox(t)
	ctx := t.Context()
	app := tg.Sandbox.ZoomInfoApp()
	p := newProfile(t, tg, app.ClientID, app.ClientSecret, "api:data:contact", "api:data:intent")

	res, err := LinkAccount(ctx, tg, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.SessionStatus != "linked" || res.Error != "" || res.Account == nil {
		t.Fatalf("result = %+v", res)
	}
	a := res.Account
	scopes := slices.Sorted(slices.Values(Strings(a.Scopes)))
	if a.ConnectorProfileID == nil || *a.ConnectorProfileID != p.ID || a.Provider != "zoominfo" || a.Status != "active" ||
		!slices.Equal(scopes, []string{"api:data:contact", "api:data:intent"}) {
		t.Errorf("account = %+v", a)
	}
	if res.Page == nil || res.Page.Status != http.StatusOK || res.Page.Text("title") != "Account linked" {
		t.Errorf("last page = %+v", res.Page)
	}
}

// A refusal the authorization server shows on its own page (an unknown
// client id is never redirected) is a result, and StackOne's session stays
// pending because the browser never came back.
func TestLinkAccount_errorPage(t *testing.T) {
	tg := New(t)
	tg.RequireSandbox(t)
	p := newProfile(t, tg, "0oaNotRegistered0000", "whatever")
	res, err := LinkAccount(t.Context(), tg, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.SessionStatus != "pending" || res.Error != "invalid_client" || res.Account != nil ||
		!strings.Contains(res.ErrorDescription, "client_id") {
		t.Errorf("result = %+v", res)
	}
}

func TestLinkAccount_wrongPassword(t *testing.T) {
	tg := New(t)
	tg.RequireSandbox(t)
	app := tg.Sandbox.ZoomInfoApp()
	p := newProfile(t, tg, app.ClientID, app.ClientSecret)
	_, sess, err := StartLink(t.Context(), tg, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	user, _ := tg.Sandbox.User()
	_, err = NewBrowser(user, "wrong").Authorize(t.Context(), sess.AuthLinkURL, tg.Client.RedirectURI(p.ConnectorKey))
	if err == nil || !strings.Contains(err.Error(), "sign-in") || !strings.Contains(err.Error(), "wrong password") {
		t.Errorf("err = %v", err)
	}
	if strings.Contains(err.Error(), sess.Token) {
		t.Error("the error shows the link token")
	}
}

// TestTokenEndpointRefusals plays a client of the authorization server with
// its own PKCE pair: the token endpoint refuses a wrong verifier, a replayed
// code and an expired code.
func TestTokenEndpointRefusals(t *testing.T) {
	clk := testclock.New(time.Now())
	tg := NewWithOptions(t, sandbox.Options{Now: clk.Now})
	tg.RequireSandbox(t)
	ctx := t.Context()
	app := tg.Sandbox.ZoomInfoApp()
	md := tg.Sandbox.AuthServer().Metadata()
	redirectURI := app.RedirectURIs[0]
	user, password := tg.Sandbox.User()

	authorize := func() (code, verifier string) {
		t.Helper()
		verifier, err := pkce.GenerateVerifier(0)
		if err != nil {
			t.Fatal(err)
		}
		q := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {redirectURI},
			"scope": {"api:data:contact"}, "state": {"st-123"}, "code_challenge": {pkce.S256Challenge(verifier)},
			"code_challenge_method": {"S256"}}
		az, err := NewBrowser(user, password).Authorize(ctx, md.AuthorizationEndpoint+"?"+q.Encode(), redirectURI)
		if err != nil {
			t.Fatal(err)
		}
		if az.Code == "" || az.State != "st-123" || az.CallbackURL == nil {
			t.Fatalf("authorization = %+v", az)
		}
		return az.Code, verifier
	}
	exchange := func(code, verifier string) (int, string, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, md.TokenEndpoint, strings.NewReader(url.Values{
			"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}, "code_verifier": {verifier},
		}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(app.ClientID), url.QueryEscape(app.ClientSecret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			AccessToken      string `json:"access_token"`
			Error            string `json:"error"`
			ErrorDescription string `json:"error_description"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode == http.StatusOK && body.AccessToken == "" {
			t.Fatal("200 without an access token")
		}
		return resp.StatusCode, body.Error, body.ErrorDescription
	}
	other, _ := pkce.GenerateVerifier(0)

	code, _ := authorize()
	if st, e, d := exchange(code, other); st != 400 || e != "invalid_grant" || d != "PKCE verification failed." {
		t.Errorf("wrong verifier: %d %s %s", st, e, d)
	}

	code, verifier := authorize()
	if st, e, _ := exchange(code, verifier); st != 200 {
		t.Fatalf("first redemption: %d %s", st, e)
	}
	if st, e, _ := exchange(code, verifier); st != 400 || e != "invalid_grant" {
		t.Errorf("replayed code: %d %s", st, e)
	}

	code, verifier = authorize()
	clk.Advance(authserver.DefaultCodeLifetime + time.Second)
	if st, e, _ := exchange(code, verifier); st != 400 || e != "invalid_grant" {
		t.Errorf("expired code: %d %s", st, e)
	}
}

// The same refusals through StackOne: an expired code fails the session
// with the provider's error; a replayed callback is refused and links
// nothing more.
func TestPendingLink_expiredAndReplayed(t *testing.T) {
	clk := testclock.New(time.Now())
	tg := NewWithOptions(t, sandbox.Options{Now: clk.Now})
	tg.RequireSandbox(t)
	ctx := t.Context()
	app := tg.Sandbox.ZoomInfoApp()
	p := newProfile(t, tg, app.ClientID, app.ClientSecret, "api:data:news")

	pl, err := AuthorizeAndGetCode(ctx, tg, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Authorization.Code == "" || pl.Authorization.AuthorizeURL.Query().Get("code_challenge_method") != "S256" {
		t.Fatalf("authorization = %+v", pl.Authorization)
	}
	clk.Advance(authserver.DefaultCodeLifetime + time.Second)
	res, err := pl.Finish(ctx, tg)
	if err != nil {
		t.Fatal(err)
	}
	if res.SessionStatus != "failed" || res.Error != "invalid_grant" || res.Account != nil || res.Page.Text("error") != "invalid_grant" {
		t.Errorf("expired code: %+v", res)
	}

	pl, err = AuthorizeAndGetCode(ctx, tg, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err = pl.Finish(ctx, tg)
	if err != nil || res.SessionStatus != "linked" {
		t.Fatalf("link: %+v %v", res, err)
	}
	page, err := pl.Browser.Open(ctx, pl.Authorization.CallbackURL.String())
	if err != nil {
		t.Fatal(err)
	}
	if page.Status != http.StatusBadRequest {
		t.Errorf("replayed callback: %d %s", page.Status, page.Body)
	}
	status, _, _, _, err := SessionStatus(ctx, tg, pl.Session.ID)
	if err != nil || status != "linked" {
		t.Errorf("session after replay: %s %v", status, err)
	}
	if accts, _ := tg.Client.ListAccounts(ctx, stackone.ListAccountsOptions{}); len(accts) != 1 {
		t.Errorf("accounts = %+v", accts)
	}
}

func TestLoginFormParsing(t *testing.T) {
	b := NewBrowser("user@example.com", "pw")
	base, _ := url.Parse("http://127.0.0.1:1/oauth2/default/v1/login?tx=abc")
	for _, tc := range []struct {
		name, body, action string
		want               url.Values
		ok                 bool
	}{
		{"sandbox shape", `<form method="post" action="http://127.0.0.1:1/oauth2/default/v1/login">
<input type="hidden" name="tx" value="a&#43;b&amp;c">
<label>Username <input type="text" name="username" value="" autocomplete="username"></label>
<label>Password <input type="password" name="password"></label><button type="submit">Sign In</button></form>`,
			"http://127.0.0.1:1/oauth2/default/v1/login", url.Values{"tx": {"a+b&c"}, "username": {"user@example.com"}, "password": {"pw"}}, true},
		{"relative action, single quotes, attribute order", `<FORM action='/signin' METHOD='POST'><input name='t' type='hidden' value='1'>
<input name=login type=email><input name="secret" type="password" value="prefilled"></FORM>`,
			"http://127.0.0.1:1/signin", url.Values{"t": {"1"}, "login": {"user@example.com"}, "secret": {"pw"}}, true},
		{"no password field", `<form method="post" action="/x"><input name="q"></form>`, "", nil, false},
		{"GET form", `<form method="get" action="/x"><input name="u"><input type="password" name="p"></form>`, "", nil, false},
	} {
		action, fields, ok := b.loginForm(&Page{URL: base, Body: tc.body})
		if ok != tc.ok {
			t.Errorf("%s: ok = %v", tc.name, ok)
			continue
		}
		if ok && (action.String() != tc.action || fields.Encode() != tc.want.Encode()) {
			t.Errorf("%s: %s %v", tc.name, action, fields)
		}
	}
	p := &Page{Body: `<p>Description: <span id="error-description">The &#39;redirect_uri&#39; <b>must</b> match</span></p><code id="error-code">invalid_request</code>`}
	if got := p.Text("error-description"); got != "The 'redirect_uri' must match" {
		t.Errorf("description = %q", got)
	}
	if p.Text("error-code") != "invalid_request" || p.Text("missing") != "" {
		t.Error("Text by id")
	}
}
