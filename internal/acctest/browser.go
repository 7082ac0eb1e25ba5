package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// This file plays the person who links an account through StackOne's Hub:
// open the auth link, sign in on the authorization server's login form, come
// back to StackOne's callback. Tests use LinkAccount for the whole trip, or
// AuthorizeAndGetCode and Browser to stop on the way and tamper.

const (
	maxHops      = 20
	maxPageBytes = 1 << 20
)

// Page is a response the browser stopped at.
type Page struct {
	URL    *url.URL
	Status int
	Header http.Header
	Body   string
}

// Text returns the text inside the element with the given id attribute, or
// "" when there is none. It suits the sandbox's own pages, which put error
// codes and descriptions in elements with ids.
func (p *Page) Text(id string) string { return elementText(p.Body, id) }

// Browser is a cookie-keeping HTTP client that follows redirects by hand, so
// that it can stop before a chosen URL, and signs in on login forms.
type Browser struct {
	HTTP     *http.Client
	Username string
	Password string
}

// NewBrowser returns a browser that signs in as username.
func NewBrowser(username, password string) *Browser {
	jar, _ := cookiejar.New(nil) // cookiejar.New never fails without a PublicSuffixList
	return &Browser{
		HTTP: &http.Client{
			Jar:           jar,
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Username: username,
		Password: password,
	}
}

// Authorization is where an authorization request ended.
type Authorization struct {
	// AuthorizeURL is the first URL on another origin than the start URL:
	// the request to the authorization server, with state and code_challenge.
	AuthorizeURL *url.URL
	// CallbackURL is the redirect back to the client, not opened, carrying
	// code and state or error; nil when the browser ended on a page instead.
	CallbackURL *url.URL
	Code        string
	State       string
	// Error and ErrorDescription are the OAuth error of the redirect, or the
	// error code shown on the page the browser ended on.
	Error            string
	ErrorDescription string
	// Page is the page the browser ended on when there was no callback.
	Page *Page
}

// Open GETs u without following redirects.
func (b *Browser) Open(ctx context.Context, u string) (*Page, error) {
	return b.do(ctx, http.MethodGet, u, nil)
}

func (b *Browser) do(ctx context.Context, method, u string, form url.Values) (*Page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (compatible; terraform-provider-stackone-acctest)")
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxPageBytes))
	if err != nil {
		return nil, fmt.Errorf("reading %s %s: %w", method, redact(req.URL), err)
	}
	return &Page{URL: req.URL, Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}, nil
}

// Authorize opens startURL and follows redirects, signing in on the login
// form, until the browser is sent to redirectURI, which it does not open.
// An OAuth error, in the redirect or on an error page of the authorization
// server, is a result (Error set), not a Go error; a failed sign-in, a loop
// or a transport failure is a Go error.
func (b *Browser) Authorize(ctx context.Context, startURL, redirectURI string) (*Authorization, error) {
	start, err := url.Parse(startURL)
	if err != nil {
		return nil, fmt.Errorf("start URL: %w", err)
	}
	stop, err := url.Parse(redirectURI)
	if err != nil {
		return nil, fmt.Errorf("redirect URI: %w", err)
	}
	out := &Authorization{}
	method, target, form := http.MethodGet, start, url.Values(nil)
	signedIn := false
	for hop := 0; hop < maxHops; hop++ {
		page, err := b.do(ctx, method, target.String(), form)
		if err != nil {
			return nil, err
		}
		if loc := page.Header.Get("Location"); page.Status >= 300 && page.Status < 400 && loc != "" {
			next, err := page.URL.Parse(loc)
			if err != nil {
				return nil, fmt.Errorf("bad redirect from %s: %w", redact(page.URL), err)
			}
			if out.AuthorizeURL == nil && !sameOrigin(next, start) {
				out.AuthorizeURL = next
			}
			if sameOrigin(next, stop) && next.Path == stop.Path {
				q := next.Query()
				out.CallbackURL = next
				out.Code, out.State = q.Get("code"), q.Get("state")
				out.Error, out.ErrorDescription = q.Get("error"), q.Get("error_description")
				return out, nil
			}
			method, target, form = http.MethodGet, next, nil
			continue
		}
		if action, fields, ok := b.loginForm(page); ok {
			if signedIn {
				return nil, fmt.Errorf("sign-in as %q failed (HTTP %d): %s", b.Username, page.Status, firstNonEmpty(page.Text("login-error"), "the login form came back"))
			}
			signedIn = true
			method, target, form = http.MethodPost, action, fields
			continue
		}
		// A page that is neither a redirect nor a login form ends the trip.
		out.Page = page
		out.Error = firstNonEmpty(page.Text("error-code"), page.Text("error"))
		out.ErrorDescription = page.Text("error-description")
		return out, nil
	}
	return nil, fmt.Errorf("more than %d redirects from %s", maxHops, redact(start))
}

var (
	formRE  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRE = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attrRE  = regexp.MustCompile(`(?is)([a-z_:][-a-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+))`)
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
)

func attrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(m[1])
		if _, dup := out[name]; !dup { // the first occurrence wins, as in HTML
			out[name] = html.UnescapeString(m[2] + m[3] + m[4])
		}
	}
	return out
}

// loginForm finds a form with a password field on page and fills it in:
// hidden fields keep their values, the password field gets the password and
// the text field the username. It returns the URL to post to.
func (b *Browser) loginForm(page *Page) (*url.URL, url.Values, bool) {
	for _, m := range formRE.FindAllStringSubmatch(page.Body, -1) {
		fa := attrs(m[1])
		if fa["method"] != "" && !strings.EqualFold(fa["method"], "post") {
			continue
		}
		fields := url.Values{}
		hasPassword, hasUser := false, false
		for _, in := range inputRE.FindAllStringSubmatch(m[2], -1) {
			ia := attrs(in[1])
			name := ia["name"]
			if name == "" {
				continue
			}
			switch strings.ToLower(ia["type"]) {
			case "password":
				fields.Set(name, b.Password)
				hasPassword = true
			case "", "text", "email":
				fields.Set(name, b.Username)
				hasUser = true
			case "submit", "button", "image", "reset", "file", "checkbox", "radio":
			default: // hidden and the rest keep their value
				fields.Set(name, ia["value"])
			}
		}
		if !hasPassword || !hasUser {
			continue
		}
		action, err := page.URL.Parse(fa["action"]) // an empty action posts to the page itself
		if err != nil {
			continue
		}
		return action, fields, true
	}
	return nil, nil, false
}

// elementText returns the unescaped text of the first element whose id
// attribute is id, up to the first closing tag of the same name (the pages
// it reads do not nest an element in one of its own kind).
func elementText(body, id string) string {
	open := regexp.MustCompile(`(?is)<([a-z][a-z0-9]*)\b[^>]*\bid\s*=\s*["']` + regexp.QuoteMeta(id) + `["'][^>]*>`)
	loc := open.FindStringSubmatchIndex(body)
	if loc == nil {
		return ""
	}
	rest := body[loc[1]:]
	end := strings.Index(strings.ToLower(rest), "</"+strings.ToLower(body[loc[2]:loc[3]]))
	if end < 0 {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(tagRE.ReplaceAllString(rest[:end], "")))
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

// redact drops the query of u for error messages: link tokens, codes and
// states travel there.
func redact(u *url.URL) string {
	c := *u
	c.RawQuery, c.Fragment = "", ""
	return c.String()
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// SessionStatus reads how a connect session's latest link attempt stands
// (GET /connect_sessions/{id}) as "linked", "failed" or "pending", with the
// OAuth error that stopped it and the linked account's id.
func SessionStatus(ctx context.Context, tg *Target, id stackone.SessionID) (status, oauthErr, desc, accountID string, err error) {
	sess, err := tg.Client.GetConnectSession(ctx, id)
	if err != nil {
		return "", "", "", "", err
	}
	a := sess.LatestConnectionAttempt
	if a == nil {
		return "pending", "", "", "", nil
	}
	switch a.Status {
	case "authenticated":
		status = "linked"
	case "error", "cancelled":
		status = "failed"
	default:
		status = "pending"
	}
	return status, a.OAuthErrorCode, a.OAuthErrorDescription, a.AccountSecureID, nil
}

// PendingLink is a link stopped before the browser returns to StackOne.
type PendingLink struct {
	Profile       *stackone.ConnectorProfile
	Session       *stackone.ConnectSession
	Browser       *Browser
	Authorization *Authorization
}

// LinkResult is how linking an account ended.
type LinkResult struct {
	SessionID stackone.SessionID
	// SessionStatus is the connect session's status: linked, failed, or
	// pending when the authorization server never sent the browser back.
	SessionStatus string
	// Error and ErrorDescription are the OAuth error that stopped the link:
	// the one StackOne recorded on the session, or the one shown on the
	// authorization server's error page.
	Error            string
	ErrorDescription string
	// Account is the linked account, nil unless SessionStatus is linked.
	Account *stackone.Account
	// Page is the last page the browser showed.
	Page *Page
}

// Credentials returns the login of the target's authorization server: the
// in-process sandbox's user, or SANDBOX_USER and SANDBOX_PASSWORD for a
// sandbox run as a command.
func (tg *Target) Credentials() (username, password string, err error) {
	if tg.Sandbox != nil {
		username, password = tg.Sandbox.User()
		return username, password, nil
	}
	username, password = os.Getenv("SANDBOX_USER"), os.Getenv("SANDBOX_PASSWORD")
	if username == "" || password == "" {
		return "", "", errors.New("linking needs an authorization server user: run against the sandbox, or set SANDBOX_USER and SANDBOX_PASSWORD")
	}
	return username, password, nil
}

// StartLink creates a connect session for the profile, as an application
// embedding the Hub does.
func StartLink(ctx context.Context, tg *Target, profileID string) (*stackone.ConnectorProfile, *stackone.ConnectSession, error) {
	if tg.LinkOwner != "" {
		return startLinkAs(ctx, tg, profileID, Owner{ID: tg.LinkOwner, Name: tg.LinkOwner})
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	owner := "acctest-" + hex.EncodeToString(b)
	return startLinkAs(ctx, tg, profileID, Owner{ID: owner, Name: "Acceptance test " + owner})
}

// Owner is who links an account: the origin owner of the connect session.
// StackOne updates the owner's existing account of the same provider unless
// Multiple is set.
type Owner struct {
	ID, Name string
	Multiple bool
}

func startLinkAs(ctx context.Context, tg *Target, profileID string, owner Owner) (*stackone.ConnectorProfile, *stackone.ConnectSession, error) {
	p, err := tg.Client.ConnectorProfile(ctx, profileID, "")
	if err != nil {
		return nil, nil, fmt.Errorf("find profile %s: %w", profileID, err)
	}
	sess, err := tg.Client.CreateConnectSession(ctx, stackone.ConnectSessionRequest{
		OriginOwnerID: owner.ID, OriginOwnerName: owner.Name,
		Provider: p.ConnectorKey, ConnectorProfileID: p.ID, Multiple: owner.Multiple,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("create connect session: %w", err)
	}
	return p, sess, nil
}

// AuthorizeAndGetCode creates a connect session for the profile, opens its
// link and signs in, and stops when the authorization server sends the
// browser back to the profile's redirect URI: the code (or error) and the
// callback URL are in the result, the callback not yet opened. Tests use it
// to replay, delay or alter what reaches StackOne.
func AuthorizeAndGetCode(ctx context.Context, tg *Target, profileID string) (*PendingLink, error) {
	return authorizeAndGetCode(ctx, tg, profileID, nil)
}

func authorizeAndGetCode(ctx context.Context, tg *Target, profileID string, owner *Owner) (*PendingLink, error) {
	user, password, err := tg.Credentials()
	if err != nil {
		return nil, err
	}
	var p *stackone.ConnectorProfile
	var sess *stackone.ConnectSession
	if owner == nil {
		p, sess, err = StartLink(ctx, tg, profileID)
	} else {
		p, sess, err = startLinkAs(ctx, tg, profileID, *owner)
	}
	if err != nil {
		return nil, err
	}
	b := NewBrowser(user, password)
	authz, err := b.Authorize(ctx, sess.AuthLinkURL, tg.Client.RedirectURI(p.ConnectorKey))
	if err != nil {
		return nil, err
	}
	return &PendingLink{Profile: p, Session: sess, Browser: b, Authorization: authz}, nil
}

// Finish opens the callback (when there is one) and reports the outcome.
func (pl *PendingLink) Finish(ctx context.Context, tg *Target) (*LinkResult, error) {
	res := &LinkResult{SessionID: pl.Session.ID, Page: pl.Authorization.Page}
	if pl.Authorization.CallbackURL != nil {
		page, err := pl.Browser.Open(ctx, pl.Authorization.CallbackURL.String())
		if err != nil {
			return nil, fmt.Errorf("open callback: %w", err)
		}
		res.Page = page
	}
	status, oauthErr, desc, accountID, err := SessionStatus(ctx, tg, pl.Session.ID)
	if err != nil {
		return nil, err
	}
	res.SessionStatus, res.Error, res.ErrorDescription = status, oauthErr, desc
	if res.Error == "" && pl.Authorization.Error != "" {
		// StackOne never heard back: the authorization server showed its
		// own error page.
		res.Error, res.ErrorDescription = pl.Authorization.Error, pl.Authorization.ErrorDescription
	}
	if status == "linked" {
		account, err := tg.Client.GetAccount(ctx, accountID)
		if err != nil {
			return nil, fmt.Errorf("session %s is linked to account %q, but reading it failed: %w", pl.Session.ID, accountID, err)
		}
		if account.ConnectorProfileID != nil && *account.ConnectorProfileID != pl.Profile.ID {
			return nil, fmt.Errorf("session %s is linked to account %s of profile %s, not %s", pl.Session.ID, accountID, *account.ConnectorProfileID, pl.Profile.ID)
		}
		res.Account = account
		return res, nil
	}
	if res.Error == "" {
		title := ""
		if res.Page != nil {
			title = fmt.Sprintf(" (last page HTTP %d: %s %s)", res.Page.Status, res.Page.Text("title"), res.Page.Text("message"))
		}
		return nil, fmt.Errorf("linking ended with session %s %s and no error%s", pl.Session.ID, status, title)
	}
	return res, nil
}

// LinkAccount links an account to the profile the way a person does through
// the Hub: connect session, auth link, sign-in on the authorization server,
// callback. A refusal by the authorization server (invalid_scope,
// invalid_client, …) is a result with Error set; a Go error means the trip
// itself broke.
func LinkAccount(ctx context.Context, tg *Target, profileID string) (*LinkResult, error) {
	pl, err := AuthorizeAndGetCode(ctx, tg, profileID)
	if err != nil {
		return nil, err
	}
	return pl.Finish(ctx, tg)
}

// LinkAccountAs is LinkAccount for a given owner: linking the same owner
// twice updates one account, unless owner.Multiple.
func LinkAccountAs(ctx context.Context, tg *Target, profileID string, owner Owner) (*LinkResult, error) {
	pl, err := authorizeAndGetCode(ctx, tg, profileID, &owner)
	if err != nil {
		return nil, err
	}
	return pl.Finish(ctx, tg)
}
