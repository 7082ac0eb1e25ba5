package stackone

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// sessionScript serves GET /connect_sessions/7 with the attempts in turn (a
// nil attempt: not tried yet), repeating the last one.
func sessionScript(t *testing.T, attempts ...map[string]any) (*Client, func() int) {
	t.Helper()
	var mu sync.Mutex
	reads := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/connect_sessions/7" {
			writeError(w, 404, "Cannot "+r.Method+" "+r.URL.Path, "")
			return
		}
		mu.Lock()
		a := attempts[min(reads, len(attempts)-1)]
		reads++
		mu.Unlock()
		body := map[string]any{"id": 7, "origin_owner_id": "o", "origin_owner_name": "Org", "created_at": "2026-11-29T10:00:00Z", "latest_connection_attempt": nil}
		if a != nil {
			body["latest_connection_attempt"] = a
		}
		writeJSON(w, 200, body)
	}))
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, srv)
	return c, func() int { mu.Lock(); defer mu.Unlock(); return reads }
}

func attempt(status, code, desc, account string) map[string]any {
	a := map[string]any{"id": "a-1", "status": status, "oauth_error_code": nil, "oauth_error_description": nil, "account_secure_id": nil}
	if code != "" {
		a["oauth_error_code"] = code
	}
	if desc != "" {
		a["oauth_error_description"] = desc
	}
	if account != "" {
		a["account_secure_id"] = account
	}
	return a
}

// fast polls without pauses worth waiting for; the deadline only stops a
// wait that would otherwise never end.
func fast(onChange func(*ConnectionAttempt)) AwaitOptions {
	return AwaitOptions{Until: time.Now().Add(20 * time.Second), FirstPoll: time.Millisecond, MaxPoll: 2 * time.Millisecond, OnChange: onChange}
}

func TestAwaitConnectSession_linked(t *testing.T) {
	c, reads := sessionScript(t, nil, nil, attempt("pending", "", "", ""), attempt("pending", "", "", ""), attempt("authenticated", "", "", "acc-9"))
	var seen []string
	a, err := c.AwaitConnectSession(context.Background(), "7", fast(func(a *ConnectionAttempt) {
		if a == nil {
			seen = append(seen, "none")
		} else {
			seen = append(seen, a.Status)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != AttemptAuthenticated || a.AccountSecureID != "acc-9" {
		t.Errorf("attempt = %+v, want authenticated with acc-9", a)
	}
	if got := strings.Join(seen, ","); got != "pending,authenticated" {
		t.Errorf("OnChange saw %s, want each change once: pending,authenticated", got)
	}
	if reads() != 5 {
		t.Errorf("%d reads, want 5 (one per answer, none after the outcome)", reads())
	}
}

func TestAwaitConnectSession_failedAttemptEndsTheWait(t *testing.T) {
	for _, status := range []string{AttemptError, AttemptCancelled} {
		c, _ := sessionScript(t, attempt("pending", "", "", ""), attempt(status, "invalid_scope", "scope not registered", ""))
		a, err := c.AwaitConnectSession(context.Background(), "7", fast(nil))
		if err != nil {
			t.Fatalf("%s: %v", status, err)
		}
		if a.Status != status || a.OAuthErrorCode != "invalid_scope" || a.OAuthErrorDescription != "scope not registered" {
			t.Errorf("%s: attempt = %+v", status, a)
		}
	}
}

func TestAwaitConnectSession_authenticatedWithoutAccount(t *testing.T) {
	c, _ := sessionScript(t, attempt("authenticated", "", "", ""))
	if _, err := c.AwaitConnectSession(context.Background(), "7", fast(nil)); err == nil || !strings.Contains(err.Error(), "names no linked account") {
		t.Fatalf("want an error naming the missing account, got %v", err)
	}
}

func TestAwaitConnectSession_deadline(t *testing.T) {
	c, reads := sessionScript(t, attempt("pending", "", "", ""))
	opts := fast(nil)
	opts.Until = time.Now() // passed: one read, then the verdict
	a, err := c.AwaitConnectSession(context.Background(), "7", opts)
	if !errors.Is(err, ErrSessionWaitTimeout) {
		t.Fatalf("want ErrSessionWaitTimeout, got %v", err)
	}
	if a == nil || a.Status != AttemptPending {
		t.Errorf("the timeout should return the attempt last seen, got %+v", a)
	}
	if reads() != 1 {
		t.Errorf("%d reads, want 1", reads())
	}
}

func TestAwaitConnectSession_cancelled(t *testing.T) {
	c, _ := sessionScript(t, attempt("pending", "", "", ""))
	ctx, cancel := context.WithCancel(context.Background())
	opts := fast(func(*ConnectionAttempt) { cancel() }) // cancelled at the first read
	opts.FirstPoll, opts.MaxPoll = time.Hour, time.Hour
	_, err := c.AwaitConnectSession(ctx, "7", opts)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrSessionWaitTimeout) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
}

func TestAwaitConnectSession_readError(t *testing.T) {
	c, _ := sessionScript(t, nil)
	if _, err := c.AwaitConnectSession(context.Background(), "8", fast(nil)); !IsNotFound(err) {
		t.Fatalf("a session StackOne does not know: want not found, got %v", err)
	}
}
