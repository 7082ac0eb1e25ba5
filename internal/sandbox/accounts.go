package sandbox

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// AccountActive is the status of a freshly linked account.
const AccountActive = "active"

// Account is a linked account. The tokens obtained for it stay inside the
// sandbox: neither this type nor any endpoint exposes them.
type Account struct {
	ID       string
	Provider string
	// IntegrationID is the connector profile's id (connector_profile_id on
	// the wire, extended mode only).
	IntegrationID   string
	Status          string // AccountActive once linked
	Scopes          []string
	OriginOwnerID   string
	OriginOwnerName string
	// OriginUsername and Label come from the connect session.
	OriginUsername string
	Label          string
	// Type (PRODUCTION or TEST) and Categories come from the connect
	// session; Shared is set by PATCH /accounts/{id}.
	Type       string
	Categories []string
	Shared     bool
	// StatusReasons say why an account is in error (SetAccountStatus).
	StatusReasons []StatusReason
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Accounts returns the linked accounts, oldest first.
func (s *Sandbox) Accounts() []Account {
	s.link.mu.Lock()
	defer s.link.mu.Unlock()
	out := make([]Account, 0, len(s.link.accounts))
	for _, rec := range s.link.accounts {
		out = append(out, rec.a.clone())
	}
	return out
}

// Account returns the linked account with id.
func (s *Sandbox) Account(id string) (Account, bool) {
	s.link.mu.Lock()
	defer s.link.mu.Unlock()
	for _, rec := range s.link.accounts {
		if rec.a.ID == id {
			return rec.a.clone(), true
		}
	}
	return Account{}, false
}

func (a Account) clone() Account {
	a.Scopes = slices.Clone(a.Scopes)
	a.Categories = slices.Clone(a.Categories)
	a.StatusReasons = slices.Clone(a.StatusReasons)
	return a
}

// StatusReason is one entry of a LinkedAccount's status_reasons: why an
// account is in its status (StackOne publishes code, description and
// timestamp).
type StatusReason struct {
	Code        string
	Description string
	Timestamp   time.Time
}

// SetAccountStatus sets a linked account's status and the reasons for it,
// as StackOne does when an account's credentials stop working: tests use it
// to put an account in error. It reports false for an unknown account.
func (s *Sandbox) SetAccountStatus(id, status string, reasons ...StatusReason) bool {
	s.link.mu.Lock()
	defer s.link.mu.Unlock()
	for _, rec := range s.link.accounts {
		if rec.a.ID == id {
			rec.a.Status, rec.a.StatusReasons, rec.a.UpdatedAt = status, slices.Clone(reasons), s.now().UTC()
			return true
		}
	}
	return false
}

// publishedAccountJSON is a LinkedAccount with the fields StackOne publishes.
// Optional fields the sandbox has no value for are null (categories, type,
// shared and status_reasons are always known).
type publishedAccountJSON struct {
	ID              string             `json:"id"`
	Provider        string             `json:"provider"`
	ProviderName    string             `json:"provider_name"`
	OriginOwnerID   string             `json:"origin_owner_id"`
	OriginOwnerName string             `json:"origin_owner_name"`
	OriginUsername  *string            `json:"origin_username"`
	Label           *string            `json:"label"`
	Status          string             `json:"status"`
	StatusReasons   []statusReasonJSON `json:"status_reasons"`
	Type            *string            `json:"type"`
	Shared          bool               `json:"shared"`
	Categories      []string           `json:"categories"`
	CreatedAt       string             `json:"created_at"`
	UpdatedAt       string             `json:"updated_at"`
}

type statusReasonJSON struct {
	Code        *string `json:"code"`
	Description *string `json:"description"`
	Timestamp   string  `json:"timestamp"`
}

// accountExtensionJSON is what extended mode adds to a LinkedAccount.
type accountExtensionJSON struct {
	ConnectorProfileID string   `json:"connector_profile_id"`
	Scopes             []string `json:"scopes"`
}

// accountJSON is a LinkedAccount on the wire; a nil extension leaves its
// fields out.
type accountJSON struct {
	publishedAccountJSON
	*accountExtensionJSON
}

func (s *Sandbox) accountJSON(a Account) accountJSON {
	c, _ := s.connector(a.Provider)
	// An account's categories are those the session asked for, else its
	// connector's.
	categories := slices.Clone(a.Categories)
	if len(categories) == 0 {
		categories = slices.Clone(c.Categories)
	}
	reasons := make([]statusReasonJSON, len(a.StatusReasons))
	for i, r := range a.StatusReasons {
		reasons[i] = statusReasonJSON{Code: nullable(r.Code), Description: nullable(r.Description), Timestamp: r.Timestamp.UTC().Format(timeLayout)}
	}
	out := accountJSON{publishedAccountJSON: publishedAccountJSON{
		ID: a.ID, Provider: a.Provider, ProviderName: c.Name,
		OriginOwnerID: a.OriginOwnerID, OriginOwnerName: a.OriginOwnerName,
		OriginUsername: nullable(a.OriginUsername), Label: nullable(a.Label), Status: a.Status,
		StatusReasons: reasons, Type: nullable(cmp.Or(a.Type, accountTypeProduction)), Shared: a.Shared, Categories: append([]string{}, categories...),
		CreatedAt: a.CreatedAt.UTC().Format(timeLayout), UpdatedAt: a.UpdatedAt.UTC().Format(timeLayout),
	}}
	if s.opts.API == APIExtended {
		out.accountExtensionJSON = &accountExtensionJSON{
			ConnectorProfileID: a.IntegrationID, Scopes: append([]string{}, a.Scopes...),
		}
	}
	return out
}

// multiValue collects a repeatable query parameter in every spelling clients
// use: name=a&name=b, name[]=a, and name=a,b. Nil means "not filtered".
func multiValue(r *http.Request, names ...string) map[string]bool {
	q := r.URL.Query()
	var set map[string]bool
	for _, name := range names {
		for _, v := range append(q[name], q[name+"[]"]...) {
			for _, item := range strings.Split(v, ",") {
				if item = strings.TrimSpace(item); item != "" {
					if set == nil {
						set = map[string]bool{}
					}
					set[item] = true
				}
			}
		}
	}
	return set
}

// listAccounts implements GET /accounts: a bare array of linked accounts,
// oldest first, in 1-based pages, filtered by providers, origin_owner_id(s),
// status and account_ids (filters combine with AND, values of one filter
// with OR). Tokens are never part of an account.
func (s *Sandbox) listAccounts(w http.ResponseWriter, r *http.Request) {
	page, size, aerr := pageNumbers(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	filters := []struct {
		values map[string]bool
		field  func(Account) string
	}{
		{multiValue(r, "providers"), func(a Account) string { return a.Provider }},
		{multiValue(r, "origin_owner_id", "origin_owner_ids"), func(a Account) string { return a.OriginOwnerID }},
		{multiValue(r, "status"), func(a Account) string { return a.Status }},
		{multiValue(r, "account_ids"), func(a Account) string { return a.ID }},
	}
	var matching []Account
	for _, a := range s.Accounts() {
		keep := true
		for _, f := range filters {
			if f.values != nil && !f.values[f.field(a)] {
				keep = false
				break
			}
		}
		if keep {
			matching = append(matching, a)
		}
	}
	lo, hi := pageBounds(page, size, len(matching))
	out := make([]accountJSON, 0, hi-lo)
	for _, a := range matching[lo:hi] {
		out = append(out, s.accountJSON(a))
	}
	writeJSON(w, http.StatusOK, out)
}

// getAccount implements GET /accounts/{id}.
func (s *Sandbox) getAccount(w http.ResponseWriter, r *http.Request) {
	a, ok := s.Account(r.PathValue("id"))
	if !ok {
		writeError(w, notFound("account %q not found", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, s.accountJSON(a))
}

// Account types StackOne publishes (LinkedAccount.type; connect session
// type). An account linked without one is a production account.
const (
	accountTypeProduction = "production"
	accountTypeTest       = "test"
)

var patchAccountFields = []string{
	"authentication_config_key", "connector_profile_id", "credentials", "environment", "integration_id", "label",
	"metadata", "origin_owner_id", "origin_owner_name", "origin_username", "provider", "secrets",
	"setup_information", "shared", "type",
}

// updateAccount implements PATCH /accounts/{id} (StackOne's
// PatchAccountExternalDto): label, origin owner and username, shared, type,
// and the connector profile (connector_profile_id, or integration_id, the
// older name) change; credentials, secrets, setup_information, metadata,
// environment and authentication_config_key are checked for their type and
// not kept (the sandbox's accounts hold OAuth tokens only); provider must
// stay the account's. Answers 200 with the account.
//
// The request is checked against the account as read, then its changes are
// made to the stored account under the lock, checked again there: a relink
// or status change that lands in between stays (writing the read account
// back would revert its profile, scopes, status and status reasons).
func (s *Sandbox) updateAccount(w http.ResponseWriter, r *http.Request) {
	fields, _, aerr := readObject(w, r, "an account update", patchAccountFields...)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	id := r.PathValue("id")
	cur, ok := s.Account(id)
	if !ok {
		writeError(w, notFound("account %q not found", id))
		return
	}
	var edits []func(*Account)
	for _, f := range []struct {
		name string
		set  func(*Account, string)
	}{
		{"label", func(a *Account, v string) { a.Label = v }},
		{"origin_owner_id", func(a *Account, v string) { a.OriginOwnerID = v }},
		{"origin_owner_name", func(a *Account, v string) { a.OriginOwnerName = v }},
		{"origin_username", func(a *Account, v string) { a.OriginUsername = v }},
	} {
		v, present, aerr := stringField(fields, f.name)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		if present {
			edits = append(edits, func(a *Account) { f.set(a, v) })
		}
	}
	if v, present, aerr := boolField(fields, "shared"); aerr != nil {
		writeError(w, aerr)
		return
	} else if present {
		edits = append(edits, func(a *Account) { a.Shared = v })
	}
	if v, present, aerr := stringField(fields, "type"); aerr != nil {
		writeError(w, aerr)
		return
	} else if present {
		if v != accountTypeProduction && v != accountTypeTest {
			writeError(w, validationError("type must be %q or %q, not %q", accountTypeProduction, accountTypeTest, v))
			return
		}
		edits = append(edits, func(a *Account) { a.Type = v })
	}
	provider, providerSet, aerr := stringField(fields, "provider")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	// keepsProvider and fitsProfile depend on the account: they run on the
	// account as read, to answer in this order, and again on the stored one.
	keepsProvider := func(a Account) *apiError {
		if providerSet && provider != a.Provider {
			return validationError("provider cannot change: account %q is a %q account", id, a.Provider)
		}
		return nil
	}
	if aerr := keepsProvider(cur); aerr != nil {
		writeError(w, aerr)
		return
	}
	profileID, aerr := sessionProfileID(fields)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var profile *Profile
	if profileID != "" {
		p, ok := s.Profile(profileID)
		if !ok {
			writeError(w, notFound("connector profile %q (connector_profile_id) not found", profileID))
			return
		}
		profile = &p
		edits = append(edits, func(a *Account) { a.IntegrationID = p.ID })
	}
	fitsProfile := func(a Account) *apiError {
		if profile != nil && profile.Provider != a.Provider {
			return unprocessable("connector profile %q is a %q profile; account %q is a %q account", profile.ID, profile.Provider, id, a.Provider)
		}
		return nil
	}
	if aerr := fitsProfile(cur); aerr != nil {
		writeError(w, aerr)
		return
	}
	for _, name := range []string{"credentials", "secrets", "setup_information", "metadata"} {
		if raw := fields[name]; !isNull(raw) {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(raw, &obj); err != nil {
				writeError(w, validationError("%s must be a JSON object", name))
				return
			}
		}
	}
	for _, name := range []string{"environment", "authentication_config_key"} {
		if _, _, aerr := stringField(fields, name); aerr != nil {
			writeError(w, aerr)
			return
		}
	}
	if s.accountPatchRead != nil {
		s.accountPatchRead(id)
	}
	now := s.now().UTC()
	updated, aerr := s.editAccount(id, func(a *Account) *apiError {
		if aerr := cmp.Or(keepsProvider(*a), fitsProfile(*a)); aerr != nil {
			return aerr
		}
		for _, edit := range edits {
			edit(a)
		}
		a.UpdatedAt = now
		return nil
	})
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	writeJSON(w, http.StatusOK, s.accountJSON(updated))
}

// editAccount calls edit, with the link store locked, on the stored account
// with id (its tokens are not part of it), and returns a copy of the account
// as edited: not found when it is gone, edit's error (nothing changed) when
// edit refuses.
func (s *Sandbox) editAccount(id string, edit func(*Account) *apiError) (Account, *apiError) {
	s.link.mu.Lock()
	defer s.link.mu.Unlock()
	for _, rec := range s.link.accounts {
		if rec.a.ID == id {
			next := rec.a.clone()
			if aerr := edit(&next); aerr != nil {
				return Account{}, aerr
			}
			rec.a = next
			return next.clone(), nil
		}
	}
	return Account{}, notFound("account %q not found", id)
}

// deleteAccount implements DELETE /accounts/{id}: 200 with the account as it
// was (StackOne's SDKs read a LinkedAccount from the answer); its tokens go
// with it.
func (s *Sandbox) deleteAccount(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.link.mu.Lock()
	var gone *Account
	for i, rec := range s.link.accounts {
		if rec.a.ID == id {
			a := rec.a.clone()
			gone = &a
			s.link.accounts = slices.Delete(s.link.accounts, i, i+1)
			break
		}
	}
	s.link.mu.Unlock()
	if gone == nil {
		writeError(w, notFound("account %q not found", id))
		return
	}
	writeJSON(w, http.StatusOK, s.accountJSON(*gone))
}

// accountMetaJSON is StackOne's LinkedAccountMeta.
type accountMetaJSON struct {
	Provider string         `json:"provider"`
	Category string         `json:"category"`
	Models   map[string]any `json:"models"`
}

// getAccountMeta implements GET /accounts/{id}/meta (deprecated in StackOne's
// SDKs): the account's provider, its connector's first category, and the
// unified models it serves, of which the sandbox has none.
func (s *Sandbox) getAccountMeta(w http.ResponseWriter, r *http.Request) {
	a, ok := s.Account(r.PathValue("id"))
	if !ok {
		writeError(w, notFound("account %q not found", r.PathValue("id")))
		return
	}
	c, _ := s.connector(a.Provider)
	writeJSON(w, http.StatusOK, accountMetaJSON{Provider: a.Provider, Category: firstOr(c.Categories, ""), Models: map[string]any{}})
}

func firstOr(values []string, fallback string) string {
	if len(values) == 0 {
		return fallback
	}
	return values[0]
}
