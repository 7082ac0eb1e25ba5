package stackone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testAPIKey = "v1.eu1.test-secret-key-DO-NOT-LOG"

// newTestClient returns a fast client for srv: tiny backoff, a rate limit
// high enough not to slow tests, and a recording logger.
func newTestClient(t *testing.T, srv *httptest.Server, mods ...func(*Config)) (*Client, *recLogger) {
	t.Helper()
	log := &recLogger{}
	cfg := Config{
		BaseURL:           srv.URL,
		APIKey:            testAPIKey,
		RetryWaitMin:      time.Millisecond,
		RetryWaitMax:      5 * time.Millisecond,
		RequestsPerMinute: RequestsPerMinuteLimit,
		RequestTimeout:    5 * time.Second,
		Logger:            log,
	}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c, log
}

// recLogger records every attempt.
type recLogger struct {
	mu   sync.Mutex
	logs []RequestLog
}

func (l *recLogger) LogRequest(_ context.Context, r RequestLog) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.logs = append(l.logs, r)
}

func (l *recLogger) all() []RequestLog {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]RequestLog(nil), l.logs...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg, code string) {
	body := map[string]any{"statusCode": status, "message": msg, "timestamp": "2024-01-15T10:30:00.000Z"}
	if code != "" {
		body["errorCode"] = code
	}
	writeJSON(w, status, body)
}

// counter counts requests safely across handler goroutines.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) inc() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

func (c *counter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// fakeAPI serves connector profiles as WIRE_CONTRACT.md describes them:
// GET /connector_profiles in numbered pages of at most maxPage items (100
// when zero) with {data, page, page_size, total}, and, unless published is
// set, the extension's writes. A route it does not serve answers 404
// "Cannot METHOD path", like StackOne's router.
type fakeAPI struct {
	mu        sync.Mutex
	profiles  []map[string]any
	maxPage   int
	published bool      // no profile writes: they answer 404 Cannot …
	listGate  chan bool // when set, each list request takes a value first
	bodies    []string  // raw PATCH bodies
	pageSizes []string  // page_size of each list request
	hits      map[string]int
	nextID    int
}

func newFakeAPI(n int, connector string) *fakeAPI {
	f := &fakeAPI{hits: map[string]int{}}
	for i := 0; i < n; i++ {
		f.add(connector, fmt.Sprintf("seed-%d", i))
	}
	return f
}

// add stores a profile as the extended server would report it.
func (f *fakeAPI) add(connector, name string) map[string]any {
	f.nextID++
	p := map[string]any{
		"id": fmt.Sprintf("id-%d", f.nextID), "name": name, "connector_key": connector,
		"connector_label": connector, "logo_url": "https://x/logo.png", "categories": []any{"sales"},
		"active": true, "default": false, "release_stage": "ga",
		"authentication_config_key": "oauth2_authorization_code_pkce",
		"created_at":                "2026-11-29T10:00:00.123Z", "updated_at": "2026-11-29T10:00:00.123Z",
		"client_id": "cid", "scopes": []any{}, "actions": []any{}, "client_secret_set": true,
		"client_secret_updated_at": "2026-11-29T10:00:00.123Z",
	}
	f.profiles = append(f.profiles, p)
	return p
}

func (f *fakeAPI) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[key]
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/connector_profiles" && f.listGate != nil {
		select {
		case <-f.listGate:
		case <-r.Context().Done():
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hits == nil {
		f.hits = map[string]int{}
	}
	route := r.URL.Path
	if strings.HasPrefix(route, "/connector_profiles/") {
		route = "/connector_profiles/{id}"
	}
	f.hits[r.Method+" "+route]++
	cannot := func() { writeError(w, 404, "Cannot "+r.Method+" "+r.URL.Path, "") }
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/connector_profiles":
		q := r.URL.Query()
		f.pageSizes = append(f.pageSizes, q.Get("page_size"))
		size, _ := strconv.Atoi(q.Get("page_size"))
		limit := f.maxPage
		if limit == 0 {
			limit = 100
		}
		if size < 1 {
			size = 25
		}
		size = min(size, limit)
		page, _ := strconv.Atoi(q.Get("page"))
		if page < 1 {
			page = 1
		}
		match := []map[string]any{}
		for _, p := range f.profiles {
			if k := q.Get("connector_key"); k == "" || p["connector_key"] == k {
				match = append(match, p)
			}
		}
		start := min((page-1)*size, len(match))
		end := min(start+size, len(match))
		writeJSON(w, 200, map[string]any{"data": match[start:end], "page": page, "page_size": size, "total": len(match)})
	case r.Method == http.MethodPost && r.URL.Path == "/connector_profiles" && !f.published:
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, 400, "bad json", "ValidationError")
			return
		}
		if _, ok := body["client_secret"]; !ok {
			writeError(w, 400, "client_secret is required", "ValidationError")
			return
		}
		key, _ := body["connector_key"].(string)
		name, _ := body["name"].(string)
		p := f.add(key, name)
		for _, k := range []string{"authentication_config_key", "client_id", "scopes", "actions"} {
			p[k] = body[k]
		}
		now := time.Now().UTC().Format(time.RFC3339Nano)
		p["created_at"], p["updated_at"], p["client_secret_updated_at"] = now, now, now
		writeJSON(w, 201, p)
	case strings.HasPrefix(r.URL.Path, "/connector_profiles/") && !f.published &&
		(r.Method == http.MethodPatch || r.Method == http.MethodDelete):
		id := strings.TrimPrefix(r.URL.Path, "/connector_profiles/")
		idx := slices.IndexFunc(f.profiles, func(p map[string]any) bool { return p["id"] == id })
		if idx < 0 {
			writeError(w, 404, "connector profile "+id+" not found", "NotFound")
			return
		}
		if r.Method == http.MethodDelete {
			f.profiles = slices.Delete(f.profiles, idx, idx+1)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		f.bodies = append(f.bodies, string(raw))
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		for k, v := range body {
			if k != "client_secret" {
				f.profiles[idx][k] = v
			}
		}
		f.profiles[idx]["updated_at"] = "2026-11-29T11:00:00Z"
		writeJSON(w, 200, f.profiles[idx])
	default:
		cannot()
	}
}

// pageServer answers GET /connector_profiles with whatever page(n) returns
// for the page number asked, and counts the requests.
func pageServer(t *testing.T, page func(n int, q url.Values) any) (*httptest.Server, *counter) {
	t.Helper()
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc()
		if r.URL.Path != "/connector_profiles" {
			writeError(w, 404, "Cannot "+r.Method+" "+r.URL.Path, "")
			return
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		writeJSON(w, 200, page(n, r.URL.Query()))
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// profileItems makes n profiles of connector with ids prefix-from…
func profileItems(connector, prefix string, from, n int) []map[string]any {
	out := make([]map[string]any, 0, n)
	for i := from; i < from+n; i++ {
		out = append(out, map[string]any{"id": fmt.Sprintf("%s%d", prefix, i), "name": "n", "connector_key": connector})
	}
	return out
}

// statusOf is the HTTP status behind err: an *APIError's, or the answer of
// a *WritesUnsupportedError; 0 otherwise.
func statusOf(err error) int {
	var wu *WritesUnsupportedError
	if errors.As(err, &wu) && wu.Answer != nil {
		return wu.Answer.StatusCode
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return 0
}

func parseQuery(raw string) (url.Values, error) { return url.ParseQuery(raw) }

// retries is a Config.MaxRetries of n.
func retries(n int) *int { return &n }

// primeEmptyList makes c hold an empty, complete list of the profiles of
// each key, as if read: a create of those connectors then reads no list
// first (for tests of what a create's own request does).
func primeEmptyList(c *Client, keys ...string) {
	c.profiles.mu.Lock()
	defer c.profiles.mu.Unlock()
	for _, key := range keys {
		e := &snapshotEntry{done: make(chan struct{})}
		close(e.done)
		c.profiles.entries[key] = e
	}
}
