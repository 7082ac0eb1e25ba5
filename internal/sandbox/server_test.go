package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/testclock"
)

func TestAuthAndUserAgent(t *testing.T) {
	s := startSandbox(t, Options{APIKey: "v1.sandbox.fixed"})
	c := newClient(t, s)
	if s.APIKey() != "v1.sandbox.fixed" {
		t.Fatalf("APIKey() = %q", s.APIKey())
	}
	for name, opt := range map[string]reqOpt{
		"no credentials": noAuth(),
		"wrong key":      basic("v1.sandbox.wrong", ""),
		"password set":   basic("v1.sandbox.fixed", "x"),
		"bearer":         bearer("v1.sandbox.fixed"),
	} {
		r := c.mustStatus(http.StatusUnauthorized, http.MethodGet, "/connector_profiles", nil, opt)
		if e := r.apiErr(t); e.ErrorCode != "Unauthorized" {
			t.Errorf("%s: errorCode %q", name, e.ErrorCode)
		}
	}
	r := c.mustStatus(http.StatusForbidden, http.MethodGet, "/connector_profiles", nil, noUserAgent())
	if e := r.apiErr(t); !strings.Contains(e.Message, "User-Agent") {
		t.Errorf("403 message %q", e.Message)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles", nil)
}

func TestGeneratedCredentials(t *testing.T) {
	a := startSandbox(t, Options{})
	b := startSandbox(t, Options{})
	if !strings.HasPrefix(a.APIKey(), "v1.sandbox.") || a.APIKey() == b.APIKey() || a.AdminToken() == b.AdminToken() || len(a.AdminToken()) < 32 {
		t.Fatalf("generated credentials: %q %q / %q %q", a.APIKey(), b.APIKey(), a.AdminToken(), b.AdminToken())
	}
	if a.BaseURL() == a.AuthzURL() || !strings.HasPrefix(a.BaseURL(), "http://127.0.0.1:") {
		t.Fatalf("URLs %q %q", a.BaseURL(), a.AuthzURL())
	}
}

func TestRoutingErrors(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/nope"}, {http.MethodGet, "/connector_profiles/"}, {http.MethodGet, "/connector_profiles/a/b"},
		{http.MethodGet, "/"}, {http.MethodPut, "/connector_profiles/x"}, {http.MethodDelete, "/actions"},
		// Published nowhere, so served in no mode.
		{http.MethodGet, "/connector_profiles/x"},
	} {
		r := c.mustStatus(http.StatusNotFound, tc.method, tc.path, nil)
		e := r.apiErr(t)
		if want := "Cannot " + tc.method + " " + tc.path; e.Message != want || e.ErrorCode != "" {
			t.Errorf("%s %s: %+v, want message %q and no errorCode", tc.method, tc.path, e, want)
		}
		if r.header.Get("Allow") != "" {
			t.Errorf("%s %s: a 404 with Allow %q", tc.method, tc.path, r.header.Get("Allow"))
		}
	}
	c.mustStatus(http.StatusRequestEntityTooLarge, http.MethodPost, "/connector_profiles", `{"name":"`+strings.Repeat("x", 2<<20)+`"}`)
}

func TestStatsAndReset(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	p := c.create(zoomInfoBody("a"))
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles", nil)
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles/"+p.ID+"/versions", nil)
	c.mustStatus(http.StatusOK, http.MethodPut, "/connector_profiles/"+p.ID+"/pinned_version", map[string]any{"pinned_version": "1.4.0"})
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/connector_profiles/missing/versions", nil)
	c.mustStatus(http.StatusOK, http.MethodGet, "/actions", nil)
	c.mustStatus(http.StatusUnauthorized, http.MethodGet, "/actions", nil, noAuth())
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/elsewhere", nil)
	c.mustStatus(http.StatusNotFound, http.MethodPost, "/accounts", nil)
	c.create(zoomInfoBody("b"), header("Idempotency-Key", "k"))
	admin := bearer(s.AdminToken())
	c.mustStatus(http.StatusCreated, http.MethodPost, "/admin/connector_profiles", zoomInfoBody("dash"), admin)

	// Admin endpoints need the bearer token; only the dashboard stand-in is
	// counted.
	c.mustStatus(http.StatusUnauthorized, http.MethodGet, "/admin/stats", nil)
	c.mustStatus(http.StatusUnauthorized, http.MethodGet, "/admin/stats", nil, bearer("wrong"))
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/admin/nothing", nil, admin)
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/admin/reset", nil, admin)
	var st Stats
	c.mustStatus(http.StatusOK, http.MethodGet, "/admin/stats", nil, admin).json(t, &st)
	want := map[string]int{
		"POST /connector_profiles":                    2,
		"GET /connector_profiles":                     1,
		"GET /connector_profiles/{id}/versions":       2,
		"PUT /connector_profiles/{id}/pinned_version": 1,
		"GET /actions":                                2,
		"GET *":                                       1,
		"POST /accounts":                              1,
		"POST /admin/connector_profiles":              1,
	}
	if st.Total != 11 || fmt.Sprint(st.Requests) != fmt.Sprint(want) {
		t.Fatalf("stats = %+v, want total 11 and %v", st, want)
	}
	if fmt.Sprint(s.Stats()) != fmt.Sprint(st) {
		t.Errorf("Stats() = %+v, HTTP = %+v", s.Stats(), st)
	}

	c.mustStatus(http.StatusNoContent, http.MethodPost, "/admin/reset", nil, admin)
	if len(s.Profiles()) != 0 || s.Stats().Total != 0 || len(s.Stats().Requests) != 0 {
		t.Fatalf("after reset: %d profiles, stats %+v", len(s.Profiles()), s.Stats())
	}
	if _, ok := s.PinnedVersion(p.ID); ok {
		t.Error("a pinned version survives a reset")
	}
	// The idempotency key is forgotten too: the same key now creates anew.
	again := c.create(zoomInfoBody("b"), header("Idempotency-Key", "k"))
	if _, ok := s.Profile(again.ID); !ok || len(s.Profiles()) != 1 {
		t.Errorf("create after reset did not create")
	}
}

// TestStatsCountReadsByID: a client that reads a profile by id is seen, in
// both modes, although the read answers 404.
func TestStatsCountReadsByID(t *testing.T) {
	for _, mode := range []APIMode{APIExtended, APIPublished} {
		s := startSandbox(t, Options{API: mode})
		c := newClient(t, s)
		c.mustStatus(http.StatusNotFound, http.MethodGet, "/connector_profiles/some-id", nil)
		c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles", nil)
		if got := s.Stats().Requests["GET /connector_profiles/{id}"]; got != 1 {
			t.Errorf("%s: GET /connector_profiles/{id} counted %d times, want 1", mode, got)
		}
	}
}

// forceFault makes every non-admin request hit one kind of fault.
func forceFault(s *Sandbox, kind faultKind) {
	s.cfgMu.Lock()
	s.pickFault = func() faultKind { return kind }
	s.cfgMu.Unlock()
	s.SetFaultRate(1)
}

func TestFaultDroppedAfterCommit(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	// A fresh connection per request: otherwise the transport may silently
	// resend an idempotent request after the drop and hide what happened.
	c.http.Transport = &http.Transport{DisableKeepAlives: true}
	forceFault(s, faultDrop)

	_, err := c.send(http.MethodPost, "/connector_profiles", zoomInfoBody("dropped"), header("Idempotency-Key", "drop-1"))
	if err == nil {
		t.Fatal("the response arrived; want the connection dropped")
	}
	profiles := s.Profiles()
	if len(profiles) != 1 || profiles[0].Name != "dropped" {
		t.Fatalf("the dropped create was not committed: %+v", profiles)
	}

	// The client's retry with the same key gets the committed profile.
	s.SetFaultRate(0)
	var p wireProfile
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connector_profiles", zoomInfoBody("dropped"), header("Idempotency-Key", "drop-1")).json(t, &p)
	if p.ID != profiles[0].ID || len(s.Profiles()) != 1 {
		t.Fatalf("retry got %s, stored %d profiles (first id %s)", p.ID, len(s.Profiles()), profiles[0].ID)
	}
}

func TestFaultsBeforeWork(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)

	forceFault(s, faultError)
	for range 10 {
		r := c.do(http.MethodPost, "/connector_profiles", zoomInfoBody("x"))
		if r.status != http.StatusInternalServerError && r.status != http.StatusServiceUnavailable {
			t.Fatalf("status %d under an error fault", r.status)
		}
		r.apiErr(t)
	}
	forceFault(s, faultThrottle)
	r := c.mustStatus(http.StatusTooManyRequests, http.MethodPost, "/connector_profiles", zoomInfoBody("x"))
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	r.apiErr(t)
	// Admin endpoints are exempt.
	c.mustStatus(http.StatusOK, http.MethodGet, "/admin/stats", nil, bearer(s.AdminToken()))
	if n := len(s.Profiles()); n != 0 {
		t.Fatalf("%d profiles created by requests that failed before doing anything", n)
	}
}

func TestFaultRateMix(t *testing.T) {
	s := startSandbox(t, Options{FaultRate: 0.5})
	c := newClient(t, s)
	c.http.Transport = &http.Transport{DisableKeepAlives: true}
	statuses := map[int]int{}
	drops := 0
	for range 200 {
		r, err := c.send(http.MethodGet, "/actions", nil)
		if err != nil {
			drops++
			continue
		}
		statuses[r.status]++
	}
	// Chance: each outcome below has probability far above 1e-6 of appearing.
	if statuses[200] < 50 || drops == 0 || statuses[429] == 0 || statuses[500]+statuses[503] == 0 {
		t.Errorf("fault mix over 200 requests: %v, %d dropped", statuses, drops)
	}
	if _, err := Start(Options{FaultRate: 1.5}); err == nil {
		t.Error("Start accepted a fault rate of 1.5")
	}
}

func TestRateLimit(t *testing.T) {
	clk := testclock.New(time.Now())
	s := startSandbox(t, Options{RateLimit: 3, Now: clk.Now})
	c := newClient(t, s)
	for range 3 {
		c.mustStatus(http.StatusOK, http.MethodGet, "/actions", nil)
	}
	r := c.mustStatus(http.StatusTooManyRequests, http.MethodGet, "/actions", nil)
	if r.header.Get("Retry-After") != "60" {
		t.Errorf("Retry-After = %q, want 60 (the window of requests made at one instant)", r.header.Get("Retry-After"))
	}
	if e := r.apiErr(t); e.ErrorCode != "TooManyRequests" {
		t.Errorf("errorCode %q", e.ErrorCode)
	}
	// Honouring Retry-After is enough.
	clk.Advance(60 * time.Second)
	c.mustStatus(http.StatusOK, http.MethodGet, "/actions", nil)
	// Admin endpoints are exempt; Reset empties the window.
	c.mustStatus(http.StatusOK, http.MethodGet, "/admin/stats", nil, bearer(s.AdminToken()))
	s.Reset()
	for range 3 {
		c.mustStatus(http.StatusOK, http.MethodGet, "/actions", nil)
	}
	s.SetRateLimit(0)
	for range 10 {
		c.mustStatus(http.StatusOK, http.MethodGet, "/actions", nil)
	}
}

func TestRateLimiterSlidingWindow(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newRateLimiter(3, func() time.Time { return now })
	step := func(d time.Duration) { now = now.Add(d) }
	allow := func(want bool, wantWait int) {
		t.Helper()
		ok, wait := l.allow("k")
		if ok != want || wait != wantWait {
			t.Fatalf("at +%v: ok=%v wait=%d, want ok=%v wait=%d", now.Sub(time.Unix(1000, 0)), ok, wait, want, wantWait)
		}
	}
	allow(true, 0) // +0
	step(10 * time.Second)
	allow(true, 0) // +10
	step(500 * time.Millisecond)
	allow(true, 0) // +10.5
	step(20 * time.Second)
	// +30.5: the oldest (+0) leaves at +60: 29.5 s, rounded up.
	allow(false, 30)
	if ok, _ := l.allow("other"); !ok {
		t.Fatal("keys share a window")
	}
	step(29 * time.Second)
	allow(false, 1) // +59.5: half a second left, rounded up to 1
	step(500 * time.Millisecond)
	allow(true, 0) // +60: the first request left exactly now
	// Now +10, +10.5 and +60 are in the window: next room at +70.
	allow(false, 10)
	step(10 * time.Second)
	allow(true, 0)
	allow(false, 1) // +70: +10.5 leaves at +70.5

	l.setLimit(1)
	allow(true, 0)
	allow(false, 60)
}

// TestRateLimitHonouredNeverRefusedTwice drives a client that sends as fast
// as it can and sleeps exactly Retry-After after each 429: whatever the
// limit and pattern, it never gets two 429s in a row, and never more than
// the limit in any 60 s.
func TestRateLimitHonouredNeverRefusedTwice(t *testing.T) {
	start := time.Unix(5000, 0)
	for _, limit := range []int{1, 7, 60, 1000} {
		now := start
		l := newRateLimiter(limit, func() time.Time { return now })
		var accepted []time.Time
		refusedLast := false
		for i := range 5 * limit {
			ok, wait := l.allow("k")
			if !ok {
				if refusedLast {
					t.Fatalf("limit %d: request %d refused twice in a row after honouring Retry-After", limit, i)
				}
				refusedLast = true
				now = now.Add(time.Duration(wait) * time.Second)
				continue
			}
			refusedLast = false
			accepted = append(accepted, now)
			// Uneven spacing: bursts and pauses.
			now = now.Add(time.Duration(i%5) * 137 * time.Millisecond)
		}
		for i := limit; i < len(accepted); i++ {
			if accepted[i].Sub(accepted[i-limit]) < time.Minute {
				t.Fatalf("limit %d: %d requests within %v", limit, limit+1, accepted[i].Sub(accepted[i-limit]))
			}
		}
	}
}

func TestSetDown(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	s.SetDown(true)
	for _, path := range []string{"/connector_profiles", "/actions"} {
		r := c.mustStatus(http.StatusServiceUnavailable, http.MethodGet, path, nil)
		r.apiErr(t)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/admin/stats", nil, bearer(s.AdminToken()))
	s.SetDown(false)
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles", nil)
}

func TestLogsCarryNoSecrets(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	s := startSandbox(t, Options{Logf: func(format string, args ...any) {
		mu.Lock()
		lines = append(lines, fmt.Sprintf(format, args...))
		mu.Unlock()
	}})
	c := newClient(t, s)
	p := c.create(zoomInfoBody("logged"))
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles/"+p.ID+"/versions?filter=x", nil)
	c.mustStatus(http.StatusOK, http.MethodGet, "/admin/stats", nil, bearer(s.AdminToken()))
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(lines, "\n")
	for _, secret := range []string{s.APIKey(), s.AdminToken(), "s3cr3t-logged", p.ID} {
		if strings.Contains(all, secret) {
			t.Errorf("log contains %q:\n%s", secret, all)
		}
	}
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "GET /connector_profiles/{id}/versions 200 ") }) {
		t.Errorf("no line for the GET:\n%s", all)
	}
}
