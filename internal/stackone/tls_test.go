package stackone

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestTLSFailuresAreNotRetried: an https base URL pointing at a server that
// does not speak TLS, or whose certificate is not trusted, fails on the
// first attempt with a message that says so: the next attempt would get
// the same answer.
func TestTLSFailuresAreNotRetried(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"data": []any{}})
	}))
	defer plain.Close()
	untrusted := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"data": []any{}})
	}))
	defer untrusted.Close()
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0)
	// A server that speaks first, and not TLS.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(conn, "SSH-2.0-OpenSSH_9.6\r\n")
			conn.Close()
		}
	}()
	notHTTP := ln.Addr().String()

	for _, tc := range []struct {
		name, url, want string
	}{
		{"plain HTTP", "https://" + strings.TrimPrefix(plain.URL, "http://"), "does not speak TLS (it answered the TLS handshake in plain HTTP)"},
		{"not HTTP at all", "https://" + notHTTP, "does not speak TLS (its first answer is not a TLS record)"},
		{"untrusted certificate", untrusted.URL, "the TLS certificate of the server at"},
	} {
		host := strings.TrimPrefix(tc.url, "https://")
		srv := &httptest.Server{URL: tc.url}
		c, rec := newTestClient(t, srv)
		_, err := c.ListConnectorProfiles(context.Background(), ListConnectorProfilesOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), host) {
			t.Errorf("%s: want %q naming %s, got %v", tc.name, tc.want, host, err)
		}
		if n := len(rec.all()); n != 1 {
			t.Errorf("%s: %d attempts, want 1", tc.name, n)
		}
		if strings.Contains(err.Error(), "page_size") {
			t.Errorf("%s: the error quotes the query: %v", tc.name, err)
		}
	}
}
