package stackone

import (
	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"

	"context"
	"errors"
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
	routeVersions          = "/connector_profiles/{id}/versions"
	routePinnedVersion     = "/connector_profiles/{id}/pinned_version"
	routeActions           = "/actions"
	routeConnectSessions   = "/connect_sessions"
	routeConnectSession    = "/connect_sessions/{id}"
	routeAccounts          = "/accounts"
	routeAccount           = "/accounts/{id}"
)

// ErrWritesUnsupported is wrapped by the error of a connector-profile write
// (create, update, delete) that the server does not serve: StackOne publishes
// no profile writes yet; they are this project's extension.
var ErrWritesUnsupported = errors.New("this StackOne API does not accept connector profile writes")

// WritesUnsupportedError is a profile write refused because the server has no
// such route (as opposed to a profile that does not exist).
type WritesUnsupportedError struct {
	// Op is "create", "update" or "delete".
	Op string
	// Answer is the server's answer to the write.
	Answer *APIError
}

func (e *WritesUnsupportedError) Error() string {
	return fmt.Sprintf("%s: it answered %s %s with %s", ErrWritesUnsupported, e.Answer.Method, e.Answer.Path, statusLabel(e.Answer.StatusCode))
}

// Unwrap lets errors.Is find ErrWritesUnsupported.
func (e *WritesUnsupportedError) Unwrap() error { return ErrWritesUnsupported }

// ErrProfileNotFound is wrapped by the error for a profile absent from a
// complete, consistent list of profiles.
var ErrProfileNotFound = errors.New("connector profile not found")

// RedirectURI is the OAuth callback StackOne uses for connector: the exact
// redirect URI to register on the connector's OAuth app. It is derived from
// the base URL, so the EU host gives its own.
func (c *Client) RedirectURI(connector string) string {
	return RedirectURIFor(c.baseURL.String(), connector)
}

// RedirectURIFor is RedirectURI for a base URL given as text (already checked
// with ValidateBaseURL).
func RedirectURIFor(baseURL, connector string) string {
	return strings.TrimRight(baseURL, "/") + "/connect/oauth2/" + url.PathEscape(connector) + "/callback"
}

// CreateConnectorProfile creates a profile (extension). The call carries one
// random Idempotency-Key, the same on every retry, so a retry after a lost
// answer returns the first result instead of creating a second profile. A
// server without profile writes gives a *WritesUnsupportedError.
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
	r := &request{
		method: http.MethodPost, route: routeConnectorProfiles, path: routeConnectorProfiles,
		body: req, idempotencyKey: key, secrets: []string{req.ClientSecret},
	}
	if err := c.do(ctx, r, &out); err != nil {
		// GET /connector_profiles is published, so a 404 to its POST is a
		// missing route, not a missing object.
		return nil, unsupportedWrite("create", err, true)
	}
	if out.ConnectorKey == "" {
		out.ConnectorKey = req.ConnectorKey // a bare answer: the profile is what was asked for
	}
	redact := c.redactorFor(r)
	if err := checkWrittenProfile(&out, "", req.ConnectorKey, redact); err != nil {
		return nil, err
	}
	if err := c.checkCreatedProfile(&out, req, redact); err != nil {
		return nil, err
	}
	c.profiles.update(&out)
	return &out, nil
}

// UpdateConnectorProfile changes the fields set in req (nil fields are not
// sent and stay unchanged; a set Scopes or Actions replaces the whole list).
// connectorKey is the profile's connector ("" if unknown): on a 404 the
// client lists that connector's profiles to tell a missing route (the
// profile is listed: *WritesUnsupportedError) from a missing profile
// (ErrProfileNotFound).
func (c *Client) UpdateConnectorProfile(ctx context.Context, id, connectorKey string, req UpdateConnectorProfileRequest) (*ConnectorProfile, error) {
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
		return nil, c.resolveWriteError(ctx, "update", id, connectorKey, err)
	}
	if out.ConnectorKey == "" {
		out.ConnectorKey = connectorKey
	}
	if err := checkWrittenProfile(&out, id, connectorKey, c.redactorFor(r)); err != nil {
		return nil, err
	}
	c.profiles.update(&out)
	return &out, nil
}

// DeleteConnectorProfile deletes a profile (extension); 200 and 204 are
// success. A profile that is not there gives an error wrapping
// ErrProfileNotFound; a server without profile writes a
// *WritesUnsupportedError (see UpdateConnectorProfile for connectorKey).
func (c *Client) DeleteConnectorProfile(ctx context.Context, id, connectorKey string) error {
	p, err := profilePath(id)
	if err != nil {
		return err
	}
	if err := c.do(ctx, &request{method: http.MethodDelete, route: routeConnectorProfile, path: p}, nil); err != nil {
		return c.resolveWriteError(ctx, "delete", id, connectorKey, err)
	}
	c.profiles.remove(id)
	return nil
}

// unsupportedWrite turns the answer of a server without the route into a
// *WritesUnsupportedError: 405 and 501 always, 404 when notFoundMeansRoute.
func unsupportedWrite(op string, err error, notFoundMeansRoute bool) error {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	switch {
	case apiErr.StatusCode == http.StatusMethodNotAllowed, apiErr.StatusCode == http.StatusNotImplemented,
		apiErr.StatusCode == http.StatusNotFound && notFoundMeansRoute:
		return &WritesUnsupportedError{Op: op, Answer: apiErr}
	}
	return err
}

// resolveWriteError reads a 404 to a write on /connector_profiles/{id}: if a
// fresh list still holds the profile, the server has no such route.
func (c *Client) resolveWriteError(ctx context.Context, op, id, connectorKey string, err error) error {
	if !IsNotFound(err) {
		return unsupportedWrite(op, err, false)
	}
	items, listErr := c.refreshProfiles(ctx, connectorKey)
	if listErr != nil {
		// Neither answer is "not found": only a profile absent from a
		// complete list is (else a delete would read as done). The write's
		// 404 is kept as text; the list's failure stays wrapped so that a
		// deadline or an interrupt is still recognised, unless it is a 404.
		if IsNotFound(listErr) {
			listErr = errors.New(listErr.Error())
		}
		return fmt.Errorf("%v (and listing the profiles to tell a missing profile from a missing route failed: %w)", err, listErr)
	}
	// Search the list this call read, not the shared snapshot: another
	// caller may already be re-reading it, and an entry under way holds nothing.
	// A miss is read again (a list can shift between its pages; see reread).
	if !hasProfile(items, id) {
		if again, err := c.refreshProfiles(ctx, connectorKey); err == nil {
			items = again
		}
	}
	if hasProfile(items, id) {
		var apiErr *APIError
		errors.As(err, &apiErr)
		return &WritesUnsupportedError{Op: op, Answer: apiErr}
	}
	return fmt.Errorf("%w: StackOne lists no connector profile %q (%w)", ErrProfileNotFound, id, err)
}

// checkWrittenProfile refuses an answer to a write that Terraform could not
// safely record: no id, another profile's id, or another connector. What
// the server sent is quoted through redact.
func checkWrittenProfile(p *ConnectorProfile, wantID, wantConnector string, redact func(string) string) error {
	switch {
	case strings.TrimSpace(p.ID) == "":
		return fmt.Errorf("StackOne answered the write without a profile id")
	case wantID != "" && p.ID != wantID:
		return fmt.Errorf("StackOne answered the write to profile %q with profile %q", wantID, safetext.Text(redact(p.ID), 100))
	case wantConnector != "" && p.ConnectorKey != "" && p.ConnectorKey != wantConnector:
		return fmt.Errorf("StackOne answered the write with a profile of connector %q instead of %q", safetext.Text(redact(p.ConnectorKey), 100), wantConnector)
	}
	if err := checkID(p.ID); err != nil {
		return fmt.Errorf("StackOne answered the write with an unusable profile id: %s", redact(err.Error()))
	}
	return nil
}

// checkCreatedProfile refuses an answer to a create that describes another
// profile than the one sent: another name or auth type, or the id of a
// profile the client already lists under another name (a create makes a
// new profile; recording an existing one would later change or delete it).
// Fields the answer leaves out are not compared.
func (c *Client) checkCreatedProfile(p *ConnectorProfile, req CreateConnectorProfileRequest, redact func(string) string) error {
	switch {
	case p.Name != "" && p.Name != req.Name:
		return fmt.Errorf("StackOne answered the create of profile %q with profile %q named %q", req.Name, safetext.Text(redact(p.ID), 100), safetext.Text(redact(p.Name), 100))
	case p.AuthenticationConfigKey != "" && p.AuthenticationConfigKey != req.AuthenticationConfigKey:
		return fmt.Errorf("StackOne answered the create of profile %q with profile %q of auth type %q instead of %q", req.Name, safetext.Text(redact(p.ID), 100), safetext.Text(redact(p.AuthenticationConfigKey), 100), req.AuthenticationConfigKey)
	}
	if listed, ok := c.profiles.lookup(p.ID); ok && (listed.Name != req.Name || listed.ConnectorKey != req.ConnectorKey) {
		return fmt.Errorf("StackOne answered the create of profile %q with the id of an existing profile, %q (listed as %q of connector %q)", req.Name, safetext.Text(redact(p.ID), 100), safetext.Text(redact(listed.Name), 100), safetext.Text(redact(listed.ConnectorKey), 100))
	}
	return nil
}

// ListConnectorProfiles lists every profile matching opts, page by page. It
// always reads the server (the snapshot is ConnectorProfiles).
func (c *Client) ListConnectorProfiles(ctx context.Context, opts ListConnectorProfilesOptions) ([]ConnectorProfile, error) {
	q := url.Values{}
	if opts.ConnectorKey != "" {
		q.Set("connector_key", opts.ConnectorKey)
	}
	if opts.Enabled != nil {
		q.Set("enabled", strconv.FormatBool(*opts.Enabled))
	}
	var lastErr error
	// A list that moved while it was read (a profile made or deleted between
	// two pages) is read again: a profile skipped by the shift would
	// otherwise look deleted.
	for try := 0; try < 3; try++ {
		items, err := listNumbered[ConnectorProfile](ctx, c, routeConnectorProfiles, q)
		var moved *errInconsistentList
		if errors.As(err, &moved) {
			lastErr = err
			continue
		}
		if err != nil {
			return nil, err
		}
		return items, checkProfileList(items, opts.ConnectorKey, c.redactKey)
	}
	return nil, fmt.Errorf("%w; it did so on 3 reads in a row, so the provider cannot tell which profiles exist", lastErr)
}

// checkProfileList refuses a list Terraform could not trust: a profile
// without an id, two profiles with one id, or a profile of another
// connector than the filter asked for. What the server sent is quoted
// through redact.
func checkProfileList(items []ConnectorProfile, connectorKey string, redact func(string) string) error {
	if err := checkListIDs(routeConnectorProfiles, "profile", items, func(p ConnectorProfile) string { return p.ID }, redact); err != nil {
		return err
	}
	for i := range items {
		if p := &items[i]; connectorKey != "" && p.ConnectorKey != connectorKey {
			return fmt.Errorf("GET %s?connector_key=%s answered profile %q of connector %q", routeConnectorProfiles, connectorKey, safetext.Text(redact(p.ID), 100), safetext.Text(redact(p.ConnectorKey), 100))
		}
	}
	return nil
}

// checkListIDs refuses a list in which an item has no id or two items share
// one: the provider could not tell which item is the object it manages.
func checkListIDs[T any](route, what string, items []T, idOf func(T) string, redact func(string) string) error {
	seen := make(map[string]bool, len(items))
	for i, item := range items {
		id := idOf(item)
		if strings.TrimSpace(id) == "" {
			return fmt.Errorf("GET %s: item %d of the list has no id", route, i+1)
		}
		if seen[id] {
			return fmt.Errorf("GET %s: %s id %q appears twice in the list, so the provider cannot tell which one is the %s", route, what, safetext.Text(redact(id), 100), what)
		}
		seen[id] = true
	}
	return nil
}

// ConnectorProfiles returns the profiles of connectorKey ("" for every
// connector) from the client's snapshot: the list is read once per Client
// (one read at a time per key; others wait for it) and kept up to date by
// the Client's own writes. The slice is a copy.
func (c *Client) ConnectorProfiles(ctx context.Context, connectorKey string) ([]ConnectorProfile, error) {
	return c.profiles.get(ctx, connectorKey)
}

// ConnectorProfile returns profile id from the snapshot of connectorKey's
// profiles ("" when the connector is not known, as after an import). A
// profile absent from the list gives an error wrapping ErrProfileNotFound.
func (c *Client) ConnectorProfile(ctx context.Context, id, connectorKey string) (*ConnectorProfile, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	p, confirmed, read, err := c.profiles.find(ctx, connectorKey, id)
	if err == nil && p == nil && !confirmed {
		// Absent from one read: read again before calling it gone.
		c.profiles.reread(connectorKey, id, read)
		p, _, _, err = c.profiles.find(ctx, connectorKey, id)
	}
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("%w: StackOne lists no connector profile %q, in two reads of the list", ErrProfileNotFound, id)
	}
	return p, nil
}

// refreshProfiles reads connectorKey's list again and replaces the snapshot.
func (c *Client) refreshProfiles(ctx context.Context, connectorKey string) ([]ConnectorProfile, error) {
	c.profiles.forget(connectorKey)
	return c.profiles.get(ctx, connectorKey)
}

// ListConnectors reads the catalog (GET /actions) for the given connector
// keys, or every connector when none is given, following `next`.
func (c *Client) ListConnectors(ctx context.Context, keys ...string) ([]Connector, error) {
	q := url.Values{}
	if filter := nonBlank(keys); len(filter) > 0 {
		q.Set("filter[connectors]", strings.Join(filter, ","))
	}
	return listCursor[Connector](ctx, c, routeActions, q)
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
		return fmt.Errorf("%w: the id is empty", ErrInvalidID)
	case id == "." || id == "..":
		return fmt.Errorf("%w: %q is not an id", ErrInvalidID, id)
	case strings.Contains(id, "/"):
		return fmt.Errorf("%w: id %q contains '/'", ErrInvalidID, safetext.Text(id, 100))
	}
	return nil
}
