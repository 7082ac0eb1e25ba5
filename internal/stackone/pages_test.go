package stackone

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// numbered answers page n of items in pages of size; total is reported
// unless withTotal is false, and page_size is echoed as size.
func numbered(items []map[string]any, n, size int, withTotal bool) map[string]any {
	start := min((n-1)*size, len(items))
	end := min(start+size, len(items))
	out := map[string]any{"data": items[start:end], "page": n, "page_size": size}
	if withTotal {
		out["total"] = len(items)
	}
	return out
}

func listProfiles(t *testing.T, srv *httptest.Server, key string) ([]ConnectorProfile, error) {
	t.Helper()
	c, _ := newTestClient(t, srv)
	return c.ListConnectorProfiles(context.Background(), ListConnectorProfilesOptions{ConnectorKey: key})
}

func TestNumberedPagination(t *testing.T) {
	cases := []struct {
		name      string
		items     int
		size      int // the server's page size (echoed)
		withTotal bool
		wantReqs  int
	}{
		// The total decides: 200 items in pages of 100 need no third, empty page.
		{"total reached on a full page", 200, 100, true, 2},
		{"total reached on a short page", 250, 100, true, 3},
		{"empty list with total", 0, 100, true, 1},
		// Without a total, a page shorter than the page size ends the list.
		{"no total, short page ends", 150, 100, false, 2},
		{"no total, empty page ends", 200, 100, false, 3},
		{"no total, empty list", 0, 100, false, 1},
		// A server with a smaller maximum says so in page_size.
		{"smaller page size echoed, total", 70, 30, true, 3},
		{"smaller page size echoed, no total", 70, 30, false, 3},
		{"smaller page size echoed, no total, exact", 60, 30, false, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			items := profileItems("zoominfo", "p", 0, tc.items)
			var mu sync.Mutex
			var asked []string
			srv, hits := pageServer(t, func(n int, q url.Values) any {
				mu.Lock()
				asked = append(asked, q.Get("page")+"/"+q.Get("page_size")+"/"+q.Get("connector_key"))
				mu.Unlock()
				return numbered(items, n, tc.size, tc.withTotal)
			})
			got, err := listProfiles(t, srv, "zoominfo")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.items {
				t.Fatalf("read %d profiles, want %d", len(got), tc.items)
			}
			for i, p := range got {
				if p.ID != fmt.Sprintf("p%d", i) {
					t.Fatalf("item %d is %q: order or content lost", i, p.ID)
				}
			}
			if n := hits.get(); n != tc.wantReqs {
				t.Errorf("made %d requests, want %d", n, tc.wantReqs)
			}
			for i, a := range asked {
				if want := fmt.Sprintf("%d/100/zoominfo", i+1); a != want {
					t.Errorf("request %d asked page/page_size/connector_key %s, want %s", i+1, a, want)
				}
			}
		})
	}
}

func TestNumberedPaginationEnabledFilter(t *testing.T) {
	var got string
	srv, _ := pageServer(t, func(n int, q url.Values) any {
		got = q.Get("enabled")
		return numbered(nil, n, 100, true)
	})
	c, _ := newTestClient(t, srv)
	off := false
	if _, err := c.ListConnectorProfiles(context.Background(), ListConnectorProfilesOptions{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	if got != "false" {
		t.Errorf("enabled = %q, want false", got)
	}
}

func TestNumberedPaginationWrongPage(t *testing.T) {
	items := profileItems("zoominfo", "p", 0, 150)
	srv, _ := pageServer(t, func(n int, q url.Values) any {
		p := numbered(items, 1, 100, true) // always page 1
		return p
	})
	_, err := listProfiles(t, srv, "")
	if err == nil || !strings.Contains(err.Error(), "asked for page 2") || !strings.Contains(err.Error(), "answered page 1") {
		t.Fatalf("want a wrong-page error, got %v", err)
	}
}

func TestNumberedPaginationTotalChangesMidRead(t *testing.T) {
	t.Run("every read inconsistent", func(t *testing.T) {
		var reads counter
		srv, hits := pageServer(t, func(n int, q url.Values) any {
			// The total grows by one between any two pages.
			k := reads.inc()
			items := profileItems("zoominfo", "p", 0, 150+k)
			return numbered(items, n, 100, true)
		})
		_, err := listProfiles(t, srv, "")
		if err == nil || !strings.Contains(err.Error(), "total changed") || !strings.Contains(err.Error(), "3 reads in a row") {
			t.Fatalf("want a changing-total error after 3 reads, got %v", err)
		}
		if n := hits.get(); n != 3*2 {
			t.Errorf("made %d requests, want 6 (3 reads of 2 pages)", n)
		}
	})
	t.Run("second read consistent", func(t *testing.T) {
		var reads counter
		srv, hits := pageServer(t, func(n int, q url.Values) any {
			k := reads.inc()
			size := 150
			if k == 2 { // a profile made between page 1 and page 2 of the first read
				size = 151
			}
			if k > 2 {
				size = 151
			}
			return numbered(profileItems("zoominfo", "p", 0, size), n, 100, true)
		})
		got, err := listProfiles(t, srv, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 151 || hits.get() != 4 {
			t.Errorf("read %d profiles in %d requests, want 151 in 4", len(got), hits.get())
		}
	})
}

func TestNumberedPaginationEndsBeforeTotal(t *testing.T) {
	items := profileItems("zoominfo", "p", 0, 120)
	srv, hits := pageServer(t, func(n int, q url.Values) any {
		p := numbered(items, n, 100, false)
		p["total"] = 130 // ten promised items never come
		return p
	})
	_, err := listProfiles(t, srv, "")
	if err == nil || !strings.Contains(err.Error(), "ended after 120 items but the total says 130") {
		t.Fatalf("want a short-list error, got %v", err)
	}
	if n := hits.get(); n != 3*3 {
		t.Errorf("made %d requests, want 9 (3 reads of 3 pages)", n)
	}
}

func TestNumberedPaginationMoreThanTotal(t *testing.T) {
	items := profileItems("zoominfo", "p", 0, 120)
	srv, _ := pageServer(t, func(n int, q url.Values) any {
		p := numbered(items, n, 100, false)
		p["total"] = 110
		return p
	})
	_, err := listProfiles(t, srv, "")
	if err == nil || !strings.Contains(err.Error(), "held 120 items but the total says 110") {
		t.Fatalf("want a too-many error, got %v", err)
	}
}

// TestNumberedPaginationEndless: full pages forever and no total must end in
// an error naming the endpoint, after maxPages pages.
func TestNumberedPaginationEndless(t *testing.T) {
	srv, hits := pageServer(t, func(n int, q url.Values) any {
		// One item per page, echoed as the page size: each page is full.
		return map[string]any{"data": profileItems("zoominfo", "p", n, 1), "page": n, "page_size": 1}
	})
	_, err := listProfiles(t, srv, "")
	if err == nil || !strings.Contains(err.Error(), "GET /connector_profiles") || !strings.Contains(err.Error(), "gave up after") {
		t.Fatalf("want a bounded error naming the endpoint, got %v", err)
	}
	if n := hits.get(); n != maxPages {
		t.Errorf("made %d requests, want %d", n, maxPages)
	}
}

func TestNumberedPaginationTotalTooLarge(t *testing.T) {
	for _, total := range []int{maxListItems + 1, -1} {
		srv, hits := pageServer(t, func(n int, q url.Values) any {
			p := numbered(profileItems("zoominfo", "p", 0, 100), n, 100, false)
			p["total"] = total
			return p
		})
		_, err := listProfiles(t, srv, "")
		if err == nil || !strings.Contains(err.Error(), "GET /connector_profiles") || !strings.Contains(err.Error(), strconv.Itoa(total)) {
			t.Errorf("total %d: want an immediate error, got %v", total, err)
		}
		if n := hits.get(); n != 1 {
			t.Errorf("total %d: made %d requests, want 1", total, n)
		}
	}
}

func TestNumberedPaginationErrorPage(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.inc() == 2 {
			writeError(w, 403, "Missing scope", "")
			return
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		writeJSON(w, 200, numbered(profileItems("zoominfo", "p", 0, 150), n, 100, true))
	}))
	defer srv.Close()
	_, err := listProfiles(t, srv, "")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 403 {
		t.Fatalf("want the second page's 403, got %v", err)
	}
}

func TestProfileListChecks(t *testing.T) {
	cases := []struct {
		name  string
		items []map[string]any
		key   string
		want  string
	}{
		{"item without id", []map[string]any{{"id": "a", "connector_key": "zoominfo"}, {"name": "x", "connector_key": "zoominfo"}}, "", "item 2 of the list has no id"},
		{"blank id", []map[string]any{{"id": "  ", "connector_key": "zoominfo"}}, "", "item 1 of the list has no id"},
		{"duplicate id", []map[string]any{{"id": "a", "connector_key": "zoominfo"}, {"id": "b", "connector_key": "zoominfo"}, {"id": "a", "connector_key": "zoominfo"}}, "", `"a" appears twice`},
		{"another connector", []map[string]any{{"id": "a", "connector_key": "zoominfo"}, {"id": "b", "connector_key": "workday"}}, "zoominfo", `connector "workday"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := pageServer(t, func(n int, q url.Values) any { return numbered(tc.items, n, 100, true) })
			c, _ := newTestClient(t, srv)
			_, err := c.ListConnectorProfiles(context.Background(), ListConnectorProfilesOptions{ConnectorKey: tc.key})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "GET /connector_profiles") {
				t.Errorf("list: want an error with %q, got %v", tc.want, err)
			}
			// The snapshot refuses the same list, and ConnectorProfile says so
			// rather than "not found".
			_, err = c.ConnectorProfile(context.Background(), "a", tc.key)
			if err == nil || IsNotFound(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ConnectorProfile: want the list error, got %v", err)
			}
		})
	}
	// Without a filter, profiles of several connectors are fine.
	srv, _ := pageServer(t, func(n int, q url.Values) any {
		return numbered([]map[string]any{{"id": "a", "connector_key": "zoominfo"}, {"id": "b", "connector_key": "workday"}}, n, 100, true)
	})
	if got, err := listProfiles(t, srv, ""); err != nil || len(got) != 2 {
		t.Errorf("unfiltered list: %v, %v", got, err)
	}
}

// TestListByteBound: full pages that stay under every other bound but are
// large end after maxListBytes in all, with an error naming the endpoint.
func TestListByteBound(t *testing.T) {
	pad := strings.Repeat("x", 90_000) // ~9 MB a page, under the 10 MiB of one answer
	srv, hits := pageServer(t, func(n int, q url.Values) any {
		items := profileItems("zoominfo", fmt.Sprintf("p%d-", n), 0, 100)
		for _, it := range items {
			it["name"] = pad
		}
		return map[string]any{"data": items, "page": n, "page_size": 100}
	})
	_, err := listProfiles(t, srv, "")
	if err == nil || !strings.Contains(err.Error(), "GET /connector_profiles") || !strings.Contains(err.Error(), "64 MiB") {
		t.Fatalf("want a bounded error naming the endpoint, got %v", err)
	}
	if n := hits.get(); n > 8 {
		t.Errorf("made %d requests, want at most 8 (64 MiB of ~9 MB pages)", n)
	}
}

// TestListTimeBound: a list whose pages keep coming slowly ends after
// maxListDuration, with an error naming the endpoint, even though the
// caller's context has no deadline.
func TestListTimeBound(t *testing.T) {
	old := maxListDuration
	maxListDuration = 300 * time.Millisecond
	t.Cleanup(func() { maxListDuration = old })
	srv, _ := pageServer(t, func(n int, q url.Values) any {
		time.Sleep(50 * time.Millisecond)
		return map[string]any{"data": profileItems("zoominfo", "p", n, 1), "page": n, "page_size": 1}
	})
	start := time.Now()
	_, err := listProfiles(t, srv, "")
	if err == nil || !strings.Contains(err.Error(), "GET /connector_profiles") || !strings.Contains(err.Error(), "did not end within 300ms") {
		t.Fatalf("want a time-bounded error naming the endpoint, got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
	// The other lists share the bounds.
	cursor := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		writeJSON(w, 200, map[string]any{"data": []any{}, "next": fmt.Sprint(time.Now().UnixNano())})
	}))
	defer cursor.Close()
	c, _ := newTestClient(t, cursor)
	if _, err := c.ListConnectors(context.Background()); err == nil || !strings.Contains(err.Error(), "GET /actions: the list did not end") {
		t.Fatalf("catalog: want a time-bounded error, got %v", err)
	}
}
