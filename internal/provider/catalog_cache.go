package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/stackonehq/terraform-provider-stackone/internal/catalogcheck"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// catalogCache fetches each connector's catalog entry once per provider
// process and shares it between every resource and data source, so a plan of
// 500 profiles costs one GET /actions, not 500. Callers for the same key wait
// for one fetch rather than each sending their own.
//
// A fetch that failed after the client's retries is remembered too: one
// failing resource already fails the plan, and letting each of 500 resources
// run the whole retry ladder again, one after the other, would keep a plan
// against an unreachable StackOne busy for many minutes before it reports
// the error. A fetch that ended because its caller's context ended (an
// interrupt) is not remembered. Each terraform command starts a new
// provider process, so the next plan tries again.
type catalogCache struct {
	client *stackone.Client

	mu      sync.Mutex // guards entries only, never held across a fetch
	entries map[string]*catalogEntry
}

// catalogEntry is one key's fetch: done closes when it has ended.
type catalogEntry struct {
	done       chan struct{}
	connectors []stackone.Connector
	err        error
}

func newCatalogCache(client *stackone.Client) *catalogCache {
	return &catalogCache{client: client, entries: map[string]*catalogEntry{}}
}

// Connectors returns the catalog filtered to key (the whole catalog is
// never needed: it can hold hundreds of connectors). Fetches of different
// keys run side by side; callers of a key being fetched wait for that fetch.
func (c *catalogCache) Connectors(ctx context.Context, key string) ([]stackone.Connector, error) {
	for {
		c.mu.Lock()
		entry, found := c.entries[key]
		if !found {
			entry = &catalogEntry{done: make(chan struct{})}
			c.entries[key] = entry
		}
		c.mu.Unlock()

		if found {
			select {
			case <-entry.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if entry.err == nil || !errors.Is(entry.err, errFetchInterrupted) {
				return entry.connectors, entry.err
			}
			continue // the fetch we waited for was interrupted: try our own
		}

		fetched, err := c.client.ListConnectors(ctx, key)
		if err != nil && ctx.Err() != nil {
			// An interrupt is this caller's, not the catalog's: forget it.
			c.mu.Lock()
			delete(c.entries, key)
			c.mu.Unlock()
			entry.err = fmt.Errorf("%w: %w", errFetchInterrupted, err)
			close(entry.done)
			return nil, err
		}
		entry.connectors, entry.err = fetched, err
		close(entry.done)
		return fetched, err
	}
}

// errFetchInterrupted marks a fetch that ended because its caller's context
// did; others waiting for it fetch again.
var errFetchInterrupted = errors.New("catalog fetch interrupted")

// catalogFor fetches what checking connector needs: its catalog entry or,
// when the catalog has no such connector, the whole catalog, so that an
// error can suggest the nearest names.
func (d *providerData) catalogFor(ctx context.Context, connector string) ([]stackone.Connector, error) {
	catalog, err := d.catalog.Connectors(ctx, connector)
	if err == nil {
		if _, found := catalogcheck.Find(catalog, connector); !found {
			catalog, err = d.catalog.Connectors(ctx, "")
		}
	}
	return catalog, err
}

// validateAgainstCatalog checks a profile against the catalog, each problem
// an error on the attribute it concerns. A catalog that cannot be fetched is
// an error that says how to skip the check.
func (d *providerData) validateAgainstCatalog(ctx context.Context, profile catalogcheck.Profile, diags *diag.Diagnostics) {
	catalog, err := d.catalogFor(ctx, profile.Connector)
	if err != nil {
		advice := " Fix the cause, or set skip_catalog_validation = true in the provider block to plan without the check."
		var apiErr *stackone.APIError
		if errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusUnauthorized || apiErr.StatusCode == http.StatusForbidden) {
			advice = "" // the apply would be refused too: skipping the check would only postpone the error
		}
		diags.AddError("Cannot check the profile against StackOne's catalog",
			fmt.Sprintf("Fetching the connector catalog (GET /actions) failed: %s.%s", strings.TrimSuffix(err.Error(), "."), advice))
		return
	}
	for _, problem := range catalogcheck.Check(catalog, profile) {
		diags.AddAttributeError(path.Root(profileAttributes[problem.Subject]), problem.Summary, problem.Detail)
	}
}

// profileAttributes names the connector profile attribute that holds what
// each kind of catalog problem is about.
var profileAttributes = map[catalogcheck.Subject]string{
	catalogcheck.SubjectConnector: "connector", catalogcheck.SubjectAuthType: "auth_type",
	catalogcheck.SubjectScope: "scopes", catalogcheck.SubjectAction: "actions",
}

// checkProfileID says what is wrong with a profile id given by a user, or "".
func checkProfileID(id string) string {
	switch {
	case strings.TrimSpace(id) == "":
		return "it is empty"
	case id != strings.TrimSpace(id):
		return "it has leading or trailing whitespace"
	case len(id) > 128:
		return "it is longer than 128 characters"
	case id == "." || id == "..":
		return "it is a path element, not an id"
	}
	for _, r := range id {
		if !isIDRune(r) {
			return fmt.Sprintf("it contains %q; ids are letters, digits, '-' and '_'", r)
		}
	}
	return ""
}

func isIDRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}
