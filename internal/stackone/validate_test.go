package stackone

import (
	"strings"
	"testing"
)

func TestValidateBaseURL(t *testing.T) {
	cases := []struct {
		in      string
		want    string // "" means an error is expected
		errLike string
	}{
		{"https://api.stackone.com", "https://api.stackone.com", ""},
		{"https://api.eu1.stackone.com/", "https://api.eu1.stackone.com", ""},
		{" https://proxy.example.com/stackone// ", "https://proxy.example.com/stackone", ""},
		{"HTTPS://API.stackone.com", "https://API.stackone.com", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"http://127.1.2.3", "http://127.1.2.3", ""},
		{"http://localhost", "http://localhost", ""},
		{"http://LOCALHOST:9/", "http://LOCALHOST:9", ""},
		{"http://[::1]:1", "http://[::1]:1", ""},
		{"http://example.com", "", "loopback"},
		{"http://10.0.0.1", "", "loopback"},
		{"http://localhost.example.com", "", "loopback"},
		{"ftp://api.stackone.com", "", "scheme"},
		{"api.stackone.com", "", "absolute"},
		{"/v1", "", "absolute"},
		{"https:api.stackone.com", "", "absolute"},
		{"", "", "empty"},
		{"https://user:s3cr3t@api.stackone.com", "", "user name or password"},
		{"https://v1.eu1.SECRETKEY@api.stackone.com", "", "user name or password"},
		{"https://api.stackone.com?x=1", "", "query"},
		{"https://api.stackone.com/?", "", "query"},
		{"https://api.stackone.com#frag", "", "fragment"},
		{"https://api.stackone.com:notaport", "", "not a valid URL"},
		{"https://", "", "absolute"},
	}
	for _, tc := range cases {
		u, err := ValidateBaseURL(tc.in)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q: want an error, got %s", tc.in, u)
				continue
			}
			if !strings.Contains(err.Error(), tc.errLike) {
				t.Errorf("%q: error %q should mention %q", tc.in, err, tc.errLike)
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "SECRETKEY") {
				t.Errorf("%q: error echoes credentials: %v", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if u.String() != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, u, tc.want)
		}
	}
}

// TestValidateBaseURLQuotesOnlySafeParts: every refusal quotes base_url as
// safetext.URL does, whatever part of it holds a secret.
func TestValidateBaseURLQuotesOnlySafeParts(t *testing.T) {
	for _, in := range []string{
		"https://user:SECRETPW@api.stackone.com",
		"https://api.stackone.com?key=SECRETPW",
		"https://api.stackone.com#SECRETPW",
		"https://api.stackone.com/#token=SECRETPW",
		"ftp://api.stackone.com/p?SECRETPW",
		"http://example.com/p#SECRETPW",
		"ftp://u:SECRETPW@api.stackone.com/p",
		"SECRETPW:x@api.stackone.com",
	} {
		_, err := ValidateBaseURL(in)
		if err == nil {
			t.Fatalf("%q: want an error", in)
		}
		if strings.Contains(strings.ToUpper(err.Error()), "SECRETPW") {
			t.Errorf("%q: the error quotes the secret part: %v", in, err)
		}
	}
	_, err := ValidateBaseURL("http://example.com/stackone#frag")
	if err == nil || !strings.Contains(err.Error(), `"http://example.com/stackone"`) {
		t.Errorf("want the safe parts quoted, got %v", err)
	}
}
