package stackone

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const testAPIKey = "v1.eu1.test-secret-key-DO-NOT-LOG"

// newTestClient returns a fast client for srv: tiny backoff, a rate limit
// high enough not to slow tests, and a recording logger.
func newTestClient(t *testing.T, srv *httptest.Server, mods ...func(*Config)) (*Client, *recLogger) {
	t.Helper()
	log := &recLogger{}
	cfg := Config{
		BaseURL:           srv.URL,
		APIKey:            testAPIKey,
		RetryWaitMin:      time.Millisecond,
		RetryWaitMax:      5 * time.Millisecond,
		RequestsPerMinute: 60_000_000,
		RequestTimeout:    5 * time.Second,
		Logger:            log,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, log
}

// recLogger records every attempt.
type recLogger struct {
	mu   sync.Mutex
	logs []RequestLog
}

func (l *recLogger) LogRequest(_ context.Context, r RequestLog) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.logs = append(l.logs, r)
}

func (l *recLogger) all() []RequestLog {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]RequestLog(nil), l.logs...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg, code string) {
	body := map[string]any{"statusCode": status, "message": msg, "timestamp": "2024-01-15T10:30:00.000Z"}
	if code != "" {
		body["errorCode"] = code
	}
	writeJSON(w, status, body)
}

// counter counts requests safely across handler goroutines.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) inc() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

func (c *counter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
