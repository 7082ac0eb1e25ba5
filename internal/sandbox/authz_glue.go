package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"strings"

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
	env                   []EnvVar
	authorizationEndpoint string
	tokenEndpoint         string
}

// newAuthorizationServer builds the ZoomInfo-style authorization server
// served on the authorization listener: an Okta layout under
// {authzBaseURL}/oauth2/default, one seeded ZoomInfo app whose only redirect
// URI is the StackOne callback, and one user for the login form.
func newAuthorizationServer(authzBaseURL, stackoneCallbackURL string, o Options, adminToken string) *authzGlue {
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
		},
		authorizationEndpoint: md.AuthorizationEndpoint,
		tokenEndpoint:         md.TokenEndpoint,
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
