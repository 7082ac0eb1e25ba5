package oauthprobe

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"

	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"
)

// Kind is how an authorization server answered one authorization request.
type Kind string

// Kinds of answer.
const (
	// Accepted: the server went on to sign the user in (a redirect
	// elsewhere than the redirect URI that is not an authorization request,
	// or a sign-in page served in place), so the client, redirect URI and
	// every requested scope are registered.
	Accepted Kind = "accepted"
	// InvalidScope: redirected to the redirect URI with error=invalid_scope;
	// at least one requested scope is not registered.
	InvalidScope Kind = "invalid_scope"
	// ClientError: an error page instead of a redirect, which Okta shows
	// for an unknown client or an unregistered redirect URI (see Outcome).
	ClientError Kind = "client_error"
	// RedirectedError: redirected to the redirect URI with an error other
	// than invalid_scope, such as PKCE or the grant not enabled (see Outcome).
	RedirectedError Kind = "redirected_error"
	// ServerError: a 5xx, or a 429 or 408 asking to come back later; says
	// nothing about the app (OutcomeCannotTell).
	ServerError Kind = "server_error"
	// Unexpected: an answer that proves nothing either way
	// (OutcomeCannotTell): a body cut short or too large, a 200 page that
	// is neither a sign-in page nor an error page, a redirect without a
	// Location, or to an authorization request that was not followed.
	Unexpected Kind = "unexpected"
)

// Bounds on the text taken from an answer, so a diagnostic stays readable
// whatever the server sends.
const (
	MaxErrorLength       = 64
	MaxDescriptionLength = 300
)

// Classification is the reading of one authorization response.
type Classification struct {
	Kind Kind
	// Outcome is what the answer says about the app: OutcomeOK for Accepted
	// and InvalidScope; for ClientError and RedirectedError the specific
	// problem (OutcomeUnknownClient, OutcomeRedirectURINotRegistered,
	// OutcomePKCENotEnabled, OutcomeGrantNotEnabled) or OutcomeError; and
	// OutcomeCannotTell for ServerError and Unexpected.
	Outcome Outcome
	// StatusCode is the HTTP status (0 without a response).
	StatusCode int
	// Error is the server's error code, or "http_<status>" when it names
	// none; printable, at most MaxErrorLength characters.
	Error string
	// ErrorDescription is the server's description or an excerpt of its
	// page; printable, at most MaxDescriptionLength characters.
	ErrorDescription string

	cutShort bool // the body could not be read in full
}

// Classify reads an authorization response without following it. redirectURI
// is the one sent in the request: a redirect there carries the verdict, a
// redirect anywhere else is the server moving on to sign-in, unless it is
// an authorization request (a forward Classify does not follow). A body is
// read to its end, at most 1 MiB, and not closed; a body that cannot be read
// in full is Unexpected, never read in part. Classify never panics,
// whatever the response holds.
func Classify(resp *http.Response, redirectURI string) Classification {
	if resp == nil {
		return Classification{Kind: Unexpected, Outcome: OutcomeCannotTell, Error: "no_response", ErrorDescription: "no response"}
	}
	status := resp.StatusCode
	c := Classification{StatusCode: status}
	switch {
	case status >= 300 && status < 400 && status != http.StatusNotModified:
		return classifyRedirect(c, resp, redirectURI)
	case status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout:
		pg := readPage(resp)
		c.Kind, c.Outcome = ServerError, OutcomeCannotTell
		c.Error, c.ErrorDescription = pg.codeOr(status), pg.descOr(status)
		return c
	case status >= 400:
		pg := readPage(resp)
		if pg.cut != "" {
			return cutShort(c, pg)
		}
		if pg.code == "invalid_scope" || pg.namesInvalidScope() {
			c.Kind, c.Outcome = InvalidScope, OutcomeOK
			c.Error, c.ErrorDescription = "invalid_scope", pg.descOr(status)
			return c
		}
		c.Kind = ClientError
		c.Outcome = pageOutcome(status, pg)
		c.Error, c.ErrorDescription = pg.codeOr(status), pg.descOr(status)
		return c
	case status >= 200 && status < 300:
		pg := readPage(resp)
		switch {
		case pg.cut != "":
			return cutShort(c, pg)
		case pg.code == "invalid_scope" || pg.isError() && pg.namesInvalidScope():
			c.Kind, c.Outcome = InvalidScope, OutcomeOK
			c.Error, c.ErrorDescription = "invalid_scope", pg.descOr(status)
			return c
		case pg.isError():
			// A 200 error page, as some gateways send: read it as a 400.
			c.Kind = ClientError
			c.Outcome = pageOutcome(http.StatusBadRequest, pg)
			c.Error, c.ErrorDescription = pg.codeOr(status), pg.descOr(status)
			return c
		case pg.signIn:
			// The sign-in page served in place, as Okta does.
			c.Kind, c.Outcome = Accepted, OutcomeOK
			return c
		case pg.html:
			c.Kind, c.Outcome = Unexpected, OutcomeCannotTell
			c.Error = fmt.Sprintf("http_%d", status)
			c.ErrorDescription = safetext.Text("it answered "+statusLine(status)+" with a page that is neither a sign-in page (no password field, no Okta sign-in widget) nor an error page: "+safetext.Text(pg.text, 120), MaxDescriptionLength)
			return c
		}
	}
	c.Kind, c.Outcome = Unexpected, OutcomeCannotTell
	c.Error = fmt.Sprintf("http_%d", status)
	c.ErrorDescription = "unexpected answer " + statusLine(status) + " from the authorization endpoint"
	return c
}

// cutShort is the verdict on an answer whose body could not be read in full.
func cutShort(c Classification, pg page) Classification {
	c.Kind, c.Outcome, c.cutShort = Unexpected, OutcomeCannotTell, true
	c.Error = "body_cut_short"
	c.ErrorDescription = safetext.Text("it answered "+statusLine(c.StatusCode)+" but "+pg.cut, MaxDescriptionLength)
	return c
}

func classifyRedirect(c Classification, resp *http.Response, redirectURI string) Classification {
	loc := resp.Header.Get("Location")
	target, err := url.Parse(loc)
	if loc == "" || err != nil {
		c.Kind, c.Outcome = Unexpected, OutcomeCannotTell
		c.Error = fmt.Sprintf("http_%d", c.StatusCode)
		c.ErrorDescription = "redirect without a usable Location header"
		return c
	}
	if resp.Request != nil && resp.Request.URL != nil {
		target = resp.Request.URL.ResolveReference(target)
	}
	params := target.Query()
	if !params.Has("error") && !params.Has("code") && target.Fragment != "" {
		// A server using response_mode=fragment puts the answer there.
		if fp, err := url.ParseQuery(target.Fragment); err == nil {
			params = fp
		}
	}
	code := safetext.Text(params.Get("error"), MaxErrorLength)
	desc := safetext.Text(params.Get("error_description"), MaxDescriptionLength)

	if !sameEndpoint(target, redirectURI) {
		if code == "invalid_scope" || namesInvalidScope(target) {
			// The server's own error page, in any form, naming invalid_scope.
			if code == "" {
				code = "invalid_scope"
			}
			c.Kind, c.Outcome = InvalidScope, OutcomeOK
			c.Error, c.ErrorDescription = code, desc
			return c
		}
		if code != "" {
			// An error page reached by redirect rather than served in place.
			pg := page{code: code, desc: desc}
			c.Kind = ClientError
			c.Outcome = pageOutcome(http.StatusBadRequest, pg)
			c.Error, c.ErrorDescription = code, pg.descOr(c.StatusCode)
			return c
		}
		if looksLikeAuthorizationRequest(target) {
			// A forward not followed (Probe follows only the same request):
			// the answer to it is unknown.
			c.Kind, c.Outcome = Unexpected, OutcomeCannotTell
			c.Error = fmt.Sprintf("http_%d", c.StatusCode)
			c.ErrorDescription = safetext.Text("it redirected to another authorization request, "+safetext.URLOf(target)+", whose answer was not read", MaxDescriptionLength)
			return c
		}
		switch {
		case looksLikeErrorPage(target):
			// An error page that does not say what is wrong.
			c.Kind, c.Outcome = Unexpected, OutcomeCannotTell
			c.Error = fmt.Sprintf("http_%d", c.StatusCode)
			c.ErrorDescription = safetext.Text("it redirected to an error page, "+safetext.URLOf(target)+", that does not name the problem", MaxDescriptionLength)
			return c
		case looksLikeSignIn(target):
			// The sign-in page: the request passed every check.
			c.Kind, c.Outcome = Accepted, OutcomeOK
			return c
		}
		// Anywhere else (about:blank, a home page): no evidence either way.
		c.Kind, c.Outcome = Unexpected, OutcomeCannotTell
		c.Error = fmt.Sprintf("http_%d", c.StatusCode)
		c.ErrorDescription = safetext.Text("it redirected to "+redirectShown(target)+", which is neither a sign-in page nor the redirect URI, so the answer proves nothing", MaxDescriptionLength)
		return c
	}
	switch {
	case code == "invalid_scope":
		c.Kind, c.Outcome = InvalidScope, OutcomeOK
		c.Error, c.ErrorDescription = code, desc
	case code != "":
		c.Kind = RedirectedError
		c.Outcome = redirectedOutcome(code, desc)
		c.Error, c.ErrorDescription = code, desc
	case params.Get("code") != "":
		// Only an existing session could issue a code straight away; the
		// request was valid either way.
		c.Kind, c.Outcome = Accepted, OutcomeOK
	default:
		c.Kind, c.Outcome = Unexpected, OutcomeCannotTell
		c.Error = fmt.Sprintf("http_%d", c.StatusCode)
		c.ErrorDescription = "redirected to the redirect URI with neither an error nor a code"
	}
	return c
}

// namesInvalidScope reports whether a redirect target names invalid_scope
// anywhere: "/error?errorCode=invalid_scope", "/error/invalid_scope", a
// fragment.
func namesInvalidScope(target *url.URL) bool {
	text := strings.ToLower(target.Path + "?" + target.RawQuery + "#" + target.Fragment)
	if decoded, err := url.QueryUnescape(text); err == nil {
		text = decoded
	}
	return strings.Contains(text, "invalid_scope") || strings.Contains(text, "invalid-scope")
}

// looksLikeErrorPage reports a redirect target that is an error page: a
// path segment naming an error, or an error parameter of any spelling.
func looksLikeErrorPage(target *url.URL) bool {
	for _, seg := range strings.Split(strings.ToLower(target.Path), "/") {
		if seg == "error" || seg == "errors" || seg == "err" || strings.HasPrefix(seg, "error.") || strings.HasPrefix(seg, "error_") || strings.HasPrefix(seg, "error-") {
			return true
		}
	}
	for key := range target.Query() {
		switch strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(key)) {
		case "error", "errorcode", "err", "errorid", "errormessage":
			return true
		}
	}
	return false
}

// signInSegments are the path segments of known identity providers'
// sign-in routes: Okta (/login/login.htm, /signin/…, /oauth2/…/v1/login),
// Auth0 (/u/login), Microsoft (/login), Keycloak (/login-actions/authenticate),
// generic (/sign-in, /logon, /authn).
var signInSegments = []string{"login", "login.htm", "login.html", "signin", "sign-in", "sign_in", "logon", "log-in", "authn", "authenticate", "login-actions"}

// looksLikeSignIn reports a redirect target that is recognisably a
// sign-in route: http(s), with a path segment of a known sign-in route.
func looksLikeSignIn(target *url.URL) bool {
	scheme := strings.ToLower(target.Scheme)
	if scheme != "" && scheme != "https" && scheme != "http" {
		return false
	}
	for _, seg := range strings.Split(strings.ToLower(target.Path), "/") {
		for _, s := range signInSegments {
			if seg == s {
				return true
			}
		}
	}
	return false
}

// redirectShown is a redirect target for a message: an http(s) URL as
// safetext shows it, anything else by its scheme only.
func redirectShown(target *url.URL) string {
	switch strings.ToLower(target.Scheme) {
	case "http", "https", "":
		return safetext.URLOf(target)
	}
	return safetext.Text(target.Scheme, 20) + ":…"
}

// sameEndpoint reports whether target is the redirect URI, ignoring the
// query (the server adds its parameters to any the URI already has),
// letter case in scheme and host, and default ports.
func sameEndpoint(target *url.URL, redirectURI string) bool {
	r, err := url.Parse(redirectURI)
	if err != nil || redirectURI == "" {
		return false
	}
	if !strings.EqualFold(target.Scheme, r.Scheme) || hostPort(target) != hostPort(r) {
		return false
	}
	if target.Opaque != "" || r.Opaque != "" {
		return target.Opaque == r.Opaque
	}
	tp, rp := target.Path, r.Path
	if r.Host != "" {
		// "https://host" and "https://host/" are the same resource.
		tp, rp = pathOrSlash(tp), pathOrSlash(rp)
	}
	return tp == rp
}

func pathOrSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func hostPort(u *url.URL) string {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	switch {
	case port == "443" && strings.EqualFold(u.Scheme, "https"), port == "80" && strings.EqualFold(u.Scheme, "http"):
		port = ""
	}
	return host + ":" + port
}

// redirectedOutcome maps an error redirected to the client to what it says
// about the app's configuration.
func redirectedOutcome(code, desc string) Outcome {
	d := strings.ToLower(desc)
	switch {
	case code == "unauthorized_client":
		// Okta: "The client is not authorized to use the provided grant type."
		return OutcomeGrantNotEnabled
	case code == "invalid_client":
		return OutcomeUnknownClient
	case code == "invalid_request" && (strings.Contains(d, "pkce") || strings.Contains(d, "code_challenge")) &&
		(strings.Contains(d, "not enabled") || strings.Contains(d, "not allowed") || strings.Contains(d, "not supported")):
		// Okta: "PKCE is not enabled for this client application." The
		// probe always sends an S256 challenge, so this means the app is
		// not set up for the Authorization Code (PKCE) grant.
		return OutcomePKCENotEnabled
	}
	return OutcomeError
}

// Phrases of error pages. Okta's page for a redirect URI that is not
// registered says "The 'redirect_uri' parameter must be a Login redirect URI
// in the client app settings".
var (
	redirectPhrases = []string{"'redirect_uri' parameter", "redirect_uri parameter", "login redirect uri", "redirect_uri_mismatch", "redirect uri mismatch", "redirect_uri is not registered", "redirect uri is not registered", "invalid redirect_uri", "invalid redirect uri"}
	clientPhrases   = []string{"invalid_client", "'client_id' parameter", "client_id parameter", "unknown client", "invalid client", "client not found"}
)

// pageOutcome decides, from an error page, whether the client or the
// redirect URI is at fault; status decides when the page does not say.
func pageOutcome(status int, pg page) Outcome {
	text := strings.ToLower(pg.code + " " + pg.desc + " " + pg.text)
	for _, p := range redirectPhrases {
		if strings.Contains(text, p) {
			return OutcomeRedirectURINotRegistered
		}
	}
	for _, p := range clientPhrases {
		if strings.Contains(text, p) {
			return OutcomeUnknownClient
		}
	}
	switch status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		// Okta answers every other client-level problem it cannot redirect
		// with a 400 page; a gateway may use 401 or 403.
		return OutcomeUnknownClient
	}
	// 404, 405 and the like point at a wrong endpoint rather than the app.
	return OutcomeError
}

// page is the readable content of a response body.
type page struct {
	html   bool
	signIn bool   // a password field or Okta's sign-in widget
	cut    string // why the body could not be read in full; "" when it was
	code   string // error code the page states, sanitised
	desc   string // description the page states, sanitised
	text   string // whole visible text, whitespace collapsed (unbounded)
}

// isError reports whether a 2xx page states an error code. The description
// alone is not enough: a sign-in page may well contain "Description:".
func (pg page) isError() bool {
	return pg.code != ""
}

func (pg page) codeOr(status int) string {
	if pg.code != "" {
		return pg.code
	}
	return fmt.Sprintf("http_%d", status)
}

func (pg page) descOr(status int) string {
	switch {
	case pg.desc != "":
		return pg.desc
	case pg.text != "":
		return safetext.Text(pg.text, MaxDescriptionLength)
	}
	return statusLine(status)
}

// statusLine is "404 Not Found", or just the number for a status Go does
// not name.
func statusLine(status int) string {
	return safetext.Text(fmt.Sprintf("%d %s", status, http.StatusText(status)), MaxDescriptionLength)
}

var (
	// Okta's error page: "Error Code: invalid_request" then
	// "Description: …"; the description runs to the end of the text.
	reErrorCode = regexp.MustCompile(`(?i)error\s*code\s*:\s*([A-Za-z0-9_.\-]{1,64})`)
	reErrorDesc = regexp.MustCompile(`(?i)\bdescription\s*:\s*(.+)`)
)

// readPage reads the whole body (at most maxBody) and pulls out an error
// code and description, from JSON ({"error", "error_description"}, Okta's
// API {"errorCode", "errorSummary"}, or a gateway's {"error": {"code",
// "message"}}) or from an HTML page's visible text. A body that ends in a
// read error (a timeout, a reset, fewer bytes than Content-Length) or runs
// past maxBody sets cut and nothing else.
func readPage(resp *http.Response) page {
	var pg page
	if resp.Body == nil {
		return pg
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	switch {
	case err != nil:
		pg.cut = fmt.Sprintf("the body was cut short after %d bytes (%s)", len(b), safetext.Text(err.Error(), 80))
		return pg
	case len(b) > maxBody:
		pg.cut = fmt.Sprintf("the body is longer than %d bytes, more than the probe reads", maxBody)
		return pg
	}
	body := strings.ToValidUTF8(string(b), "\uFFFD")
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	trimmed := strings.TrimSpace(body)

	if strings.Contains(ct, "json") || strings.HasPrefix(trimmed, "{") {
		var m map[string]any
		if json.Unmarshal([]byte(trimmed), &m) == nil {
			if inner, ok := m["error"].(map[string]any); ok {
				// A gateway's error: {"error": {"code", "message", …}}.
				m = inner
			}
			str := func(keys ...string) string {
				for _, k := range keys {
					if s, ok := m[k].(string); ok && s != "" {
						return s
					}
				}
				return ""
			}
			pg.code = safetext.Text(str("error", "errorCode", "error_code", "code"), MaxErrorLength)
			pg.desc = safetext.Text(str("error_description", "errorSummary", "message", "error_message"), MaxDescriptionLength)
			pg.text = safetext.Text(trimmed, pageTextRunes)
			return pg
		}
	}

	lower := strings.ToLower(trimmed)
	pg.html = strings.Contains(ct, "html") || strings.HasPrefix(lower, "<!doctype html") ||
		strings.HasPrefix(lower, "<html") || strings.Contains(lower, "<form")
	text := body
	if pg.html {
		text, pg.signIn = visibleText(body)
	}
	pg.text = safetext.Text(text, pageTextRunes)
	if m := reErrorCode.FindStringSubmatch(pg.text); m != nil {
		pg.code = safetext.Text(m[1], MaxErrorLength)
	}
	if m := reErrorDesc.FindStringSubmatch(pg.text); m != nil {
		pg.desc = safetext.Text(m[1], MaxDescriptionLength)
	}
	return pg
}

// visibleText returns the text a browser would show (no scripts, styles,
// comments or markup, entities decoded) and whether the page is a sign-in
// page: it has a password field, or Okta's sign-in widget (an element
// "okta-sign-in" or "okta-login-container", or a script creating OktaSignIn).
func visibleText(body string) (string, bool) {
	z := html.NewTokenizer(strings.NewReader(body))
	var b strings.Builder
	signIn := false
	hidden := "" // the script-like element being skipped
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String(), signIn
		case html.TextToken:
			if hidden != "" {
				if hidden == "script" && strings.Contains(string(z.Text()), "OktaSignIn") {
					signIn = true
				}
				continue
			}
			b.Write(z.Text())
			b.WriteByte(' ')
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			switch t.Data {
			case "script", "style", "noscript", "template":
				if t.Type == html.StartTagToken {
					hidden = t.Data
				}
			}
			for _, a := range t.Attr {
				v := strings.ToLower(a.Val)
				switch {
				case t.Data == "input" && a.Key == "type" && v == "password",
					(a.Key == "id" || a.Key == "class") && (strings.Contains(v, "okta-sign-in") || strings.Contains(v, "okta-login-container")):
					signIn = true
				}
			}
			b.WriteByte(' ')
		case html.EndTagToken:
			if t := z.Token(); t.Data == hidden {
				hidden = ""
			}
			b.WriteByte(' ')
		}
	}
}

// pageTextRunes bounds the visible text kept of a page (the body is
// already capped in bytes): enough for any sign-in or error page.
const pageTextRunes = 1 << 18

// namesInvalidScope reports an error page whose text names invalid_scope.
func (pg page) namesInvalidScope() bool {
	return strings.Contains(strings.ToLower(pg.desc+" "+pg.text), "invalid_scope")
}
