package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox/authserver"
)

// Username is the user the seeded authorization server accepts on its
// login form; the password is generated per sandbox.
const Username = "sandbox.user@example.com"

// authzGlue is the authorization server of a sandbox and what the rest of the
// sandbox needs to know about it.
type authzGlue struct {
	server   *authserver.Server
	clientID string // of the seeded ZoomInfo app
	user     string
	password string
	// env describes the server for people and scripts, in the order DESIGN.md lists.
	env []EnvVar
	// authorizationEndpoint and tokenEndpoint are the ones linking uses:
	// the Okta server's own, or the gateway's with Options.LinkThroughGateway.
	authorizationEndpoint string
	tokenEndpoint         string
	// gateway serves the ZoomInfo-style gateway on its own listener when
	// Options.GatewayAddr is set; nil otherwise (the gateway's paths are then
	// served on the authorization listener).
	gateway *http.Server
}

// listenGateway opens the gateway's own listener, or returns nil when
// Options.GatewayAddr is empty.
func listenGateway(addr string) (net.Listener, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen on %s (gateway): %w", addr, err)
	}
	return ln, nil
}

// serveGateway serves the gateway on ln, its own listener, if there is one.
func (s *Sandbox) serveGateway(ln net.Listener) {
	if ln == nil {
		return
	}
	s.authz.gateway = &http.Server{Handler: s.logAuthz(s.authz.server.GatewayHandler()), ReadHeaderTimeout: 10 * time.Second}
	s.serve(s.authz.gateway, ln)
}

// httpServers are the sandbox's listeners' servers, the gateway's included
// when it has its own.
func (s *Sandbox) httpServers() []*http.Server {
	out := []*http.Server{s.apiServer, s.authServer}
	if s.authz.gateway != nil {
		out = append(out, s.authz.gateway)
	}
	return out
}

// newAuthorizationServer builds the ZoomInfo-style authorization server
// served on the authorization listener: an Okta layout under
// {authzBaseURL}/oauth2/default, ZoomInfo's gateway (/gtm/oauth/v1/authorize
// and /gtm/oauth/v1/token) at gatewayBaseURL, or on the same listener when it
// is empty, one seeded ZoomInfo app whose only redirect URI is the StackOne
// callback, and one user for the login form.
func newAuthorizationServer(authzBaseURL, gatewayBaseURL, stackoneCallbackURL string, o Options, adminToken string) *authzGlue {
	scopes := o.AppScopes
	if len(scopes) == 0 {
		scopes = DefaultAppScopes()
	}
	password := randomAlnum(24)
	srv := authserver.New(authserver.Config{
		Issuer:     authzBaseURL + "/oauth2/default",
		AdminToken: adminToken,
		Users:      map[string]string{Username: password},
		Now:        o.Now,
		GatewayURL: gatewayBaseURL,
	})
	app := authserver.App{
		ClientID:     "0oa" + randomAlnum(17),
		ClientSecret: randomSecret(),
		RedirectURIs: []string{stackoneCallbackURL},
		Scopes:       append([]string(nil), scopes...),
		PKCERequired: true,
		GrantTypes:   []string{authserver.GrantAuthorizationCode, authserver.GrantRefreshToken},
	}
	srv.PutApp(app)
	md := srv.Metadata()
	authEndpoint, tokenEndpoint := md.AuthorizationEndpoint, md.TokenEndpoint
	if o.LinkThroughGateway {
		authEndpoint, tokenEndpoint = srv.GatewayAuthorizeEndpoint(), srv.GatewayTokenEndpoint()
	}
	return &authzGlue{
		server:   srv,
		clientID: app.ClientID,
		user:     Username,
		password: password,
		env: []EnvVar{
			{Key: "ZOOMINFO_AUTHORIZATION_ENDPOINT", Value: md.AuthorizationEndpoint},
			{Key: "ZOOMINFO_TOKEN_ENDPOINT", Value: md.TokenEndpoint},
			{Key: "ZOOMINFO_ISSUER", Value: md.Issuer},
			{Key: "ZOOMINFO_CLIENT_ID", Value: app.ClientID},
			{Key: "ZOOMINFO_CLIENT_SECRET", Value: app.ClientSecret},
			{Key: "ZOOMINFO_REGISTERED_SCOPES", Value: strings.Join(app.Scopes, " ")},
			{Key: "SANDBOX_USER", Value: Username},
			{Key: "SANDBOX_PASSWORD", Value: password},
			{Key: "ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT", Value: srv.GatewayAuthorizeEndpoint()},
			{Key: "ZOOMINFO_GATEWAY_TOKEN_ENDPOINT", Value: srv.GatewayTokenEndpoint()},
		},
		authorizationEndpoint: authEndpoint,
		tokenEndpoint:         tokenEndpoint,
	}
}

// AuthServer is the sandbox's authorization server, for tests that change
// apps (rotate a secret, drop a scope) the way someone would in the ZoomInfo
// Developer Portal.
func (s *Sandbox) AuthServer() *authserver.Server { return s.authz.server }

// ZoomInfoApp returns the seeded ZoomInfo app as it is now (secret included),
// so a test sees out-of-band changes such as a rotated secret.
func (s *Sandbox) ZoomInfoApp() authserver.App {
	app, _ := s.authz.server.App(s.authz.clientID)
	return app
}

// User returns the username and password the authorization server's login
// form accepts.
func (s *Sandbox) User() (username, password string) { return s.authz.user, s.authz.password }

const alnumChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomAlnum returns n uniformly chosen letters and digits, the shape of
// Okta's client ids.
func randomAlnum(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails (it aborts the program instead)
		for _, b := range buf {
			// 248 = 4*62: rejecting larger bytes keeps the choice uniform.
			if b < 248 && len(out) < n {
				out = append(out, alnumChars[int(b)%len(alnumChars)])
			}
		}
	}
	return string(out)
}

// randomSecret returns a 40-character client secret like Okta's.
func randomSecret() string {
	b := make([]byte, 30)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
