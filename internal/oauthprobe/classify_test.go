package oauthprobe

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

const authorizeURL = "https://okta-login.zoominfo.com/oauth2/default/v1/authorize?client_id=x"

// response builds what an http.Client without redirects would return.
func response(status int, location, contentType, body string) *http.Response {
	reqURL, _ := url.Parse(authorizeURL)
	h := http.Header{}
	if location != "" {
		h.Set("Location", location)
	}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &http.Response{
		StatusCode: status,
		Header:     h,
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    &http.Request{Method: http.MethodGet, URL: reqURL},
	}
}

// oktaErrorPage is shaped like Okta's real error page: script noise,
// entity-escaped quotes, the code and description in separate elements.
func oktaErrorPage(code, desc string) string {
	return `<!DOCTYPE html><html><head><title>Okta - Error</title>
<script>var config = {"description: not this": "<p>"};</script><style>p{color:red}</style></head>
<body><div class="content"><h2 class="o-form-title">400 Bad Request</h2>
<!-- Error Code: not_this_either -->
<p id="errorSummary">Identity Provider: Unknown</p>
<p>Error Code: ` + code + `</p>
<p>Description: ` + strings.ReplaceAll(desc, "'", "&#x27;") + `</p></div></body></html>`
}

func TestClassify(t *testing.T) {
	const redirect = "https://api.stackone.com/connect/oauth2/zoominfo/callback"
	tests := []struct {
		name    string
		resp    *http.Response
		kind    Kind
		outcome Outcome
		code    string
		desc    string // exact, when set
	}{
		{
			name: "redirect to the login page",
			resp: response(302, "https://okta-login.zoominfo.com/oauth2/default/v1/login?tx=abc", "", ""),
			kind: Accepted, outcome: OutcomeOK,
		},
		{
			name: "relative redirect to the login page",
			resp: response(303, "/login/login.htm?fromURI=%2Foauth2", "", ""),
			kind: Accepted, outcome: OutcomeOK,
		},
		{
			name: "login page served in place",
			resp: response(200, "", "text/html; charset=utf-8", `<!DOCTYPE html><html><body><form method="post"><input name="username"><input type="password" name="password"></form><p>Description: sign in</p></body></html>`),
			kind: Accepted, outcome: OutcomeOK,
		},
		// A redirect is sign-in only when it is recognisably one; an error
		// page names invalid_scope (not registered) or proves nothing.
		{
			name: "redirect to the server's error page naming invalid_scope in the query",
			resp: response(302, "https://login.zoominfo.com/error?errorCode=invalid_scope&state=s", "", ""),
			kind: InvalidScope, outcome: OutcomeOK, code: "invalid_scope",
		},
		{
			name: "redirect to the server's error page naming invalid_scope in the path",
			resp: response(302, "/error/invalid_scope", "", ""),
			kind: InvalidScope, outcome: OutcomeOK, code: "invalid_scope",
		},
		{
			name: "redirect to an error page naming nothing",
			resp: response(302, "https://login.zoominfo.com/error?errorCode=E0000022", "", ""),
			kind: Unexpected, outcome: OutcomeCannotTell,
		},
		{
			name: "redirect to about:blank",
			resp: response(302, "about:blank", "", ""),
			kind: Unexpected, outcome: OutcomeCannotTell,
		},
		{
			name: "redirect to a home page",
			resp: response(302, "https://www.zoominfo.com/", "", ""),
			kind: Unexpected, outcome: OutcomeCannotTell,
		},
		{
			name: "Auth0-style sign-in route",
			resp: response(302, "https://auth.example.com/u/login?returnTo=%2F", "", ""),
			kind: Accepted, outcome: OutcomeOK,
		},
		{
			name: "error page in place naming invalid_scope in its text",
			resp: response(400, "", "text/html", `<!DOCTYPE html><html><body><h1>Error</h1><p>The request failed: invalid_scope (the scope api:x is not allowed)</p></body></html>`),
			kind: InvalidScope, outcome: OutcomeOK, code: "invalid_scope",
		},
		{
			name: "invalid_scope",
			resp: response(302, redirect+"?error=invalid_scope&error_description=One+or+more+scopes+are+not+configured.&state=s", "", ""),
			kind: InvalidScope, outcome: OutcomeOK, code: "invalid_scope", desc: "One or more scopes are not configured.",
		},
		{
			name: "invalid_scope to a default port and upper-case host",
			resp: response(302, "https://API.stackone.com:443/connect/oauth2/zoominfo/callback?error=invalid_scope", "", ""),
			kind: InvalidScope, outcome: OutcomeOK, code: "invalid_scope",
		},
		{
			name: "invalid_scope in the fragment",
			resp: response(302, redirect+"#error=invalid_scope&state=s", "", ""),
			kind: InvalidScope, outcome: OutcomeOK, code: "invalid_scope",
		},
		{
			name: "PKCE not enabled",
			resp: response(302, redirect+"?error=invalid_request&error_description=PKCE+is+not+enabled+for+this+client+application.", "", ""),
			kind: RedirectedError, outcome: OutcomePKCENotEnabled, code: "invalid_request", desc: "PKCE is not enabled for this client application.",
		},
		{
			name: "grant not enabled",
			resp: response(302, redirect+"?error=unauthorized_client&error_description=The+client+is+not+authorized+to+use+the+provided+grant+type.", "", ""),
			kind: RedirectedError, outcome: OutcomeGrantNotEnabled, code: "unauthorized_client",
		},
		{
			name: "other redirected error",
			resp: response(302, redirect+"?error=access_denied&error_description=line1%0Aline2%1B%5B31m", "", ""),
			kind: RedirectedError, outcome: OutcomeError, code: "access_denied", desc: "line1 line2 [31m",
		},
		{
			name: "code at the redirect URI",
			resp: response(302, redirect+"?code=abc&state=s", "", ""),
			kind: Accepted, outcome: OutcomeOK,
		},
		{
			name: "redirect URI without error or code",
			resp: response(302, redirect+"?state=s", "", ""),
			kind: Unexpected, outcome: OutcomeCannotTell,
		},
		{
			name: "redirect without Location",
			resp: response(302, "", "", ""),
			kind: Unexpected, outcome: OutcomeCannotTell,
		},
		{
			name: "Okta page: redirect URI not registered",
			resp: response(400, "", "text/html;charset=utf-8", oktaErrorPage("invalid_request", "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: https://x.okta.com/admin/app/oidc_client/instance/0oa#tab-general")),
			kind: ClientError, outcome: OutcomeRedirectURINotRegistered, code: "invalid_request",
			desc: "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: https://x.okta.com/admin/app/oidc_client/instance/0oa#tab-general",
		},
		{
			name: "Okta page: unknown client",
			resp: response(400, "", "text/html", oktaErrorPage("invalid_client", "Invalid value for 'client_id' parameter.")),
			kind: ClientError, outcome: OutcomeUnknownClient, code: "invalid_client", desc: "Invalid value for 'client_id' parameter.",
		},
		{
			name: "400 page saying nothing useful",
			resp: response(400, "", "text/html", "<html><body><h1>Bad Request</h1></body></html>"),
			kind: ClientError, outcome: OutcomeUnknownClient, code: "http_400", desc: "Bad Request",
		},
		{
			name: "JSON client error",
			resp: response(401, "", "application/json", `{"errorCode":"E0000011","errorSummary":"Invalid token provided"}`),
			kind: ClientError, outcome: OutcomeUnknownClient, code: "E0000011", desc: "Invalid token provided",
		},
		{
			name: "JSON redirect_uri_mismatch",
			resp: response(400, "", "application/json", `{"error":"redirect_uri_mismatch","error_description":"bad"}`),
			kind: ClientError, outcome: OutcomeRedirectURINotRegistered, code: "redirect_uri_mismatch", desc: "bad",
		},
		{
			name: "404 is a wrong endpoint, not a client",
			resp: response(404, "", "text/plain", "404 page not found\n"),
			kind: ClientError, outcome: OutcomeError, code: "http_404", desc: "404 page not found",
		},
		{
			name: "200 error page",
			resp: response(200, "", "text/html", oktaErrorPage("invalid_client", "Invalid value for 'client_id' parameter.")),
			kind: ClientError, outcome: OutcomeUnknownClient, code: "invalid_client",
		},
		{
			name: "200 that is not a page",
			resp: response(200, "", "application/octet-stream", "\x00\x01"),
			kind: Unexpected, outcome: OutcomeCannotTell, code: "http_200",
		},
		{
			name: "503",
			resp: response(503, "", "text/html", "<h1>Down for maintenance</h1>"),
			kind: ServerError, outcome: OutcomeCannotTell, code: "http_503", desc: "Down for maintenance",
		},
		{
			name: "429",
			resp: response(429, "", "", ""),
			kind: ServerError, outcome: OutcomeCannotTell, code: "http_429", desc: "429 Too Many Requests",
		},
		{
			name: "Okta sign-in widget served in place",
			resp: response(200, "", "text/html", `<!DOCTYPE html><html><head><script src="/js/okta-sign-in.min.js"></script></head><body><div id="okta-login-container"></div><script>var w = new OktaSignIn(config);</script></body></html>`),
			kind: Accepted, outcome: OutcomeOK,
		},
		{
			name: "200 page that is neither sign-in nor error",
			resp: response(200, "", "text/html", `<!DOCTYPE html><html><body><h1>Please wait</h1><p>Redirecting…</p></body></html>`),
			kind: Unexpected, outcome: OutcomeCannotTell, code: "http_200",
		},
		{
			name: "password field only in a script is not a sign-in page",
			resp: response(200, "", "text/html", `<html><body><script>document.write('<input type="password">')</script></body></html>`),
			kind: Unexpected, outcome: OutcomeCannotTell,
		},
		{
			name: "Okta page: invalid_scope",
			resp: response(400, "", "text/html", oktaErrorPage("invalid_scope", "One or more scopes are not configured for the authorization server resource.")),
			kind: InvalidScope, outcome: OutcomeOK, code: "invalid_scope",
		},
		{
			name: "redirect to another authorization request is not the login page",
			resp: response(302, "https://okta-login.zoominfo.com/oauth2/default/v1/authorize?client_id=x&redirect_uri=https%3A%2F%2Fgateway.example%2Fcb", "", ""),
			kind: Unexpected, outcome: OutcomeCannotTell,
		},
		{
			name: "redirect to an authorize path without a query",
			resp: response(302, "https://login.example/oauth2/v1/authorize", "", ""),
			kind: Unexpected, outcome: OutcomeCannotTell,
		},
		{
			name: "gateway JSON error",
			resp: response(401, "", "application/json", `{"error":{"code":"invalid_client","message":"Unknown client","status":401,"requestId":"r1","retryable":false}}`),
			kind: ClientError, outcome: OutcomeUnknownClient, code: "invalid_client", desc: "Unknown client",
		},
		{
			name: "nil response",
			resp: nil,
			kind: Unexpected, outcome: OutcomeCannotTell,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Classify(tt.resp, redirect)
			if c.Kind != tt.kind || c.Outcome != tt.outcome {
				t.Fatalf("Classify = %+v, want kind %q outcome %q", c, tt.kind, tt.outcome)
			}
			if tt.code != "" && c.Error != tt.code {
				t.Fatalf("Error = %q, want %q", c.Error, tt.code)
			}
			if tt.desc != "" && c.ErrorDescription != tt.desc {
				t.Fatalf("ErrorDescription = %q, want %q", c.ErrorDescription, tt.desc)
			}
			checkSane(t, c)
		})
	}
}

func TestClassifyBoundsLongPages(t *testing.T) {
	body := "<html><body><p>Error Code: " + strings.Repeat("e", 500) + "</p><p>Description: " + strings.Repeat("word\u202e ", 5000) + "</p></body></html>"
	c := Classify(response(400, "", "text/html", body), "https://app.example/cb")
	checkSane(t, c)
	if !strings.HasSuffix(c.ErrorDescription, "…") || strings.ContainsRune(c.ErrorDescription, '\u202e') {
		t.Fatalf("description not cut or not cleaned: %q", c.ErrorDescription)
	}
}

// checkSane asserts what every caller relies on: printable, valid UTF-8,
// bounded text, and a known kind with an outcome.
func checkSane(t *testing.T, c Classification) {
	t.Helper()
	switch c.Kind {
	case Accepted, InvalidScope, ClientError, RedirectedError, ServerError, Unexpected:
	default:
		t.Fatalf("unknown kind %q", c.Kind)
	}
	switch c.Outcome {
	case OutcomeOK, OutcomeUnknownClient, OutcomeRedirectURINotRegistered, OutcomePKCENotEnabled, OutcomeGrantNotEnabled, OutcomeError, OutcomeCannotTell:
	default:
		t.Fatalf("unknown outcome %q", c.Outcome)
	}
	if (c.Outcome == OutcomeCannotTell) != (c.Kind == ServerError || c.Kind == Unexpected) {
		t.Fatalf("kind %q with outcome %q", c.Kind, c.Outcome)
	}
	if (c.Outcome == OutcomeOK) != (c.Kind == Accepted || c.Kind == InvalidScope) {
		t.Fatalf("kind %q with outcome %q", c.Kind, c.Outcome)
	}
	for name, s := range map[string]string{"Error": c.Error, "ErrorDescription": c.ErrorDescription} {
		if !utf8.ValidString(s) {
			t.Fatalf("%s is not valid UTF-8: %q", name, s)
		}
		for _, r := range s {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' ') {
				t.Fatalf("%s contains %U: %q", name, r, s)
			}
		}
		if s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
			t.Fatalf("%s has uncollapsed whitespace: %q", name, s)
		}
	}
	if n := utf8.RuneCountInString(c.Error); n > MaxErrorLength {
		t.Fatalf("Error has %d runes, bound is %d", n, MaxErrorLength)
	}
	if n := utf8.RuneCountInString(c.ErrorDescription); n > MaxDescriptionLength {
		t.Fatalf("ErrorDescription has %d runes, bound is %d", n, MaxDescriptionLength)
	}
}
