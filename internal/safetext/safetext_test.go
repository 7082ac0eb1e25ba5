package safetext

import (
	"net/url"
	"strings"
	"testing"
)

// TestURL: a URL quoted in a diagnostic or log keeps its scheme, host,
// port and path, never its user info, query or fragment.
func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.stackone.com":                        `"https://api.stackone.com"`,
		"https://user:pw@api.example.com:8443/v1/x?k=v#f": `"https://api.example.com:8443/v1/x"`,
		"http://127.0.0.1:8080/a%2Fb?token=t":             `"http://127.0.0.1:8080/a%2Fb"`,
		"api.stackone.com/v1?key=k":                       `"api.stackone.com/v1"`,
		"user:password@host":                              "(not shown: not an absolute URL)",
		"v1.eu1.KEY:@api.stackone.com":                    "(not shown: not an absolute URL)",
		"https://api.stackone.com#access_token=tok":       `"https://api.stackone.com"`,
		"https://api.stackone.com:notaport":               "(not shown: not a valid URL)",
		"https://host/\x7f?secret":                        "(not shown: not a valid URL)",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestText: server text is one bounded line without control or invisible
// formatting characters.
func TestText(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 100, "plain"},
		{"two\nlines\r\n and  spaces", 100, "two lines and spaces"},
		{"bidi \u202Eevil\u202C", 100, "bidi evil"},
		{"zero\u200Bwidth", 100, "zero width"},
		{"bad utf8 \xff end", 100, "bad utf8 \uFFFD end"},
		{"\x1b[31mred\x1b[0m", 100, "[31mred [0m"},
		{strings.Repeat("x", 20), 10, strings.Repeat("x", 9) + "…"},
		{"anything", 0, ""},
	} {
		if got := Text(c.in, c.max); got != c.want {
			t.Errorf("Text(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestTransportAllowed(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://api.stackone.com":  true,
		"HTTPS://api.stackone.com":  true,
		"http://127.0.0.1:8080":     true,
		"http://localhost/x":        true,
		"http://[::1]:80":           true,
		"http://127.5.5.5":          true,
		"http://api.stackone.com":   false,
		"http://10.0.0.1":           false,
		"http://localhost.evil.com": false,
		"ftp://127.0.0.1":           false,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := TransportAllowed(u); got != want {
			t.Errorf("TransportAllowed(%s) = %v, want %v", raw, got, want)
		}
	}
}
