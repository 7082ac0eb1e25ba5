package stackone

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestHeadersSent(t *testing.T) {
	type seen struct {
		method, auth, ua, accept, ctype, idem string
	}
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.Method, r.Header.Get("Authorization"), r.Header.Get("User-Agent"),
			r.Header.Get("Accept"), r.Header.Get("Content-Type"), r.Header.Get("Idempotency-Key")})
		mu.Unlock()
		if r.Method == http.MethodPost {
			writeJSON(w, 201, map[string]any{"id": "p1", "scopes": nil})
			return
		}
		writeJSON(w, 200, map[string]any{"id": "p1"})
	}))
	defer srv.Close()
	ua := "terraform-provider-stackone/0.1.0 (+https://github.com/stackonehq/terraform-provider-stackone) terraform/1.11.4"
	c, _ := newTestClient(t, srv, func(c *Config) { c.UserAgent = ua })

	ctx := context.Background()
	p, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{Name: "n"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Scopes == nil || p.Actions == nil {
		t.Errorf("lists should be normalised to empty, got %#v %#v", p.Scopes, p.Actions)
	}
	if _, err := c.GetConnectorProfile(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{Name: "n2"}); err != nil {
		t.Fatal(err)
	}

	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testAPIKey+":"))
	if len(got) != 3 {
		t.Fatalf("got %d requests, want 3", len(got))
	}
	for _, g := range got {
		if g.auth != wantAuth {
			t.Errorf("%s Authorization = %q, want basic auth with the key and an empty password", g.method, g.auth)
		}
		if g.ua != ua {
			t.Errorf("%s User-Agent = %q", g.method, g.ua)
		}
		if g.accept != "application/json" {
			t.Errorf("%s Accept = %q", g.method, g.accept)
		}
	}
	if got[0].ctype != "application/json" || !uuidV4.MatchString(got[0].idem) {
		t.Errorf("POST Content-Type %q, Idempotency-Key %q (want a UUID v4)", got[0].ctype, got[0].idem)
	}
	if got[1].ctype != "" || got[1].idem != "" {
		t.Errorf("GET should have no Content-Type or Idempotency-Key, got %q %q", got[1].ctype, got[1].idem)
	}
	if got[0].idem == got[2].idem {
		t.Errorf("two creates shared the Idempotency-Key %q", got[0].idem)
	}
}

func TestDefaultUserAgent(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		writeJSON(w, 200, map[string]any{"data": []any{}, "next": nil})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	if _, err := c.ListAccounts(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ua != DefaultUserAgent {
		t.Errorf("User-Agent = %q, want %q", ua, DefaultUserAgent)
	}
}

// fakeProfiles is an in-memory /connector_profiles that serves pages of at
// most two items, so listing has to follow several cursors.
type fakeProfiles struct {
	mu        sync.Mutex
	profiles  []map[string]any
	bodies    []string // raw PATCH bodies
	pageSizes []string
}

func (f *fakeProfiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/connector_profiles":
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeError(w, 400, "bad json", "ValidationError")
			return
		}
		if _, ok := body["client_secret"]; !ok {
			writeError(w, 400, "client_secret is required", "ValidationError")
			return
		}
		p := map[string]any{
			"id": fmt.Sprintf("id-%d", len(f.profiles)+1), "provider": body["provider"], "name": body["name"],
			"auth_type": body["auth_type"], "client_id": body["client_id"], "scopes": body["scopes"],
			"actions": body["actions"], "active": true, "client_secret_set": true,
			"redirect_uri": "https://api.stackone.com/connect/oauth2/zoominfo/callback",
			"created_at":   "2026-11-29T10:00:00.123Z", "updated_at": "2026-11-29T10:00:00.123Z",
		}
		f.profiles = append(f.profiles, p)
		writeJSON(w, 201, p)
	case r.Method == http.MethodGet && r.URL.Path == "/connector_profiles":
		f.pageSizes = append(f.pageSizes, r.URL.Query().Get("page_size"))
		var match []map[string]any
		for _, p := range f.profiles {
			if prov := r.URL.Query().Get("filter[provider]"); prov == "" || p["provider"] == prov {
				match = append(match, p)
			}
		}
		start, _ := strconv.Atoi(r.URL.Query().Get("next"))
		end := min(start+2, len(match))
		var next any
		if end < len(match) {
			next = strconv.Itoa(end)
		}
		writeJSON(w, 200, map[string]any{"data": match[start:end], "next": next})
	case strings.HasPrefix(r.URL.Path, "/connector_profiles/"):
		id := strings.TrimPrefix(r.URL.Path, "/connector_profiles/")
		idx := -1
		for i, p := range f.profiles {
			if p["id"] == id {
				idx = i
			}
		}
		if idx < 0 {
			writeError(w, 404, "connector profile "+id+" not found", "NotFound")
			return
		}
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, 200, f.profiles[idx])
		case http.MethodPatch:
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
		case http.MethodDelete:
			f.profiles = append(f.profiles[:idx], f.profiles[idx+1:]...)
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		writeError(w, 404, "no route", "")
	}
}

func TestConnectorProfileLifecycle(t *testing.T) {
	fake := &fakeProfiles{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx := context.Background()

	var ids []string
	for i := 0; i < 5; i++ {
		prov := "zoominfo"
		if i == 2 {
			prov = "other"
		}
		p, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{
			Provider: prov, Name: fmt.Sprintf("p%d", i), AuthType: "oauth2_authorization_code_pkce",
			ClientID: "0oaf6t3osgvaPvy4E1d7", ClientSecret: "s3cret", Scopes: []string{"api:data:contact"},
		})
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		ids = append(ids, p.ID)
	}

	got, err := c.GetConnectorProfile(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	wantCreated := time.Date(2026, 11, 29, 10, 0, 0, 123e6, time.UTC)
	if got.Name != "p0" || got.ClientID != "0oaf6t3osgvaPvy4E1d7" || !got.ClientSecretSet ||
		!got.CreatedAt.Equal(wantCreated) || len(got.Scopes) != 1 || len(got.Actions) != 0 || got.Actions == nil {
		t.Errorf("unexpected profile %+v", got)
	}

	all, err := c.ListConnectorProfiles(ctx, ListConnectorProfilesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Fatalf("listed %d profiles over pages, want 5", len(all))
	}
	zi, err := c.ListConnectorProfiles(ctx, ListConnectorProfilesOptions{Provider: "zoominfo"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range zi {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "p0,p1,p3,p4" {
		t.Errorf("filtered list = %v", names)
	}
	for _, ps := range fake.pageSizes {
		if ps != "100" {
			t.Errorf("page_size = %q, want 100", ps)
		}
	}
	if len(fake.pageSizes) != 3+2 {
		t.Errorf("made %d list requests, want 5 (3 pages + 2 pages)", len(fake.pageSizes))
	}

	name := "renamed"
	upd, err := c.UpdateConnectorProfile(ctx, ids[1], UpdateConnectorProfileRequest{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Name != "renamed" || len(upd.Scopes) != 1 {
		t.Errorf("after update: %+v", upd)
	}

	if err := c.DeleteConnectorProfile(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetConnectorProfile(ctx, ids[1])
	if !IsNotFound(err) {
		t.Fatalf("get after delete: want not found, got %v", err)
	}
	err = c.DeleteConnectorProfile(ctx, ids[1])
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.ErrorCode != "NotFound" {
		t.Fatalf("delete twice: want a 404 APIError, got %v", err)
	}
	if !strings.Contains(err.Error(), "DELETE /connector_profiles/"+ids[1]) || !strings.Contains(err.Error(), "not found") {
		t.Errorf("404 message lacks method/path/server message: %v", err)
	}
}

func TestUpdateSendsOnlySetFields(t *testing.T) {
	fake := &fakeProfiles{profiles: []map[string]any{{"id": "x", "name": "a"}}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx := context.Background()

	name, active := "n", false
	empty := []string{}
	var nilSlice []string
	scopes := []string{"b", "a"}
	cases := []struct {
		req  UpdateConnectorProfileRequest
		want string
	}{
		{UpdateConnectorProfileRequest{}, `{}`},
		{UpdateConnectorProfileRequest{Name: &name}, `{"name":"n"}`},
		{UpdateConnectorProfileRequest{Active: &active}, `{"active":false}`},
		{UpdateConnectorProfileRequest{Scopes: &empty}, `{"scopes":[]}`},
		{UpdateConnectorProfileRequest{Actions: &nilSlice}, `{"actions":[]}`},
		{UpdateConnectorProfileRequest{Scopes: &scopes, Name: &name}, `{"name":"n","scopes":["b","a"]}`},
	}
	for _, tc := range cases {
		if _, err := c.UpdateConnectorProfile(ctx, "x", tc.req); err != nil {
			t.Fatal(err)
		}
	}
	for i, tc := range cases {
		if got := strings.TrimSpace(fake.bodies[i]); got != tc.want {
			t.Errorf("case %d: PATCH body %s, want %s", i, got, tc.want)
		}
	}
}

func TestCreateSendsEmptyListsNotNull(t *testing.T) {
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		body = string(raw)
		writeJSON(w, 201, map[string]any{"id": "p"})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	if _, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{Name: "n", ClientSecret: "s"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `"scopes":[]`) || !strings.Contains(body, `"actions":[]`) || strings.Contains(body, `"active"`) {
		t.Errorf("create body %s: want empty arrays and no active", body)
	}
}

func TestDeleteAccepts200And204(t *testing.T) {
	for _, status := range []int{200, 204} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if status == 200 {
				writeJSON(w, 200, map[string]any{"deleted": true})
				return
			}
			w.WriteHeader(status)
		}))
		c, _ := newTestClient(t, srv)
		if err := c.DeleteConnectorProfile(context.Background(), "abc"); err != nil {
			t.Errorf("delete with %d: %v", status, err)
		}
		srv.Close()
	}
}

func TestInvalidIDsRefusedWithoutRequest(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.inc()
		writeJSON(w, 200, map[string]any{})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx := context.Background()
	for _, id := range []string{"", ".", "..", "a/b", "/", "../admin", "x/"} {
		_, err1 := c.GetConnectorProfile(ctx, id)
		_, err2 := c.UpdateConnectorProfile(ctx, id, UpdateConnectorProfileRequest{})
		err3 := c.DeleteConnectorProfile(ctx, id)
		for _, err := range []error{err1, err2, err3} {
			if !errors.Is(err, ErrInvalidID) {
				t.Errorf("id %q: want ErrInvalidID, got %v", id, err)
			}
		}
	}
	if n := hits.get(); n != 0 {
		t.Errorf("server received %d requests for invalid ids", n)
	}
}

func TestIDIsPathEscaped(t *testing.T) {
	var rawPath, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rawPath, path = r.URL.EscapedPath(), r.URL.Path
		writeJSON(w, 200, map[string]any{"id": "x"})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	id := "a b?c#d%e"
	if _, err := c.GetConnectorProfile(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if path != "/connector_profiles/"+id || rawPath != "/connector_profiles/a%20b%3Fc%23d%25e" {
		t.Errorf("server saw path %q (raw %q)", path, rawPath)
	}
}

func TestBaseURLPathPrefix(t *testing.T) {
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		writeJSON(w, 200, map[string]any{"id": "x"})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv, func(c *Config) { c.BaseURL = srv.URL + "/stackone/" })
	if _, err := c.GetConnectorProfile(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if path != "/stackone/connector_profiles/x" {
		t.Errorf("path = %q", path)
	}
}

func TestListConnectorsAndAccountsAndSessions(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	var sessionBody map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/actions":
			queries = append(queries, r.URL.RawQuery)
			if r.URL.Query().Get("next") == "" {
				writeJSON(w, 200, map[string]any{"data": []any{map[string]any{"key": "zoominfo", "name": "ZoomInfo",
					"authentication": []any{map[string]any{"key": "oauth2_authorization_code_pkce", "pkce": true,
						"callback_url": "https://api.stackone.com/connect/oauth2/zoominfo/callback"}},
					"scope_definitions": []any{map[string]any{"name": "api:data:contact", "includes": []any{}}},
					"actions":           []any{map[string]any{"id": "zoominfo_search_contacts", "required_scopes": []any{"api:data:contact"}}},
				}}, "next": "c2"})
				return
			}
			writeJSON(w, 200, map[string]any{"data": []any{map[string]any{"key": "workday"}}, "next": ""})
		case "/accounts":
			writeJSON(w, 200, map[string]any{"data": []any{map[string]any{"id": "a1", "integration_id": "p1", "status": "active",
				"scopes": []any{"api:data:contact"}, "created_at": "2026-11-29T10:00:00Z"}}})
		case "/connect_sessions":
			if r.Header.Get("Idempotency-Key") == "" {
				writeError(w, 400, "missing key", "")
				return
			}
			_ = json.NewDecoder(r.Body).Decode(&sessionBody)
			writeJSON(w, 201, map[string]any{"id": "s1", "token": "tok", "auth_link_url": "http://x/connect/oauth2/p1?token=tok"})
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx := context.Background()

	conns, err := c.ListConnectors(ctx, "zoominfo", "workday")
	if err != nil {
		t.Fatal(err)
	}
	if len(conns) != 2 || conns[0].Key != "zoominfo" || !conns[0].Authentication[0].PKCE ||
		conns[0].Actions[0].RequiredScopes[0] != "api:data:contact" || conns[1].Key != "workday" {
		t.Errorf("connectors = %+v", conns)
	}
	if len(queries) != 2 || queries[0] != "filter%5Bconnectors%5D=zoominfo%2Cworkday&page_size=100" ||
		!strings.Contains(queries[1], "next=c2") {
		t.Errorf("catalog queries = %q", queries)
	}

	accts, err := c.ListAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 1 || accts[0].IntegrationID != "p1" || accts[0].Status != "active" {
		t.Errorf("accounts = %+v", accts)
	}

	s, err := c.CreateConnectSession(ctx, ConnectSessionRequest{OriginOwnerID: "o", OriginOwnerName: "Org", IntegrationID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Token != "tok" || sessionBody["integration_id"] != "p1" || sessionBody["origin_owner_id"] != "o" {
		t.Errorf("session %+v, body %v", s, sessionBody)
	}
}

func TestPaginationRepeatedCursorStops(t *testing.T) {
	var hits counter
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.inc()
		next := "a"
		if n%2 == 0 {
			next = "b"
		}
		writeJSON(w, 200, map[string]any{"data": []any{map[string]any{"id": "x"}}, "next": next})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	_, err := c.ListConnectorProfiles(context.Background(), ListConnectorProfilesOptions{})
	if err == nil || !strings.Contains(err.Error(), "same next cursor") {
		t.Fatalf("want a repeated-cursor error, got %v", err)
	}
	if n := hits.get(); n > 3 {
		t.Errorf("made %d requests before noticing the loop", n)
	}
}

func TestInvalidJSONOn2xx(t *testing.T) {
	for _, body := range []string{"not json", "<html>oops</html>", `{"id": 5}`, ""} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "req-9")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, body)
		}))
		c, _ := newTestClient(t, srv)
		_, err := c.GetConnectorProfile(context.Background(), "p")
		srv.Close()
		if err == nil {
			t.Errorf("body %q: want an error", body)
			continue
		}
		msg := err.Error()
		explained := strings.Contains(msg, "not the JSON expected") || strings.Contains(msg, "empty body")
		if !strings.Contains(msg, "GET /connector_profiles/p") || !strings.Contains(msg, "req-9") || !explained {
			t.Errorf("body %q: unclear error %q", body, msg)
		}
	}
}

func TestResponseBodyLimited(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"id":"`)
		chunk := strings.Repeat("a", 1<<16)
		for i := 0; i < (maxResponseBytes>>16)+2; i++ {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
		_, _ = io.WriteString(w, `"}`)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	_, err := c.GetConnectorProfile(context.Background(), "p")
	if err == nil || !strings.Contains(err.Error(), "more than 10 MiB") {
		t.Fatalf("want a size error, got %v", err)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var elsewhere counter
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.inc() }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	_, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{ClientSecret: "s"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 307 || !strings.Contains(err.Error(), "base_url") {
		t.Fatalf("want a 307 APIError pointing at base_url, got %v", err)
	}
	if elsewhere.get() != 0 {
		t.Error("the redirect was followed")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	cases := map[string]Config{
		"blank key":    {APIKey: "  "},
		"colon in key": {APIKey: "v1.eu1.abc:def"},
		"newline key":  {APIKey: "v1.eu1\nabc"},
		"http remote":  {APIKey: "k", BaseURL: "http://api.stackone.com"},
		"negative rpm": {APIKey: "k", RequestsPerMinute: -1},
		"bad UA":       {APIKey: "k", UserAgent: "a\r\nX-Evil: 1"},
	}
	for name, cfg := range cases {
		_, err := New(cfg)
		if err == nil {
			t.Errorf("%s: want an error", name)
			continue
		}
		if strings.Contains(err.Error(), "abc") {
			t.Errorf("%s: error echoes the key: %v", name, err)
		}
	}
	c, err := New(Config{APIKey: " k "})
	if err != nil {
		t.Fatal(err)
	}
	if c.baseURL.String() != DefaultBaseURL || c.maxRetries != DefaultMaxRetries || c.apiKey != "k" ||
		c.retryWaitMin != DefaultRetryWaitMin || c.retryWaitMax != DefaultRetryWaitMax {
		t.Errorf("defaults not applied: %+v", c)
	}
	c, _ = New(Config{APIKey: "k", MaxRetries: -3})
	if c.maxRetries != 0 {
		t.Errorf("negative MaxRetries should mean 0, got %d", c.maxRetries)
	}
}
