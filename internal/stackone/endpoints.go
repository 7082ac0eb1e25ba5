package stackone

import (
	"github.com/stackonehq/terraform-provider-stackone/internal/safetext"

	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
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
//
// The answer is recorded only once it is proven to be a new profile (see
// checkCreatedProfile); so the list of the connector's profiles is read
// first, once per Client, if it has not been. An answer that is not gives
// an *ExistingProfileError.
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
	c.masker.add(req.ClientSecret)
	listed, err := c.profiles.listed(ctx, req.ConnectorKey)
	if err != nil {
		return nil, fmt.Errorf("reading the connector profiles before creating one (to tell the new profile from one that already exists) failed, so nothing was created: %w", err)
	}
	var out ConnectorProfile
	var answeredAt time.Time
	r := &request{
		method: http.MethodPost, route: routeConnectorProfiles, path: routeConnectorProfiles,
		body: req, idempotencyKey: key, secrets: []string{req.ClientSecret}, date: &answeredAt,
	}
	sent := time.Now()
	if err := c.do(ctx, r, &out); err != nil {
		// GET /connector_profiles is published, so a 404 to its POST is a
		// missing route, not a missing object.
		err = unsupportedWrite("create", err, true)
		c.writes.learn(err)
		return nil, err
	}
	c.writes.learn(nil)
	if out.ConnectorKey == "" {
		out.ConnectorKey = req.ConnectorKey // a bare answer: the profile is what was asked for
	}
	redact := c.redactorFor(r)
	if err := checkWrittenProfile(&out, "", req.ConnectorKey, redact); err != nil {
		return nil, err
	}
	// The server's clock when the request was sent: its Date less the
	// time the call took (retries included), so client and server clocks
	// need not agree.
	since := sent.Add(-createdAtSlackLocal)
	if !answeredAt.IsZero() {
		since = answeredAt.Add(-time.Since(sent) - createdAtSlack)
	}
	if err := c.checkCreatedProfile(&out, req, listed, since, redact); err != nil {
		return nil, err
	}
	if err := c.checkProfileEchoes(&out); err != nil {
		return nil, err
	}
	c.profiles.markCreated(out.ID)
	c.profiles.update(&out)
	return &out, nil
}

// How much older than the request a created profile's created_at may be:
// createdAtSlack when the answer carries the server's Date (a second of
// Date's precision and a server of several machines), createdAtSlackLocal
// when only this machine's clock is known (its skew against the server's).
const (
	createdAtSlack      = time.Minute
	createdAtSlackLocal = 5 * time.Minute
)

// ExistingProfileError is a create answered with a profile that is not
// proven new: an existing profile (as a server that returns the profile of
// the same name rather than creating one does), or one that differs from
// what was sent. Nothing is recorded: recording it would later change or
// delete a profile Terraform did not create.
type ExistingProfileError struct {
	// ID, Name and CreatedAt describe the profile the server answered with
	// (masked and cleaned, for display).
	ID, Name, CreatedAt string
	// Reason says why it is not the new profile.
	Reason string
}

func (e *ExistingProfileError) Error() string {
	return fmt.Sprintf("StackOne answered the create with profile %q (named %q, created at %s), which is not a new profile: %s", e.ID, e.Name, e.CreatedAt, e.Reason)
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
		err = c.resolveWriteError(ctx, "update", id, connectorKey, err)
		c.writes.learn(err)
		return nil, err
	}
	c.writes.learn(nil)
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
	c.profiles.markDeleting(id)
	if err := c.do(ctx, &request{method: http.MethodDelete, route: routeConnectorProfile, path: p}, nil); err != nil {
		err = c.resolveWriteError(ctx, "delete", id, connectorKey, err)
		c.writes.learn(err)
		return err
	}
	c.writes.learn(nil)
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
// fresh list still holds the profile, the server has no such route. The
// profile is called gone only as locate confirms it.
func (c *Client) resolveWriteError(ctx context.Context, op, id, connectorKey string, err error) error {
	if !IsNotFound(err) {
		return unsupportedWrite(op, err, false)
	}
	c.profiles.forget(connectorKey)
	p, listErr := c.locate(ctx, connectorKey, id)
	switch {
	case p != nil:
		var apiErr *APIError
		errors.As(err, &apiErr)
		return &WritesUnsupportedError{Op: op, Answer: apiErr}
	case errors.Is(listErr, ErrProfileNotFound):
		return fmt.Errorf("%w: StackOne lists no connector profile %q (%w)", ErrProfileNotFound, id, err)
	}
	// Neither answer is "not found": only a profile absent from a complete
	// list is (else a delete would read as done). The write's 404 is kept
	// as text; the list's failure stays wrapped so that a deadline or an
	// interrupt is still recognised, unless it is a 404.
	if IsNotFound(listErr) {
		listErr = errors.New(listErr.Error())
	}
	return fmt.Errorf("%v (and listing the profiles to tell a missing profile from a missing route failed: %w)", err, listErr)
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

// checkCreatedProfile refuses an answer to a create that is not proven to
// be the new profile: another name or auth type, a client id, scopes or
// actions (where the answer reports them) other than those sent, a
// created_at older than the request (since, on the server's clock, with
// slack), or the id of a profile the Client listed before sending it
// (listed) or lists now. Fields the answer leaves out are not compared.
func (c *Client) checkCreatedProfile(p *ConnectorProfile, req CreateConnectorProfileRequest, listed *snapshotEntry, since time.Time, redact func(string) string) error {
	switch {
	case p.Name != "" && p.Name != req.Name:
		return fmt.Errorf("StackOne answered the create of profile %q with profile %q named %q", req.Name, safetext.Text(redact(p.ID), 100), safetext.Text(redact(p.Name), 100))
	case p.AuthenticationConfigKey != "" && p.AuthenticationConfigKey != req.AuthenticationConfigKey:
		return fmt.Errorf("StackOne answered the create of profile %q with profile %q of auth type %q instead of %q", req.Name, safetext.Text(redact(p.ID), 100), safetext.Text(redact(p.AuthenticationConfigKey), 100), req.AuthenticationConfigKey)
	}
	existing := func(reason string) error {
		return &ExistingProfileError{
			ID: safetext.Text(redact(p.ID), 100), Name: safetext.Text(redact(p.Name), 100),
			CreatedAt: safetext.Text(redact(p.CreatedAt), 64), Reason: reason,
		}
	}
	if listed != nil && c.profiles.holds(listed, p.ID) {
		return existing("its id was in the list of profiles read before the create was sent")
	}
	if listedAs, ok := c.profiles.lookup(p.ID); ok {
		return existing(fmt.Sprintf("its id is listed already, as %q of connector %q", safetext.Text(redact(listedAs.Name), 100), safetext.Text(redact(listedAs.ConnectorKey), 100)))
	}
	if p.ClientID != nil && *p.ClientID != req.ClientID {
		return existing(fmt.Sprintf("its client id is %q, not the %q sent", safetext.Text(redact(*p.ClientID), 100), req.ClientID))
	}
	if p.Scopes != nil && !sameSet(*p.Scopes, req.Scopes) {
		return existing(fmt.Sprintf("its scopes are %s, not the %s sent", quoted(*p.Scopes, redact), quoted(req.Scopes, redact)))
	}
	if p.Actions != nil && !sameSet(*p.Actions, req.Actions) {
		return existing(fmt.Sprintf("its actions are %s, not the %s sent", quoted(*p.Actions, redact), quoted(req.Actions, redact)))
	}
	if p.CreatedAt != "" {
		created, err := ParseTime(p.CreatedAt)
		switch {
		case err != nil:
			return existing("its created_at is not an RFC 3339 time, so the provider cannot tell when it was made")
		case created.Before(since):
			return existing(fmt.Sprintf("it was created before the request was sent (the request left at about %s on StackOne's clock)", since.UTC().Format(time.RFC3339)))
		}
	}
	return nil
}

// sameSet reports whether a and b hold the same values, ignoring order and
// repeats.
func sameSet(a, b []string) bool {
	in := func(x []string) map[string]bool {
		m := make(map[string]bool, len(x))
		for _, v := range x {
			m[v] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	if len(ma) != len(mb) {
		return false
	}
	for v := range ma {
		if !mb[v] {
			return false
		}
	}
	return true
}

// quoted renders values for a message, each cleaned and masked.
func quoted(values []string, redact func(string) string) string {
	q := make([]string, 0, len(values))
	for i, v := range values {
		if i == 20 {
			q = append(q, "…")
			break
		}
		q = append(q, strconv.Quote(safetext.Text(redact(v), 100)))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// checkProfileEchoes refuses a profile whose values quote a secret the
// Client knows (a server echoing the API key or a client secret into a
// name, say): such a value must not reach Terraform's state.
func (c *Client) checkProfileEchoes(p *ConnectorProfile) error {
	fields := map[string]string{
		"id": p.ID, "name": p.Name, "connector_key": p.ConnectorKey, "authentication_config_key": p.AuthenticationConfigKey,
		"created_at": p.CreatedAt, "updated_at": p.UpdatedAt,
	}
	if p.ClientID != nil {
		fields["client_id"] = *p.ClientID
	}
	if p.Scopes != nil {
		fields["scopes"] = strings.Join(*p.Scopes, " ")
	}
	if p.Actions != nil {
		fields["actions"] = strings.Join(*p.Actions, " ")
	}
	return c.refuseEchoes("connector profile "+strconv.Quote(safetext.Text(c.Mask(p.ID), 100)), fields)
}

// refuseEchoes returns an error naming the first field (in name order) of
// what whose value holds a secret the Client knows.
func (c *Client) refuseEchoes(what string, fields map[string]string) error {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if c.HoldsSecret(fields[name]) {
			return fmt.Errorf("StackOne answered %s with a %s that quotes a secret this provider holds (the API key or a client secret): %q. The provider does not store or show such a value; check the server (or the proxy in front of it) that echoes secrets", what, name, safetext.Text(c.Mask(fields[name]), 100))
		}
	}
	return nil
}

// ListConnectorProfiles lists every profile matching opts, page by page. It
// always reads the server (the snapshot is ConnectorProfiles).
func (c *Client) ListConnectorProfiles(ctx context.Context, opts ListConnectorProfilesOptions) ([]ConnectorProfile, error) {
	items, _, err := c.listProfiles(ctx, opts)
	return items, err
}

// listProfiles is ListConnectorProfiles, also saying whether the list came
// in one page: one answer, which no change between page reads can shift.
func (c *Client) listProfiles(ctx context.Context, opts ListConnectorProfilesOptions) (items []ConnectorProfile, onePage bool, err error) {
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
		items, pages, err := listNumbered[ConnectorProfile](ctx, c, routeConnectorProfiles, q)
		var moved *errInconsistentList
		if errors.As(err, &moved) {
			lastErr = err
			continue
		}
		if err != nil {
			return nil, false, err
		}
		return items, pages == 1, checkProfileList(items, opts.ConnectorKey, c.Mask)
	}
	return nil, false, fmt.Errorf("%w; it did so on 3 reads in a row, so the provider cannot tell which profiles exist", lastErr)
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
	items, err := c.profiles.get(ctx, connectorKey)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if err := c.checkProfileEchoes(&items[i]); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// ConnectorProfile returns profile id from the snapshot of connectorKey's
// profiles ("" when the connector is not known, as after an import). A
// profile absent from the list gives an error wrapping ErrProfileNotFound
// only once a read that saw the list hold still confirms it (see locate).
func (c *Client) ConnectorProfile(ctx context.Context, id, connectorKey string) (*ConnectorProfile, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	p, err := c.locate(ctx, connectorKey, id)
	if err != nil {
		return nil, err
	}
	if err := c.checkProfileEchoes(p); err != nil {
		return nil, err
	}
	return p, nil
}

// maxConfirmingReads bounds the reads made to confirm that a profile is
// missing, on top of the read that missed it.
const maxConfirmingReads = 4

// ErrListUnsettled is wrapped by the error for a profile missing from a list
// that changed on every read: the provider cannot tell whether it exists.
var ErrListUnsettled = errors.New("the list of connector profiles changed on every read")

// locate finds profile id in connectorKey's list. A paged list can miss a
// profile that exists (one deleted and another made between two page reads
// shift it onto a page already read, with the total unchanged), so a miss
// counts only when a read that saw the list hold still (the same ids, in
// the same order, as the read before it) confirms it; the list is read
// again until one does, at most maxConfirmingReads times, and callers that
// miss at once share those reads. A list that never holds still is an
// error wrapping ErrListUnsettled, never "not found". A profile this Client
// deleted is gone without a confirming read.
func (c *Client) locate(ctx context.Context, connectorKey, id string) (*ConnectorProfile, error) {
	p, steady, read, err := c.profiles.find(ctx, connectorKey, id)
	// Every miss gets at least one read after it (tries 0 always reads
	// again), even one whose first read was another lookup's confirming read.
	for tries := 0; err == nil && p == nil && (tries == 0 || !steady) && !c.profiles.deletedByClient(id); tries++ {
		if tries == maxConfirmingReads {
			return nil, fmt.Errorf("%w (%d reads in a row, each with other ids than the read before it), so the provider cannot tell whether profile %q still exists: it is not in any of them, but a list that moves between its pages can hide a profile that exists. Try again when the profiles stop changing", ErrListUnsettled, tries+1, id)
		}
		c.profiles.reread(connectorKey, read)
		p, steady, read, err = c.profiles.find(ctx, connectorKey, id)
	}
	if err != nil {
		return nil, err
	}
	if p != nil {
		return p, nil
	}
	if other, ok := c.profiles.foldMatch(read, id); ok {
		return nil, fmt.Errorf("StackOne lists no connector profile %q but lists %q, which differs from it only in letter case: ids are compared exactly, so the provider cannot tell whether that is the same profile. Check the id in the StackOne dashboard", id, safetext.Text(c.Mask(other), 100))
	}
	return nil, fmt.Errorf("%w: StackOne lists no connector profile %q, in a read of the list that saw it hold still", ErrProfileNotFound, id)
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
// resource in it (a dot segment, or '/', '?', '#', which a server or proxy
// that decodes the path would read as structure), before any request is
// sent.
func checkID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: the id is empty", ErrInvalidID)
	case id == "." || id == "..":
		return fmt.Errorf("%w: %q is not an id", ErrInvalidID, id)
	case strings.ContainsAny(id, "/?#"):
		return fmt.Errorf("%w: id %q contains '/', '?' or '#'", ErrInvalidID, safetext.Text(id, 100))
	}
	return nil
}
