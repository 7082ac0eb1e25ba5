package sandbox

import (
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
	CreatedAt      time.Time
	UpdatedAt      time.Time
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
	return a
}

// publishedAccountJSON is a LinkedAccount with the fields StackOne publishes.
type publishedAccountJSON struct {
	ID              string  `json:"id"`
	Provider        string  `json:"provider"`
	ProviderName    string  `json:"provider_name"`
	OriginOwnerID   string  `json:"origin_owner_id"`
	OriginOwnerName string  `json:"origin_owner_name"`
	OriginUsername  *string `json:"origin_username"`
	Label           *string `json:"label"`
	Status          string  `json:"status"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
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
	out := accountJSON{publishedAccountJSON: publishedAccountJSON{
		ID: a.ID, Provider: a.Provider, ProviderName: c.Name,
		OriginOwnerID: a.OriginOwnerID, OriginOwnerName: a.OriginOwnerName,
		OriginUsername: nullable(a.OriginUsername), Label: nullable(a.Label), Status: a.Status,
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
