// Package sandbox is an in-memory imitation of the StackOne API paired with a
// ZoomInfo-style authorization server. It serves the wire contract in
// internal/stackone/WIRE_CONTRACT.md: StackOne's published Platform API
// (connector profile list, versions and pinned version, connect sessions,
// linked accounts, the /actions catalog) and, unless started with
// APIPublished, this project's extension (connector profile writes and the
// profile fields they set). A dashboard stand-in under /admin creates, edits
// and deletes profiles in both modes, as a person would in StackOne's dashboard.
//
// It serves real HTTP on loopback listeners so that the provider, its tests
// and people can exercise the whole contract — including outages, throttling
// and dropped connections — without secrets or network access.
//
// It deliberately does not import internal/stackone: it is a second,
// independent implementation of the contract, so a misunderstanding in one side
// shows up as a failing test instead of being shared by both.
package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// APIMode selects which part of the wire contract the sandbox serves.
type APIMode string

const (
	// APIExtended serves StackOne's published API and this project's
	// extension (connector profile writes). It is the default.
	APIExtended APIMode = "extended"
	// APIPublished serves only what StackOne publishes, as live StackOne
	// does today: extension routes answer 404 like any unknown route, and
	// profiles carry no extension fields.
	APIPublished APIMode = "published"
)

// ParseAPIMode turns "published" or "extended" into an APIMode.
func ParseAPIMode(v string) (APIMode, error) {
	switch m := APIMode(v); m {
	case APIExtended, APIPublished:
		return m, nil
	}
	return "", fmt.Errorf("sandbox: API mode %q is neither %q nor %q", v, APIPublished, APIExtended)
}

// Options configures Start. The zero value is a usable sandbox on loopback
// with generated credentials.
type Options struct {
	// Addr is the StackOne API listener address; default "127.0.0.1:0".
	Addr string
	// AuthzAddr is the authorization-server listener address; default "127.0.0.1:0".
	AuthzAddr string
	// APIKey is the accepted StackOne API key; generated as
	// "v1.sandbox.<random hex>" when empty.
	APIKey string
	// AdminToken is the bearer token of the /admin endpoints; generated when empty.
	AdminToken string
	// RateLimit is requests per minute per API key (at most RateLimit in any
	// 60 seconds); 0 means unlimited. Excess requests get 429 with a
	// Retry-After that is exactly when the window next has room.
	RateLimit int
	// FaultRate in [0,1] is the share of non-admin requests that fail on
	// purpose: a third with 500/503, a third with 429, a third are committed
	// and then have their connection dropped without a response.
	FaultRate float64
	// AppScopes are the scopes registered on the seeded ZoomInfo app of the
	// authorization server; default DefaultAppScopes().
	AppScopes []string
	// Logf, when set, receives one line per request: method, route template,
	// status and duration. Never headers or bodies.
	Logf func(format string, args ...any)
	// Now is the clock of the authorization server, of connect sessions,
	// pinned versions, linked accounts and the rate limiter (default
	// time.Now); tests move it to expire codes and links or to empty the
	// rate-limit window without waiting.
	Now func() time.Time
	// API is the part of the contract served; empty means APIExtended.
	API APIMode
	// GatewayAddr, when set, serves ZoomInfo's gateway (/gtm/oauth/v1/…) on
	// a listener of its own (another host, e.g. "127.0.0.2:0"); empty serves
	// it on the authorization listener.
	GatewayAddr string
	// LinkThroughGateway makes account linking use the gateway's authorize
	// and token endpoints, as ZoomInfo's own integrations do.
	LinkThroughGateway bool
	// Seed, when set, is loaded before the sandbox serves and again by
	// every Reset (see ParseSeed). Its zoominfo_app.registered_scopes, when
	// given, are the app's scopes; setting AppScopes too is an error.
	Seed *Seed
}

// The listeners a ListenError can name.
const (
	ListenerAPI   = "StackOne API"
	ListenerAuthz = "authorization server"
)

// ListenError is a listener that could not start (its port is taken, most
// often), saying which one so that a command can name the flag to change.
type ListenError struct {
	Listener string // ListenerAPI or ListenerAuthz
	Addr     string
	Err      error
}

func (e *ListenError) Error() string {
	return fmt.Sprintf("sandbox: listen on %s (%s): %v", e.Addr, e.Listener, e.Err)
}

func (e *ListenError) Unwrap() error { return e.Err }

// EnvVar is one KEY=value pair describing a running sandbox.
type EnvVar struct {
	Key   string
	Value string
}

// Stats counts API requests by "METHOD /route/template" (for example
// "GET /connector_profiles/{id}/versions"). A request whose path fits a known
// template counts under it even when the method is not served there (so
// "GET /connector_profiles/{id}" counts reads by id, which answer 404); a path
// fitting no template counts under "METHOD *". Of the admin endpoints only the
// dashboard stand-in (POST /admin/connector_profiles, PATCH and DELETE
// /admin/connector_profiles/{id}) is counted: it models traffic StackOne
// sees, while stats and reset observe the sandbox.
type Stats struct {
	Total    int            `json:"total"`
	Requests map[string]int `json:"requests"`
}

// Sandbox is a running StackOne API and authorization server pair. All
// methods are safe for concurrent use.
type Sandbox struct {
	opts       Options
	baseURL    string
	authzURL   string
	catalog    []Connector
	authz      *authzGlue
	apiRoutes  []route
	apiServer  *http.Server
	authServer *http.Server
	serveWG    sync.WaitGroup
	stopOnce   sync.Once
	stopErr    error

	// mu guards the profile store and the idempotency keys; a create holds it
	// from the idempotency check to the insert so that concurrent repeats of
	// one key cannot both create.
	mu       sync.Mutex
	profiles []*profileRecord
	byID     map[string]*profileRecord
	idem     map[string]idemEntry

	statsMu sync.Mutex
	total   int
	counts  map[string]int

	cfgMu     sync.Mutex
	faultRate float64
	down      bool
	// pickFault, when set (by tests), chooses the kind of an injected fault
	// instead of chance.
	pickFault func() faultKind
	// accountPatchRead, when set (by tests), runs while a PATCH
	// /accounts/{id} is under way, after it has read and checked the
	// account and before it edits the stored one: a test relinks the
	// account or changes its status there.
	accountPatchRead func(id string)

	limiter *rateLimiter

	link linkStore
	// tokenClient calls the authorization server's token endpoint.
	tokenClient *http.Client
}

// DefaultAppScopes returns the scopes registered on the seeded ZoomInfo app
// when Options.AppScopes is empty (ZOOMINFO_REGISTERED_SCOPES): the scopes
// ZoomInfo documents (its GTM OpenAPI specs, see the authorization server's
// DefaultScopes) that a public integration reports live ZoomInfo granting:
// the five api:data:* data scopes plus api:recommendations:read,
// api:account-summary:read and api:insights:read. The same report has live
// ZoomInfo refusing api:data:lookup, openid and offline_access with
// invalid_scope, so the app does not have them. It is a strict subset of the
// catalog's ZoomInfo scopes (api:data:lookup, the audience and GTM scopes and
// the OIDC set are missing), so a probe has something unregistered to find.
func DefaultAppScopes() []string {
	return []string{
		"api:data:contact", "api:data:company", "api:data:intent", "api:data:news", "api:data:scoops",
		"api:recommendations:read", "api:account-summary:read", "api:insights:read",
	}
}

// Start listens on both addresses and serves until Close.
func Start(opts Options) (*Sandbox, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.AuthzAddr == "" {
		opts.AuthzAddr = "127.0.0.1:0"
	}
	if math.IsNaN(opts.FaultRate) || opts.FaultRate < 0 || opts.FaultRate > 1 {
		return nil, fmt.Errorf("sandbox: fault rate %v is outside 0..1", opts.FaultRate)
	}
	if opts.API == "" {
		opts.API = APIExtended
	}
	if _, err := ParseAPIMode(string(opts.API)); err != nil {
		return nil, err
	}
	if opts.RateLimit < 0 {
		return nil, fmt.Errorf("sandbox: rate limit %d is negative", opts.RateLimit)
	}
	if opts.APIKey == "" {
		opts.APIKey = "v1.sandbox." + randomHex(16)
	}
	if opts.AdminToken == "" {
		opts.AdminToken = randomHex(32)
	}
	if opts.Seed != nil && opts.Seed.appScopes() != nil {
		if len(opts.AppScopes) > 0 {
			return nil, fmt.Errorf("sandbox: the app's scopes are given twice, by the app scopes option (-app-scopes) and by the seed's zoominfo_app.registered_scopes: keep one")
		}
		opts.AppScopes = opts.Seed.appScopes()
	}
	if len(opts.AppScopes) == 0 {
		opts.AppScopes = DefaultAppScopes()
	} else {
		opts.AppScopes = append([]string(nil), opts.AppScopes...)
	}

	apiLn, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, &ListenError{Listener: ListenerAPI, Addr: opts.Addr, Err: err}
	}
	authLn, err := net.Listen("tcp", opts.AuthzAddr)
	if err != nil {
		apiLn.Close()
		return nil, &ListenError{Listener: ListenerAuthz, Addr: opts.AuthzAddr, Err: err}
	}

	gwLn, err := listenGateway(opts.GatewayAddr)
	if err != nil {
		apiLn.Close()
		authLn.Close()
		return nil, err
	}
	gatewayURL := ""
	if gwLn != nil {
		gatewayURL = listenerURL(gwLn.Addr())
	}

	s := &Sandbox{
		opts:      opts,
		baseURL:   listenerURL(apiLn.Addr()),
		authzURL:  listenerURL(authLn.Addr()),
		byID:      map[string]*profileRecord{},
		idem:      map[string]idemEntry{},
		counts:    map[string]int{},
		faultRate: opts.FaultRate,
	}
	s.limiter = newRateLimiter(opts.RateLimit, s.now)
	callback := s.baseURL + "/connect/oauth2/zoominfo/callback"
	s.authz = newAuthorizationServer(s.authzURL, gatewayURL, callback, opts, opts.AdminToken)
	s.catalog = buildCatalog(s.baseURL, s.authz.authorizationEndpoint, s.authz.tokenEndpoint)
	s.link.init()
	s.tokenClient = newTokenClient()
	s.apiRoutes = s.routes()
	if opts.Seed != nil {
		if err := s.load(opts.Seed); err != nil {
			apiLn.Close()
			authLn.Close()
			if gwLn != nil {
				gwLn.Close()
			}
			return nil, err
		}
	}

	s.apiServer = &http.Server{Handler: http.HandlerFunc(s.serveAPI), ReadHeaderTimeout: 10 * time.Second}
	s.authServer = &http.Server{Handler: s.logAuthz(s.authz.server), ReadHeaderTimeout: 10 * time.Second}
	s.serve(s.apiServer, apiLn)
	s.serve(s.authServer, authLn)
	s.serveGateway(gwLn)
	return s, nil
}

func (s *Sandbox) serve(srv *http.Server, ln net.Listener) {
	s.serveWG.Add(1)
	go func() {
		defer s.serveWG.Done()
		// Serve returns ErrServerClosed after Close/Shutdown; any other error
		// means the listener died, and the next request will show it.
		_ = srv.Serve(ln)
	}()
}

// listenerURL turns a listener address into a base URL; an unspecified
// address (":8080") is reached through 127.0.0.1, which the provider accepts
// over plain http as a loopback host.
func listenerURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// BaseURL is the StackOne API base URL, e.g. "http://127.0.0.1:41234".
func (s *Sandbox) BaseURL() string { return s.baseURL }

// AuthzURL is the base URL of the authorization-server listener.
func (s *Sandbox) AuthzURL() string { return s.authzURL }

// APIKey is the API key the sandbox accepts.
func (s *Sandbox) APIKey() string { return s.opts.APIKey }

// API is the part of the contract this sandbox serves.
func (s *Sandbox) API() APIMode { return s.opts.API }

// AdminToken is the bearer token of the admin endpoints.
func (s *Sandbox) AdminToken() string { return s.opts.AdminToken }

// Env describes the sandbox as ordered KEY=value pairs: STACKONE_BASE_URL,
// STACKONE_API_KEY, SANDBOX_ADMIN_TOKEN, then those of the authorization
// server (ZOOMINFO_* and the sandbox user).
func (s *Sandbox) Env() []EnvVar {
	env := []EnvVar{
		{Key: "STACKONE_BASE_URL", Value: s.baseURL},
		{Key: "STACKONE_API_KEY", Value: s.opts.APIKey},
		{Key: "SANDBOX_ADMIN_TOKEN", Value: s.opts.AdminToken},
	}
	return append(env, s.authz.env...)
}

// Close stops both listeners at once, dropping open connections. Later calls
// of Close or Shutdown return the first call's result.
func (s *Sandbox) Close() error {
	return s.stop(func() error {
		var errs []error
		for _, srv := range s.httpServers() {
			errs = append(errs, srv.Close())
		}
		return errors.Join(errs...)
	})
}

// Shutdown stops accepting connections and waits for in-flight requests to
// finish or ctx to end, whichever comes first; then it closes what is left.
// Later calls of Close or Shutdown return the first call's result.
func (s *Sandbox) Shutdown(ctx context.Context) error {
	return s.stop(func() error { return s.shutdown(ctx) })
}

func (s *Sandbox) stop(f func() error) error {
	s.stopOnce.Do(func() {
		s.stopErr = f()
		s.serveWG.Wait()
	})
	return s.stopErr
}

func (s *Sandbox) shutdown(ctx context.Context) error {
	var wg sync.WaitGroup
	servers := s.httpServers()
	errs := make([]error, len(servers))
	for i, srv := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Shutdown(ctx); err != nil {
				errs[i] = errors.Join(err, srv.Close())
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Stats returns a copy of the request counters.
func (s *Sandbox) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	st := Stats{Total: s.total, Requests: make(map[string]int, len(s.counts))}
	for k, v := range s.counts {
		st.Requests[k] = v
	}
	return st
}

func (s *Sandbox) count(key string) {
	s.statsMu.Lock()
	s.total++
	s.counts[key]++
	s.statsMu.Unlock()
}

// Reset forgets every profile (and its pinned version), idempotency key,
// connect session, linked account, request counter and rate-limit window, so that one sandbox can
// serve many independent tests, then loads the seed again when there is one
// (profiles and accounts without an id in the seed get new ids). Settings
// (fault rate, rate limit, outage) and the authorization server's apps are
// kept.
func (s *Sandbox) Reset() {
	s.mu.Lock()
	s.profiles = nil
	s.byID = map[string]*profileRecord{}
	s.idem = map[string]idemEntry{}
	s.mu.Unlock()

	s.link.reset()

	s.statsMu.Lock()
	s.total = 0
	s.counts = map[string]int{}
	s.statsMu.Unlock()

	s.limiter.reset()

	if s.opts.Seed != nil {
		// It loaded once already, against the same catalog and app.
		_ = s.load(s.opts.Seed)
	}
}

// SetFaultRate changes the share of non-admin requests that fail on purpose;
// values are clamped to 0..1.
func (s *Sandbox) SetFaultRate(rate float64) {
	if math.IsNaN(rate) || rate < 0 {
		rate = 0
	}
	if rate > 1 {
		rate = 1
	}
	s.cfgMu.Lock()
	s.faultRate = rate
	s.cfgMu.Unlock()
}

// SetRateLimit changes the per-key limit (requests per minute, 0 = unlimited)
// and starts every key with an empty window.
func (s *Sandbox) SetRateLimit(perMinute int) {
	s.limiter.setLimit(max(perMinute, 0))
}

// SetDown simulates an outage: while down, every non-admin request gets 503.
func (s *Sandbox) SetDown(down bool) {
	s.cfgMu.Lock()
	s.down = down
	s.cfgMu.Unlock()
}

func (s *Sandbox) isDown() bool {
	s.cfgMu.Lock()
	defer s.cfgMu.Unlock()
	return s.down
}

func (s *Sandbox) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

func (s *Sandbox) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it aborts the program instead)
	return hex.EncodeToString(b)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
