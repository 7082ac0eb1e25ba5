package stackone

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

func TestAPIErrorGuidance(t *testing.T) {
	cases := []struct {
		status int
		msg    string
		code   string
		want   []string
	}{
		{400, "scopes[0] must not be blank", "ValidationError", []string{"400 Bad Request", "scopes[0] must not be blank", "ValidationError"}},
		{401, "Unauthorized", "", []string{"rejected the API key", "api_key", "STACKONE_API_KEY"}},
		{403, "Missing scope", "", []string{"Platform API", "Missing scope", "403 Forbidden"}},
		{404, "Connector profile not found", "NotFound", []string{"404 Not Found", "Connector profile not found", "NotFound"}},
		{409, "Idempotency key reused with a different body", "IdempotencyKeyReused", []string{"409 Conflict", "Idempotency key reused", "IdempotencyKeyReused"}},
		{422, "unknown scope api:nope", "UnprocessableEntity", []string{"422", "unknown scope api:nope", "UnprocessableEntity"}},
		{429, "Too many requests", "", []string{"rate limiting", "after retries", "max_requests_per_minute"}},
		{500, "boom", "", []string{"StackOne's side", "try again", "boom"}},
		{502, "bad gateway", "", []string{"502 Bad Gateway", "try again"}},
	}
	for _, tc := range cases {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "req-abc")
			writeError(w, tc.status, tc.msg, tc.code)
		}))
		c, _ := newTestClient(t, srv, func(c *Config) { c.MaxRetries = retries(1) })
		_, err := c.GetAccount(context.Background(), "p-1")
		srv.Close()
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Errorf("%d: want *APIError, got %T %v", tc.status, err, err)
			continue
		}
		if apiErr.StatusCode != tc.status || apiErr.Message != tc.msg || apiErr.ErrorCode != tc.code ||
			apiErr.RequestID != "req-abc" || apiErr.Method != "GET" || apiErr.Path != "/accounts/p-1" {
			t.Errorf("%d: fields %+v", tc.status, apiErr)
		}
		msg := err.Error()
		for _, w := range append(tc.want, "GET /accounts/p-1", "req-abc") {
			if !strings.Contains(msg, w) {
				t.Errorf("%d: message %q lacks %q", tc.status, msg, w)
			}
		}
		if strings.Contains(msg, testAPIKey) || strings.Count(msg, ". ") > 1 || strings.ContainsAny(msg, "\n\r") {
			t.Errorf("%d: message too long or unsafe: %q", tc.status, msg)
		}
		if IsNotFound(err) != (tc.status == 404) {
			t.Errorf("%d: IsNotFound = %v", tc.status, IsNotFound(err))
		}
	}
	if IsNotFound(nil) || IsNotFound(errors.New("x")) || !IsNotFound(fmt.Errorf("wrapped: %w", &APIError{StatusCode: 404})) {
		t.Error("IsNotFound misclassifies")
	}
}

func TestParseAPIError(t *testing.T) {
	huge := strings.Repeat("x", 3<<20)
	cases := []struct {
		name     string
		status   int
		body     string
		wantMsg  string
		wantCode string
	}{
		{"stackone", 404, `{"statusCode":404,"message":"Not here","timestamp":"2024-01-15T10:30:00.000Z","errorCode":"NotFound"}`, "Not here", "NotFound"},
		{"message list", 400, `{"statusCode":400,"message":["name must not be blank","scopes must be unique"]}`, "name must not be blank; scopes must be unique", ""},
		{"wrong types", 400, `{"statusCode":"400","message":123,"errorCode":{"a":1}}`, "Bad Request", ""},
		{"oauth style", 400, `{"error":"invalid_request","error_description":"missing state"}`, "missing state", ""},
		{"html", 502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "Bad Gateway", ""},
		{"empty", 503, "", "Service Unavailable", ""},
		{"plain text", 500, "upstream connect error\r\nreset", "upstream connect error reset", ""},
		{"control chars", 400, `{"message":"a\u0000b\u001b[31mred\u202Eevil\u2028x"}`, "a b [31mred evil x", ""},
		{"invalid utf8", 400, "{\"message\":\"bad \xff byte\"}", "bad \uFFFD byte", ""},
		{"invalid utf8 text", 400, "bad \xff byte", "bad \uFFFD byte", ""},
		{"broken json", 400, `{"message": "unterminated`, "Bad Request", ""},
		{"json array", 400, `[1,2]`, "Bad Request", ""},
		{"unknown status", 599, "", "HTTP 599", ""},
		{"huge", 500, huge, strings.Repeat("x", maxMessageRunes-1) + "…", ""},
		{"huge json", 500, `{"message":"` + huge + `"}`, "Internal Server Error", ""},
	}
	for _, tc := range cases {
		h := http.Header{"X-Request-Id": {"id\n1"}}
		e := ParseAPIError(tc.status, h, []byte(tc.body))
		if e.Message != tc.wantMsg || e.ErrorCode != tc.wantCode || e.StatusCode != tc.status || e.RequestID != "id 1" {
			t.Errorf("%s: got %+v; want message %q code %q", tc.name, e, tc.wantMsg, tc.wantCode)
		}
	}
	if e := ParseAPIError(500, nil, nil); e.Message != "Internal Server Error" || e.Error() == "" {
		t.Errorf("nil header/body: %+v", e)
	}
}

func TestErrorFromHTMLProxyPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(403)
		_, _ = io.WriteString(w, "<html><title>Access denied</title><script>alert(1)</script></html>")
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	_, err := c.ListAccounts(context.Background(), ListAccountsOptions{})
	if err == nil || strings.Contains(err.Error(), "<") || !strings.Contains(err.Error(), "Platform API") {
		t.Errorf("HTML 403 gave %v", err)
	}
}

func FuzzParseAPIError(f *testing.F) {
	f.Add(404, []byte(`{"statusCode":404,"message":"Not found","timestamp":"2024-01-15T10:30:00.000Z","errorCode":"NotFound"}`), "req-1")
	f.Add(400, []byte(`{"message":["a","b"],"errorCode":7}`), "")
	f.Add(502, []byte("<html>Bad gateway</html>"), "x\r\ny")
	f.Add(500, []byte("\x00\x1b[2J\u202e\xff\xfe"), "\u2028")
	f.Add(0, []byte(`{"message":{"nested":[[[[[]]]]]}}`), "")
	f.Add(-1, []byte(strings.Repeat("[", 20000)), "")
	f.Add(429, []byte(`{"message":"\u0000\u0085\u2029"}`), "")
	f.Fuzz(func(t *testing.T, status int, body []byte, reqID string) {
		h := http.Header{}
		h.Set("X-Request-Id", reqID)
		e := ParseAPIError(status, h, body)
		for name, s := range map[string]string{"message": e.Message, "code": e.ErrorCode, "request id": e.RequestID, "error": e.Error()} {
			if !utf8.ValidString(s) {
				t.Fatalf("%s is not valid UTF-8: %q", name, s)
			}
			for _, r := range s {
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
					t.Fatalf("%s holds control character %U: %q", name, r, s)
				}
			}
		}
		if utf8.RuneCountInString(e.Message) > maxMessageRunes {
			t.Fatalf("message too long: %d runes", utf8.RuneCountInString(e.Message))
		}
		if e.Message == "" {
			t.Fatal("empty message")
		}
	})
}

// TestEchoedSecretIsRedacted: a server that echoes the request body into its
// error message must not put the client secret into the error.
func TestEchoedSecretIsRedacted(t *testing.T) {
	const secret = "echoed-client-secret-123"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		writeJSON(w, 400, map[string]any{"statusCode": 400, "message": "bad request: " + string(body)})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	primeEmptyList(c, "zoominfo")
	_, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", Name: "n", AuthenticationConfigKey: "a", ClientID: "cid", ClientSecret: secret,
	})
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("create error = %v; want the secret redacted", err)
	}
	other := secret + "-rotated"
	_, err = c.UpdateConnectorProfile(context.Background(), "p", "zoominfo", UpdateConnectorProfileRequest{ClientSecret: &other})
	if err == nil || strings.Contains(err.Error(), other) {
		t.Fatalf("update error = %v; want the secret redacted", err)
	}
}

// TestSecretsAreRedactedBeforeTruncation: a secret echoed near the end of a
// long message, where the message is cut, must not leave its first part in
// the error: not the API key, not its Basic credential, not a client secret
// (raw or JSON-escaped), not in the request id header.
func TestSecretsAreRedactedBeforeTruncation(t *testing.T) {
	const secret = `Zx9-client"secret-0123456789abcdefghijklmno`
	escaped := strings.Trim(fmt.Sprintf("%q", secret), `"`)
	cred := base64.StdEncoding.EncodeToString([]byte(testAPIKey + ":"))
	for _, tc := range []struct {
		name string
		echo func(r *http.Request) string
		leak string
	}{
		{"API key", func(r *http.Request) string { u, _, _ := r.BasicAuth(); return "key=" + u }, testAPIKey[:12]},
		{"Basic credential", func(r *http.Request) string { return "auth=" + r.Header.Get("Authorization") }, cred[:16]},
		{"client secret", func(*http.Request) string { return "client_secret=" + secret }, secret[:12]},
		{"JSON-escaped client secret", func(*http.Request) string { return "body={\"client_secret\":\"" + escaped + "\"}" }, escaped[:12]},
	} {
		for _, pad := range []int{440, 460, 470, 480, 490} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", strings.Repeat("r", 100)+tc.echo(r))
				writeError(w, 400, strings.Repeat("x", pad)+" "+tc.echo(r), "")
			}))
			c, _ := newTestClient(t, srv)
			_, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{
				ConnectorKey: "zoominfo", Name: "n", AuthenticationConfigKey: "a", ClientID: "cid", ClientSecret: secret,
			})
			srv.Close()
			if err == nil {
				t.Fatalf("%s, pad %d: want an error", tc.name, pad)
			}
			if strings.Contains(err.Error(), tc.leak) {
				t.Fatalf("%s, pad %d: the error keeps the first part of the secret (%q): %v", tc.name, pad, tc.leak, err)
			}
		}
	}
}

// TestSecretsAreRedactedInEveryEchoedForm: a server that echoes the request
// body re-encodes it in its own JSON style; the client secret must not come
// back in any of the usual ones.
func TestSecretsAreRedactedInEveryEchoedForm(t *testing.T) {
	styles := map[string]func(v any) string{
		"Go, HTML escaped": func(v any) string { b, _ := json.Marshal(v); return string(b) },
		"no HTML escaping (Node, Java)": func(v any) string {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(v)
			return strings.TrimSpace(b.String())
		},
		"ASCII only (Python)": func(v any) string {
			b, _ := json.Marshal(v)
			return asciiEscaped(string(b), "%04x")
		},
		"slashes escaped (PHP)": func(v any) string {
			b, _ := json.Marshal(v)
			return strings.ReplaceAll(string(b), "/", `\/`)
		},
	}
	for _, secret := range []string{`Zx9-client"secret&0123456789abcdef`, "Zx9/secrét-0123456789abcdef", "Zx9-secret-😀-0123456789abcdef"} {
		for name, encode := range styles {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var body map[string]any
				_ = json.NewDecoder(r.Body).Decode(&body)
				writeError(w, 400, "invalid body: "+encode(body), "")
			}))
			c, log := newTestClient(t, srv)
			primeEmptyList(c, "zoominfo")
			_, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{
				ConnectorKey: "zoominfo", Name: "n", AuthenticationConfigKey: "a", ClientID: "cid", ClientSecret: secret,
			})
			srv.Close()
			if err == nil || strings.Contains(err.Error(), "0123456789abcdef") || !strings.Contains(err.Error(), "[redacted]") {
				t.Fatalf("%s, secret %q: error keeps the secret: %v", name, secret, err)
			}
			for _, l := range log.all() {
				if strings.Contains(fmt.Sprint(l), "0123456789abcdef") {
					t.Fatalf("%s: log keeps the secret: %v", name, l)
				}
			}
		}
	}
}

// TestSecretsAreRedactedFromTheLastAnswer: a call that ends while waiting to
// retry reports the last answer's request id, which a server may have
// filled with the echoed request.
func TestSecretsAreRedactedFromTheLastAnswer(t *testing.T) {
	const secret = "Zx9-client-secret-0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Request-Id", "echo:"+string(b))
		w.Header().Set("Retry-After", "5")
		writeError(w, 503, "busy", "")
	}))
	defer srv.Close()
	c, log := newTestClient(t, srv, func(cfg *Config) { cfg.RetryWaitMax = 10 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", Name: "n", AuthenticationConfigKey: "a", ClientID: "cid", ClientSecret: secret,
	})
	if err == nil || !strings.Contains(err.Error(), "request id echo:") || strings.Contains(err.Error(), "0123456789") {
		t.Fatalf("want the last answer's request id without the secret, got %v", err)
	}
	for _, l := range log.all() {
		if strings.Contains(fmt.Sprint(l), "0123456789") {
			t.Fatalf("log keeps the secret: %v", l)
		}
	}
}

// asciiEscaped writes every non-ASCII rune of s as JSON \u escapes
// (UTF-16, so a rune beyond the BMP is a surrogate pair), as Python's
// json.dumps does.
func asciiEscaped(s, hexFormat string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		for _, unit := range utf16.Encode([]rune{r}) {
			b.WriteString(`\u` + fmt.Sprintf(hexFormat, unit))
		}
	}
	return b.String()
}
