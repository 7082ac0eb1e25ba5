package authserver

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
)

// Error descriptions worded like Okta's, since probes and people match on them.
const (
	descInvalidClient     = "Invalid value for 'client_id' parameter."
	descBadRedirectURI    = "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings"
	descInvalidScope      = "One or more scopes are not configured for the authorization server resource."
	descResponseType      = "The response type is not supported by the authorization server. Configured response types: [code]."
	descStateRequired     = "The 'state' parameter is required."
	descPKCERequired      = "PKCE code challenge is required for this client application."
	descChallengeMethod   = "The 'code_challenge_method' parameter must be 'S256'."
	descPKCENotEnabled    = "PKCE is not enabled for this client application."
	descResponseMode      = "The 'response_mode' parameter is not supported; only 'query' is."
	descGrantNotAllowed   = "The client is not authorized to use the provided grant type."
	descDuplicateParamFmt = "The '%s' parameter was included more than once."
)

// handleAuthorize implements {issuer}/v1/authorize as ZoomInfo's Okta server
// does: problems with the client or redirect URI get an error page (there is
// nowhere safe to redirect to), every other problem is redirected back to
// the client, and a valid request goes to the login page.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.authorizeCount++
	s.mu.Unlock()

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		renderErrorPage(w, http.StatusMethodNotAllowed, "invalid_request", "The authorize endpoint only accepts GET.")
		return
	}
	q := r.URL.Query()

	clientID, ok := single(q, "client_id")
	if !ok {
		renderErrorPage(w, http.StatusBadRequest, "invalid_request", dupDesc("client_id"))
		return
	}
	app, found := s.App(clientID)
	if clientID == "" || !found {
		renderErrorPage(w, http.StatusBadRequest, "invalid_client", descInvalidClient)
		return
	}
	redirectURI, ok := single(q, "redirect_uri")
	if !ok || redirectURI == "" || !slices.Contains(app.RedirectURIs, redirectURI) {
		renderErrorPage(w, http.StatusBadRequest, "invalid_request", descBadRedirectURI)
		return
	}

	// From here on the redirect URI is trusted, so errors go back to it.
	// A duplicated state reads as empty and is not echoed.
	state, _ := single(q, "state")
	fail := func(code, desc string) {
		redirectWithParams(w, r, redirectURI, url.Values{
			"error":             {code},
			"error_description": {desc},
		}, state)
	}
	for _, p := range []string{"response_type", "state", "scope", "code_challenge", "code_challenge_method", "response_mode", "nonce", "prompt"} {
		if _, ok := single(q, p); !ok {
			fail("invalid_request", dupDesc(p))
			return
		}
	}

	if rt := q.Get("response_type"); rt != "code" {
		fail("unsupported_response_type", descResponseType)
		return
	}
	if rm := q.Get("response_mode"); rm != "" && rm != "query" {
		fail("invalid_request", descResponseMode)
		return
	}
	if state == "" {
		fail("invalid_request", descStateRequired)
		return
	}
	if !slices.Contains(app.GrantTypes, GrantAuthorizationCode) {
		fail("unauthorized_client", descGrantNotAllowed)
		return
	}

	challenge := q.Get("code_challenge")
	method := q.Get("code_challenge_method")
	if app.PKCERequired {
		if challenge == "" {
			fail("invalid_request", descPKCERequired)
			return
		}
		if method != pkce.MethodS256 {
			fail("invalid_request", descChallengeMethod)
			return
		}
		if err := pkce.ValidateChallenge(challenge); err != nil {
			// The challenge is public, but describe the rule rather than
			// reflect request input into the redirect.
			fail("invalid_request", "The 'code_challenge' parameter is not a valid S256 challenge: 43 characters of unpadded base64url.")
			return
		}
	} else if challenge != "" || method != "" {
		fail("invalid_request", descPKCENotEnabled)
		return
	}

	scopes := strings.Fields(q.Get("scope"))
	if len(scopes) == 0 {
		scopes = slices.Clone(app.Scopes)
	} else {
		for _, sc := range scopes {
			if !slices.Contains(app.Scopes, sc) {
				fail("invalid_scope", descInvalidScope)
				return
			}
		}
		slices.Sort(scopes)
		scopes = slices.Compact(scopes)
	}

	txID := randomToken(24)
	now := s.now()
	s.mu.Lock()
	s.sweepLocked(now)
	s.txs[txID] = &loginTx{
		clientID:        app.ClientID,
		redirectURI:     redirectURI,
		state:           state,
		scopes:          scopes,
		challenge:       challenge,
		challengeMethod: method,
		expires:         now.Add(loginTxLifetime),
	}
	s.mu.Unlock()
	noStore(w)
	http.Redirect(w, r, s.LoginURL()+"?tx="+url.QueryEscape(txID), http.StatusFound)
}

// handleLoginForm renders the sign-in form for a pending transaction.
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	txID := r.URL.Query().Get("tx")
	tx := s.lookupTx(txID)
	if tx == nil {
		renderErrorPage(w, http.StatusBadRequest, "invalid_request", "The sign-in request is unknown or has expired. Start again from the application.")
		return
	}
	renderLoginForm(w, http.StatusOK, s.LoginURL(), txID, tx.clientID, "", "")
}

// handleLoginSubmit checks the credentials and, on success, redirects to
// the client with a new authorization code and the original state. Bad
// credentials re-render the form; nothing is redirected.
func (s *Server) handleLoginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		renderErrorPage(w, http.StatusBadRequest, "invalid_request", "The sign-in form could not be read.")
		return
	}
	txID := r.PostForm.Get("tx")
	tx := s.lookupTx(txID)
	if tx == nil {
		renderErrorPage(w, http.StatusBadRequest, "invalid_request", "The sign-in request is unknown or has expired. Start again from the application.")
		return
	}
	username := r.PostForm.Get("username")
	if !s.checkPassword(username, r.PostForm.Get("password")) {
		renderLoginForm(w, http.StatusUnauthorized, s.LoginURL(), txID, tx.clientID, username, "Sign in failed: unknown username or wrong password.")
		return
	}

	now := s.now()
	code := randomToken(32)
	s.mu.Lock()
	// The transaction is single use: take it under the lock so two
	// concurrent submissions cannot both get a code.
	tx, ok := s.txs[txID]
	if ok {
		delete(s.txs, txID)
	}
	if ok && now.Before(tx.expires) {
		s.codes[code] = &authCode{
			clientID:        tx.clientID,
			redirectURI:     tx.redirectURI,
			scopes:          tx.scopes,
			challenge:       tx.challenge,
			challengeMethod: tx.challengeMethod,
			user:            username,
			expires:         now.Add(s.cfg.CodeLifetime),
		}
	}
	s.mu.Unlock()
	if !ok || !now.Before(tx.expires) {
		renderErrorPage(w, http.StatusBadRequest, "invalid_request", "The sign-in request is unknown or has expired. Start again from the application.")
		return
	}
	noStore(w)
	redirectWithParams(w, r, tx.redirectURI, url.Values{"code": {code}}, tx.state)
}

func (s *Server) lookupTx(txID string) *loginTx {
	if txID == "" {
		return nil
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, ok := s.txs[txID]
	if !ok || !now.Before(tx.expires) {
		return nil
	}
	c := *tx
	return &c
}

// checkPassword compares in constant time so response timing does not
// reveal how much of a password matched.
func (s *Server) checkPassword(username, password string) bool {
	want, ok := s.cfg.Users[username]
	if !ok || username == "" {
		// Compare anyway to keep timing similar for unknown users.
		subtle.ConstantTimeCompare([]byte(password), []byte(password))
		return false
	}
	return subtle.ConstantTimeCompare([]byte(password), []byte(want)) == 1
}

// redirectWithParams redirects to target with params (and state, when not
// empty) added to its query, keeping any query the registered URI has.
func redirectWithParams(w http.ResponseWriter, r *http.Request, target string, params url.Values, state string) {
	u, err := url.Parse(target)
	if err != nil {
		// Registered URIs are validated on registration; this is a safety net.
		renderErrorPage(w, http.StatusBadRequest, "invalid_request", descBadRedirectURI)
		return
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	if state != "" {
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// single returns the parameter's value and false when it appears more than
// once, which RFC 6749 section 3.1 forbids.
func single(v url.Values, name string) (string, bool) {
	vs := v[name]
	if len(vs) > 1 {
		return "", false
	}
	if len(vs) == 0 {
		return "", true
	}
	return vs[0], true
}

func dupDesc(name string) string {
	return fmt.Sprintf(descDuplicateParamFmt, name)
}

func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}
