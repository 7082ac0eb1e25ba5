package authserver

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// appView is an App as the admin API shows it: the secret only appears in
// the response that created or set it, like a portal that shows it once.
type appView struct {
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret,omitempty"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
	PKCERequired bool     `json:"pkce_required"`
	GrantTypes   []string `json:"grant_types"`
}

func view(a App, withSecret bool) appView {
	v := appView{
		ClientID:     a.ClientID,
		RedirectURIs: a.RedirectURIs,
		Scopes:       a.Scopes,
		PKCERequired: a.PKCERequired,
		GrantTypes:   a.GrantTypes,
	}
	if withSecret {
		v.ClientSecret = a.ClientSecret
	}
	return v
}

// appPatch holds the fields a PATCH may set; nil means unchanged. An empty
// client_secret asks the server to generate a new one.
type appPatch struct {
	ClientID     *string   `json:"client_id"`
	ClientSecret *string   `json:"client_secret"`
	RedirectURIs *[]string `json:"redirect_uris"`
	Scopes       *[]string `json:"scopes"`
	PKCERequired *bool     `json:"pkce_required"`
	GrantTypes   *[]string `json:"grant_types"`
}

func adminError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, oauthError{Error: code, ErrorDescription: desc})
}

// adminOnly requires "Authorization: Bearer <AdminToken>". An empty
// AdminToken disables the admin API rather than leaving it open.
func (s *Server) adminOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || s.cfg.AdminToken == "" ||
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.cfg.AdminToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="authserver-admin"`)
			adminError(w, http.StatusUnauthorized, "invalid_token", "A valid admin bearer token is required.")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next(w, r)
	}
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		// Decoder errors name fields and types, never the values.
		adminError(w, http.StatusBadRequest, "invalid_request", "Invalid JSON body: "+err.Error())
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		adminError(w, http.StatusBadRequest, "invalid_request", "Invalid JSON body: trailing data after the object.")
		return false
	}
	return true
}

func (s *Server) handleAdminCreate(w http.ResponseWriter, r *http.Request) {
	var app App
	if !decodeJSON(w, r, &app) {
		return
	}
	if app.ClientID == "" {
		app.ClientID = newClientID()
	}
	if app.ClientSecret == "" {
		app.ClientSecret = newClientSecret()
	}
	app = normalizeApp(app)
	if err := validateApp(app); err != nil {
		adminError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	s.mu.Lock()
	_, exists := s.apps[app.ClientID]
	if !exists {
		stored := cloneApp(app)
		s.apps[app.ClientID] = &stored
	}
	s.mu.Unlock()
	if exists {
		adminError(w, http.StatusConflict, "conflict", "An app with this client_id already exists; use PATCH to change it.")
		return
	}
	w.Header().Set("Location", "/admin/apps/"+url.PathEscape(app.ClientID))
	writeJSON(w, http.StatusCreated, view(app, true))
}

func (s *Server) handleAdminList(w http.ResponseWriter, r *http.Request) {
	apps := s.Apps()
	out := make([]appView, 0, len(apps))
	for _, a := range apps {
		out = append(out, view(a, false))
	}
	writeJSON(w, http.StatusOK, map[string][]appView{"data": out})
}

func (s *Server) handleAdminGet(w http.ResponseWriter, r *http.Request) {
	app, ok := s.App(r.PathValue("client_id"))
	if !ok {
		adminError(w, http.StatusNotFound, "not_found", "No app has this client_id.")
		return
	}
	writeJSON(w, http.StatusOK, view(app, false))
}

func (s *Server) handleAdminPatch(w http.ResponseWriter, r *http.Request) {
	clientID := r.PathValue("client_id")
	var p appPatch
	if !decodeJSON(w, r, &p) {
		return
	}
	if p.ClientID != nil && *p.ClientID != clientID {
		adminError(w, http.StatusBadRequest, "invalid_request", "client_id cannot be changed.")
		return
	}
	var (
		updated  App
		validErr error
	)
	found := s.UpdateApp(clientID, func(a *App) {
		next := cloneApp(*a)
		if p.ClientSecret != nil {
			next.ClientSecret = *p.ClientSecret
			if next.ClientSecret == "" {
				next.ClientSecret = newClientSecret()
			}
		}
		if p.RedirectURIs != nil {
			next.RedirectURIs = *p.RedirectURIs
		}
		if p.Scopes != nil {
			next.Scopes = *p.Scopes
		}
		if p.PKCERequired != nil {
			next.PKCERequired = *p.PKCERequired
		}
		if p.GrantTypes != nil {
			next.GrantTypes = *p.GrantTypes
		}
		next.ClientID = clientID
		next = normalizeApp(next)
		// Leave the app untouched when the result would be invalid.
		if validErr = validateApp(next); validErr == nil {
			*a = next
		}
		updated = cloneApp(*a)
	})
	if !found {
		adminError(w, http.StatusNotFound, "not_found", "No app has this client_id.")
		return
	}
	if validErr != nil {
		adminError(w, http.StatusBadRequest, "invalid_request", validErr.Error())
		return
	}
	writeJSON(w, http.StatusOK, view(updated, p.ClientSecret != nil))
}

// validateApp checks what the authorize and token endpoints rely on. Error
// messages name the offending field and position, never the secret.
func validateApp(a App) error {
	if !validClientID(a.ClientID) {
		return errors.New("client_id must be 1 to 100 characters of A-Z a-z 0-9 - . _ ~")
	}
	for i, ru := range a.RedirectURIs {
		u, err := url.Parse(ru)
		if err != nil || u.Scheme == "" || u.Fragment != "" || strings.Contains(ru, "#") || (u.Host == "" && u.Opaque == "" && u.Path == "") {
			return fmt.Errorf("redirect_uris[%d] must be an absolute URI without a fragment", i)
		}
	}
	for i, sc := range a.Scopes {
		if sc == "" || strings.ContainsFunc(sc, func(r rune) bool { return r <= ' ' || r == '"' || r == '\\' || r > '~' }) {
			return fmt.Errorf("scopes[%d] must be a non-empty scope token (RFC 6749 section 3.3)", i)
		}
	}
	for i, g := range a.GrantTypes {
		if g != GrantAuthorizationCode && g != GrantRefreshToken {
			return fmt.Errorf("grant_types[%d] must be %q or %q", i, GrantAuthorizationCode, GrantRefreshToken)
		}
	}
	if slices.Contains(a.GrantTypes, GrantRefreshToken) && !slices.Contains(a.GrantTypes, GrantAuthorizationCode) {
		return errors.New("grant_types: refresh_token needs authorization_code")
	}
	return nil
}

func validClientID(id string) bool {
	if id == "" || len(id) > 100 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		unreserved := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
		if !unreserved {
			return false
		}
	}
	return true
}
