package stackone

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Routes, as logged and documented in WIRE_CONTRACT.md.
const (
	routeConnectorProfiles = "/connector_profiles"
	routeConnectorProfile  = "/connector_profiles/{id}"
	routeActions           = "/actions"
	routeConnectSessions   = "/connect_sessions"
	routeAccounts          = "/accounts"
)

// maxPageSize is the largest page StackOne serves.
const maxPageSize = 100

// maxPages bounds pagination against a server that keeps inventing cursors.
const maxPages = 10000

// CreateConnectorProfile creates a profile. The call carries one random
// Idempotency-Key, the same on every retry, so a retry after a lost answer
// returns the first result instead of creating a second profile.
func (c *Client) CreateConnectorProfile(ctx context.Context, req CreateConnectorProfileRequest) (*ConnectorProfile, error) {
	key, err := newIdempotencyKey()
	if err != nil {
		return nil, err
	}
	// The contract wants arrays; nil would be sent as null.
	if req.Scopes == nil {
		req.Scopes = []string{}
	}
	if req.Actions == nil {
		req.Actions = []string{}
	}
	var out ConnectorProfile
	err = c.do(ctx, &request{
		method: http.MethodPost, route: routeConnectorProfiles, path: routeConnectorProfiles,
		body: req, idempotencyKey: key, secrets: []string{req.ClientSecret},
	}, &out)
	if err != nil {
		return nil, err
	}
	return normalizeProfile(&out), nil
}

// GetConnectorProfile reads one profile. A missing profile gives an
// *APIError for which IsNotFound is true.
func (c *Client) GetConnectorProfile(ctx context.Context, id string) (*ConnectorProfile, error) {
	p, err := profilePath(id)
	if err != nil {
		return nil, err
	}
	var out ConnectorProfile
	if err := c.do(ctx, &request{method: http.MethodGet, route: routeConnectorProfile, path: p}, &out); err != nil {
		return nil, err
	}
	return normalizeProfile(&out), nil
}

// UpdateConnectorProfile changes the fields set in req (nil fields are not
// sent and stay unchanged; a set Scopes or Actions replaces the whole list).
func (c *Client) UpdateConnectorProfile(ctx context.Context, id string, req UpdateConnectorProfileRequest) (*ConnectorProfile, error) {
	p, err := profilePath(id)
	if err != nil {
		return nil, err
	}
	// A pointer to a nil slice means "clear the list": send [] rather than null.
	if req.Scopes != nil && *req.Scopes == nil {
		req.Scopes = &[]string{}
	}
	if req.Actions != nil && *req.Actions == nil {
		req.Actions = &[]string{}
	}
	r := &request{method: http.MethodPatch, route: routeConnectorProfile, path: p, body: req}
	if req.ClientSecret != nil {
		r.secrets = []string{*req.ClientSecret}
	}
	var out ConnectorProfile
	if err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return normalizeProfile(&out), nil
}

// DeleteConnectorProfile deletes a profile; 200 and 204 are success. A 404
// is returned as an *APIError: the caller decides what it means.
func (c *Client) DeleteConnectorProfile(ctx context.Context, id string) error {
	p, err := profilePath(id)
	if err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodDelete, route: routeConnectorProfile, path: p}, nil)
}

// ListConnectorProfiles lists every profile, following `next` across pages.
func (c *Client) ListConnectorProfiles(ctx context.Context, opts ListConnectorProfilesOptions) ([]ConnectorProfile, error) {
	q := url.Values{}
	if opts.Provider != "" {
		q.Set("filter[provider]", opts.Provider)
	}
	items, err := listAll[ConnectorProfile](ctx, c, routeConnectorProfiles, q, opts.PageSize)
	if err != nil {
		return nil, err
	}
	for i := range items {
		normalizeProfile(&items[i])
	}
	return items, nil
}

// ListConnectors reads the catalog (GET /actions) for the given connector
// keys, or every connector when none is given, following `next`.
func (c *Client) ListConnectors(ctx context.Context, keys ...string) ([]Connector, error) {
	q := url.Values{}
	var filter []string
	for _, k := range keys {
		if k = strings.TrimSpace(k); k != "" {
			filter = append(filter, k)
		}
	}
	if len(filter) > 0 {
		q.Set("filter[connectors]", strings.Join(filter, ","))
	}
	return listAll[Connector](ctx, c, routeActions, q, 0)
}

// CreateConnectSession starts an account-linking session. The returned
// token is a secret. The POST carries an Idempotency-Key so retries are safe.
func (c *Client) CreateConnectSession(ctx context.Context, req ConnectSessionRequest) (*ConnectSession, error) {
	key, err := newIdempotencyKey()
	if err != nil {
		return nil, err
	}
	var out ConnectSession
	err = c.do(ctx, &request{
		method: http.MethodPost, route: routeConnectSessions, path: routeConnectSessions,
		body: req, idempotencyKey: key,
	}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAccounts lists every linked account, following `next`.
func (c *Client) ListAccounts(ctx context.Context) ([]Account, error) {
	return listAll[Account](ctx, c, routeAccounts, url.Values{}, 0)
}

// page is one page of a cursor-paginated list.
type page[T any] struct {
	Data []T    `json:"data"`
	Next string `json:"next"` // null and absent decode as ""
}

// listAll follows `next` until it is null or empty. A cursor seen before
// means the server is looping, which is an error rather than a hang.
func listAll[T any](ctx context.Context, c *Client, route string, q url.Values, pageSize int) ([]T, error) {
	if pageSize <= 0 || pageSize > maxPageSize {
		pageSize = maxPageSize
	}
	q.Set("page_size", strconv.Itoa(pageSize))
	seen := map[string]bool{}
	all := []T{}
	for n := 0; ; n++ {
		if n >= maxPages {
			return nil, fmt.Errorf("GET %s: gave up after %d pages: the server keeps returning a next cursor", route, maxPages)
		}
		var p page[T]
		if err := c.do(ctx, &request{method: http.MethodGet, route: route, path: route, query: q}, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Data...)
		if p.Next == "" {
			return all, nil
		}
		if seen[p.Next] {
			return nil, fmt.Errorf("GET %s: the server returned the same next cursor twice after %d pages; stopping instead of looping forever", route, n+1)
		}
		seen[p.Next] = true
		q.Set("next", p.Next)
	}
}

// profilePath validates id and returns the escaped profile path.
func profilePath(id string) (string, error) {
	if err := checkID(id); err != nil {
		return "", err
	}
	return "/connector_profiles/" + url.PathEscape(id), nil
}

// checkID refuses ids that would change the path rather than name a
// resource in it, before any request is sent.
func checkID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: the connector profile id is empty", ErrInvalidID)
	case id == "." || id == "..":
		return fmt.Errorf("%w: %q is not a connector profile id", ErrInvalidID, id)
	case strings.Contains(id, "/"):
		return fmt.Errorf("%w: connector profile id %q contains '/'", ErrInvalidID, cleanText(id, 100))
	}
	return nil
}

// normalizeProfile turns null lists into empty ones, as the contract promises
// arrays, so callers need not tell nil from empty.
func normalizeProfile(p *ConnectorProfile) *ConnectorProfile {
	if p.Scopes == nil {
		p.Scopes = []string{}
	}
	if p.Actions == nil {
		p.Actions = []string{}
	}
	return p
}
