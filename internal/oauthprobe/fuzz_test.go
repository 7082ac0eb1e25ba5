package oauthprobe

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzClassify feeds arbitrary status codes, Location headers, content
// types and bodies to Classify: it must never panic and must always return
// printable, bounded text with a known kind.
func FuzzClassify(f *testing.F) {
	const redirect = "https://api.stackone.com/connect/oauth2/zoominfo/callback"
	f.Add(302, "https://okta-login.zoominfo.com/oauth2/default/v1/login?tx=abc", "", "")
	f.Add(302, redirect+"?error=invalid_scope&error_description=One+or+more+scopes&state=s", "", "")
	f.Add(302, redirect+"?error=invalid_request&error_description=PKCE+is+not+enabled+for+this+client+application.", "", "")
	f.Add(302, redirect+"#error=access_denied&error_description=%00%1b%e2%80%ae", "", "")
	f.Add(303, "//evil.example/%zz", "", "")
	f.Add(301, ":", "", "")
	f.Add(400, "", "text/html", oktaErrorPage("invalid_request", "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings"))
	f.Add(400, "", "text/html", "<script>Error Code: x</script><!-- <p>Description: y</p> --><p>Error Code: \xff\xfe</p>")
	f.Add(401, "", "application/json", `{"error":"invalid_client","error_description":"\u0007bell\u202e"}`)
	f.Add(400, "", "application/json", `{"error":{"nested":true},"error_description":12}`)
	f.Add(200, "", "text/html", "<html><form></form></html>")
	f.Add(200, "", "", "Error Code: "+strings.Repeat("a", 200))
	f.Add(503, "", "text/plain", strings.Repeat("Description: \t\r\n", 100))
	f.Add(0, "", "", "")
	f.Add(-1, "\x00", "\x00", "\x00")
	f.Add(999, "", "", "")
	f.Fuzz(func(t *testing.T, status int, location, contentType, body string) {
		reqURL, _ := url.Parse("https://okta-login.zoominfo.com/oauth2/default/v1/authorize")
		resp := &http.Response{
			StatusCode: status,
			Header:     http.Header{"Location": {location}, "Content-Type": {contentType}},
			Body:       io.NopCloser(strings.NewReader(body)),
			Request:    &http.Request{URL: reqURL},
		}
		c := Classify(resp, redirect)
		checkSane(t, c)
		if c.StatusCode != status {
			t.Fatalf("StatusCode = %d, want %d", c.StatusCode, status)
		}
		// Without a request to resolve against, or a body, still no panic.
		resp.Request, resp.Body = nil, nil
		checkSane(t, Classify(resp, redirect))
		checkSane(t, Classify(resp, location))
	})
}
