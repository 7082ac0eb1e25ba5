package oauthprobe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox/authserver"
)

const (
	testClientID    = "0oaf6t3osgvaPvy4E1d7"
	testRedirectURI = "https://api.stackone.com/connect/oauth2/zoominfo/callback"
)

// appScopes are registered on the test app; the server also knows others
// (authserver.DefaultScopes), which the tests use as unregistered scopes.
var appScopes = []string{"api:data:company", "api:data:contact", "offline_access"}

// env is a ZoomInfo/Okta-style authorization server on a loopback listener
// with one PKCE app, and a record of every authorization request it got.
type env struct {
	srv      *authserver.Server
	ts       *httptest.Server
	endpoint string

	mu       sync.Mutex
	queries  []url.Values
	headers  []http.Header
	inflight int
	maxIn    int
}

// newEnv starts the server. mw, if not nil, wraps the authorization server
// so a test can delay, fail or alter answers.
func newEnv(t *testing.T, mw func(next http.Handler) http.Handler) *env {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	srv := authserver.New(authserver.Config{
		Issuer: "http://" + ts.Listener.Addr().String() + "/oauth2/default",
		Users:  map[string]string{"alice@example.com": "correct horse battery staple"},
	})
	e := &env{srv: srv, ts: ts}
	var h http.Handler = srv
	if mw != nil {
		h = mw(srv)
	}
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/v1/authorize") {
			e.mu.Lock()
			e.queries = append(e.queries, r.URL.Query())
			e.headers = append(e.headers, r.Header.Clone())
			e.inflight++
			e.maxIn = max(e.maxIn, e.inflight)
			e.mu.Unlock()
			defer func() {
				e.mu.Lock()
				e.inflight--
				e.mu.Unlock()
			}()
		}
		h.ServeHTTP(w, r)
	})
	ts.Start()
	t.Cleanup(ts.Close)
	srv.PutApp(authserver.App{
		ClientID:     testClientID,
		ClientSecret: "never-sent-by-the-probe-0123456789",
		RedirectURIs: []string{testRedirectURI},
		Scopes:       appScopes,
		PKCERequired: true,
	})
	e.endpoint = srv.Metadata().AuthorizationEndpoint
	return e
}

func (e *env) request(scopes ...string) Request {
	return Request{AuthorizationEndpoint: e.endpoint, ClientID: testClientID, RedirectURI: testRedirectURI, Scopes: scopes}
}

func (e *env) recorded() ([]url.Values, []http.Header) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.queries), slices.Clone(e.headers)
}

func (e *env) maxInflight() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.maxIn
}

func probe(t *testing.T, req Request, opts Options) Result {
	t.Helper()
	res, err := Probe(context.Background(), req, opts)
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	return res
}

func wantScopes(t *testing.T, what string, got, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

func TestAllRegisteredIsOneRequest(t *testing.T) {
	e := newEnv(t, nil)
	// Unsorted and duplicated on purpose: the probe sorts and de-duplicates.
	res := probe(t, e.request("offline_access", "api:data:contact", "api:data:company", "api:data:contact"), Options{})
	if res.Outcome != OutcomeOK || res.Error != "" {
		t.Fatalf("Outcome = %q (%s: %s), want ok", res.Outcome, res.Error, res.ErrorDescription)
	}
	wantScopes(t, "Registered", res.Registered, appScopes)
	wantScopes(t, "Unregistered", res.Unregistered, nil)
	wantScopes(t, "Unknown", res.Unknown, nil)
	if got := e.srv.AuthorizeRequests(); got != 1 || res.Requests != 1 {
		t.Fatalf("server saw %d authorize requests, Result.Requests = %d; want exactly 1", got, res.Requests)
	}
	q, _ := e.recorded()
	if got := q[0].Get("scope"); got != "api:data:company api:data:contact offline_access" {
		t.Fatalf("scope parameter = %q, want the sorted, de-duplicated, space-separated scopes", got)
	}
}

func TestSomeUnregistered(t *testing.T) {
	e := newEnv(t, nil)
	scopes := []string{"api:data:news", "api:data:contact", "offline_access", "api:data:intent", "api:data:company"}
	res := probe(t, e.request(scopes...), Options{})
	if res.Outcome != OutcomeOK {
		t.Fatalf("Outcome = %q (%s: %s), want ok", res.Outcome, res.Error, res.ErrorDescription)
	}
	wantScopes(t, "Registered", res.Registered, appScopes)
	wantScopes(t, "Unregistered", res.Unregistered, []string{"api:data:intent", "api:data:news"})
	wantScopes(t, "Unknown", res.Unknown, nil)
	if got, want := e.srv.AuthorizeRequests(), 1+len(scopes); got != want || res.Requests != want {
		t.Fatalf("server saw %d authorize requests, Result.Requests = %d; want 1 + %d", got, res.Requests, len(scopes))
	}
	// After the combined request, each scope was asked for on its own.
	q, _ := e.recorded()
	var single []string
	for _, v := range q[1:] {
		single = append(single, v.Get("scope"))
	}
	slices.Sort(single)
	slices.Sort(scopes)
	wantScopes(t, "single-scope requests", single, scopes)
}

func TestSingleUnregisteredScopeNeedsOneRequest(t *testing.T) {
	e := newEnv(t, nil)
	res := probe(t, e.request("api:data:intent"), Options{})
	wantScopes(t, "Unregistered", res.Unregistered, []string{"api:data:intent"})
	wantScopes(t, "Registered", res.Registered, nil)
	if res.Outcome != OutcomeOK || e.srv.AuthorizeRequests() != 1 {
		t.Fatalf("Outcome = %q, requests = %d; want ok after 1 request", res.Outcome, e.srv.AuthorizeRequests())
	}
}

func TestNoScopesChecksClientOnly(t *testing.T) {
	e := newEnv(t, nil)
	res := probe(t, e.request(), Options{})
	if res.Outcome != OutcomeOK || res.Requests != 1 || e.srv.AuthorizeRequests() != 1 {
		t.Fatalf("Outcome = %q, Requests = %d, server saw %d; want ok after 1 request", res.Outcome, res.Requests, e.srv.AuthorizeRequests())
	}
	wantScopes(t, "Registered", res.Registered, nil)
	q, _ := e.recorded()
	if q[0].Has("scope") {
		t.Fatalf("a probe without scopes sent scope=%q", q[0].Get("scope"))
	}

	// The same request still catches a client-level problem.
	req := e.request()
	req.ClientID = "0oaDoesNotExist00001"
	if res := probe(t, req, Options{}); res.Outcome != OutcomeUnknownClient {
		t.Fatalf("Outcome = %q, want unknown_client", res.Outcome)
	}
}

func TestClientLevelProblems(t *testing.T) {
	scopes := []string{"api:data:contact", "api:data:intent"}
	tests := []struct {
		name      string
		setup     func(*env, *Request)
		outcome   Outcome
		errCode   string
		descMatch string
	}{
		{
			name:    "unknown client",
			setup:   func(_ *env, r *Request) { r.ClientID = "0oaDoesNotExist00001" },
			outcome: OutcomeUnknownClient, errCode: "invalid_client", descMatch: "'client_id'",
		},
		{
			name:    "redirect URI not registered",
			setup:   func(_ *env, r *Request) { r.RedirectURI = "https://api.stackone.com/connect/oauth2/zoominfo/callback/" },
			outcome: OutcomeRedirectURINotRegistered, errCode: "invalid_request", descMatch: "must be a Login redirect URI",
		},
		{
			name: "app without PKCE",
			setup: func(e *env, _ *Request) {
				e.srv.UpdateApp(testClientID, func(a *authserver.App) { a.PKCERequired = false })
			},
			outcome: OutcomePKCENotEnabled, errCode: "invalid_request", descMatch: "PKCE is not enabled",
		},
		{
			name: "app without the authorization code grant",
			setup: func(e *env, _ *Request) {
				e.srv.UpdateApp(testClientID, func(a *authserver.App) { a.GrantTypes = []string{authserver.GrantRefreshToken} })
			},
			outcome: OutcomeGrantNotEnabled, errCode: "unauthorized_client", descMatch: "grant type",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			req := e.request(scopes...)
			tt.setup(e, &req)
			res := probe(t, req, Options{})
			if res.Outcome != tt.outcome || res.Error != tt.errCode || !strings.Contains(res.ErrorDescription, tt.descMatch) {
				t.Fatalf("got %q / %q / %q; want %q / %q / containing %q", res.Outcome, res.Error, res.ErrorDescription, tt.outcome, tt.errCode, tt.descMatch)
			}
			// A client-level problem says nothing about scopes: no
			// per-scope round, everything unknown.
			wantScopes(t, "Unknown", res.Unknown, scopes)
			wantScopes(t, "Registered", res.Registered, nil)
			wantScopes(t, "Unregistered", res.Unregistered, nil)
			if res.Requests != 1 || e.srv.AuthorizeRequests() != 1 {
				t.Fatalf("Requests = %d, server saw %d; want 1", res.Requests, e.srv.AuthorizeRequests())
			}
		})
	}
}

func TestEveryRequestIsFreshAndPublic(t *testing.T) {
	e := newEnv(t, nil)
	scopes := []string{"api:data:contact", "api:data:intent", "api:data:news", "offline_access"}
	res := probe(t, e.request(scopes...), Options{UserAgent: "probe-test/1"})
	if res.Requests != 5 {
		t.Fatalf("Requests = %d, want 5", res.Requests)
	}
	q, h := e.recorded()
	states, challenges := map[string]bool{}, map[string]bool{}
	for i, v := range q {
		for k, want := range map[string]string{"response_type": "code", "client_id": testClientID, "redirect_uri": testRedirectURI, "code_challenge_method": "S256"} {
			if got := v[k]; len(got) != 1 || got[0] != want {
				t.Fatalf("request %d: %s = %q, want exactly %q", i, k, got, want)
			}
		}
		if err := pkce.ValidateChallenge(v.Get("code_challenge")); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		// Exactly the parameters SECURITY.md lists, nothing else.
		for k := range v {
			switch k {
			case "response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method":
			default:
				t.Fatalf("request %d sent %s, which SECURITY.md does not list", i, k)
			}
		}
		states[v.Get("state")] = true
		challenges[v.Get("code_challenge")] = true
		if h[i].Get("User-Agent") != "probe-test/1" {
			t.Fatalf("request %d: User-Agent = %q", i, h[i].Get("User-Agent"))
		}
		if h[i].Get("Authorization") != "" || h[i].Get("Cookie") != "" || h[i].Get("Referer") != "" {
			t.Fatalf("request %d carried credentials or cookies", i)
		}
	}
	if len(states) != len(q) || len(challenges) != len(q) || states[""] {
		t.Fatalf("%d requests had %d states, %d challenges; want a fresh non-empty one each", len(q), len(states), len(challenges))
	}
}

func TestKeepsNoCookiesAndLeavesCallerClientAlone(t *testing.T) {
	var gotCookie atomic.Bool
	e := newEnv(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Cookie") != "" {
				gotCookie.Store(true)
			}
			http.SetCookie(w, &http.Cookie{Name: "sid", Value: "session", Path: "/"})
			next.ServeHTTP(w, r)
		})
	})
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	caller := &http.Client{Jar: jar}
	res := probe(t, e.request("api:data:contact", "api:data:intent", "api:data:news"), Options{HTTPClient: caller, Concurrency: 1})
	if res.Requests != 4 {
		t.Fatalf("Requests = %d, want 4", res.Requests)
	}
	if gotCookie.Load() {
		t.Fatal("the probe sent back a cookie the server set")
	}
	u, _ := url.Parse(e.endpoint)
	if len(jar.Cookies(u)) != 0 {
		t.Fatal("the probe stored cookies in the caller's jar")
	}
	if caller.CheckRedirect != nil || caller.Jar != jar {
		t.Fatal("the probe modified the caller's http.Client")
	}
}

// slowAuthorize delays every authorization request so parallel requests
// overlap and the high-water mark of in-flight requests means something.
func slowAuthorize(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/v1/authorize") {
				time.Sleep(d)
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestConcurrencyBound(t *testing.T) {
	// Twelve scopes, six registered: the combined request fails, then
	// twelve single-scope requests run with a bounded number in flight.
	all := []string{
		"api:account-summary:read", "api:audience-member:manage", "api:audience-member:read", "api:audience:manage",
		"api:audience:read", "api:data:company", "api:data:contact", "api:data:intent",
		"api:data:lookup", "api:data:news", "api:data:scoops", "api:insights:read",
	}
	registered := []string{"api:audience:read", "api:data:company", "api:data:contact", "api:data:lookup", "api:data:scoops", "api:insights:read"}
	var unregistered []string
	for _, s := range all {
		if !slices.Contains(registered, s) {
			unregistered = append(unregistered, s)
		}
	}
	for _, tt := range []struct {
		concurrency, bound int
	}{{3, 3}, {0, DefaultConcurrency}} {
		t.Run(fmt.Sprintf("concurrency %d", tt.concurrency), func(t *testing.T) {
			e := newEnv(t, slowAuthorize(40*time.Millisecond))
			e.srv.UpdateApp(testClientID, func(a *authserver.App) { a.Scopes = registered })
			res := probe(t, e.request(all...), Options{Concurrency: tt.concurrency})
			wantScopes(t, "Registered", res.Registered, registered)
			wantScopes(t, "Unregistered", res.Unregistered, unregistered)
			if res.Requests != 1+len(all) {
				t.Fatalf("Requests = %d, want %d", res.Requests, 1+len(all))
			}
			m := e.maxInflight()
			if m > tt.bound {
				t.Fatalf("%d authorization requests were in flight at once, bound is %d", m, tt.bound)
			}
			if m < 2 {
				t.Fatalf("at most %d request in flight: single-scope probes did not run in parallel", m)
			}
		})
	}
}

func TestStopsOnClientProblemDuringPerScopeRound(t *testing.T) {
	// A server that refuses scopes together, accepts "a", shows an error
	// page for "b" and would accept the rest: with one request at a time
	// the probe learns "a", stops at "b" and leaves "c", "d" unknown.
	var n atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		q := r.URL.Query()
		switch sc := q.Get("scope"); {
		case strings.Contains(sc, " "):
			http.Redirect(w, r, q.Get("redirect_uri")+"?error=invalid_scope&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
		case sc == "b":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, "<html><body><p>Error Code: invalid_client</p><p>Description: Invalid value for &#x27;client_id&#x27; parameter.</p></body></html>")
		default:
			http.Redirect(w, r, "/login?tx=1", http.StatusFound)
		}
	}))
	defer ts.Close()
	res := probe(t, Request{AuthorizationEndpoint: ts.URL + "/authorize", ClientID: "c", RedirectURI: "https://app.example/cb", Scopes: []string{"d", "c", "b", "a"}}, Options{Concurrency: 1})
	wantScopes(t, "Registered", res.Registered, []string{"a"})
	wantScopes(t, "Unknown", res.Unknown, []string{"b", "c", "d"})
	if res.Outcome != OutcomeUnknownClient || res.Error != "invalid_client" || res.ErrorDescription != "Invalid value for 'client_id' parameter." {
		t.Fatalf("got %q %q %q", res.Outcome, res.Error, res.ErrorDescription)
	}
	if res.Requests != 3 || n.Load() != 3 {
		t.Fatalf("Requests = %d, server saw %d; want 3 (combined, a, b)", res.Requests, n.Load())
	}
}

func TestScopesRefusedOnlyTogether(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if strings.Contains(q.Get("scope"), " ") {
			http.Redirect(w, r, q.Get("redirect_uri")+"?error=invalid_scope", http.StatusFound)
			return
		}
		http.Redirect(w, r, "/login?tx=1", http.StatusFound)
	}))
	defer ts.Close()
	res := probe(t, Request{AuthorizationEndpoint: ts.URL + "/authorize", ClientID: "c", RedirectURI: "https://app.example/cb", Scopes: []string{"x", "y"}}, Options{})
	wantScopes(t, "Registered", res.Registered, []string{"x", "y"})
	if res.Outcome != OutcomeError || res.Error != "invalid_scope" {
		t.Fatalf("Outcome = %q, Error = %q; want error / invalid_scope", res.Outcome, res.Error)
	}
}

func TestContextCancel(t *testing.T) {
	// The combined request passes through; every single-scope request
	// hangs until the client goes away.
	started := make(chan struct{}, 16)
	var n atomic.Int32
	e := newEnv(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				next.ServeHTTP(w, r)
				return
			}
			started <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		})
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	begin := time.Now()
	res, err := Probe(ctx, e.request("api:data:contact", "api:data:intent", "api:data:news"), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(begin); d > 3*time.Second {
		t.Fatalf("Probe took %s to notice the cancel", d)
	}
	wantScopes(t, "Unknown", res.Unknown, []string{"api:data:contact", "api:data:intent", "api:data:news"})
	if res.Requests < 2 {
		t.Fatalf("Requests = %d, want the combined one and at least one more", res.Requests)
	}
}

func TestTimeout(t *testing.T) {
	var n atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer ts.Close()
	begin := time.Now()
	res, err := Probe(context.Background(), Request{AuthorizationEndpoint: ts.URL + "/authorize", ClientID: "c", RedirectURI: "https://app.example/cb", Scopes: []string{"a"}}, Options{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "within 100ms") {
		t.Fatalf("err = %v, want a timeout naming the 100ms limit", err)
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Fatalf("Probe took %s with a 100ms timeout", d)
	}
	// A timeout is not retried: that would only double the wait.
	if res.Requests != 1 || n.Load() != 1 {
		t.Fatalf("Requests = %d, server saw %d; want 1", res.Requests, n.Load())
	}
	wantScopes(t, "Unknown", res.Unknown, []string{"a"})
}

func TestServerErrorRetriedOnce(t *testing.T) {
	t.Run("transient", func(t *testing.T) {
		var n atomic.Int32
		e := newEnv(t, func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					http.Error(w, "upstream hiccup", http.StatusBadGateway)
					return
				}
				next.ServeHTTP(w, r)
			})
		})
		res := probe(t, e.request("api:data:contact"), Options{})
		if res.Outcome != OutcomeOK || res.Requests != 2 {
			t.Fatalf("Outcome = %q, Requests = %d; want ok after a retry", res.Outcome, res.Requests)
		}
		wantScopes(t, "Registered", res.Registered, []string{"api:data:contact"})
	})
	t.Run("persistent", func(t *testing.T) {
		var n atomic.Int32
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			http.Error(w, "maintenance\x1b[31m", http.StatusServiceUnavailable)
		}))
		defer ts.Close()
		res, err := Probe(context.Background(), Request{AuthorizationEndpoint: ts.URL + "/authorize", ClientID: "c", RedirectURI: "https://app.example/cb"}, Options{})
		if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "maintenance") || strings.ContainsRune(err.Error(), 0x1b) {
			t.Fatalf("err = %q, want a sanitised 503 error", err)
		}
		if res.Requests != 2 || n.Load() != 2 {
			t.Fatalf("Requests = %d, server saw %d; want 2 (one retry)", res.Requests, n.Load())
		}
	})
	t.Run("429 is not retried", func(t *testing.T) {
		var n atomic.Int32
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			http.Error(w, "slow down", http.StatusTooManyRequests)
		}))
		defer ts.Close()
		_, err := Probe(context.Background(), Request{AuthorizationEndpoint: ts.URL + "/authorize", ClientID: "c", RedirectURI: "https://app.example/cb"}, Options{})
		if err == nil || !strings.Contains(err.Error(), "429") || n.Load() != 1 {
			t.Fatalf("err = %v after %d requests; want a 429 error after 1", err, n.Load())
		}
	})
}

func TestConnectionErrorRetriedOnce(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connections are refused
	res, err := Probe(context.Background(), Request{AuthorizationEndpoint: "http://" + addr + "/authorize", ClientID: "c", RedirectURI: "https://app.example/cb", Scopes: []string{"a"}}, Options{})
	if err == nil || !strings.Contains(err.Error(), "could not reach") || !strings.Contains(err.Error(), addr) {
		t.Fatalf("err = %v, want a connection error naming %s", err, addr)
	}
	if strings.Contains(err.Error(), "client_id=") {
		t.Fatalf("error repeats the request query: %v", err)
	}
	if res.Requests != 2 {
		t.Fatalf("Requests = %d, want 2 (one retry)", res.Requests)
	}
}

func TestInvalidInput(t *testing.T) {
	good := Request{AuthorizationEndpoint: "https://okta-login.zoominfo.com/oauth2/default/v1/authorize", ClientID: testClientID, RedirectURI: testRedirectURI, Scopes: []string{"api:data:contact"}}
	tests := []struct {
		name   string
		change func(*Request)
		input  Input
		want   string
	}{
		{"plain http to a remote host", func(r *Request) {
			r.AuthorizationEndpoint = "http://okta-login.zoominfo.com/oauth2/default/v1/authorize"
		}, InputEndpoint, "use https"},
		{"plain http to a loopback-looking name", func(r *Request) { r.AuthorizationEndpoint = "http://127.0.0.1.example.com/authorize" }, InputEndpoint, "use https"},
		{"empty endpoint", func(r *Request) { r.AuthorizationEndpoint = "" }, InputEndpoint, "is empty"},
		{"relative endpoint", func(r *Request) { r.AuthorizationEndpoint = "/oauth2/default/v1/authorize" }, InputEndpoint, "not an absolute URL"},
		{"other scheme", func(r *Request) { r.AuthorizationEndpoint = "ftp://example.com/authorize" }, InputEndpoint, "use an https URL"},
		{"credentials in endpoint", func(r *Request) { r.AuthorizationEndpoint = "https://u:p@example.com/authorize" }, InputEndpoint, "credentials"},
		{"endpoint already has client_id", func(r *Request) { r.AuthorizationEndpoint = "https://example.com/authorize?client_id=x" }, InputEndpoint, `"client_id"`},
		{"blank client id", func(r *Request) { r.ClientID = "  " }, InputClientID, "is empty"},
		{"client id with a space", func(r *Request) { r.ClientID = testClientID + " " }, InputClientID, "whitespace"},
		{"empty redirect URI", func(r *Request) { r.RedirectURI = "" }, InputRedirectURI, "is empty"},
		{"relative redirect URI", func(r *Request) { r.RedirectURI = "/callback" }, InputRedirectURI, "not an absolute URI"},
		{"redirect URI with fragment", func(r *Request) { r.RedirectURI = testRedirectURI + "#x" }, InputRedirectURI, "fragment"},
		{"empty scope", func(r *Request) { r.Scopes = []string{"a", ""} }, InputScope, "empty"},
		{"scope with a space", func(r *Request) { r.Scopes = []string{"api:data:contact api:data:company"} }, InputScope, "whitespace"},
		{"scope with a quote", func(r *Request) { r.Scopes = []string{`a"b`} }, InputScope, "not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := good
			tt.change(&req)
			res, err := Probe(context.Background(), req, Options{})
			var ie *InputError
			if !errors.As(err, &ie) || ie.Input != tt.input || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an InputError on the %s containing %q", err, tt.input, tt.want)
			}
			if res.Requests != 0 {
				t.Fatal("a request was sent for invalid input")
			}
		})
	}
	for _, ok := range []string{"https://example.com/authorize", "http://localhost:8081/authorize", "http://127.0.0.2/authorize", "http://[::1]:9/authorize", "https://example.com/authorize?tenant=a"} {
		r := good
		r.AuthorizationEndpoint = ok
		if _, err := validate(r); err != nil {
			t.Errorf("validate(%s): %v", ok, err)
		}
	}
}

func TestEndpointQueryIsKept(t *testing.T) {
	e := newEnv(t, nil)
	req := e.request("api:data:contact")
	req.AuthorizationEndpoint += "?tenant=acme"
	res := probe(t, req, Options{})
	q, _ := e.recorded()
	if res.Outcome != OutcomeOK || q[0].Get("tenant") != "acme" || q[0].Get("client_id") != testClientID {
		t.Fatalf("Outcome %q, query %v", res.Outcome, q[0])
	}
}

// TestProbeWithoutPKCE: for an auth type without PKCE, the probe leaves the
// challenge out, so an app without PKCE has its scopes read rather than
// being refused as "PKCE is not enabled".
func TestProbeWithoutPKCE(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.UpdateApp(testClientID, func(a *authserver.App) { a.PKCERequired = false })
	req := e.request("api:data:contact", "api:data:intent")
	req.WithoutPKCE = true
	res := probe(t, req, Options{})
	if res.Outcome != OutcomeOK {
		t.Fatalf("Outcome = %q (%s), want ok", res.Outcome, res.ErrorDescription)
	}
	wantScopes(t, "Registered", res.Registered, []string{"api:data:contact"})
	wantScopes(t, "Unregistered", res.Unregistered, []string{"api:data:intent"})
	queries, _ := e.recorded()
	for _, q := range queries {
		if q.Has("code_challenge") || q.Has("code_challenge_method") {
			t.Fatalf("a request without PKCE carried a challenge: %v", q)
		}
	}
}

// TestThroughGateway: ZoomInfo's gateway answers an authorization request
// with a redirect forwarding it to the Okta server. The probe follows that
// forward, so unregistered scopes are still found (read as "accepted", the
// gateway's redirect would make every scope look registered), and stops at
// the server's own answer.
func TestThroughGateway(t *testing.T) {
	e := newEnv(t, nil)
	req := e.request("api:data:contact", "api:data:intent")
	req.AuthorizationEndpoint = e.srv.GatewayAuthorizeEndpoint()
	res := probe(t, req, Options{})
	if res.Outcome != OutcomeOK {
		t.Fatalf("outcome %s (%s: %s)", res.Outcome, res.Error, res.ErrorDescription)
	}
	wantScopes(t, "registered", res.Registered, []string{"api:data:contact"})
	wantScopes(t, "unregistered", res.Unregistered, []string{"api:data:intent"})
	// Combined request, then one per scope; each to the gateway, then to
	// the server (the recorder sees both: their paths end in /v1/authorize).
	q, h := e.recorded()
	if len(q) != 6 || res.Requests != 6 {
		t.Fatalf("%d authorize requests recorded and %d counted; want 6 and 6", len(q), res.Requests)
	}
	// The forward carries no Referer (Go's client would add one) and no cookie.
	for i := range h {
		if h[i].Get("Referer") != "" || h[i].Get("Cookie") != "" {
			t.Fatalf("request %d (%v) carried Referer %q / Cookie %q", i, q[i], h[i].Get("Referer"), h[i].Get("Cookie"))
		}
	}

	// An unknown client is still the server's 400 page, not a success.
	req = e.request("api:data:contact")
	req.AuthorizationEndpoint = e.srv.GatewayAuthorizeEndpoint()
	req.ClientID = "0oaUnknownClient000000"
	if res := probe(t, req, Options{}); res.Outcome != OutcomeUnknownClient {
		t.Fatalf("unknown client through the gateway: outcome %s", res.Outcome)
	}
}

// TestGatewayForwardingOverPlainHTTPIsRefused: a forward of the request to a
// non-loopback host over plain http is neither followed nor read as a
// success.
func TestGatewayForwardingOverPlainHTTPIsRefused(t *testing.T) {
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://auth.example.com/oauth2/default/v1/authorize?"+r.URL.RawQuery, http.StatusFound)
	}))
	defer gw.Close()
	req := Request{AuthorizationEndpoint: gw.URL + "/gtm/oauth/v1/authorize", ClientID: testClientID, RedirectURI: testRedirectURI, Scopes: []string{"api:data:contact"}}
	res, err := Probe(context.Background(), req, Options{})
	if err == nil || !strings.Contains(err.Error(), "over http; use that server's https authorize endpoint") {
		t.Fatalf("err = %v, result %+v; want the plain-http forward refused", err, res)
	}
	if res.Requests != 1 {
		t.Fatalf("%d requests; want 1 (no retry of a refused forward)", res.Requests)
	}
}

// TestGatewayForwardNeverDowngrades: an https endpoint that forwards the
// request to plain http on this machine is refused, not followed: a remote
// server must not make the probe read a local service's page as its
// answer. A forward that changes what is asked (another scope) is not the
// same request and is not followed either.
func TestGatewayForwardNeverDowngrades(t *testing.T) {
	var localHits atomic.Int64
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		localHits.Add(1)
		_, _ = io.WriteString(w, "<html>local service</html>")
	}))
	defer local.Close()
	for _, tc := range []struct {
		name   string
		target func(q url.Values) string
		want   string
	}{
		{"https to loopback http", func(q url.Values) string { return local.URL + "/v1/authorize?" + q.Encode() }, "over http"},
		{"another scope", func(q url.Values) string {
			q.Set("scope", "openid")
			return "https://auth.example.com/v1/authorize?" + q.Encode()
		}, ""},
	} {
		gw := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, tc.target(r.URL.Query()), http.StatusFound)
		}))
		res, err := Probe(context.Background(), Request{
			AuthorizationEndpoint: gw.URL + "/gtm/oauth/v1/authorize", ClientID: testClientID, RedirectURI: testRedirectURI, Scopes: []string{"api:data:contact"},
		}, Options{HTTPClient: gw.Client()})
		gw.Close()
		if localHits.Load() != 0 {
			t.Fatalf("%s: the probe followed the forward to the local service", tc.name)
		}
		if res.Requests != 1 {
			t.Fatalf("%s: %d requests, want 1", tc.name, res.Requests)
		}
		if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Fatalf("%s: err = %v, want it to say %q", tc.name, err, tc.want)
		}
		// Either way the verdict is "cannot tell", never "registered".
		var ct *CannotTellError
		if !errors.As(err, &ct) || len(res.Registered) != 0 || res.Outcome != OutcomeCannotTell || res.CheckURL == "" {
			t.Fatalf("%s: err = %v, result %+v; want cannot tell with a URL to check by hand", tc.name, err, res)
		}
	}
}

// TestBodyCutShortIsCannotTell: a sign-in page still arriving when the
// timeout fires, or longer than the probe reads, is not a sign-in page.
func TestBodyCutShortIsCannotTell(t *testing.T) {
	signIn := `<!DOCTYPE html><html><body><form method="post"><input name="username"><input type="password" name="password"></form>`
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
		timeout time.Duration
	}{
		{"still arriving at the timeout", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, signIn)
			http.NewResponseController(w).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, "still arriving when the 200ms timeout fired", 200 * time.Millisecond},
		{"longer than the cap", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, signIn+strings.Repeat("<p>padding</p>", maxBody/10))
			// Not about time: a timeout a loaded machine cannot reach first.
		}, "longer than", time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := httptest.NewServer(tc.handler)
			defer ts.Close()
			res, err := Probe(context.Background(), Request{AuthorizationEndpoint: ts.URL + "/authorize", ClientID: "c", RedirectURI: "https://app.example/cb", Scopes: []string{"a"}},
				Options{Timeout: tc.timeout})
			var ct *CannotTellError
			if !errors.As(err, &ct) || !strings.Contains(ct.Answer, tc.want) || res.Outcome != OutcomeCannotTell {
				t.Fatalf("err = %v, outcome %q; want cannot tell saying %q", err, res.Outcome, tc.want)
			}
			wantScopes(t, "Registered", res.Registered, nil)
			wantScopes(t, "Unknown", res.Unknown, []string{"a"})
		})
	}
}
