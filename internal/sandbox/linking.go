package sandbox

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/oauth2"

	"github.com/stackonehq/terraform-provider-stackone/internal/pkce"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox/authserver"
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

// Connect session statuses of the Go API. On the wire a session has no
// status of its own: its latest_connection_attempt carries one (see the
// Attempt* constants).
const (
	SessionPending = "pending"
	SessionLinked  = "linked"
	SessionFailed  = "failed"
)

// Connection attempt statuses, as latest_connection_attempt reports them.
// A failed attempt is AttemptCancelled when the user refused access at the
// authorization server (OAuth error access_denied), else AttemptError.
const (
	AttemptPending       = "pending"
	AttemptAuthenticated = "authenticated"
	AttemptError         = "error"
	AttemptCancelled     = "cancelled"
)

// Every session belongs to the sandbox's one organization and project. Both
// are strings on the wire: organization_id became a string in TypeScript SDK
// 4.34.0 ("organizationId Changed (Breaking)"), Ruby 0.40.1 and Java 0.19.3.
const (
	SandboxOrganizationID = "sandbox-org"
	SandboxProjectID      = "sandbox"
)

// ConnectSession is a connect session as the sandbox stores it. Its token is
// kept only as a hash.
type ConnectSession struct {
	// ID is the session's numeric wire id, in decimal.
	ID       string
	Provider string
	// IntegrationID is the connector profile's id (connector_profile_id on
	// the wire).
	IntegrationID   string
	OriginOwnerID   string
	OriginOwnerName string
	// The optional fields of the request, echoed on the wire.
	OriginUsername string
	Label          string
	Type           string
	Categories     []string
	Metadata       json.RawMessage // a JSON object, nil when not given
	Multiple       bool
	// EditAccountID is the request's account_id (the account an edit
	// session re-links). The sandbox echoes it; linking still records a new
	// account.
	EditAccountID string
	// Status is SessionPending, SessionLinked or SessionFailed.
	Status string
	// Error and ErrorDescription say why a failed session failed: the
	// authorization server's OAuth error when it gave one.
	Error            string
	ErrorDescription string
	// AccountID is the linked account once Status is SessionLinked.
	AccountID string
	// Attempt is the latest connection attempt: nil until the auth link is
	// opened.
	Attempt   *ConnectionAttempt
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ConnectionAttempt is a session's latest try at linking, as
// latest_connection_attempt reports it.
type ConnectionAttempt struct {
	ID string
	// Status is one of the Attempt* constants.
	Status                string
	OAuthErrorCode        string
	OAuthErrorDescription string
	// AccountID is the linked account (account_secure_id) once authenticated.
	AccountID string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (cs ConnectSession) clone() ConnectSession {
	cs.Categories = slices.Clone(cs.Categories)
	cs.Metadata = slices.Clone(cs.Metadata)
	if cs.Attempt != nil {
		a := *cs.Attempt
		cs.Attempt = &a
	}
	return cs
}

type sessionRecord struct {
	s         ConnectSession
	tokenHash [32]byte
	tokenUsed bool
}

type accountRecord struct {
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
	// sessionSeq numbers sessions; Reset keeps it, so an id is never reused
	// within one sandbox.
	sessionSeq int64
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

// startAttempt records that the session's link was opened: a pending
// connection attempt. Called with the link store's lock held.
func (rec *sessionRecord) startAttempt(now time.Time) {
	rec.s.Attempt = &ConnectionAttempt{ID: newUUID(), Status: AttemptPending, CreatedAt: now, UpdatedAt: now}
}

// fail records a failed session unless it already ended; its attempt ends
// as cancelled when the user refused access, else as an error.
func (l *linkStore) fail(sessionID, code, desc string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	rec, ok := l.sessions[sessionID]
	if !ok || rec.s.Status != SessionPending {
		return
	}
	rec.s.Status, rec.s.Error, rec.s.ErrorDescription = SessionFailed, code, desc
	if rec.s.Attempt == nil {
		rec.startAttempt(now)
	}
	att := rec.s.Attempt
	att.Status, att.OAuthErrorCode, att.OAuthErrorDescription, att.UpdatedAt = AttemptError, code, desc, now
	if code == "access_denied" {
		att.Status = AttemptCancelled
	}
}

// ConnectSession returns the stored connect session with id (the decimal
// text of its numeric wire id).
func (s *Sandbox) ConnectSession(id string) (ConnectSession, bool) {
	s.link.mu.Lock()
	defer s.link.mu.Unlock()
	rec, ok := s.link.sessions[id]
	if !ok {
		return ConnectSession{}, false
	}
	return rec.s.clone(), true
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

var connectSessionFields = []string{
	"origin_owner_id", "origin_owner_name", "provider", "connector_profile_id", "integration_id",
	"account_id", "categories", "expires_in", "label", "metadata", "multiple", "origin_username", "type",
	"provider_version", // deprecated: accepted and ignored ("no longer determines which connector version is used")
}

// maxSessionLifetime bounds expires_in.
const maxSessionLifetime = 7 * 24 * time.Hour

// connectSessionJSON is a connect session on the wire, as both POST and GET
// answer it; optional fields are null when not given.
type connectSessionJSON struct {
	ID                 int64           `json:"id"`
	OrganizationID     string          `json:"organization_id"`
	ProjectID          string          `json:"project_id"`
	OriginOwnerID      string          `json:"origin_owner_id"`
	OriginOwnerName    string          `json:"origin_owner_name"`
	OriginUsername     *string         `json:"origin_username"`
	Provider           *string         `json:"provider"`
	ConnectorProfileID *string         `json:"connector_profile_id"`
	AccountID          *string         `json:"account_id"`
	Label              *string         `json:"label"`
	Metadata           json.RawMessage `json:"metadata"`
	Categories         []string        `json:"categories"`
	Type               *string         `json:"type"`
	CreatedAt          string          `json:"created_at"`
}

// connectSessionCreatedJSON answers POST /connect_sessions.
type connectSessionCreatedJSON struct {
	connectSessionJSON
	Token       string `json:"token"`
	AuthLinkURL string `json:"auth_link_url"`
}

// connectSessionStatusJSON answers GET /connect_sessions/{id}.
type connectSessionStatusJSON struct {
	connectSessionJSON
	LatestConnectionAttempt *connectionAttemptJSON `json:"latest_connection_attempt"`
}

type connectionAttemptJSON struct {
	ID                    string  `json:"id"`
	Status                string  `json:"status"`
	OAuthErrorCode        *string `json:"oauth_error_code"`
	OAuthErrorDescription *string `json:"oauth_error_description"`
	AccountSecureID       *string `json:"account_secure_id"`
	CreatedAt             string  `json:"created_at"`
	UpdatedAt             string  `json:"updated_at"`
}

func nullable(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

func sessionJSON(cs ConnectSession) connectSessionJSON {
	id, _ := strconv.ParseInt(cs.ID, 10, 64) // the sandbox made it from an int64
	return connectSessionJSON{
		ID: id, OrganizationID: SandboxOrganizationID, ProjectID: SandboxProjectID,
		OriginOwnerID: cs.OriginOwnerID, OriginOwnerName: cs.OriginOwnerName,
		OriginUsername: nullable(cs.OriginUsername), Provider: nullable(cs.Provider),
		ConnectorProfileID: nullable(cs.IntegrationID), AccountID: nullable(cs.EditAccountID),
		Label: nullable(cs.Label), Metadata: cs.Metadata, Categories: cs.Categories,
		Type: nullable(cs.Type), CreatedAt: cs.CreatedAt.UTC().Format(timeLayout),
	}
}

// sessionRequest is a validated POST /connect_sessions body.
type sessionRequest struct {
	ownerID, ownerName, provider, profileID string
	expiresIn                               time.Duration
	echoed                                  ConnectSession // the optional fields to echo
}

// readSessionRequest reads and validates a POST /connect_sessions body.
func readSessionRequest(w http.ResponseWriter, r *http.Request) (sessionRequest, *apiError) {
	fields, _, aerr := readObject(w, r, "a connect session request", connectSessionFields...)
	if aerr != nil {
		return sessionRequest{}, aerr
	}
	var req sessionRequest
	opt := &req.echoed
	for _, f := range []struct {
		name     string
		dst      *string
		required bool
	}{
		{"origin_owner_id", &req.ownerID, true}, {"origin_owner_name", &req.ownerName, true},
		{"provider", &req.provider, false}, {"account_id", &opt.EditAccountID, false},
		{"provider_version", new(string), false},
		{"label", &opt.Label, false}, {"origin_username", &opt.OriginUsername, false}, {"type", &opt.Type, false},
	} {
		v, present, aerr := stringField(fields, f.name)
		if aerr == nil && f.required && !present {
			aerr = validationError("%s is required", f.name)
		}
		if aerr != nil {
			return sessionRequest{}, aerr
		}
		*f.dst = v
	}
	if req.profileID, aerr = sessionProfileID(fields); aerr != nil {
		return sessionRequest{}, aerr
	}
	if opt.Categories, _, aerr = listField(fields, "categories"); aerr != nil {
		return sessionRequest{}, aerr
	}
	if opt.Multiple, _, aerr = boolField(fields, "multiple"); aerr != nil {
		return sessionRequest{}, aerr
	}
	if raw := fields["metadata"]; !isNull(raw) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return sessionRequest{}, validationError("metadata must be a JSON object")
		}
		opt.Metadata = slices.Clone(raw)
	}
	req.expiresIn = sessionLifetime
	if raw := fields["expires_in"]; !isNull(raw) {
		maxSecs := int64(maxSessionLifetime / time.Second)
		var secs int64
		if err := json.Unmarshal(raw, &secs); err != nil || secs < 1 || secs > maxSecs {
			return sessionRequest{}, validationError("expires_in must be a whole number of seconds from 1 to %d", maxSecs)
		}
		req.expiresIn = time.Duration(secs) * time.Second
	}
	return req, nil
}

// sessionProfileID reads connector_profile_id, or integration_id (its older
// name, which StackOne's SDKs still send); both with different values is an
// error.
func sessionProfileID(fields map[string]json.RawMessage) (string, *apiError) {
	profileID, _, aerr := stringField(fields, "connector_profile_id")
	if aerr != nil {
		return "", aerr
	}
	integrationID, _, aerr := stringField(fields, "integration_id")
	if aerr != nil {
		return "", aerr
	}
	if profileID != "" && integrationID != "" && profileID != integrationID {
		return "", validationError("connector_profile_id %q and integration_id %q differ: integration_id is the older name of the same field", profileID, integrationID)
	}
	return cmp.Or(profileID, integrationID), nil
}

// sessionProfile finds the profile a session links to: the one named, else
// the oldest active profile of the provider.
func (s *Sandbox) sessionProfile(req sessionRequest) (Profile, *apiError) {
	if req.profileID == "" {
		if req.provider == "" {
			return Profile{}, nil // the Hub shows the full selection (hubRoute)
		}
		for _, p := range s.Profiles() {
			if p.Provider == req.provider && p.Active {
				return p, nil
			}
		}
		return Profile{}, unprocessable("provider %q has no active connector profile to link to", req.provider)
	}
	p, ok := s.Profile(req.profileID)
	if !ok {
		return Profile{}, notFound("connector profile %q (connector_profile_id) not found", req.profileID)
	}
	if req.provider != "" && req.provider != p.Provider {
		return Profile{}, unprocessable("provider %q does not match connector profile %q, which is %q", req.provider, p.ID, p.Provider)
	}
	return p, nil
}

// createConnectSession implements POST /connect_sessions. An Idempotency-Key
// is accepted and ignored: a repeat answer would have to carry the first
// session's token again.
func (s *Sandbox) createConnectSession(w http.ResponseWriter, r *http.Request) {
	req, aerr := readSessionRequest(w, r)
	if aerr == nil {
		if editID := req.echoed.EditAccountID; editID != "" && req.profileID == "" && req.provider == "" {
			// Edit mode without a profile re-links through the account's own.
			if a, ok := s.Account(editID); ok {
				req.profileID = a.IntegrationID
			}
		}
		var p Profile
		if p, aerr = s.sessionProfile(req); aerr == nil {
			if aerr = s.checkEditAccount(req.echoed.EditAccountID, p); aerr == nil {
				aerr = s.startSession(w, req, p)
			}
		}
	}
	if aerr != nil {
		writeError(w, aerr)
	}
}

// checkEditAccount refuses an edit-mode session (account_id) for an account
// that does not exist, or of another provider than the profile's.
func (s *Sandbox) checkEditAccount(accountID string, p Profile) *apiError {
	if accountID == "" {
		return nil
	}
	a, ok := s.Account(accountID)
	switch {
	case !ok:
		return notFound("account %q (account_id) not found", accountID)
	case p.ID != "" && a.Provider != p.Provider:
		return unprocessable("account %q is a %q account; connector profile %q is %q", accountID, a.Provider, p.ID, p.Provider)
	}
	return nil
}

// startSession stores a session linking to p and answers with its token and
// auth link.
func (s *Sandbox) startSession(w http.ResponseWriter, req sessionRequest, p Profile) *apiError {
	if p.ID != "" && !p.Active {
		return unprocessable("connector profile %q is inactive: accounts cannot be linked to it", p.ID)
	}
	if auth, ok := s.authType(p); p.ID != "" && (!ok || auth.AuthorizationURL == "") {
		return unprocessable("connector profile %q uses auth type %q, which has no user authorization step to link through", p.ID, p.AuthType)
	}

	token := randomToken()
	now := s.now().UTC()
	cs := req.echoed
	cs.Provider, cs.IntegrationID = p.Provider, p.ID
	cs.OriginOwnerID, cs.OriginOwnerName = req.ownerID, req.ownerName
	cs.Status, cs.CreatedAt, cs.ExpiresAt = SessionPending, now, now.Add(req.expiresIn)
	rec := &sessionRecord{s: cs, tokenHash: hashToken(token)}
	s.link.mu.Lock()
	s.link.sweepLocked(now)
	s.link.sessionSeq++
	rec.s.ID = strconv.FormatInt(s.link.sessionSeq, 10)
	s.link.sessions[rec.s.ID] = rec
	s.link.byToken[rec.tokenHash] = rec
	out := rec.s.clone()
	s.link.mu.Unlock()

	link := s.baseURL + "/connect/oauth2/" + url.PathEscape(p.ID) + "?token=" + url.QueryEscape(token)
	if p.ID == "" {
		link = s.baseURL + hubRoute + "?token=" + url.QueryEscape(token)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, connectSessionCreatedJSON{
		connectSessionJSON: sessionJSON(out),
		Token:              token,
		AuthLinkURL:        link,
	})
	return nil
}

// authenticateConnectSession implements POST /connect_sessions/authenticate,
// which the Hub calls with a session's token: 201 with the session (without
// its token). Only a token not yet spent on its auth link and not expired
// authenticates; anything else is 401.
func (s *Sandbox) authenticateConnectSession(w http.ResponseWriter, r *http.Request) {
	fields, _, aerr := readObject(w, r, "a connect session authentication", "token")
	if aerr == nil {
		var token string
		if token, aerr = requiredString(fields, "token"); aerr == nil {
			s.link.mu.Lock()
			rec, ok := s.link.byToken[hashToken(token)]
			var cs ConnectSession
			if ok && !rec.tokenUsed && s.now().Before(rec.s.ExpiresAt) {
				cs = rec.s.clone()
			} else {
				ok = false
			}
			s.link.mu.Unlock()
			if !ok {
				aerr = errorf(http.StatusUnauthorized, "Unauthorized", "the connect session token is invalid, expired or already used")
			} else {
				writeJSON(w, http.StatusCreated, sessionJSON(cs))
				return
			}
		}
	}
	writeError(w, aerr)
}

// getConnectSession implements GET /connect_sessions/{id}: the session
// (without its token) and how its latest connection attempt went.
func (s *Sandbox) getConnectSession(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	cs, ok := s.ConnectSession(id)
	if !ok {
		writeError(w, notFound("connect session %q not found", id))
		return
	}
	out := connectSessionStatusJSON{connectSessionJSON: sessionJSON(cs)}
	if a := cs.Attempt; a != nil {
		out.LatestConnectionAttempt = &connectionAttemptJSON{
			ID: a.ID, Status: a.Status, OAuthErrorCode: nullable(a.OAuthErrorCode),
			OAuthErrorDescription: nullable(a.OAuthErrorDescription), AccountSecureID: nullable(a.AccountID),
			CreatedAt: a.CreatedAt.UTC().Format(timeLayout), UpdatedAt: a.UpdatedAt.UTC().Format(timeLayout),
		}
	}
	writeJSON(w, http.StatusOK, out)
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
	return template == browserConnectRoute || template == browserCallbackRoute || template == hubRoute
}

// hubRoute is the Hub's page (StackOne's auth links open
// app.stackone.com/embedded/integrations?token=…): the sandbox serves it for
// a session created without provider or connector profile, listing the
// profiles a person can link through ("the full provider selection screen").
const hubRoute = "/embedded/integrations"

// hubSelect implements GET /embedded/integrations?token=…: a page with one
// link per active profile that links through a browser. The token is spent
// only when a link is followed.
func (s *Sandbox) hubSelect(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	s.link.mu.Lock()
	rec, ok := s.link.byToken[hashToken(token)]
	valid := ok && !rec.tokenUsed && s.now().Before(rec.s.ExpiresAt) && rec.s.IntegrationID == ""
	s.link.mu.Unlock()
	if token == "" || !valid {
		renderLinkPage(w, http.StatusBadRequest, linkPage{Title: "Invalid link", Message: "This link is invalid, expired or already used. Ask for a new link."})
		return
	}
	var choices []hubChoice
	for _, p := range s.Profiles() {
		if auth, ok := s.authType(p); p.Active && ok && auth.AuthorizationURL != "" {
			c, _ := s.connector(p.Provider)
			choices = append(choices, hubChoice{ID: "connect-" + p.ID, Label: c.Name + ": " + p.Name,
				Href: "/connect/oauth2/" + url.PathEscape(p.ID) + "?token=" + url.QueryEscape(token)})
		}
	}
	browserHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = hubPageTemplate.Execute(w, choices)
}

type hubChoice struct{ ID, Label, Href string }

var hubPageTemplate = template.Must(template.New("hub").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Choose an integration - StackOne</title></head>
<body>
<h1 id="title">Choose an integration</h1>
<ul>{{range .}}<li><a id="{{.ID}}" href="{{.Href}}">{{.Label}}</a></li>{{else}}<li id="none">No integration can be linked.</li>{{end}}</ul>
</body></html>
`))

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
	chosen, chosenOK := s.Profile(profileID)
	s.link.mu.Lock()
	rec, ok := s.link.byToken[h]
	var problem string
	switch {
	case !ok || rec.tokenUsed || (rec.s.IntegrationID != "" && rec.s.IntegrationID != profileID):
		problem = "This link is invalid or has already been used. Ask for a new link."
	case !now.Before(rec.s.ExpiresAt):
		problem = "This link has expired. Ask for a new link."
	default:
		// Spent on first use, whatever follows: a link that leaked through
		// history or a Referer cannot be replayed.
		rec.tokenUsed = true
		delete(s.link.byToken, h)
		rec.startAttempt(now.UTC())
		if rec.s.IntegrationID == "" && chosenOK {
			// A session opened on the Hub's selection: bound to the
			// profile the person picked.
			rec.s.IntegrationID, rec.s.Provider = chosen.ID, chosen.Provider
		}
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
		s.link.fail(sessionID, "integration_unavailable", "The connector profile was deleted or deactivated.", now.UTC())
		renderLinkPage(w, http.StatusNotFound, linkPage{Title: "Connector unavailable", Message: "The connector profile of this link was deleted or deactivated."})
		return
	}
	auth, ok := s.authType(p)
	authURL, err := url.Parse(auth.AuthorizationURL)
	if !ok || auth.AuthorizationURL == "" || err != nil {
		s.link.fail(sessionID, "integration_unavailable", "The connector profile's auth type has no authorization URL.", now.UTC())
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
			s.link.fail(sessionID, "server_error", "Generating a PKCE verifier failed.", now.UTC())
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
		s.link.fail(att.sessionID, code, desc, s.now().UTC())
		renderLinkPage(w, http.StatusBadRequest, linkPage{Title: "Linking failed",
			Message: "The authorization server refused the request.", Error: code, ErrorDescription: desc})
		return
	}
	code := q.Get("code")
	if code == "" {
		const desc = "The authorization server returned neither a code nor an error."
		s.link.fail(att.sessionID, "invalid_request", desc, s.now().UTC())
		renderLinkPage(w, http.StatusBadRequest, linkPage{Title: "Linking failed", Message: desc, Error: "invalid_request"})
		return
	}

	p, ok := s.Profile(att.profileID)
	auth, authOK := s.authType(p)
	if !ok || !authOK || auth.TokenURL == "" {
		const desc = "The connector profile was deleted while linking."
		s.link.fail(att.sessionID, "integration_unavailable", desc, s.now().UTC())
		renderLinkPage(w, http.StatusNotFound, linkPage{Title: "Linking failed", Message: desc})
		return
	}
	tok, oerr, status := s.exchangeCode(r.Context(), p, auth, att, code)
	if oerr != nil {
		s.link.fail(att.sessionID, oerr.code, oerr.desc, s.now().UTC())
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
	a := Account{
		ID: newUUID(), Provider: p.Provider, IntegrationID: p.ID, Status: AccountActive,
		Scopes: append([]string{}, granted...), OriginOwnerID: rec.s.OriginOwnerID,
		OriginOwnerName: rec.s.OriginOwnerName, OriginUsername: rec.s.OriginUsername, Label: rec.s.Label,
		Type: rec.s.Type, Categories: slices.Clone(rec.s.Categories),
		CreatedAt: now.UTC(), UpdatedAt: now.UTC(),
	}
	if existing := s.link.relinkTargetLocked(rec.s, p.Provider); existing != nil {
		// Relinking updates the account in place: same id and creation
		// time, new credentials, profile and session fields.
		a.ID, a.CreatedAt, a.Shared = existing.a.ID, existing.a.CreatedAt, existing.a.Shared
		a.Label = cmp.Or(a.Label, existing.a.Label)
		a.OriginUsername = cmp.Or(a.OriginUsername, existing.a.OriginUsername)
		existing.a, existing.accessToken, existing.refreshToken, existing.tokenExpiry = a, tok.AccessToken, tok.RefreshToken, tok.Expiry
	} else {
		s.link.accounts = append(s.link.accounts, &accountRecord{
			a: a, accessToken: tok.AccessToken, refreshToken: tok.RefreshToken, tokenExpiry: tok.Expiry,
		})
	}
	rec.s.Status, rec.s.AccountID = SessionLinked, a.ID
	if rec.s.Attempt == nil {
		rec.startAttempt(now.UTC())
	}
	att := rec.s.Attempt
	att.Status, att.AccountID, att.UpdatedAt = AttemptAuthenticated, a.ID, now.UTC()
	return a, true
}

// relinkTargetLocked is the account a finished session updates instead of
// making a new one, as StackOne's connect-session reference describes: the
// account named by account_id (edit mode), else, unless multiple is set,
// the account with the same origin_owner_id, origin_owner_name and
// provider. Nil means a new account. Called with l.mu held.
func (l *linkStore) relinkTargetLocked(cs ConnectSession, provider string) *accountRecord {
	for _, acc := range l.accounts {
		switch {
		case cs.EditAccountID != "":
			if acc.a.ID == cs.EditAccountID {
				return acc
			}
		case cs.Multiple:
			return nil
		case acc.a.OriginOwnerID == cs.OriginOwnerID && acc.a.OriginOwnerName == cs.OriginOwnerName && acc.a.Provider == provider:
			return acc
		}
	}
	return nil
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

func browserHeaders(w http.ResponseWriter) { authserver.SetBrowserHeaders(w.Header()) }

// renderLinkPage shows a page to the person linking; html/template escapes
// every value, including error texts that came from the authorization server.
func renderLinkPage(w http.ResponseWriter, status int, p linkPage) {
	browserHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = linkPageTemplate.Execute(w, p)
}
