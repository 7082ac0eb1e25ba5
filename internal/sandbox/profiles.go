package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Profile is a stored connector profile, including the client secret the API
// never returns; tests use it to check what the provider really sent. The Go
// names predate the published wire names: Provider is connector_key and
// AuthType is authentication_config_key.
type Profile struct {
	ID           string
	Provider     string
	Name         string
	AuthType     string
	Active       bool
	ClientID     string
	ClientSecret string
	Scopes       []string
	Actions      []string
	// RedirectURI is where the authorization server sends a linking user
	// back; it is not on the wire (clients compute it from their base URL).
	RedirectURI string
	// ClientSecretUpdatedAt is the zero time when no secret was ever set.
	ClientSecretUpdatedAt time.Time
	CreatedAt             time.Time
	UpdatedAt             time.Time
}

func (p Profile) clone() Profile {
	p.Scopes = slices.Clone(p.Scopes)
	p.Actions = slices.Clone(p.Actions)
	return p
}

// profileRecord is a stored profile and its pinned version (nil when none).
type profileRecord struct {
	p   Profile
	pin *PinnedVersion
}

// idemEntry is the remembered answer to a create with an Idempotency-Key.
type idemEntry struct {
	bodyHash [32]byte
	body     []byte
	at       time.Time
}

const (
	idempotencyTTL    = 24 * time.Hour
	maxBodyBytes      = 1 << 20
	maxStringLen      = 255
	maxListEntries    = 200
	timeLayout        = time.RFC3339Nano
	idempotencyHeader = "Idempotency-Key"
	// profileEnvironment is every profile's environment: the sandbox has one.
	profileEnvironment = "production"
)

// Profile returns the stored profile with id, including its client secret.
func (s *Sandbox) Profile(id string) (Profile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.byID[id]
	if !ok {
		return Profile{}, false
	}
	return rec.p.clone(), true
}

// Profiles returns every stored profile in creation order.
func (s *Sandbox) Profiles() []Profile {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Profile, len(s.profiles))
	for i, rec := range s.profiles {
		out[i] = rec.p.clone()
	}
	return out
}

// publishedProfileJSON is a profile with the fields StackOne publishes.
type publishedProfileJSON struct {
	ID                        string   `json:"id"`
	Name                      string   `json:"name"`
	ConnectorKey              string   `json:"connector_key"`
	ConnectorLabel            string   `json:"connector_label"`
	LogoURL                   string   `json:"logo_url"`
	Categories                []string `json:"categories"`
	Active                    bool     `json:"active"`
	Default                   bool     `json:"default"`
	ReleaseStage              string   `json:"release_stage"`
	CreatedAt                 string   `json:"created_at"`
	UpdatedAt                 string   `json:"updated_at"`
	AuthenticationConfigKey   string   `json:"authentication_config_key"`
	AuthenticationConfigLabel string   `json:"authentication_config_label"`
	Environment               string   `json:"environment"`
	ConnectorVersion          string   `json:"connector_version"`
	ConnectorPinnedVersion    *string  `json:"connector_pinned_version"`
	ConnectorOwner            string   `json:"connector_owner"`
}

// profileExtensionJSON is the extension's profile fields: the secret is
// reduced to whether and when it was set.
type profileExtensionJSON struct {
	ClientID              string   `json:"client_id"`
	Scopes                []string `json:"scopes"`
	Actions               []string `json:"actions"`
	ClientSecretSet       bool     `json:"client_secret_set"`
	ClientSecretUpdatedAt *string  `json:"client_secret_updated_at"`
}

// profileJSON is a profile on the wire. A nil extension leaves its fields
// out entirely (encoding/json skips a nil embedded pointer), which is how a
// server without the extension answers.
type profileJSON struct {
	publishedProfileJSON
	*profileExtensionJSON
}

// profileJSON renders rec; called with s.mu held. extension says whether the
// extension's fields are included.
func (s *Sandbox) profileJSON(rec *profileRecord, extension bool) profileJSON {
	p := rec.p
	c, _ := s.connector(p.Provider)
	auth, _ := s.authType(p)
	version := currentVersion(c, rec.pin)
	out := profileJSON{publishedProfileJSON: publishedProfileJSON{
		ID:                        p.ID,
		Name:                      p.Name,
		ConnectorKey:              p.Provider,
		ConnectorLabel:            c.Name,
		LogoURL:                   c.LogoURL,
		Categories:                append([]string{}, c.Categories...),
		Active:                    p.Active,
		ReleaseStage:              c.ReleaseStage,
		CreatedAt:                 p.CreatedAt.UTC().Format(timeLayout),
		UpdatedAt:                 p.UpdatedAt.UTC().Format(timeLayout),
		AuthenticationConfigKey:   p.AuthType,
		AuthenticationConfigLabel: auth.Label,
		Environment:               profileEnvironment,
		ConnectorVersion:          version.Version,
		ConnectorOwner:            version.Owner,
	}}
	if rec.pin != nil {
		out.ConnectorPinnedVersion = &rec.pin.Version
	}
	if extension {
		ext := &profileExtensionJSON{
			ClientID:        p.ClientID,
			Scopes:          append([]string{}, p.Scopes...),
			Actions:         append([]string{}, p.Actions...),
			ClientSecretSet: p.ClientSecret != "",
		}
		if !p.ClientSecretUpdatedAt.IsZero() {
			t := p.ClientSecretUpdatedAt.UTC().Format(timeLayout)
			ext.ClientSecretUpdatedAt = &t
		}
		out.profileExtensionJSON = ext
	}
	return out
}

// readObject reads a JSON object body into its raw fields, refusing fields
// outside allowed so that a client drifting from the contract fails loudly
// instead of having its input ignored. what names the request in messages
// ("a connector profile request").
func readObject(w http.ResponseWriter, r *http.Request, what string, allowed ...string) (map[string]json.RawMessage, []byte, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, nil, errorf(http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request body is larger than %d bytes", maxBodyBytes)
		}
		return nil, nil, errorf(http.StatusBadRequest, "BadRequest", "reading the request body failed")
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&fields); err != nil || dec.More() || fields == nil {
		return nil, nil, errorf(http.StatusBadRequest, "BadRequest", "request body must be a single JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errorf(http.StatusBadRequest, "BadRequest", "request body must be a single JSON object")
	}
	var unknown []string
	for k := range fields {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, nil, validationError("%s is not a field of %s (accepted: %s)", unknown[0], what, strings.Join(allowed, ", "))
	}
	return fields, body, nil
}

func isNull(raw json.RawMessage) bool {
	return raw == nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// stringField decodes fields[name]; present is false when it is absent or null.
func stringField(fields map[string]json.RawMessage, name string) (value string, present bool, aerr *apiError) {
	raw := fields[name]
	if isNull(raw) {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &value); err != nil {
		return "", true, validationError("%s must be a string", name)
	}
	if strings.TrimSpace(value) == "" {
		return "", true, validationError("%s must not be blank", name)
	}
	if utf8.RuneCountInString(value) > maxStringLen {
		return "", true, validationError("%s must be at most %d characters", name, maxStringLen)
	}
	if strings.IndexFunc(value, unicode.IsControl) >= 0 {
		return "", true, validationError("%s must not contain control characters", name)
	}
	return value, true, nil
}

func requiredString(fields map[string]json.RawMessage, name string) (string, *apiError) {
	v, present, aerr := stringField(fields, name)
	if aerr == nil && !present {
		aerr = validationError("%s is required", name)
	}
	return v, aerr
}

func boolField(fields map[string]json.RawMessage, name string) (value, present bool, aerr *apiError) {
	raw := fields[name]
	if isNull(raw) {
		return false, false, nil
	}
	if err := json.Unmarshal(raw, &value); err != nil {
		return false, true, validationError("%s must be a boolean", name)
	}
	return value, true, nil
}

// listField decodes a scopes/actions list; present is false when absent or null.
func listField(fields map[string]json.RawMessage, name string) (values []string, present bool, aerr *apiError) {
	raw := fields[name]
	if isNull(raw) {
		return nil, false, nil
	}
	if err := json.Unmarshal(raw, &values); err != nil {
		return nil, true, validationError("%s must be an array of strings", name)
	}
	if len(values) > maxListEntries {
		return nil, true, validationError("%s must have at most %d entries", name, maxListEntries)
	}
	seen := map[string]bool{}
	for i, v := range values {
		switch {
		case strings.TrimSpace(v) == "":
			return nil, true, validationError("%s[%d] must not be blank", name, i)
		case strings.IndexFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
			return nil, true, validationError("%s[%d] %q must not contain whitespace", name, i, v)
		case utf8.RuneCountInString(v) > maxStringLen:
			return nil, true, validationError("%s[%d] must be at most %d characters", name, i, maxStringLen)
		case seen[v]:
			return nil, true, validationError("%s[%d] %q is a duplicate", name, i, v)
		}
		seen[v] = true
	}
	if values == nil {
		values = []string{}
	}
	return values, true, nil
}

// checkScopesActions validates lists against connector c (422).
func checkScopesActions(c Connector, scopes, actions []string) *apiError {
	for _, sc := range scopes {
		if !slices.ContainsFunc(c.ScopeDefinitions, func(d ScopeDefinition) bool { return d.Name == sc }) {
			return unprocessable("scopes: %q is not a scope of connector %q", sc, c.Key)
		}
	}
	for _, a := range actions {
		if !slices.ContainsFunc(c.Actions, func(d Action) bool { return d.ID == a }) {
			return unprocessable("actions: %q is not an action of connector %q", a, c.Key)
		}
	}
	return nil
}

// checkCatalog validates a new profile against the catalog (422) and returns
// the redirect URI of its auth type.
func (s *Sandbox) checkCatalog(connectorKey, authType string, scopes, actions []string) (string, *apiError) {
	c, ok := s.connector(connectorKey)
	if !ok {
		return "", unprocessable("connector_key %q is not a connector in the catalog", connectorKey)
	}
	i := slices.IndexFunc(c.Authentication, func(a Authentication) bool { return a.Key == authType })
	if i < 0 {
		keys := make([]string, len(c.Authentication))
		for j, a := range c.Authentication {
			keys[j] = a.Key
		}
		return "", unprocessable("authentication_config_key %q is not an authentication of connector %q (one of: %s)", authType, connectorKey, strings.Join(keys, ", "))
	}
	if aerr := checkScopesActions(c, scopes, actions); aerr != nil {
		return "", aerr
	}
	return c.Authentication[i].CallbackURL, nil
}

// canonicalHash hashes a JSON body independently of key order and spacing,
// so a retry that re-serialises the same request still matches its key.
func canonicalHash(body []byte) [32]byte {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err == nil {
		if b, err := json.Marshal(v); err == nil {
			return sha256.Sum256(b)
		}
	}
	return sha256.Sum256(body)
}

var createFields = []string{"connector_key", "authentication_config_key", "name", "client_id", "client_secret", "scopes", "actions", "active"}

const profileRequest = "a connector profile request"

// createProfile implements the extension's POST /connector_profiles and the
// dashboard stand-in's POST /admin/connector_profiles: the same validation
// and the same answer, extension fields included.
func (s *Sandbox) createProfile(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(idempotencyHeader)
	if utf8.RuneCountInString(key) > maxStringLen {
		writeError(w, validationError("%s must be at most %d characters", idempotencyHeader, maxStringLen))
		return
	}
	fields, body, aerr := readObject(w, r, profileRequest, createFields...)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	hash := canonicalHash(body)

	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now().UTC()
	if key != "" {
		if e, ok := s.idem[key]; ok && now.Sub(e.at) < idempotencyTTL {
			if e.bodyHash != hash {
				writeError(w, errorf(http.StatusConflict, "IdempotencyKeyReused",
					"%s was already used with a different request body", idempotencyHeader))
				return
			}
			w.Header().Set("Idempotent-Replayed", "true")
			writeRaw(w, http.StatusCreated, e.body)
			return
		}
	}

	p, aerr := s.newProfile(fields, now)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	rec := &profileRecord{p: p}
	s.profiles = append(s.profiles, rec)
	s.byID[p.ID] = rec

	resp, _ := json.Marshal(s.profileJSON(rec, true)) // profileJSON always marshals
	resp = append(resp, '\n')
	if key != "" {
		s.pruneIdempotency(now)
		s.idem[key] = idemEntry{bodyHash: hash, body: resp, at: now}
	}
	// No Location header: StackOne publishes no URL that reads one profile.
	writeRaw(w, http.StatusCreated, resp)
}

// pruneIdempotency forgets expired keys; called with s.mu held.
func (s *Sandbox) pruneIdempotency(now time.Time) {
	for k, e := range s.idem {
		if now.Sub(e.at) >= idempotencyTTL {
			delete(s.idem, k)
		}
	}
}

func (s *Sandbox) newProfile(fields map[string]json.RawMessage, now time.Time) (Profile, *apiError) {
	p := Profile{ID: newUUID(), Active: true, CreatedAt: now, UpdatedAt: now, ClientSecretUpdatedAt: now}
	var aerr *apiError
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"connector_key", &p.Provider}, {"authentication_config_key", &p.AuthType}, {"name", &p.Name},
		{"client_id", &p.ClientID}, {"client_secret", &p.ClientSecret},
	} {
		if *f.dst, aerr = requiredString(fields, f.name); aerr != nil {
			return Profile{}, aerr
		}
	}
	if p.Scopes, _, aerr = listField(fields, "scopes"); aerr != nil {
		return Profile{}, aerr
	}
	if p.Actions, _, aerr = listField(fields, "actions"); aerr != nil {
		return Profile{}, aerr
	}
	if active, present, aerr := boolField(fields, "active"); aerr != nil {
		return Profile{}, aerr
	} else if present {
		p.Active = active
	}
	if p.Scopes == nil {
		p.Scopes = []string{}
	}
	if p.Actions == nil {
		p.Actions = []string{}
	}
	if p.RedirectURI, aerr = s.checkCatalog(p.Provider, p.AuthType, p.Scopes, p.Actions); aerr != nil {
		return Profile{}, aerr
	}
	return p, nil
}

// deleteProfile implements the extension's DELETE /connector_profiles/{id}
// and the dashboard stand-in's DELETE /admin/connector_profiles/{id}.
func (s *Sandbox) deleteProfile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[id]; !ok {
		writeError(w, notFound("connector profile %q not found", id))
		return
	}
	delete(s.byID, id)
	s.profiles = slices.DeleteFunc(s.profiles, func(rec *profileRecord) bool { return rec.p.ID == id })
	w.WriteHeader(http.StatusNoContent)
}

// PATCH accepts connector_key and authentication_config_key only to refuse a
// change of them: a client sending the unchanged values back is fine.
var updateFields = []string{"name", "active", "client_id", "client_secret", "scopes", "actions", "connector_key", "authentication_config_key"}

// updateProfile implements the extension's PATCH /connector_profiles/{id}
// and the dashboard stand-in's PATCH /admin/connector_profiles/{id}.
func (s *Sandbox) updateProfile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	fields, _, aerr := readObject(w, r, profileRequest, updateFields...)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var (
		name, clientID, secret, provider, authType      string
		hasName, hasClientID, hasSecret, hasP, hasAuthT bool
		active, hasActive                               bool
		scopes, actions                                 []string
		hasScopes, hasActions                           bool
	)
	for _, step := range []func() *apiError{
		func() (e *apiError) { provider, hasP, e = stringField(fields, "connector_key"); return },
		func() (e *apiError) { authType, hasAuthT, e = stringField(fields, "authentication_config_key"); return },
		func() (e *apiError) { name, hasName, e = stringField(fields, "name"); return },
		func() (e *apiError) { clientID, hasClientID, e = stringField(fields, "client_id"); return },
		func() (e *apiError) { secret, hasSecret, e = stringField(fields, "client_secret"); return },
		func() (e *apiError) { active, hasActive, e = boolField(fields, "active"); return },
		func() (e *apiError) { scopes, hasScopes, e = listField(fields, "scopes"); return },
		func() (e *apiError) { actions, hasActions, e = listField(fields, "actions"); return },
	} {
		if aerr := step(); aerr != nil {
			writeError(w, aerr)
			return
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.byID[id]
	if !ok {
		writeError(w, notFound("connector profile %q not found", id))
		return
	}
	p := rec.p.clone()
	if hasP && provider != p.Provider {
		writeError(w, validationError("connector_key cannot be changed (is %q): create a new profile instead", p.Provider))
		return
	}
	if hasAuthT && authType != p.AuthType {
		writeError(w, validationError("authentication_config_key cannot be changed (is %q): create a new profile instead", p.AuthType))
		return
	}
	if hasScopes || hasActions {
		c, _ := s.connector(p.Provider)
		if aerr := checkScopesActions(c, scopes, actions); aerr != nil {
			writeError(w, aerr)
			return
		}
	}

	now := time.Now().UTC()
	changed := false
	setString := func(has bool, dst *string, v string) {
		if has && *dst != v {
			*dst, changed = v, true
		}
	}
	setString(hasName, &p.Name, name)
	setString(hasClientID, &p.ClientID, clientID)
	if hasActive && p.Active != active {
		p.Active, changed = active, true
	}
	if hasScopes && !slices.Equal(p.Scopes, scopes) {
		p.Scopes, changed = scopes, true
	}
	if hasActions && !slices.Equal(p.Actions, actions) {
		p.Actions, changed = actions, true
	}
	// Setting the secret counts as a rotation even with the same value: the
	// server cannot tell the caller whether it matched.
	if hasSecret {
		p.ClientSecret, p.ClientSecretUpdatedAt, changed = secret, now, true
	}
	if changed {
		p.UpdatedAt = now
	}
	rec.p = p
	writeJSON(w, http.StatusOK, s.profileJSON(rec, true))
}

// profileListPage is the published answer of GET /connector_profiles.
type profileListPage struct {
	Data     []profileJSON `json:"data"`
	Page     int           `json:"page"`
	PageSize int           `json:"page_size"`
	Total    int           `json:"total"`
}

// listProfiles implements GET /connector_profiles: profiles oldest first,
// filtered by connector_key and enabled, in 1-based pages.
func (s *Sandbox) listProfiles(w http.ResponseWriter, r *http.Request) {
	page, size, aerr := pageNumbers(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	q := r.URL.Query()
	connectorKey := q.Get("connector_key")
	var enabled *bool
	if v := q.Get("enabled"); v != "" {
		if v != "true" && v != "false" {
			writeError(w, validationError("enabled must be true or false, not %q", v))
			return
		}
		b := v == "true"
		enabled = &b
	}

	s.mu.Lock()
	var matching []*profileRecord
	for _, rec := range s.profiles {
		if (connectorKey == "" || rec.p.Provider == connectorKey) && (enabled == nil || rec.p.Active == *enabled) {
			matching = append(matching, rec)
		}
	}
	lo, hi := pageBounds(page, size, len(matching))
	data := make([]profileJSON, 0, hi-lo)
	for _, rec := range matching[lo:hi] {
		data = append(data, s.profileJSON(rec, s.opts.API == APIExtended))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, profileListPage{Data: data, Page: page, PageSize: size, Total: len(matching)})
}
