package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

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
