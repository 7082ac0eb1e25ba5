package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/stackonehq/terraform-provider-stackone/internal/catalogcheck"
	"github.com/stackonehq/terraform-provider-stackone/internal/oauthprobe"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// catalogServer answers GET /actions with one connector per filter; a
// filter listed in block waits for its channel before answering.
func catalogServer(t *testing.T, block map[string]chan struct{}, hits *atomic.Int32) *stackone.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		key := r.URL.Query().Get("filter[connectors]")
		if ch := block[key]; ch != nil {
			select {
			case <-ch:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"data": []map[string]any{{"key": key, "name": key}}, "next": nil})
	}))
	t.Cleanup(srv.Close)
	c, err := stackone.New(stackone.Config{BaseURL: srv.URL, APIKey: "k", RequestsPerMinute: stackone.RequestsPerMinuteLimit, MaxRetries: new(int)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCatalogCache_keysDoNotWaitForEachOther(t *testing.T) {
	release := make(chan struct{})
	var hits atomic.Int32
	cache := newCatalogCache(catalogServer(t, map[string]chan struct{}{"slow": release}, &hits))
	slowDone := make(chan error, 1)
	go func() {
		_, err := cache.Connectors(context.Background(), "slow")
		slowDone <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := cache.Connectors(ctx, "fast")
	if err != nil || len(got) != 1 || got[0].Key != "fast" {
		t.Fatalf("fast key while slow is fetching: %v, %v", got, err)
	}
	close(release)
	if err := <-slowDone; err != nil {
		t.Fatal(err)
	}
	// Both are cached now.
	before := hits.Load()
	for _, key := range []string{"slow", "fast"} {
		if _, err := cache.Connectors(context.Background(), key); err != nil {
			t.Fatal(err)
		}
	}
	if hits.Load() != before {
		t.Fatalf("cached keys were fetched again")
	}
}

func TestCatalogCache_interruptedFetchIsNotCached(t *testing.T) {
	release := make(chan struct{})
	var hits atomic.Int32
	cache := newCatalogCache(catalogServer(t, map[string]chan struct{}{"zoominfo": release}, &hits))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := cache.Connectors(ctx, "zoominfo"); err == nil {
		t.Fatal("want the interrupt's error")
	}
	close(release)
	got, err := cache.Connectors(context.Background(), "zoominfo")
	if err != nil || len(got) != 1 {
		t.Fatalf("after an interrupted fetch, the next caller should fetch again: %v, %v", got, err)
	}
}

// TestProblemAttributes: each thing the catalog check or the probe can find
// wrong is reported on an attribute of its own in the schema concerned.
func TestProblemAttributes(t *testing.T) {
	var profile resource.SchemaResponse
	NewConnectorProfileResource().Schema(context.Background(), resource.SchemaRequest{}, &profile)
	var scopes datasource.SchemaResponse
	NewRegisteredScopesDataSource().Schema(context.Background(), datasource.SchemaRequest{}, &scopes)

	subjects := []catalogcheck.Subject{catalogcheck.SubjectConnector, catalogcheck.SubjectAuthType, catalogcheck.SubjectScope, catalogcheck.SubjectAction}
	names := make([]string, len(subjects))
	for i, s := range subjects {
		names[i] = profileAttributes[s]
	}
	checkAttributes(t, "stackone_connector_profile", names, func(n string) bool { _, ok := profile.Schema.Attributes[n]; return ok })

	inputs := []oauthprobe.Input{oauthprobe.InputEndpoint, oauthprobe.InputClientID, oauthprobe.InputRedirectURI, oauthprobe.InputScope}
	names = make([]string, len(inputs))
	for i, in := range inputs {
		names[i] = probeInputAttributes[in]
	}
	checkAttributes(t, "stackone_registered_scopes", names, func(n string) bool { _, ok := scopes.Schema.Attributes[n]; return ok })
}

// checkAttributes fails unless names are distinct attributes of a schema.
func checkAttributes(t *testing.T, schema string, names []string, has func(string) bool) {
	t.Helper()
	for i, n := range names {
		if !has(n) || slices.Contains(names[:i], n) {
			t.Errorf("%s: attributes %q: want each a distinct attribute of the schema", schema, names)
		}
	}
}
