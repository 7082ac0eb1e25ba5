package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/oauth2"

	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
)

// Account linking as StackOne's Hub does it: a connect session hands out a
// single-use link; the link starts an authorization code (+ PKCE) request
// against the connector's authorization server; the callback exchanges the
// code with the profile's client credentials and records a linked account.

const (
	// sessionLifetime is how long a connect session's link can be opened.
	sessionLifetime = 10 * time.Minute
	// attemptLifetime is how long a user has between being sent to the
	// authorization server and coming back to the callback.
	attemptLifetime = 10 * time.Minute
	// tokenCallTimeout bounds the server-to-server token exchange so a hung
	// authorization server cannot hold a browser request forever.
	tokenCallTimeout = 15 * time.Second
	// maxProviderText caps error texts copied from the authorization server.
	maxProviderText = 1024

	browserConnectRoute  = "/connect/oauth2/{id}"
	browserCallbackRoute = "/connect/oauth2/{provider}/callback"
)

// Connect session statuses, as GET /connect_sessions/{id} reports them.
const (
	SessionPending = "pending"
	SessionLinked  = "linked"
	SessionFailed  = "failed"
)

// ConnectSession is a connect session as the sandbox stores it. Its token is
// kept only as a hash.
type ConnectSession struct {
	ID              string
	Provider        string
	IntegrationID   string // the connector profile's id
	OriginOwnerID   string
	OriginOwnerName string
	// Status is SessionPending, SessionLinked or SessionFailed.
	Status string
	// Error and ErrorDescription say why a failed session failed: the
	// authorization server's OAuth error when it gave one.
	Error            string
	ErrorDescription string
	// AccountID is the linked account once Status is SessionLinked.
	AccountID string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Account is a linked account. The tokens obtained for it stay inside the
// sandbox: neither this type nor any endpoint exposes them.
type Account struct {
	ID              string
	Provider        string
	IntegrationID   string // the connector profile's id
	Status          string // "active" once linked
	Scopes          []string
	OriginOwnerID   string
	OriginOwnerName string
	CreatedAt       time.Time
}

type sessionRecord struct {
	s         ConnectSession
	tokenHash [32]byte
	tokenUsed bool
}

type accountRecord struct {
	seq          uint64
	a            Account
	accessToken  string
	refreshToken string
	tokenExpiry  time.Time
}

// linkAttempt is one trip to the authorization server, keyed by its state.
type linkAttempt struct {
	sessionID   string
	profileID   string
	provider    string
	verifier    string // empty when the auth type has no PKCE
	redirectURI string
	expires     time.Time
}

// linkStore holds sessions, attempts and accounts under their own lock, so
// linking never waits on profile writes.
type linkStore struct {
	mu       sync.Mutex
	sessions map[string]*sessionRecord
	byToken  map[[32]byte]*sessionRecord
	attempts map[string]*linkAttempt
	accounts []*accountRecord
	seq      uint64
}

func (l *linkStore) init() {
	l.sessions = map[string]*sessionRecord{}
	l.byToken = map[[32]byte]*sessionRecord{}
	l.attempts = map[string]*linkAttempt{}
}

func (l *linkStore) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	l.accounts = nil
}

// sweepLocked drops expired attempts and the token index of expired
// sessions, so a long-running sandbox does not grow without bound.
func (l *linkStore) sweepLocked(now time.Time) {
	for k, a := range l.attempts {
		if !now.Before(a.expires) {
			delete(l.attempts, k)
		}
	}
	for k, rec := range l.byToken {
		if rec.tokenUsed || !now.Before(rec.s.ExpiresAt) {
			delete(l.byToken, k)
		}
	}
}

// fail records a failed session unless it already ended.
func (l *linkStore) fail(sessionID, code, desc string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if rec, ok := l.sessions[sessionID]; ok && rec.s.Status == SessionPending {
		rec.s.Status, rec.s.Error, rec.s.ErrorDescription = SessionFailed, code, desc
	}
}

// ConnectSession returns the stored connect session with id.
func (s *Sandbox) ConnectSession(id string) (ConnectSession, bool) {
	s.link.mu.Lock()
	defer s.link.mu.Unlock()
	rec, ok := s.link.sessions[id]
	if !ok {
		return ConnectSession{}, false
	}
	return rec.s, true
}

// Accounts returns the linked accounts, oldest first.
func (s *Sandbox) Accounts() []Account {
	s.link.mu.Lock()
	defer s.link.mu.Unlock()
	out := make([]Account, 0, len(s.link.accounts))
	for _, rec := range s.link.accounts {
		a := rec.a
		a.Scopes = slices.Clone(a.Scopes)
		out = append(out, a)
	}
	return out
}

func hashToken(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// newTokenClient is the HTTP client of the token exchange. It never follows
// redirects: a token endpoint that redirects is misconfigured, and following
// would resend the client credentials somewhere else.
func newTokenClient() *http.Client {
	return &http.Client{
		Timeout:       tokenCallTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// --- API endpoints (API key, JSON) ---

var connectSessionFields = []string{"origin_owner_id", "origin_owner_name", "provider", "integration_id"}

type connectSessionCreated struct {
	ID          string `json:"id"`
	Token       string `json:"token"`
	AuthLinkURL string `json:"auth_link_url"`
}

type connectSessionJSON struct {
	ID               string  `json:"id"`
	Provider         string  `json:"provider"`
	IntegrationID    string  `json:"integration_id"`
	OriginOwnerID    string  `json:"origin_owner_id"`
	OriginOwnerName  string  `json:"origin_owner_name"`
	Status           string  `json:"status"`
	Error            *string `json:"error"`
	ErrorDescription *string `json:"error_description"`
	AccountID        *string `json:"account_id"`
	CreatedAt        string  `json:"created_at"`
	ExpiresAt        string  `json:"expires_at"`
}

type accountJSON struct {
	ID              string   `json:"id"`
	Provider        string   `json:"provider"`
	IntegrationID   string   `json:"integration_id"`
	Status          string   `json:"status"`
	Scopes          []string `json:"scopes"`
	OriginOwnerID   string   `json:"origin_owner_id"`
	OriginOwnerName string   `json:"origin_owner_name"`
	CreatedAt       string   `json:"created_at"`
}

func nullable(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// readSessionBody reads a connect-session request. It is not readObject
// because that one's messages speak of connector profiles.
func readSessionBody(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errorf(http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request body is larger than %d bytes", maxBodyBytes)
		}
		return nil, errorf(http.StatusBadRequest, "BadRequest", "reading the request body failed")
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return nil, errorf(http.StatusBadRequest, "BadRequest", "request body must be a single JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errorf(http.StatusBadRequest, "BadRequest", "request body must be a single JSON object")
	}
	var unknown []string
	for k := range fields {
		if !slices.Contains(connectSessionFields, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, validationError("%s is not a field of a connect session request (accepted: %s)", unknown[0], strings.Join(connectSessionFields, ", "))
	}
	return fields, nil
}

// createConnectSession implements POST /connect_sessions. An Idempotency-Key
// is accepted and ignored, as the contract allows: a repeat answer would have
// to carry the first session's token again.
func (s *Sandbox) createConnectSession(w http.ResponseWriter, r *http.Request) {
	fields, aerr := readSessionBody(w, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var ownerID, ownerName, integrationID string
	for _, f := range []struct {
		name string
		dst  *string
	}{{"origin_owner_id", &ownerID}, {"origin_owner_name", &ownerName}, {"integration_id", &integrationID}} {
		if *f.dst, aerr = requiredString(fields, f.name); aerr != nil {
			writeError(w, aerr)
			return
		}
	}
	provider, _, aerr := stringField(fields, "provider")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	p, ok := s.Profile(integrationID)
	if !ok {
		writeError(w, notFound("connector profile %q (integration_id) not found", integrationID))
		return
	}
	if provider != "" && provider != p.Provider {
		writeError(w, unprocessable("provider %q does not match connector profile %q, which is %q", provider, p.ID, p.Provider))
		return
	}
	if !p.Active {
		writeError(w, unprocessable("connector profile %q is inactive: accounts cannot be linked to it", p.ID))
		return
	}
	if auth, ok := s.authType(p); !ok || auth.AuthorizationURL == "" {
		writeError(w, unprocessable("connector profile %q uses auth type %q, which has no user authorization step to link through", p.ID, p.AuthType))
		return
	}

	token := randomToken()
	now := s.now().UTC()
	rec := &sessionRecord{
		s: ConnectSession{
			ID: newUUID(), Provider: p.Provider, IntegrationID: p.ID,
			OriginOwnerID: ownerID, OriginOwnerName: ownerName,
			Status: SessionPending, CreatedAt: now, ExpiresAt: now.Add(sessionLifetime),
		},
		tokenHash: hashToken(token),
	}
	s.link.mu.Lock()
	s.link.sweepLocked(now)
	s.link.sessions[rec.s.ID] = rec
	s.link.byToken[rec.tokenHash] = rec
	s.link.mu.Unlock()

	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, connectSessionCreated{
		ID:          rec.s.ID,
		Token:       token,
		AuthLinkURL: s.baseURL + "/connect/oauth2/" + url.PathEscape(p.ID) + "?token=" + url.QueryEscape(token),
	})
}

// getConnectSession implements GET /connect_sessions/{id}: how linking went.
func (s *Sandbox) getConnectSession(w http.ResponseWriter, r *http.Request) {
	cs, ok := s.ConnectSession(r.PathValue("id"))
	if !ok {
		writeError(w, notFound("connect session %q not found", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, connectSessionJSON{
		ID: cs.ID, Provider: cs.Provider, IntegrationID: cs.IntegrationID,
		OriginOwnerID: cs.OriginOwnerID, OriginOwnerName: cs.OriginOwnerName,
		Status: cs.Status, Error: nullable(cs.Error), ErrorDescription: nullable(cs.ErrorDescription),
		AccountID: nullable(cs.AccountID),
		CreatedAt: cs.CreatedAt.UTC().Format(timeLayout), ExpiresAt: cs.ExpiresAt.UTC().Format(timeLayout),
	})
}

// listAccounts implements GET /accounts: linked accounts, oldest first,
// optionally filtered by provider. Tokens are never part of an account.
func (s *Sandbox) listAccounts(w http.ResponseWriter, r *http.Request) {
	size, aerr := pageSize(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	after, aerr := decodeCursor(r, "accounts")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	provider := r.URL.Query().Get("filter[provider]")

	s.link.mu.Lock()
	data := []accountJSON{}
	var next *string
	var last uint64
	for _, rec := range s.link.accounts {
		if rec.seq <= after || (provider != "" && rec.a.Provider != provider) {
			continue
		}
		if len(data) == size {
			cur := encodeCursor("accounts", last)
			next = &cur
			break
		}
		a := rec.a
		data = append(data, accountJSON{
			ID: a.ID, Provider: a.Provider, IntegrationID: a.IntegrationID, Status: a.Status,
			Scopes: append([]string{}, a.Scopes...), OriginOwnerID: a.OriginOwnerID,
			OriginOwnerName: a.OriginOwnerName, CreatedAt: a.CreatedAt.UTC().Format(timeLayout),
		})
		last = rec.seq
	}
	s.link.mu.Unlock()
	writeJSON(w, http.StatusOK, page{Data: data, Next: next})
}

// authType returns the catalog entry of p's auth type.
func (s *Sandbox) authType(p Profile) (Authentication, bool) {
	c, ok := s.connector(p.Provider)
	if !ok {
		return Authentication{}, false
	}
	for _, a := range c.Authentication {
		if a.Key == p.AuthType {
			return a, true
		}
	}
	return Authentication{}, false
}

// --- Browser endpoints (no API key, HTML) ---

// isBrowserRoute reports whether template is opened by a person's browser:
// those carry no API key, answer in HTML and are spared rate limits and
// injected faults, which model the API's behaviour towards API clients.
func isBrowserRoute(template string) bool {
	return template == browserConnectRoute || template == browserCallbackRoute
}

func (s *Sandbox) serveBrowser(w http.ResponseWriter, r *http.Request, rt *route) {
	h := rt.methods[r.Method]
	if h == nil {
		w.Header().Set("Allow", allowed(rt))
		renderLinkPage(w, http.StatusMethodNotAllowed, linkPage{Title: "Method not allowed", Message: "Open this link in a browser."})
		return
	}
	h(w, r)
}

// connectStart implements GET /connect/oauth2/{id}?token=…, the auth link:
// it spends the session token and sends the browser to the authorization
// server with a fresh state and PKCE verifier.
func (s *Sandbox) connectStart(w http.ResponseWriter, r *http.Request) {
	profileID := r.PathValue("id")
	token := r.URL.Query().Get("token")
	if token == "" {
		renderLinkPage(w, http.StatusBadRequest, linkPage{Title: "Invalid link", Message: "This link has no session token. Ask for a new link."})
		return
	}
	now := s.now()
	h := hashToken(token)
	s.link.mu.Lock()
	rec, ok := s.link.byToken[h]
	var problem string
	switch {
	case !ok || rec.tokenUsed || rec.s.IntegrationID != profileID:
		problem = "This link is invalid or has already been used. Ask for a new link."
	case !now.Before(rec.s.ExpiresAt):
		problem = "This link has expired. Ask for a new link."
	default:
		// Spent on first use, whatever follows: a link that leaked through
		// history or a Referer cannot be replayed.
		rec.tokenUsed = true
		delete(s.link.byToken, h)
	}
	var sessionID string
	if problem == "" {
		sessionID = rec.s.ID
	}
	s.link.mu.Unlock()
	if problem != "" {
		renderLinkPage(w, http.StatusBadRequest, linkPage{Title: "Invalid link", Message: problem})
		return
	}

	p, ok := s.Profile(profileID)
	if !ok || !p.Active {
		s.link.fail(sessionID, "integration_unavailable", "The connector profile was deleted or deactivated.")
		renderLinkPage(w, http.StatusNotFound, linkPage{Title: "Connector unavailable", Message: "The connector profile of this link was deleted or deactivated."})
		return
	}
	auth, ok := s.authType(p)
	authURL, err := url.Parse(auth.AuthorizationURL)
	if !ok || auth.AuthorizationURL == "" || err != nil {
		s.link.fail(sessionID, "integration_unavailable", "The connector profile's auth type has no authorization URL.")
		renderLinkPage(w, http.StatusUnprocessableEntity, linkPage{Title: "Connector unavailable", Message: "This connector cannot be linked through a browser."})
		return
	}

	state := randomToken()
	q := authURL.Query()
	q.Set("response_type", "code")
	q.Set("client_id", p.ClientID)
	q.Set("redirect_uri", p.RedirectURI)
	if len(p.Scopes) > 0 {
		q.Set("scope", strings.Join(p.Scopes, " "))
	}
	q.Set("state", state)
	var verifier string
	if auth.PKCE {
		verifier, err = pkce.GenerateVerifier(0)
		if err != nil {
			s.link.fail(sessionID, "server_error", "Generating a PKCE verifier failed.")
			renderLinkPage(w, http.StatusInternalServerError, linkPage{Title: "Linking failed", Message: "Generating a PKCE verifier failed."})
			return
		}
		q.Set("code_challenge", pkce.S256Challenge(verifier))
		q.Set("code_challenge_method", pkce.MethodS256)
	}
	authURL.RawQuery = q.Encode()

	s.link.mu.Lock()
	s.link.sweepLocked(now)
	s.link.attempts[state] = &linkAttempt{
		sessionID: sessionID, profileID: p.ID, provider: p.Provider,
		verifier: verifier, redirectURI: p.RedirectURI, expires: now.Add(attemptLifetime),
	}
	s.link.mu.Unlock()

	browserHeaders(w)
	http.Redirect(w, r, authURL.String(), http.StatusFound)
}

// connectCallback implements GET /connect/oauth2/{provider}/callback, where
// the authorization server sends the browser back with a code or an error.
func (s *Sandbox) connectCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	now := s.now()
	s.link.mu.Lock()
	att, ok := s.link.attempts[state]
	if ok && att.provider == r.PathValue("provider") {
		// Single use: a replayed callback finds nothing.
		delete(s.link.attempts, state)
	}
	s.link.mu.Unlock()
	if state == "" || !ok || att.provider != r.PathValue("provider") || !now.Before(att.expires) {
		renderLinkPage(w, http.StatusBadRequest, linkPage{Title: "Invalid request",
			Message: "The state of this request is unknown, expired or already used. Start again from your application."})
		return
	}

	if code := q.Get("error"); code != "" {
		desc := providerText(q.Get("error_description"))
		code = providerText(code)
		s.link.fail(att.sessionID, code, desc)
		renderLinkPage(w, http.StatusBadRequest, linkPage{Title: "Linking failed",
			Message: "The authorization server refused the request.", Error: code, ErrorDescription: desc})
		return
	}
	code := q.Get("code")
	if code == "" {
		const desc = "The authorization server returned neither a code nor an error."
		s.link.fail(att.sessionID, "invalid_request", desc)
		renderLinkPage(w, http.StatusBadRequest, linkPage{Title: "Linking failed", Message: desc, Error: "invalid_request"})
		return
	}

	p, ok := s.Profile(att.profileID)
	auth, authOK := s.authType(p)
	if !ok || !authOK || auth.TokenURL == "" {
		const desc = "The connector profile was deleted while linking."
		s.link.fail(att.sessionID, "integration_unavailable", desc)
		renderLinkPage(w, http.StatusNotFound, linkPage{Title: "Linking failed", Message: desc})
		return
	}
	tok, oerr, status := s.exchangeCode(r.Context(), p, auth, att, code)
	if oerr != nil {
		s.link.fail(att.sessionID, oerr.code, oerr.desc)
		renderLinkPage(w, status, linkPage{Title: "Linking failed",
			Message: "The authorization server refused to issue tokens.", Error: oerr.code, ErrorDescription: oerr.desc})
		return
	}

	granted := p.Scopes
	if sc, ok := tok.Extra("scope").(string); ok {
		// RFC 6749 section 5.1: scope is omitted when it equals the request.
		granted = strings.Fields(sc)
	}
	acct, linked := s.recordAccount(att.sessionID, p, granted, tok, now)
	if !linked {
		renderLinkPage(w, http.StatusConflict, linkPage{Title: "Linking failed", Message: "This connect session has already ended."})
		return
	}
	renderLinkPage(w, http.StatusOK, linkPage{Title: "Account linked",
		Message: fmt.Sprintf("Your %s account is linked (account %s). You can close this window.", p.Provider, acct.ID)})
}

type oauthFailure struct{ code, desc string }

// exchangeCode redeems code at the token endpoint with the profile's client
// credentials (client_secret_basic) and the attempt's verifier. On failure it
// returns the provider's OAuth error and the HTTP status for the page.
func (s *Sandbox) exchangeCode(ctx context.Context, p Profile, auth Authentication, att *linkAttempt, code string) (*oauth2.Token, *oauthFailure, int) {
	cfg := oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		Endpoint:     oauth2.Endpoint{TokenURL: auth.TokenURL, AuthStyle: oauth2.AuthStyleInHeader},
		RedirectURL:  att.redirectURI,
	}
	var opts []oauth2.AuthCodeOption
	if att.verifier != "" {
		opts = append(opts, oauth2.VerifierOption(att.verifier))
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, s.tokenClient)
	tok, err := cfg.Exchange(ctx, code, opts...)
	if err == nil {
		return tok, nil, http.StatusOK
	}
	// Never pass err on: RetrieveError's text carries the response body.
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode != "" {
			return nil, &oauthFailure{providerText(re.ErrorCode), providerText(re.ErrorDescription)}, http.StatusBadRequest
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return nil, &oauthFailure{"server_error", fmt.Sprintf("The token endpoint answered HTTP %d without an OAuth error.", status)}, http.StatusBadGateway
	}
	return nil, &oauthFailure{"temporarily_unavailable", "The token endpoint could not be reached or gave an unreadable answer."}, http.StatusBadGateway
}

// recordAccount stores the linked account and marks the session linked. It
// reports false, storing nothing, if the session ended meanwhile (for
// example a Reset).
func (s *Sandbox) recordAccount(sessionID string, p Profile, granted []string, tok *oauth2.Token, now time.Time) (Account, bool) {
	s.link.mu.Lock()
	defer s.link.mu.Unlock()
	rec, ok := s.link.sessions[sessionID]
	if !ok || rec.s.Status != SessionPending {
		return Account{}, false
	}
	s.link.seq++
	a := Account{
		ID: newUUID(), Provider: p.Provider, IntegrationID: p.ID, Status: "active",
		Scopes: append([]string{}, granted...), OriginOwnerID: rec.s.OriginOwnerID,
		OriginOwnerName: rec.s.OriginOwnerName, CreatedAt: now.UTC(),
	}
	s.link.accounts = append(s.link.accounts, &accountRecord{
		seq: s.link.seq, a: a, accessToken: tok.AccessToken, refreshToken: tok.RefreshToken, tokenExpiry: tok.Expiry,
	})
	rec.s.Status, rec.s.AccountID = SessionLinked, a.ID
	return a, true
}

// providerText bounds text copied from the authorization server and drops
// control characters; html/template escapes it when shown.
func providerText(v string) string {
	v = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, v)
	if len(v) > maxProviderText {
		// Dropping invalid bytes removes a rune the cut split in two.
		v = strings.ToValidUTF8(v[:maxProviderText], "")
	}
	return v
}

// randomToken returns 32 random bytes as unpadded base64url: session tokens
// and states.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it aborts the program instead)
	return base64.RawURLEncoding.EncodeToString(b)
}

// --- pages ---

type linkPage struct {
	Title            string
	Message          string
	Error            string
	ErrorDescription string
}

var linkPageTemplate = template.Must(template.New("link").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} - StackOne</title></head>
<body>
<h1 id="title">{{.Title}}</h1>
<p id="message">{{.Message}}</p>
{{if .Error}}<p>Error: <code id="error">{{.Error}}</code></p>{{end}}
{{if .ErrorDescription}}<p>Description: <span id="error-description">{{.ErrorDescription}}</span></p>{{end}}
</body></html>
`))

func browserHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	// Link and callback URLs carry tokens, codes and states.
	h.Set("Referrer-Policy", "no-referrer")
}

// renderLinkPage shows a page to the person linking; html/template escapes
// every value, including error texts that came from the authorization server.
func renderLinkPage(w http.ResponseWriter, status int, p linkPage) {
	browserHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = linkPageTemplate.Execute(w, p)
}
