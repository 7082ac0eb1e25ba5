package stackone

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
)

// The client's limiter tested against the sandbox's own sliding-window
// limiter, with time scaled 60×: the sandbox's clock runs a minute per real
// second and the client's window is a second, so "N per minute" takes a
// second per window. Retries are off, so a 429 fails the call.

// scaledSandbox starts a sandbox enforcing perMinute on a clock 60× real
// time, counting its non-2xx answers.
func scaledSandbox(t *testing.T, perMinute int) (*sandbox.Sandbox, *atomic.Int64) {
	t.Helper()
	realStart := time.Now()
	virtualStart := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var refused atomic.Int64
	sb, err := sandbox.Start(sandbox.Options{
		RateLimit: perMinute,
		Now:       func() time.Time { return virtualStart.Add(60 * time.Since(realStart)) },
		Logf: func(_ string, args ...any) {
			if len(args) == 4 {
				if st, ok := args[2].(string); ok && st != "200" {
					refused.Add(1)
				}
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return sb, &refused
}

// windowClient is a client of sb, no retries, whose limiter allows
// perWindow requests per real second (a virtual minute of sb's clock).
func windowClient(t *testing.T, sb *sandbox.Sandbox, perWindow int) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: sb.BaseURL(), APIKey: sb.APIKey(), MaxRetries: retries(0), RequestTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c.httpClient.Transport.(*attemptTransport).limiter = newRequestWindow(perWindow, time.Second)
	return c
}

// callConcurrently makes n list requests (one page each: the sandbox holds
// no profiles), parallelism at a time as Terraform does, and returns how
// long they took.
func callConcurrently(t *testing.T, c *Client, n, parallelism int) time.Duration {
	t.Helper()
	var (
		wg   sync.WaitGroup
		next atomic.Int64
		mu   sync.Mutex
		errs []error
	)
	start := time.Now()
	for range parallelism {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if _, err := c.ListConnectorProfiles(context.Background(), ListConnectorProfilesOptions{ConnectorKey: "zoominfo"}); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("%d of %d calls failed: %v", len(errs), n, errs[0])
	}
	return elapsed
}

// runAgainstSandbox makes n requests, ten at a time, through a client whose
// window allows perWindow, against a sandbox enforcing the same per
// (virtual) minute; it fails the test on any 429 and returns the time taken.
func runAgainstSandbox(t *testing.T, perWindow, n int) time.Duration {
	t.Helper()
	sb, refused := scaledSandbox(t, perWindow)
	elapsed := callConcurrently(t, windowClient(t, sb, perWindow), n, 10)
	if r := refused.Load(); r != 0 {
		t.Fatalf("the sandbox refused %d requests", r)
	}
	if total := sb.Stats().Total; total != n {
		t.Errorf("the sandbox saw %d requests, want %d", total, n)
	}
	return elapsed
}

// TestRequestWindowNoRateLimitAnswerForABurstBeyondTheLimit: 100 requests at
// once against a limit of 40 per window are all answered without a 429, and
// take the two windows they must (38 per window in one process: three
// batches), not more.
func TestRequestWindowNoRateLimitAnswerForABurstBeyondTheLimit(t *testing.T) {
	elapsed := runAgainstSandbox(t, 40, 100)
	// The upper bound is a whole window's margin: a third window would take
	// at least 3s, and a loaded machine must not fail the test short of it.
	if elapsed < 2*time.Second || elapsed >= 3*time.Second {
		t.Errorf("100 requests at 38 per window took %s: want 2 windows (2s) and not a third", elapsed)
	}
}

// TestRequestWindowApplyOfTheLimitTakesOneWindow: an apply-like sequence of
// limit requests (plus the two catalog reads an apply makes), ten at a
// time, takes one window: most go at once, the share kept for other
// processes waits for the window to move, and nothing is refused.
func TestRequestWindowApplyOfTheLimitTakesOneWindow(t *testing.T) {
	elapsed := runAgainstSandbox(t, 100, 102)
	// A second window would take at least 2s; below that, the time is the
	// machine's, not the limiter's.
	if elapsed < time.Second || elapsed >= 2*time.Second {
		t.Errorf("102 requests at a limit of 100 per window took %s: want one window (1s), not two", elapsed)
	}
}

// TestRequestWindowDoesNotIdle: the first limit requests go without waiting.
func TestRequestWindowDoesNotIdle(t *testing.T) {
	w := newRequestWindow(1000, time.Minute)
	start := time.Now()
	for range w.limit {
		release, err := w.acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("%d requests within the limit took %s", w.limit, el)
	}
	if w.limit != 950 {
		t.Errorf("limit %d for 1000/min, want 950 (5%% kept for the command's other processes)", w.limit)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := w.acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("request beyond the limit: %v, want to wait (context.DeadlineExceeded)", err)
	}
}

// TestRateLimitCountsRetries: retries take slots like first attempts.
func TestRateLimitCountsRetries(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.inc() == 2 {
			writeError(w, 503, "retry me", "")
			return
		}
		writeJSON(w, 200, map[string]any{"id": "p"})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	// 3 requests per 300ms window.
	c.httpClient.Transport.(*attemptTransport).limiter = newRequestWindow(3, 300*time.Millisecond)
	start := time.Now()
	for range 3 {
		if _, err := c.GetAccount(context.Background(), "p"); err != nil {
			t.Fatal(err)
		}
	}
	// 4 attempts (one retry): the 4th waits for the window.
	if n, el := hits.get(), time.Since(start); n != 4 || el < 300*time.Millisecond {
		t.Errorf("%d attempts in %s: want 4, the last after the 300ms window", n, el)
	}
}
