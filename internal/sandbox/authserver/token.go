package authserver

import (
	"crypto/subtle"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
)

// oauthError is the JSON error body of RFC 6749 section 5.2.
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// tokenResponse is the successful token response of RFC 6749 section 5.1.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

const (
	descClientAuth       = "Client authentication failed. Either the client or the client credentials are invalid."
	descMultipleAuth     = "Cannot supply multiple client credentials. Use one of the following: credentials in the Authorization header, credentials in the post body, or a client_assertion in the post body."
	descFormBody         = "The request body must be application/x-www-form-urlencoded."
	descCodeInvalid      = "The authorization code is invalid or has expired."
	descRedirectMatch    = "The 'redirect_uri' does not match the redirection URI used in the authorization request."
	descPKCEFailed       = "PKCE verification failed."
	descVerifierMissing  = "The 'code_verifier' parameter is required."
	descRefreshInvalid   = "The refresh token is invalid or expired."
	descRefreshScope     = "The requested scope exceeds the scope granted to the refresh token."
	descUnsupportedGrant = "The authorization server does not support the requested grant type."
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// tokenError writes an RFC 6749 error; token endpoint responses are never
// cacheable, errors included.
func tokenError(w http.ResponseWriter, status int, code, desc string) {
	noStore(w)
	writeJSON(w, status, oauthError{Error: code, ErrorDescription: desc})
}

// clientAuthFailure answers 401 invalid_client, with a challenge when the
// client tried HTTP Basic (RFC 6749 section 5.2 requires it then).
func clientAuthFailure(w http.ResponseWriter, usedBasic bool) {
	if usedBasic {
		w.Header().Set("WWW-Authenticate", `Basic realm="authserver"`)
	}
	tokenError(w, http.StatusUnauthorized, "invalid_client", descClientAuth)
}

// parseForm reads an application/x-www-form-urlencoded body. Only body
// parameters count, as RFC 6749 requires for the token endpoint.
func parseForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	form, ok := readTokenForm(w, r)
	if !ok {
		tokenError(w, http.StatusBadRequest, "invalid_request", descFormBody)
	}
	return form, ok
}

// readTokenForm is parseForm without the answer: false means the body is
// not a readable form.
func readTokenForm(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return nil, false
	}
	return r.PostForm, true
}

// authenticateClient checks client_secret_basic or client_secret_post and
// returns the app. On failure it has already written the response.
func (s *Server) authenticateClient(w http.ResponseWriter, r *http.Request, form url.Values) (App, bool) {
	basicID, basicSecret, usedBasic := r.BasicAuth()
	postID, postIDOK := single(form, "client_id")
	postSecret, postSecretOK := single(form, "client_secret")
	if !postIDOK || !postSecretOK {
		tokenError(w, http.StatusBadRequest, "invalid_request", "Client credentials were included more than once.")
		return App{}, false
	}
	var id, secret string
	switch {
	case usedBasic && postSecret != "":
		tokenError(w, http.StatusBadRequest, "invalid_request", descMultipleAuth)
		return App{}, false
	case usedBasic:
		// RFC 6749 section 2.3.1: credentials are form-encoded before Basic.
		var err1, err2 error
		id, err1 = url.QueryUnescape(basicID)
		secret, err2 = url.QueryUnescape(basicSecret)
		if err1 != nil || err2 != nil {
			clientAuthFailure(w, true)
			return App{}, false
		}
		if postID != "" && postID != id {
			tokenError(w, http.StatusBadRequest, "invalid_request", descMultipleAuth)
			return App{}, false
		}
	default:
		id, secret = postID, postSecret
	}
	app, ok := s.App(id)
	if id == "" || secret == "" || !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1 {
		clientAuthFailure(w, usedBasic)
		return App{}, false
	}
	return app, true
}

// handleOktaToken implements {issuer}/v1/token for the authorization_code
// and refresh_token grants.
func (s *Server) handleOktaToken(w http.ResponseWriter, r *http.Request) {
	form, ok := parseForm(w, r)
	if !ok {
		return
	}
	s.handleToken(w, r, form)
}

// handleToken answers a token request whose form has been read, at the Okta
// server's endpoint or through the gateway.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request, form url.Values) {
	app, ok := s.authenticateClient(w, r, form)
	if !ok {
		return
	}
	for name := range form {
		if _, ok := single(form, name); !ok {
			tokenError(w, http.StatusBadRequest, "invalid_request", dupDesc(name))
			return
		}
	}
	grantType := form.Get("grant_type")
	switch grantType {
	case "":
		tokenError(w, http.StatusBadRequest, "invalid_request", "The 'grant_type' parameter is required.")
		return
	case GrantAuthorizationCode, GrantRefreshToken:
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", descUnsupportedGrant)
		return
	}
	if !slices.Contains(app.GrantTypes, grantType) {
		tokenError(w, http.StatusBadRequest, "unauthorized_client", descGrantNotAllowed)
		return
	}
	if grantType == GrantAuthorizationCode {
		s.exchangeCode(w, app, form)
	} else {
		s.refresh(w, app, form)
	}
}

// requiredParam reads a required form parameter, answering Okta's
// invalid_request when it is missing.
func requiredParam(w http.ResponseWriter, form url.Values, name string) (string, bool) {
	v := form.Get(name)
	if v == "" {
		tokenError(w, http.StatusBadRequest, "invalid_request", "The '"+name+"' parameter is required.")
	}
	return v, v != ""
}

func (s *Server) exchangeCode(w http.ResponseWriter, app App, form url.Values) {
	code, ok := requiredParam(w, form, "code")
	if !ok {
		return
	}
	redirectURI, ok := requiredParam(w, form, "redirect_uri")
	if !ok {
		return
	}
	verifier := form.Get("code_verifier")

	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[code]
	if !ok || c.clientID != app.ClientID {
		// A code issued to another client is not this client's to burn.
		tokenError(w, http.StatusBadRequest, "invalid_grant", descCodeInvalid)
		return
	}
	if c.used {
		// RFC 6749 section 4.1.2: a replayed code may mean it was stolen,
		// so revoke everything issued from it.
		if c.grant != nil {
			c.grant.revoked = true
		}
		tokenError(w, http.StatusBadRequest, "invalid_grant", descCodeInvalid)
		return
	}
	if !now.Before(c.expires) {
		delete(s.codes, code)
		tokenError(w, http.StatusBadRequest, "invalid_grant", descCodeInvalid)
		return
	}
	if c.challenge != "" && verifier == "" {
		tokenError(w, http.StatusBadRequest, "invalid_request", descVerifierMissing)
		return
	}
	// From here a presentation by the right client consumes the code, so a
	// stolen code gets one guess at the verifier.
	c.used = true
	if redirectURI != c.redirectURI {
		tokenError(w, http.StatusBadRequest, "invalid_grant", descRedirectMatch)
		return
	}
	if c.challenge == "" {
		if verifier != "" {
			tokenError(w, http.StatusBadRequest, "invalid_grant", descPKCEFailed)
			return
		}
	} else if !pkce.Verify(verifier, c.challenge, c.challengeMethod) {
		tokenError(w, http.StatusBadRequest, "invalid_grant", descPKCEFailed)
		return
	}
	g := &grant{clientID: app.ClientID, user: c.user, scopes: c.scopes}
	c.grant = g
	s.sweepLocked(now)
	s.issueLocked(w, app, g, now)
}

func (s *Server) refresh(w http.ResponseWriter, app App, form url.Values) {
	presented, ok := requiredParam(w, form, "refresh_token")
	if !ok {
		return
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refreshTokens[presented]
	if !ok || rt.grant.clientID != app.ClientID || rt.revoked || rt.grant.revoked {
		tokenError(w, http.StatusBadRequest, "invalid_grant", descRefreshInvalid)
		return
	}
	if rt.used {
		// Reuse of a rotated token means two parties hold it: revoke the
		// whole family (RFC 9700 section 4.14.2).
		rt.grant.revoked = true
		tokenError(w, http.StatusBadRequest, "invalid_grant", descRefreshInvalid)
		return
	}
	// A scope parameter may only restate granted scopes; the grant's scope
	// is kept unchanged either way.
	for _, sc := range strings.Fields(form.Get("scope")) {
		if !slices.Contains(rt.grant.scopes, sc) {
			tokenError(w, http.StatusBadRequest, "invalid_scope", descRefreshScope)
			return
		}
	}
	rt.used = true
	s.sweepLocked(now)
	s.issueLocked(w, app, rt.grant, now)
}

// issueLocked mints an access token, and a refresh token when the app has
// the refresh_token grant, and writes the token response. Callers hold s.mu.
func (s *Server) issueLocked(w http.ResponseWriter, app App, g *grant, now time.Time) {
	access := randomToken(32)
	s.accessTokens[access] = &accessToken{grant: g, issued: now, expires: now.Add(AccessTokenLifetime)}
	resp := tokenResponse{
		AccessToken: access,
		TokenType:   "Bearer",
		ExpiresIn:   int(AccessTokenLifetime / time.Second),
		Scope:       strings.Join(g.scopes, " "),
	}
	if slices.Contains(app.GrantTypes, GrantRefreshToken) {
		refresh := randomToken(32)
		s.refreshTokens[refresh] = &refreshToken{grant: g, issued: now}
		resp.RefreshToken = refresh
	}
	noStore(w)
	writeJSON(w, http.StatusOK, resp)
}

// tokenRequest reads what revocation and introspection share: an
// authenticated client and a "token" parameter. It has answered the request
// when ok is false.
func (s *Server) tokenRequest(w http.ResponseWriter, r *http.Request) (app App, token string, ok bool) {
	form, ok := parseForm(w, r)
	if !ok {
		return App{}, "", false
	}
	app, ok = s.authenticateClient(w, r, form)
	if !ok {
		return App{}, "", false
	}
	if token, ok = requiredParam(w, form, "token"); !ok {
		return App{}, "", false
	}
	return app, token, true
}

// handleRevoke implements RFC 7009 at {issuer}/v1/revoke. It answers 200 for
// any authenticated client, whether or not the token was known, so it cannot
// be used to test token validity.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	app, token, ok := s.tokenRequest(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	if at, ok := s.accessTokens[token]; ok && at.grant.clientID == app.ClientID {
		at.revoked = true
	}
	if rt, ok := s.refreshTokens[token]; ok && rt.grant.clientID == app.ClientID {
		// RFC 7009 section 2.1: revoking a refresh token also revokes the
		// access tokens of the same grant.
		rt.revoked = true
		rt.grant.revoked = true
	}
	s.mu.Unlock()
	noStore(w)
	w.WriteHeader(http.StatusOK)
}

// introspection is the RFC 7662 response; inactive tokens get only active.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Username  string `json:"username,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Iss       string `json:"iss,omitempty"`
}

// handleIntrospect implements RFC 7662 at {issuer}/v1/introspect, which
// makes revocation and rotation observable to tests and people.
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	app, token, ok := s.tokenRequest(w, r)
	if !ok {
		return
	}
	now := s.now()
	resp := introspection{}
	s.mu.Lock()
	if at, ok := s.accessTokens[token]; ok && at.grant.clientID == app.ClientID &&
		!at.revoked && !at.grant.revoked && now.Before(at.expires) {
		resp = introspection{Active: true, TokenType: "Bearer", Exp: at.expires.Unix(), Iat: at.issued.Unix()}
		fillGrant(&resp, at.grant, s.issuer)
	} else if rt, ok := s.refreshTokens[token]; ok && rt.grant.clientID == app.ClientID &&
		!rt.revoked && !rt.used && !rt.grant.revoked {
		resp = introspection{Active: true, TokenType: "refresh_token", Iat: rt.issued.Unix()}
		fillGrant(&resp, rt.grant, s.issuer)
	}
	s.mu.Unlock()
	noStore(w)
	writeJSON(w, http.StatusOK, resp)
}

func fillGrant(resp *introspection, g *grant, issuer string) {
	resp.Scope = strings.Join(g.scopes, " ")
	resp.ClientID = g.clientID
	resp.Username = g.user
	resp.Sub = g.user
	resp.Iss = issuer
}

// handleKeys serves an empty JWKS: this server issues opaque tokens only.
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string][]any{"keys": {}})
}

// handleMetadata serves the RFC 8414 document.
func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Metadata())
}
