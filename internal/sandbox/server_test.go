package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
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
	for _, path := range []string{"/nope", "/connector_profiles/", "/connector_profiles/a/b", "/"} {
		r := c.mustStatus(http.StatusNotFound, http.MethodGet, path, nil)
		if e := r.apiErr(t); e.ErrorCode != "NotFound" {
			t.Errorf("%s: errorCode %q", path, e.ErrorCode)
		}
	}
	r := c.mustStatus(http.StatusMethodNotAllowed, http.MethodPut, "/connector_profiles/x", "{}")
	if e := r.apiErr(t); e.ErrorCode != "MethodNotAllowed" || r.header.Get("Allow") != "DELETE, GET, PATCH" {
		t.Errorf("405: %+v, Allow %q", e, r.header.Get("Allow"))
	}
	c.mustStatus(http.StatusMethodNotAllowed, http.MethodDelete, "/actions", nil)
	c.mustStatus(http.StatusRequestEntityTooLarge, http.MethodPost, "/connector_profiles", `{"name":"`+strings.Repeat("x", 2<<20)+`"}`)
}

func TestStatsAndReset(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	p := c.create(zoomInfoBody("a"))
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles/"+p.ID, nil)
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles/"+p.ID, nil)
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/connector_profiles/missing", nil)
	c.mustStatus(http.StatusOK, http.MethodGet, "/actions", nil)
	c.mustStatus(http.StatusUnauthorized, http.MethodGet, "/actions", nil, noAuth())
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/elsewhere", nil)
	c.create(zoomInfoBody("b"), header("Idempotency-Key", "k"))

	// Admin endpoints need the bearer token and are never counted.
	c.mustStatus(http.StatusUnauthorized, http.MethodGet, "/admin/stats", nil)
	c.mustStatus(http.StatusUnauthorized, http.MethodGet, "/admin/stats", nil, bearer("wrong"))
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/admin/nothing", nil, bearer(s.AdminToken()))
	c.mustStatus(http.StatusMethodNotAllowed, http.MethodGet, "/admin/reset", nil, bearer(s.AdminToken()))
	var st Stats
	c.mustStatus(http.StatusOK, http.MethodGet, "/admin/stats", nil, bearer(s.AdminToken())).json(t, &st)
	want := map[string]int{
		"POST /connector_profiles":     2,
		"GET /connector_profiles/{id}": 3,
		"GET /actions":                 2,
		"GET *":                        1,
	}
	if st.Total != 8 || fmt.Sprint(st.Requests) != fmt.Sprint(want) {
		t.Fatalf("stats = %+v, want total 8 and %v", st, want)
	}
	if fmt.Sprint(s.Stats()) != fmt.Sprint(st) {
		t.Errorf("Stats() = %+v, HTTP = %+v", s.Stats(), st)
	}

	c.mustStatus(http.StatusNoContent, http.MethodPost, "/admin/reset", nil, bearer(s.AdminToken()))
	if len(s.Profiles()) != 0 || s.Stats().Total != 0 || len(s.Stats().Requests) != 0 {
		t.Fatalf("after reset: %d profiles, stats %+v", len(s.Profiles()), s.Stats())
	}
	// The idempotency key is forgotten too: the same key now creates anew.
	again := c.create(zoomInfoBody("b"), header("Idempotency-Key", "k"))
	if _, ok := s.Profile(again.ID); !ok || len(s.Profiles()) != 1 {
		t.Errorf("create after reset did not create")
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
	var p profileJSON
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
	s := startSandbox(t, Options{RateLimit: 3})
	c := newClient(t, s)
	for range 3 {
		c.mustStatus(http.StatusOK, http.MethodGet, "/actions", nil)
	}
	r := c.mustStatus(http.StatusTooManyRequests, http.MethodGet, "/actions", nil)
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 60 {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	if e := r.apiErr(t); e.ErrorCode != "TooManyRequests" {
		t.Errorf("errorCode %q", e.ErrorCode)
	}
	// Admin endpoints are exempt; Reset restores the budget.
	c.mustStatus(http.StatusOK, http.MethodGet, "/admin/stats", nil, bearer(s.AdminToken()))
	s.Reset()
	c.mustStatus(http.StatusOK, http.MethodGet, "/actions", nil)
	s.SetRateLimit(0)
	for range 10 {
		c.mustStatus(http.StatusOK, http.MethodGet, "/actions", nil)
	}
}

func TestRateLimiterRefill(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newRateLimiter(60) // one token a second
	l.now = func() time.Time { return now }
	for i := range 60 {
		if ok, _ := l.allow("k"); !ok {
			t.Fatalf("request %d refused within the burst", i)
		}
	}
	if ok, wait := l.allow("k"); ok || wait != 1 {
		t.Fatalf("61st: ok=%v wait=%d", ok, wait)
	}
	if ok, _ := l.allow("other"); !ok {
		t.Fatal("keys share a bucket")
	}
	now = now.Add(1500 * time.Millisecond)
	if ok, _ := l.allow("k"); !ok {
		t.Fatal("no token after 1.5 s at 1/s")
	}
	l.setLimit(2) // one token per 30 s
	l.allow("k")
	l.allow("k")
	if ok, wait := l.allow("k"); ok || wait != 30 {
		t.Fatalf("at 2/min: ok=%v wait=%d, want a 30 s wait", ok, wait)
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
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles/"+p.ID+"?filter=x", nil)
	c.mustStatus(http.StatusOK, http.MethodGet, "/admin/stats", nil, bearer(s.AdminToken()))
	mu.Lock()
	defer mu.Unlock()
	all := strings.Join(lines, "\n")
	for _, secret := range []string{s.APIKey(), s.AdminToken(), "s3cr3t-logged", p.ID} {
		if strings.Contains(all, secret) {
			t.Errorf("log contains %q:\n%s", secret, all)
		}
	}
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "GET /connector_profiles/{id} 200 ") }) {
		t.Errorf("no line for the GET:\n%s", all)
	}
}
