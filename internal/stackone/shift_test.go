package stackone

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// A profile deleted on page 1 and another created while page 2 is read keep
// the total; profile 101 shifts onto page 1 after it was read, so the first
// read of the list misses it. The second read finds it: it is not reported gone.
func TestListShiftWithSameTotalIsReadAgain(t *testing.T) {
	var mu sync.Mutex
	ids := []string{}
	for i := 1; i <= 101; i++ {
		ids = append(ids, fmt.Sprintf("p%03d", i))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 2 { // the dashboard deletes p050 and creates p102 meanwhile
			out := []string{}
			for _, id := range ids {
				if id != "p050" {
					out = append(out, id)
				}
			}
			ids = append(out, "p102")
		}
		var data []map[string]any
		for i := (page - 1) * 100; i < len(ids) && i < page*100; i++ {
			data = append(data, map[string]any{"id": ids[i], "name": ids[i], "connector_key": "zoominfo", "active": true,
				"created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"})
		}
		if data == nil {
			data = []map[string]any{}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "page": page, "page_size": 100, "total": len(ids)})
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL, APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ConnectorProfile(context.Background(), "p101", "zoominfo")
	if IsNotFound(err) {
		t.Fatalf("p101 exists throughout, yet: %v", err)
	}
}
