package stackone

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRetryAfterSecondsHonoured(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.inc() == 1 {
			w.Header().Set("Retry-After", "1")
			writeError(w, 429, "Too many requests", "")
			return
		}
		writeJSON(w, 200, map[string]any{"id": "p"})
	}))
	defer srv.Close()
	// Exponential backoff from 1ms would wait ~1ms: a 1s wait can only come from Retry-After.
	c, log := newTestClient(t, srv, func(c *Config) { c.RetryWaitMax = 3 * time.Second })
	start := time.Now()
	if _, err := c.GetAccount(context.Background(), "p"); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Errorf("retried after %s, want about 1s", el)
	}
	logs := log.all()
	if len(logs) != 2 || logs[0].Status != 429 || !logs[0].WillRetry || logs[0].RetryAfter != time.Second ||
		logs[1].Status != 200 || logs[1].WillRetry || logs[1].Attempt != 2 {
		t.Errorf("logs = %+v", logs)
	}
}

func TestRetryAfterHTTPDateHonouredAndCapped(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.inc() == 1 {
			w.Header().Set("Retry-After", time.Now().Add(30*time.Second).UTC().Format(http.TimeFormat))
			writeError(w, 429, "slow down", "")
			return
		}
		writeJSON(w, 200, map[string]any{"id": "p"})
	}))
	defer srv.Close()
	c, log := newTestClient(t, srv, func(c *Config) { c.RetryWaitMax = 80 * time.Millisecond })
	if _, err := c.GetAccount(context.Background(), "p"); err != nil {
		t.Fatal(err)
	}
	logs := log.all()
	if len(logs) != 2 || logs[0].RetryAfter != 80*time.Millisecond {
		t.Errorf("want the HTTP-date Retry-After capped at RetryWaitMax (80ms), logs = %+v", logs)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"2", 2 * time.Second, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"99999999999999", time.Minute, true},
		{"1.5", 0, false},
		{"soon", 0, false},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Minute, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(10 * time.Second).Format(time.RFC850), 10 * time.Second, true},
	}
	for _, tc := range cases {
		got, ok := parseRetryAfter(tc.v, now, time.Minute)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRetryDelayBackoff(t *testing.T) {
	waitMin, waitMax := 100*time.Millisecond, time.Second
	for attempt, ms := range []int64{100, 150, 225, 337, 506, 759} {
		base := time.Duration(ms) * time.Millisecond
		for i := 0; i < 20; i++ {
			d := retryDelay(waitMin, waitMax, attempt, nil, time.Now())
			hi := min2(base*5/4+time.Millisecond, waitMax)
			if d < base-time.Millisecond || d > hi {
				t.Fatalf("attempt %d: delay %s outside [%s, %s]", attempt, d, base, hi)
			}
		}
	}
	if d := retryDelay(waitMin, waitMax, 50, nil, time.Now()); d != waitMax {
		t.Errorf("large attempt: %s, want capped at %s", d, waitMax)
	}
	resp := &http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {"0"}}}
	if d := retryDelay(waitMin, waitMax, 3, resp, time.Now()); d != 0 {
		t.Errorf("Retry-After 0 gave %s", d)
	}
}

func min2(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

func TestRetryOn503AndDroppedConnectionSameIdempotencyKey(t *testing.T) {
	var mu sync.Mutex
	var keys, bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		bodies = append(bodies, string(raw))
		n := len(keys)
		mu.Unlock()
		switch n {
		case 1:
			writeError(w, 503, "unavailable", "")
		case 2:
			// The request arrived; the answer is lost.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("hijack: %v", err)
				return
			}
			_ = conn.Close()
		default:
			writeJSON(w, 201, map[string]any{"id": "p1"})
		}
	}))
	defer srv.Close()
	// No keep-alive, so the drop lands on a fresh connection and the
	// standard transport does not replay it on its own: our retry must.
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c, log := newTestClient(t, srv, func(c *Config) { c.HTTPClient = &http.Client{Transport: tr} })
	primeEmptyList(c, "")

	p, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{Name: "n", ClientSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "p1" {
		t.Errorf("id = %q", p.ID)
	}
	if len(keys) != 3 {
		t.Fatalf("server saw %d attempts, want 3", len(keys))
	}
	for i := range keys {
		if keys[i] != keys[0] || !uuidV4.MatchString(keys[i]) {
			t.Errorf("attempt %d Idempotency-Key %q, first %q", i+1, keys[i], keys[0])
		}
		if bodies[i] != bodies[0] || !strings.Contains(bodies[i], `"name":"n"`) {
			t.Errorf("attempt %d body %q differs from the first %q", i+1, bodies[i], bodies[0])
		}
	}
	logs := log.all()
	if len(logs) != 3 || logs[0].Status != 503 || !logs[0].WillRetry ||
		logs[1].Err == nil || logs[1].Status != 0 || !logs[1].WillRetry ||
		logs[2].Status != 201 || logs[2].WillRetry {
		t.Errorf("logs = %+v", logs)
	}
}

func TestRetryableStatuses(t *testing.T) {
	for _, status := range []int{408, 429, 500, 502, 503, 504} {
		var hits counter
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if hits.inc() == 1 {
				writeError(w, status, "transient", "")
				return
			}
			writeJSON(w, 200, map[string]any{"id": "p"})
		}))
		c, _ := newTestClient(t, srv)
		if _, err := c.GetAccount(context.Background(), "p"); err != nil {
			t.Errorf("%d: %v", status, err)
		}
		if n := hits.get(); n != 2 {
			t.Errorf("%d: %d attempts, want 2", status, n)
		}
		srv.Close()
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 412, 422, 501} {
		var hits counter
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.inc()
			writeError(w, status, "no", "")
		}))
		c, log := newTestClient(t, srv)
		// A 404 or 501 to the create comes back as a *WritesUnsupportedError
		// holding the answer; statusOf reads either.
		_, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{ClientSecret: "s"})
		if statusOf(err) != status {
			t.Errorf("%d: want an error with that status, got %v", status, err)
		}
		if n := hits.get(); n != 1 {
			t.Errorf("%d: %d attempts, want 1", status, n)
		}
		if logs := log.all(); len(logs) != 1 || logs[0].WillRetry || logs[0].Status != status {
			t.Errorf("%d: logs %+v", status, logs)
		}
		srv.Close()
	}
}

func TestMaxRetriesExhaustedReturnsLastAPIError(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.inc()
		w.Header().Set("X-Request-Id", fmt.Sprintf("req-%d", n))
		writeError(w, 503, fmt.Sprintf("down, attempt %d", n), "Unavailable")
	}))
	defer srv.Close()
	c, log := newTestClient(t, srv, func(c *Config) { c.MaxRetries = retries(2) })
	_, err := c.GetAccount(context.Background(), "p")
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want APIError, got %v", err)
	}
	if hits.get() != 3 || apiErr.StatusCode != 503 || apiErr.Message != "down, attempt 3" || apiErr.RequestID != "req-3" {
		t.Errorf("after %d attempts: %+v", hits.get(), apiErr)
	}
	if logs := log.all(); len(logs) != 3 || logs[2].WillRetry || !logs[1].WillRetry || logs[2].RequestID != "req-3" {
		t.Errorf("logs = %+v", logs)
	}

	// Negative MaxRetries: one attempt only.
	c, _ = newTestClient(t, srv, func(c *Config) { c.MaxRetries = retries(0) })
	before := hits.get()
	_, _ = c.GetAccount(context.Background(), "p")
	if hits.get()-before != 1 {
		t.Errorf("MaxRetries -1 made %d attempts", hits.get()-before)
	}
}

func TestRetryOnTimeoutPerAttempt(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.inc() == 1 {
			select {
			case <-time.After(2 * time.Second):
			case <-r.Context().Done():
			}
			return
		}
		writeJSON(w, 200, map[string]any{"id": "p"})
	}))
	defer srv.Close()
	c, log := newTestClient(t, srv, func(c *Config) { c.RequestTimeout = 100 * time.Millisecond })
	if _, err := c.GetAccount(context.Background(), "p"); err != nil {
		t.Fatalf("second attempt should succeed: %v", err)
	}
	logs := log.all()
	if len(logs) != 2 || logs[0].Err == nil || !strings.Contains(logs[0].Err.Error(), "request timeout") {
		t.Errorf("logs = %+v", logs)
	}
}

func TestContextCancelStopsRetryWait(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc()
		w.Header().Set("Retry-After", "60")
		writeError(w, 429, "later", "")
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv, func(c *Config) { c.RetryWaitMax = time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.GetAccount(ctx, "p")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("cancel took %s to stop the wait", el)
	}
	if hits.get() != 1 {
		t.Errorf("%d attempts after cancel", hits.get())
	}
}

func TestContextCancelStopsRateLimitWait(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc()
		writeJSON(w, 200, map[string]any{"id": "p"})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv, func(c *Config) { c.RequestsPerMinute = 1 })
	if _, err := c.GetAccount(context.Background(), "p"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.GetAccount(ctx, "p")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("cancel took %s to stop the rate-limit wait", el)
	}
	if hits.get() != 1 {
		t.Errorf("server saw %d requests, want 1", hits.get())
	}
}

// TestRateLimitWaitEndsWithTheDeadline: when the next slot lies beyond the
// caller's deadline, the call waits for the deadline and reports it as one
// (context.DeadlineExceeded), rather than failing at once with the limiter's
// own message.
func TestRateLimitWaitEndsWithTheDeadline(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc()
		writeJSON(w, 200, map[string]any{"id": "p"})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv, func(c *Config) { c.RequestsPerMinute = 1 })
	if _, err := c.GetAccount(context.Background(), "p"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.GetAccount(ctx, "p")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want context.DeadlineExceeded, got %v", err)
	}
	if ctx.Err() == nil {
		t.Fatal("the call gave up before its deadline")
	}
	if hits.get() != 1 {
		t.Errorf("server saw %d requests, want 1", hits.get())
	}
}

func TestLoggerNeverSeesAPIKey(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-"+r.Header.Get("Authorization"))
		switch hits.inc() {
		case 1:
			writeError(w, 503, "echo: "+r.Header.Get("Authorization"), "")
		case 2:
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
		case 3:
			writeJSON(w, 201, map[string]any{"id": "p"})
		default:
			// A careless server echoing the credentials back in its message.
			user, _, _ := r.BasicAuth()
			writeError(w, 401, "bad key "+user, "")
		}
	}))
	defer srv.Close()
	tr := &http.Transport{DisableKeepAlives: true}
	c, log := newTestClient(t, srv, func(c *Config) { c.HTTPClient = &http.Client{Transport: tr} })
	primeEmptyList(c, "")
	ctx := context.Background()
	if _, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{ClientSecret: "client-secret-value"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetAccount(ctx, "p")
	if err == nil {
		t.Fatal("want a 401")
	}
	for _, secret := range []string{testAPIKey, "client-secret-value"} {
		if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v", err), secret) {
			t.Errorf("error holds a secret: %v", err)
		}
	}

	logs := log.all()
	if len(logs) != 4 {
		t.Fatalf("want 4 logged attempts, got %d", len(logs))
	}
	if logs[3].Route != "/accounts/{id}" || logs[3].Path != "/accounts/p" || logs[3].Method != "GET" {
		t.Errorf("route/path not logged: %+v", logs[3])
	}
	for _, l := range logs {
		v := reflect.ValueOf(l)
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			text := fmt.Sprintf("%v %+v %#v", f.Interface(), f.Interface(), f.Interface())
			if e, ok := f.Interface().(error); ok && e != nil {
				text += e.Error()
			}
			for _, secret := range []string{testAPIKey, "client-secret-value", base64.StdEncoding.EncodeToString([]byte(testAPIKey + ":"))} {
				if strings.Contains(text, secret) {
					t.Errorf("logged field %s holds a secret: %s", v.Type().Field(i).Name, text)
				}
			}
		}
	}
}
