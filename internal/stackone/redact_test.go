package stackone

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// echoEncodings are the ways a broken server or proxy may quote a value
// back: each takes the value and returns the text that carries it.
var echoEncodings = map[string]func(s string) string{
	"raw": func(s string) string { return "client_secret=" + s + "&x=1" },
	"JSON, HTML escaped (Go)": func(s string) string {
		b, _ := json.Marshal(map[string]string{"client_secret": s})
		return string(b)
	},
	"JSON, no HTML escaping (Node)": func(s string) string {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(map[string]string{"client_secret": s})
		return strings.TrimSpace(b.String())
	},
	"JSON, \\u lower case (Python)": func(s string) string {
		b, _ := json.Marshal(map[string]string{"client_secret": s})
		return asciiEscaped(string(b), "%04x")
	},
	"JSON, \\u upper case": func(s string) string {
		b, _ := json.Marshal(map[string]string{"client_secret": s})
		return asciiEscaped(string(b), "%04X")
	},
	"JSON, every character \\u escaped": func(s string) string {
		var all strings.Builder
		for _, r := range utf16.Encode([]rune(s)) {
			fmt.Fprintf(&all, `\u%04x`, r)
		}
		return `{"client_secret":"` + all.String() + `"}`
	},
	"JSON, slashes escaped (PHP)": func(s string) string {
		b, _ := json.Marshal(map[string]string{"client_secret": s})
		return strings.ReplaceAll(string(b), "/", `\/`)
	},
	"URL query-escaped": func(s string) string {
		return "https://example.test/cb?client_secret=" + url.QueryEscape(s) + "&state=1"
	},
	"URL path-escaped": func(s string) string { return "https://example.test/secrets/" + url.PathEscape(s) + "/x" },
	"URL-encoded, lower-case hex": func(s string) string {
		return "client_secret=" + lowerHex(url.QueryEscape(s))
	},
	"URL-encoded, every byte (%XX)": func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, "%%%02X", s[i])
		}
		return "client_secret=" + b.String()
	},
	"form-encoded body": func(s string) string {
		return url.Values{"client_secret": {s}, "name": {"a b"}}.Encode()
	},
	"base64 std":     func(s string) string { return "secret: " + base64.StdEncoding.EncodeToString([]byte(s)) },
	"base64 std raw": func(s string) string { return "secret: " + base64.RawStdEncoding.EncodeToString([]byte(s)) },
	"base64 URL":     func(s string) string { return "secret: " + base64.URLEncoding.EncodeToString([]byte(s)) },
	"base64 URL raw": func(s string) string { return "secret: " + base64.RawURLEncoding.EncodeToString([]byte(s)) },
	"base64 of the body": func(s string) string {
		return "body=" + base64.StdEncoding.EncodeToString([]byte(`{"name":"n","client_secret":"`+s+`","x":1}`))
	},
	"base64 of a form body": func(s string) string {
		return "body: " + base64.URLEncoding.EncodeToString([]byte(url.Values{"a": {"1"}, "client_secret": {s}}.Encode()))
	},
}

func lowerHex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			b.WriteString("%" + strings.ToLower(s[i+1:i+3]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// redactionSecrets: long with every awkward character, short (under 8
// characters, once shown in clear), a single character.
var redactionSecrets = []string{
	`Zx9/se cr+t$&="é😀<tail>-0123`,
	"p/ $+é",
	"Q",
}

// TestRedactionRule_everyEncoding: a server that quotes the client secret,
// the API key or its Basic credential back in any of the encodings the
// SECURITY.md names, in an error message or a request id, gets neither into the
// error nor into the log.
func TestRedactionRule_everyEncoding(t *testing.T) {
	cred := base64.StdEncoding.EncodeToString([]byte(testAPIKey + ":"))
	for _, secret := range redactionSecrets {
		for name, encode := range echoEncodings {
			for _, where := range []string{"message", "request id"} {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					var body struct {
						ClientSecret string `json:"client_secret"`
					}
					_ = json.NewDecoder(r.Body).Decode(&body)
					user, _, _ := r.BasicAuth()
					echo := encode(body.ClientSecret) + " key " + encode(user) + " auth " + r.Header.Get("Authorization")
					if where == "request id" {
						w.Header().Set("X-Request-Id", echo)
						writeError(w, 400, "refused", "")
						return
					}
					writeError(w, 400, "refused: "+echo, "")
				}))
				c, log := newTestClient(t, srv)
				_, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{
					ConnectorKey: "zoominfo", Name: "n", AuthenticationConfigKey: "a", ClientID: "cid", ClientSecret: secret,
				})
				srv.Close()
				if err == nil {
					t.Fatalf("%s in %s: want an error", name, where)
				}
				texts := []string{err.Error()}
				for _, l := range log.all() {
					texts = append(texts, fmt.Sprint(l))
				}
				for _, text := range texts {
					for what, v := range map[string]string{
						"client secret": encode(secret), "API key": encode(testAPIKey), "raw API key": testAPIKey, "Basic credential": cred,
					} {
						// The encoded value without the text around it.
						v = strings.TrimPrefix(strings.TrimPrefix(v, encode("")), "client_secret=")
						if strings.Contains(text, v) {
							t.Errorf("secret %q, %s in %s: the %s shows: %s", secret, name, where, what, text)
						}
					}
				}
				if where == "message" && !strings.Contains(err.Error(), "[redacted]") {
					t.Errorf("secret %q, %s: nothing was redacted: %v", secret, name, err)
				}
			}
		}
	}
}

// TestRedactionRule_directForms checks the redactor itself on each
// encoding, with the exact result, so that a form that slips through, or
// a rule that eats the text around it, shows.
func TestRedactionRule_directForms(t *testing.T) {
	for _, secret := range redactionSecrets {
		redact := newRedactor(secret)
		for name, encode := range echoEncodings {
			text := encode(secret)
			got := redact(text)
			if !strings.Contains(got, redactedMark) {
				t.Errorf("secret %q, %s: %q was not redacted", secret, name, text)
				continue
			}
			if decoded := decodedForms(got); strings.Contains(decoded, secret) {
				t.Errorf("secret %q, %s: the result still holds it: %q", secret, name, got)
			}
		}
	}
}

// decodedForms undoes URL and JSON escaping, to look for a secret left in
// any of them.
func decodedForms(s string) string {
	out := s
	if u, err := url.QueryUnescape(s); err == nil {
		out += " " + u
	}
	var js string
	if json.Unmarshal([]byte(`"`+strings.ReplaceAll(s, `"`, `\"`)+`"`), &js) == nil {
		out += " " + js
	}
	return out
}

// TestRedactionRule_wholeTokens pins where the rule stops: a short secret
// inside a longer word is left alone (masking every "Q" would garble the
// text), a secret of 8 characters or more is masked anywhere, and nothing
// else is touched.
func TestRedactionRule_wholeTokens(t *testing.T) {
	for _, tc := range []struct{ secret, in, want string }{
		{"Q", "Quota exceeded for Q.", "Quota exceeded for [redacted]."},
		{"ab1", "cab12 ab1 xab1", "cab12 [redacted] xab1"},
		{"ab1", `{"s":"ab1"}`, `{"s":"[redacted]"}`},
		{"ab1", "s=ab1&t=2", "s=[redacted]&t=2"},
		{"ab1", "s%3Dab1%26", "s%3D[redacted]%26"},
		{"ab1", `"\nab1"`, `"\n[redacted]"`},
		{"ab 1", "s=ab+1", "s=[redacted]"},
		{"longsecret-1", "xxlongsecret-1yy", "xx[redacted]yy"},
		{"longsecret-1", "no secret here", "no secret here"},
		{"Q", "bad request: nothing to see", "bad request: nothing to see"},
	} {
		if got := newRedactor(tc.secret)(tc.in); got != tc.want {
			t.Errorf("secret %q in %q: got %q, want %q", tc.secret, tc.in, got, tc.want)
		}
	}
}

// TestTransportErrorIsRedacted: a transport error that quotes what the
// server sent (a malformed status line echoing the request) passes through
// the redactor, and the URL it quotes has no query.
func TestTransportErrorIsRedacted(t *testing.T) {
	const secret = "s3"
	ln := rawServer(t, func(req string) string {
		// A status line made of the request body: not HTTP, so net/http
		// quotes it in its error.
		i := strings.Index(req, "\r\n\r\n")
		return "HTTP/1.1 " + url.QueryEscape(req[i+4:]) + "\r\n\r\n"
	})
	c, log := newTestClient(t, &httptest.Server{URL: "http://" + ln}, func(cfg *Config) { cfg.MaxRetries = retries(0) })
	primeEmptyList(c, "zoominfo")
	_, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", Name: "n", AuthenticationConfigKey: "a", ClientID: "cid", ClientSecret: secret,
	})
	if err == nil {
		t.Fatal("want an error")
	}
	texts := []string{err.Error()}
	for _, l := range log.all() {
		texts = append(texts, fmt.Sprint(l))
	}
	for _, text := range texts {
		if strings.Contains(text, "%22"+secret+"%22") || strings.Contains(text, `"`+secret+`"`) {
			t.Errorf("the secret shows: %s", text)
		}
	}
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("want the echoed secret redacted, got %v", err)
	}

	// A list's URL has a query; the error quotes the path only.
	_, err = c.ListConnectorProfiles(context.Background(), ListConnectorProfilesOptions{ConnectorKey: "zoominfo"})
	if err == nil || strings.Contains(err.Error(), "?") || strings.Contains(err.Error(), "page_size") {
		t.Errorf("want an error without the query, got %v", err)
	}
}

// rawServer answers every connection with reply(request) and closes it.
func rawServer(t *testing.T, reply func(req string) string) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	ln := srv.Listener
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 64<<10)
				n := 0
				for n < len(buf) {
					m, err := conn.Read(buf[n:])
					n += m
					req := string(buf[:n])
					if i := strings.Index(req, "\r\n\r\n"); i >= 0 {
						var length int
						for _, line := range strings.Split(req[:i], "\r\n") {
							if v, ok := strings.CutPrefix(strings.ToLower(line), "content-length: "); ok {
								length, _ = strconv.Atoi(strings.TrimSpace(v))
							}
						}
						if len(req) >= i+4+length {
							break
						}
					}
					if err != nil {
						break
					}
				}
				_, _ = io.WriteString(conn, reply(string(buf[:n])))
			}()
		}
	}()
	return ln.Addr().String()
}
