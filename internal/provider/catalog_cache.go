package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// catalogCache fetches each connector's catalog entry once per provider
// process and shares it between every resource and data source, so a plan of
// 500 profiles costs one GET /actions, not 500. A failed fetch is not cached:
// the next caller tries again.
type catalogCache struct {
	client *stackone.Client

	mu      sync.Mutex
	entries map[string][]stackone.Connector
}

func newCatalogCache(client *stackone.Client) *catalogCache {
	return &catalogCache{client: client, entries: map[string][]stackone.Connector{}}
}

// Connectors returns the catalog filtered to key (the whole catalog is
// never needed: it can hold hundreds of connectors). Callers for the same
// key wait for one fetch rather than each sending their own.
func (c *catalogCache) Connectors(ctx context.Context, key string) ([]stackone.Connector, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cached, ok := c.entries[key]; ok {
		return cached, nil
	}
	fetched, err := c.client.ListConnectors(ctx, key)
	if err != nil {
		return nil, err
	}
	c.entries[key] = fetched
	return fetched, nil
}

// validateAgainstCatalog checks a profile spec against the catalog. A catalog
// that cannot be fetched is an error that says how to skip the check.
func (d *providerData) validateAgainstCatalog(ctx context.Context, spec stackone.ProfileSpec, diags *diag.Diagnostics) []stackone.CatalogProblem {
	catalog, err := d.catalog.Connectors(ctx, spec.Connector)
	if err == nil {
		if _, found := stackone.FindConnector(catalog, spec.Connector); !found {
			// Unknown connector: the whole catalog lets the error suggest names.
			catalog, err = d.catalog.Connectors(ctx, "")
		}
	}
	if err != nil {
		diags.AddError("Cannot check the profile against StackOne's catalog",
			fmt.Sprintf("Fetching the connector catalog (GET /actions) failed: %s. Fix the cause, or set skip_catalog_validation = true in the provider block to plan without the check.", err))
		return nil
	}
	return stackone.ValidateProfile(catalog, spec)
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
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Sprintf("it contains %q; ids are letters, digits, '-' and '_'", r)
		}
	}
	return ""
}
