package stackone

import (
	"slices"

	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"

	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// CreateConnectSession starts an account-linking session. The returned
// token is a secret. The POST carries an Idempotency-Key so retries are safe
// where the server honours it.
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
	if out.ID == "" {
		return nil, fmt.Errorf("StackOne answered POST %s without a session id", routeConnectSessions)
	}
	return &out, nil
}

// GetConnectSession reads a connect session, with its latest connection attempt.
func (c *Client) GetConnectSession(ctx context.Context, id SessionID) (*ConnectSession, error) {
	if err := checkID(string(id)); err != nil {
		return nil, err
	}
	var out ConnectSession
	p := "/connect_sessions/" + url.PathEscape(string(id))
	if err := c.do(ctx, &request{method: http.MethodGet, route: routeConnectSession, path: p}, &out); err != nil {
		return nil, err
	}
	if out.ID != id {
		return nil, fmt.Errorf("StackOne answered GET %s with session %q", p, safetext.Text(c.Mask(string(out.ID)), 40))
	}
	return &out, nil
}

// ListAccounts lists every linked account matching opts, page by page.
func (c *Client) ListAccounts(ctx context.Context, opts ListAccountsOptions) ([]Account, error) {
	q := url.Values{}
	for _, p := range nonBlank(opts.Providers) {
		q.Add("providers[]", p)
	}
	if o := strings.TrimSpace(opts.OriginOwnerID); o != "" {
		q.Set("origin_owner_id", o)
	}
	for _, s := range nonBlank(opts.Statuses) {
		q.Add("status[]", s)
	}
	for _, id := range nonBlank(opts.AccountIDs) {
		q.Add("account_ids[]", id)
	}
	items, err := listBareArray(ctx, c, routeAccounts, q, func(a Account) string { return a.ID })
	if err != nil {
		return nil, err
	}
	for i := range items {
		if err := c.checkAccountEchoes(&items[i]); err != nil {
			return nil, err
		}
	}
	if err := checkListIDs(routeAccounts, "account", items, func(a Account) string { return a.ID }, c.Mask); err != nil {
		return nil, err
	}
	// The filters are spelled as StackOne publishes them (`providers[]`);
	// a server that ignored one would answer every account, so the answer
	// is filtered here too, and nothing foreign reaches the data sources.
	return slices.DeleteFunc(items, func(a Account) bool { return !opts.matches(a) }), nil
}

// matches reports whether a passes every filter of opts.
func (opts ListAccountsOptions) matches(a Account) bool {
	in := func(filter []string, v string) bool {
		filter = nonBlank(filter)
		return len(filter) == 0 || slices.Contains(filter, v)
	}
	owner := strings.TrimSpace(opts.OriginOwnerID)
	return in(opts.Providers, a.Provider) && in(opts.Statuses, a.Status) && in(opts.AccountIDs, a.ID) &&
		(owner == "" || a.OriginOwnerID == owner)
}

// GetAccount reads one linked account. A missing account gives an *APIError
// for which IsNotFound is true.
func (c *Client) GetAccount(ctx context.Context, id string) (*Account, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	p := "/accounts/" + url.PathEscape(id)
	var out Account
	if err := c.do(ctx, &request{method: http.MethodGet, route: routeAccount, path: p}, &out); err != nil {
		return nil, err
	}
	if out.ID != id {
		return nil, fmt.Errorf("StackOne answered GET %s with account %q", p, safetext.Text(c.Mask(out.ID), 100))
	}
	return &out, c.checkAccountEchoes(&out)
}

// ListConnectorVersions lists the connector versions a profile can pin.
func (c *Client) ListConnectorVersions(ctx context.Context, profileID string) ([]ConnectorVersion, error) {
	p, err := profilePath(profileID)
	if err != nil {
		return nil, err
	}
	var out []ConnectorVersion
	if err := c.do(ctx, &request{method: http.MethodGet, route: routeVersions, path: p + "/versions"}, &out); err != nil {
		return nil, routeMissing(err)
	}
	if len(out) > maxListItems {
		return nil, fmt.Errorf("GET %s/versions: the server listed %d versions; the provider reads at most %d", p, len(out), maxListItems)
	}
	for i, v := range out {
		if err := c.refuseEchoes(fmt.Sprintf("GET %s/versions (item %d)", p, i+1), map[string]string{"version": v.Version, "owner": v.Owner}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetPinnedVersion reads the version pinned on a profile. Nothing pinned
// gives an *APIError for which IsNotFound is true.
func (c *Client) GetPinnedVersion(ctx context.Context, profileID string) (*PinnedVersion, error) {
	p, err := profilePath(profileID)
	if err != nil {
		return nil, err
	}
	var out PinnedVersion
	if err := c.do(ctx, &request{method: http.MethodGet, route: routePinnedVersion, path: p + "/pinned_version"}, &out); err != nil {
		return nil, routeMissing(err)
	}
	return &out, c.checkPinned(&out, profileID)
}

// PinVersion pins a connector version on a profile (create or replace).
func (c *Client) PinVersion(ctx context.Context, profileID string, req PinVersionRequest) (*PinnedVersion, error) {
	p, err := profilePath(profileID)
	if err != nil {
		return nil, err
	}
	var out PinnedVersion
	if err := c.do(ctx, &request{method: http.MethodPut, route: routePinnedVersion, path: p + "/pinned_version", body: req}, &out); err != nil {
		return nil, routeMissing(err)
	}
	return &out, c.checkPinned(&out, profileID)
}

// UnpinVersion removes the pinned version of a profile; 200 and 204 are
// success. Nothing pinned gives an *APIError for which IsNotFound is true.
func (c *Client) UnpinVersion(ctx context.Context, profileID string) error {
	p, err := profilePath(profileID)
	if err != nil {
		return err
	}
	return routeMissing(c.do(ctx, &request{method: http.MethodDelete, route: routePinnedVersion, path: p + "/pinned_version"}, nil))
}

// checkPinned refuses a pinned version of another profile, without a
// version, or quoting a secret the Client knows.
func (c *Client) checkPinned(v *PinnedVersion, profileID string) error {
	if err := c.refuseEchoes(fmt.Sprintf("the pinned version of profile %q", profileID), map[string]string{
		"connector_profile_id": v.ConnectorProfileID, "pinned_version": v.PinnedVersion, "owner": v.Owner,
		"created_at": v.CreatedAt, "updated_at": v.UpdatedAt,
	}); err != nil {
		return err
	}
	switch {
	case v.ConnectorProfileID != "" && v.ConnectorProfileID != profileID:
		return fmt.Errorf("StackOne answered for profile %q with the pinned version of profile %q", profileID, safetext.Text(c.Mask(v.ConnectorProfileID), 100))
	case strings.TrimSpace(v.PinnedVersion) == "":
		return fmt.Errorf("StackOne answered for profile %q with a pinned version that has no version", profileID)
	}
	if v.ConnectorProfileID == "" {
		v.ConnectorProfileID = profileID
	}
	return nil
}

func nonBlank(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// checkAccountEchoes refuses an account whose values quote a secret the
// Client knows: they would reach Terraform's state.
func (c *Client) checkAccountEchoes(a *Account) error {
	return c.refuseEchoes("account "+strconv.Quote(safetext.Text(c.Mask(a.ID), 100)), map[string]string{
		"id": a.ID, "provider": a.Provider, "provider_name": a.ProviderName, "origin_owner_id": a.OriginOwnerID,
		"origin_owner_name": a.OriginOwnerName, "origin_username": a.OriginUsername, "label": a.Label, "status": a.Status,
	})
}
