package provider

import (
	"strings"
	"testing"
)

// TestCheckAuthLink: the link a user is told to open must be one a browser
// may open safely; anything else is refused, quoted without its query
// (where the token travels).
func TestCheckAuthLink(t *testing.T) {
	for _, tc := range []struct {
		raw, problem string
	}{
		{"https://app.stackone.com/embedded/integrations?token=abc", ""},
		{"http://127.0.0.1:8080/connect/oauth2/p-1?token=abc", ""},
		{"", "is missing"},
		{"/connect/oauth2/p-1?token=abc", "is not an absolute URL"},
		{"javascript:alert(1)", "is not an absolute URL"},
		{"http://evil.example/connect?token=abc", `is "http://evil.example/connect", which is neither https nor http to a loopback host`},
		{"ftp://app.stackone.com/x?token=abc", "neither https nor http"},
		{"https://user:pw@app.stackone.com/x?token=abc", "carries user information"},
		{"https://app.stackone.com/?token=" + strings.Repeat("a", maxAuthLinkBytes), "bytes long"},
	} {
		link, problem := checkAuthLink(tc.raw)
		if tc.problem == "" {
			if problem != "" || link != tc.raw {
				t.Errorf("%q: got %q, %q; want it shown as is", tc.raw, link, problem)
			}
			continue
		}
		if link != "" || !strings.Contains(problem, tc.problem) {
			t.Errorf("%q: got %q, %q; want refused with %q", tc.raw, link, problem, tc.problem)
		}
		if strings.Contains(problem, "token=") || strings.Contains(problem, "pw") {
			t.Errorf("%q: the refusal quotes the query or the password: %q", tc.raw, problem)
		}
	}
}
