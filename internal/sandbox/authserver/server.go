// Package authserver is an in-memory OAuth 2.0 authorization server that
// behaves like ZoomInfo's Okta authorization server as far as a StackOne
// connector profile can observe: the Okta URL layout under an issuer,
// authorization code + PKCE (S256) with a login form, exact redirect URI
// matching, all-or-nothing scope checks, single-use codes, rotating
// single-use refresh tokens, revocation and introspection.
//
// It exists so the provider's acceptance tests, the scope probe and people
// running the sandbox can exercise the real flow offline. Apps are managed
// in-process (PutApp, UpdateApp) or over HTTP under /admin/apps with a bearer
// token, standing in for the ZoomInfo Developer Portal, which has no API.
//
// Secrets (client secrets, passwords, codes, verifiers, tokens) are never
// logged and never rendered in error pages.
package authserver

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Grant types an App may be configured with.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
)

// Lifetimes that Config does not expose: Okta's defaults for access tokens,
// and a generous window for a person to fill in the login form.
const (
	DefaultCodeLifetime = 60 * time.Second
	AccessTokenLifetime = time.Hour
	loginTxLifetime     = 10 * time.Minute
)

// App is a client application registered on the authorization server, the
// equivalent of an app in the ZoomInfo Developer Portal.
type App struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	RedirectURIs []string `json:"redirect_uris"`
	// Scopes registered on the app; a request for any other scope fails and
	// omitting scope grants all of these.
	Scopes []string `json:"scopes"`
	// PKCERequired models the DevPortal's "Authorization Code (PKCE)" grant:
	// when true an S256 challenge is mandatory, when false sending one is
	// refused, which is how a probe tells the two apart.
	PKCERequired bool `json:"pkce_required"`
	// GrantTypes the app may use; empty means both authorization_code and
	// refresh_token.
	GrantTypes []string `json:"grant_types"`
}

// Config configures a Server.
type Config struct {
	// Issuer is the absolute issuer URL, e.g.
	// "http://127.0.0.1:8081/oauth2/default"; every endpoint lives under its
	// path, as on Okta. It must be an absolute http or https URL.
	Issuer string
	// AdminToken is the bearer token for /admin/*; empty disables the admin API.
	AdminToken string
	// Users maps usernames to passwords accepted by the login form.
	Users map[string]string
	// CodeLifetime is how long an authorization code can be redeemed
	// (default 60s, as on ZoomInfo).
	CodeLifetime time.Duration
	// Now is the clock (default time.Now); tests move it to expire codes.
	Now func() time.Time
	// Scopes are the scopes the server defines, advertised as
	// scopes_supported together with every app's scopes. Default:
	// DefaultScopes.
	Scopes []string
	// GatewayURL is the base URL (scheme and host) where GatewayHandler is
	// served on a listener of its own, as ZoomInfo's api.zoominfo.com stands
	// apart from its Okta host. Empty: the gateway's paths are served by the
	// Server itself, on the issuer's host.
	GatewayURL string
}

// DefaultScopes are the scopes the authorization server knows (any other
// is invalid_scope): the seventeen api:* scopes of ZoomInfo's GTM OpenAPI
// specs, and the OIDC set docs.zoominfo.com/docs/authentication gives its
// MCP clients (openid profile email offline_access). Which of them an app
// may request is its registration (App.Scopes).
var DefaultScopes = []string{
	"api:data:contact", "api:data:company", "api:data:intent", "api:data:news",
	"api:data:scoops", "api:data:lookup", "api:audience:read", "api:audience:manage",
	"api:audience-member:read", "api:audience-member:manage", "api:account-summary:read",
	"api:gtm-config:read", "api:gtm-config:manage", "api:insights:read",
	"api:recommendations:read", "api:gtm-data-model:read", "api:gtm-data-model:manage",
	"openid", "profile", "email", "offline_access",
}

// Metadata is the authorization server metadata document (RFC 8414) served
// at {issuer}/.well-known/oauth-authorization-server.
type Metadata struct {
	Issuer                                 string   `json:"issuer"`
	AuthorizationEndpoint                  string   `json:"authorization_endpoint"`
	TokenEndpoint                          string   `json:"token_endpoint"`
	RevocationEndpoint                     string   `json:"revocation_endpoint"`
	IntrospectionEndpoint                  string   `json:"introspection_endpoint"`
	JWKSURI                                string   `json:"jwks_uri"`
	ScopesSupported                        []string `json:"scopes_supported"`
	ResponseTypesSupported                 []string `json:"response_types_supported"`
	ResponseModesSupported                 []string `json:"response_modes_supported"`
	GrantTypesSupported                    []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported      []string `json:"token_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported          []string `json:"code_challenge_methods_supported"`
}

// Server is the authorization server. It is an http.Handler for a whole
// listener and is safe for concurrent use.
type Server struct {
	cfg        Config
	issuer     string // without trailing slash
	issuerPath string // path part of issuer, without trailing slash
	mux        *http.ServeMux
	// gatewayBase is Config.GatewayURL without a trailing slash; empty
	// when the gateway shares the issuer's host.
	gatewayBase string

	mu             sync.Mutex
	apps           map[string]*App
	txs            map[string]*loginTx
	codes          map[string]*authCode
	accessTokens   map[string]*accessToken
	refreshTokens  map[string]*refreshToken
	authorizeCount int
}

// loginTx is an authorization request that passed validation and waits for
// the user to sign in.
type loginTx struct {
	clientID, redirectURI, state string
	scopes                       []string
	challenge, challengeMethod   string
	expires                      time.Time
}

// authCode is an issued authorization code. Used codes are kept until they
// expire so a replay can be detected and its tokens revoked.
type authCode struct {
	clientID, redirectURI      string
	scopes                     []string
	challenge, challengeMethod string
	user                       string
	expires                    time.Time
	used                       bool
	grant                      *grant // set once redeemed
}

// grant ties together every token issued from one authorization, so a code
// replay, a refresh token reuse or a refresh token revocation can revoke the
// whole family at once.
type grant struct {
	clientID string
	user     string
	scopes   []string
	revoked  bool
}

type accessToken struct {
	grant   *grant
	issued  time.Time
	expires time.Time
	revoked bool
}

type refreshToken struct {
	grant   *grant
	issued  time.Time
	used    bool
	revoked bool
}

// New returns a Server for cfg. It panics if cfg.Issuer is not an absolute
// http or https URL, a programming error in the caller.
func New(cfg Config) *Server {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		panic(fmt.Sprintf("authserver: Config.Issuer must be an absolute http(s) URL without query or fragment, got %q", cfg.Issuer))
	}
	if cfg.GatewayURL != "" {
		g, err := url.Parse(cfg.GatewayURL)
		if err != nil || (g.Scheme != "http" && g.Scheme != "https") || g.Host == "" || strings.Trim(g.Path, "/") != "" || g.RawQuery != "" {
			panic(fmt.Sprintf("authserver: Config.GatewayURL must be an absolute http(s) URL without path or query, got %q", cfg.GatewayURL))
		}
	}
	if cfg.CodeLifetime <= 0 {
		cfg.CodeLifetime = DefaultCodeLifetime
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Scopes == nil {
		cfg.Scopes = slices.Clone(DefaultScopes)
	}
	cfg.Users = cloneMap(cfg.Users)
	s := &Server{
		cfg:           cfg,
		issuer:        strings.TrimSuffix(cfg.Issuer, "/"),
		issuerPath:    strings.TrimSuffix(u.EscapedPath(), "/"),
		gatewayBase:   strings.TrimSuffix(cfg.GatewayURL, "/"),
		apps:          map[string]*App{},
		txs:           map[string]*loginTx{},
		codes:         map[string]*authCode{},
		accessTokens:  map[string]*accessToken{},
		refreshTokens: map[string]*refreshToken{},
	}
	s.routes()
	return s
}

func (s *Server) routes() {
	m := http.NewServeMux()
	p := s.issuerPath
	m.HandleFunc("GET "+p+"/.well-known/oauth-authorization-server", s.handleMetadata)
	m.HandleFunc("GET "+p+"/.well-known/openid-configuration", s.handleMetadata)
	// RFC 8414 section 3.1 places the document before the issuer path.
	if p != "" {
		m.HandleFunc("GET /.well-known/oauth-authorization-server"+p, s.handleMetadata)
	}
	m.HandleFunc(p+"/v1/authorize", s.handleAuthorize)
	// The gateway's paths on the server's own listener too, unless the
	// gateway has a listener of its own (Config.GatewayURL).
	if s.gatewayBase == "" {
		s.gatewayRoutes(m)
	}
	m.HandleFunc("GET "+p+"/v1/login", s.handleLoginForm)
	m.HandleFunc("POST "+p+"/v1/login", s.handleLoginSubmit)
	m.HandleFunc("POST "+p+"/v1/token", s.handleOktaToken)
	m.HandleFunc("POST "+p+"/v1/revoke", s.handleRevoke)
	m.HandleFunc("POST "+p+"/v1/introspect", s.handleIntrospect)
	m.HandleFunc("GET "+p+"/v1/keys", s.handleKeys)
	m.HandleFunc("POST /admin/apps", s.adminOnly(s.handleAdminCreate))
	m.HandleFunc("GET /admin/apps", s.adminOnly(s.handleAdminList))
	m.HandleFunc("GET /admin/apps/{client_id}", s.adminOnly(s.handleAdminGet))
	m.HandleFunc("PATCH /admin/apps/{client_id}", s.adminOnly(s.handleAdminPatch))
	s.mux = m
}

// ServeHTTP routes a request to the Okta-style endpoints or the admin API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Issuer returns the issuer URL without a trailing slash.
func (s *Server) Issuer() string { return s.issuer }

// LoginURL returns the URL of the login form; authorize redirects here with
// a tx parameter.
func (s *Server) LoginURL() string { return s.issuer + "/v1/login" }

// Metadata returns the values of the metadata document. scopes_supported is
// the configured server scopes plus every scope registered on an app.
func (s *Server) Metadata() Metadata {
	s.mu.Lock()
	scopes := slices.Clone(s.cfg.Scopes)
	for _, a := range s.apps {
		scopes = append(scopes, a.Scopes...)
	}
	s.mu.Unlock()
	slices.Sort(scopes)
	scopes = slices.Compact(scopes)
	return Metadata{
		Issuer:                                 s.issuer,
		AuthorizationEndpoint:                  s.issuer + "/v1/authorize",
		TokenEndpoint:                          s.issuer + "/v1/token",
		RevocationEndpoint:                     s.issuer + "/v1/revoke",
		IntrospectionEndpoint:                  s.issuer + "/v1/introspect",
		JWKSURI:                                s.issuer + "/v1/keys",
		ScopesSupported:                        scopes,
		ResponseTypesSupported:                 []string{"code"},
		ResponseModesSupported:                 []string{"query"},
		GrantTypesSupported:                    []string{GrantAuthorizationCode, GrantRefreshToken},
		TokenEndpointAuthMethodsSupported:      []string{"client_secret_basic", "client_secret_post"},
		RevocationEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		CodeChallengeMethodsSupported:          []string{"S256"},
	}
}

// PutApp creates or replaces an app. It panics on an empty ClientID, a
// programming error; an empty GrantTypes means both supported grants.
func (s *Server) PutApp(app App) {
	if app.ClientID == "" {
		panic("authserver: PutApp needs a ClientID")
	}
	app = normalizeApp(app)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[app.ClientID] = &app
}

// App returns a copy of the app registered under clientID, secret included.
func (s *Server) App(clientID string) (App, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[clientID]
	if !ok {
		return App{}, false
	}
	return cloneApp(*a), true
}

// Apps returns copies of all registered apps, sorted by client id.
func (s *Server) Apps() []App {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]App, 0, len(s.apps))
	for _, a := range s.apps {
		out = append(out, cloneApp(*a))
	}
	slices.SortFunc(out, func(a, b App) int { return strings.Compare(a.ClientID, b.ClientID) })
	return out
}

// UpdateApp applies f to a copy of the app and stores the result atomically.
// The client id cannot be changed this way. It reports whether the app exists.
func (s *Server) UpdateApp(clientID string, f func(*App)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[clientID]
	if !ok {
		return false
	}
	c := cloneApp(*a)
	f(&c)
	c.ClientID = clientID
	c = normalizeApp(c)
	s.apps[clientID] = &c
	return true
}

// AuthorizeRequests returns how many requests /v1/authorize has received
// since New or the last ResetCounters, whatever their outcome.
func (s *Server) AuthorizeRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authorizeCount
}

// ResetCounters sets the request counters back to zero.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authorizeCount = 0
}

func (s *Server) now() time.Time { return s.cfg.Now() }

func normalizeApp(a App) App {
	a = cloneApp(a)
	if len(a.GrantTypes) == 0 {
		a.GrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken}
	}
	if a.RedirectURIs == nil {
		a.RedirectURIs = []string{}
	}
	if a.Scopes == nil {
		a.Scopes = []string{}
	}
	return a
}

func cloneApp(a App) App {
	a.RedirectURIs = slices.Clone(a.RedirectURIs)
	a.Scopes = slices.Clone(a.Scopes)
	a.GrantTypes = slices.Clone(a.GrantTypes)
	return a
}

func cloneMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// sweepLocked drops expired transactions, codes and access tokens so a
// long-running sandbox does not grow without bound. Callers hold s.mu.
func (s *Server) sweepLocked(now time.Time) {
	for k, tx := range s.txs {
		if now.After(tx.expires) {
			delete(s.txs, k)
		}
	}
	for k, c := range s.codes {
		if now.After(c.expires) {
			delete(s.codes, k)
		}
	}
	for k, t := range s.accessTokens {
		if now.After(t.expires) {
			delete(s.accessTokens, k)
		}
	}
}

// randomToken returns n random bytes from crypto/rand as unpadded base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand does not fail on supported platforms; if it does,
		// issuing a predictable credential would be worse than crashing.
		panic(fmt.Sprintf("authserver: crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newClientID returns an Okta-looking client id such as 0oaf6t3osgvaPvy4E1d7.
func newClientID() string {
	out := []byte("0oa")
	buf := make([]byte, 32)
	for len(out) < 20 {
		if _, err := rand.Read(buf); err != nil {
			panic(fmt.Sprintf("authserver: crypto/rand: %v", err))
		}
		for _, b := range buf {
			// 248 = 4*62: rejecting larger bytes keeps the choice uniform.
			if b < 248 && len(out) < 20 {
				out = append(out, alnum[int(b)%len(alnum)])
			}
		}
	}
	return string(out)
}

// newClientSecret returns a 40-character secret like Okta's.
func newClientSecret() string { return randomToken(30) }
