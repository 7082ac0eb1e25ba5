package stackone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestCreateConnectSession(t *testing.T) {
	for _, tc := range []struct {
		name string
		id   any
		want SessionID
	}{
		{"number", 123, "123"},
		{"large number", int64(9007199254740993), "9007199254740993"},
		{"string digits", "456", "456"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body map[string]any
			var idem string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/connect_sessions" {
					writeError(w, 404, "Cannot "+r.Method+" "+r.URL.Path, "")
					return
				}
				idem = r.Header.Get("Idempotency-Key")
				_ = json.NewDecoder(r.Body).Decode(&body)
				writeJSON(w, 201, map[string]any{"id": tc.id, "organization_id": "org-1", "project_id": "proj",
					"origin_owner_id": "o", "origin_owner_name": "Org", "provider": "zoominfo", "connector_profile_id": "p1",
					"created_at": "2026-11-29T10:00:00Z", "token": "tok", "auth_link_url": "https://app.stackone.com/embedded/integrations?token=tok"})
			}))
			defer srv.Close()
			c, _ := newTestClient(t, srv)
			s, err := c.CreateConnectSession(context.Background(), ConnectSessionRequest{
				OriginOwnerID: "o", OriginOwnerName: "Org", Provider: "zoominfo", ConnectorProfileID: "p1", ExpiresIn: 600,
			})
			if err != nil {
				t.Fatal(err)
			}
			if s.ID != tc.want || s.Token != "tok" || s.ConnectorProfileID != "p1" || !strings.Contains(s.AuthLinkURL, "token=tok") {
				t.Errorf("session = %+v", s)
			}
			if body["connector_profile_id"] != "p1" || body["origin_owner_id"] != "o" || body["origin_owner_name"] != "Org" ||
				body["provider"] != "zoominfo" || body["expires_in"] != float64(600) {
				t.Errorf("body = %v", body)
			}
			if _, old := body["integration_id"]; old {
				t.Errorf("body carries the older name integration_id: %v", body)
			}
			if !uuidV4.MatchString(idem) {
				t.Errorf("Idempotency-Key = %q", idem)
			}
		})
	}
}

func TestConnectSessionIDMustBeAnInteger(t *testing.T) {
	for _, id := range []string{`1.5`, `"abc"`, `" 12"`, `"12a"`, `""`, `null`, `true`, `{}`, `[1]`, `1e3`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			_, _ = io.WriteString(w, `{"id": `+id+`, "token": "tok"}`)
		}))
		c, _ := newTestClient(t, srv)
		s, err := c.CreateConnectSession(context.Background(), ConnectSessionRequest{OriginOwnerID: "o", OriginOwnerName: "Org"})
		srv.Close()
		if err == nil {
			t.Errorf("id %s: want an error, got session id %q", id, s.ID)
			continue
		}
		if strings.Contains(err.Error(), "tok") {
			t.Errorf("id %s: the error shows the token: %v", id, err)
		}
	}
	// Without any id.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 201, map[string]any{"token": "tok"})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	if _, err := c.CreateConnectSession(context.Background(), ConnectSessionRequest{}); err == nil || !strings.Contains(err.Error(), "without a session id") {
		t.Errorf("no id: want an error, got %v", err)
	}
}

func TestGetConnectSession(t *testing.T) {
	attempts := map[string]any{
		"123": map[string]any{"id": 77, "status": "authenticated", "oauth_error_code": nil, "oauth_error_description": nil,
			"account_secure_id": "acc-1", "created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:01:00Z"},
		"124": map[string]any{"id": "att-2", "status": "error", "oauth_error_code": "access_denied",
			"oauth_error_description": "the user said no", "account_secure_id": nil},
		"125": nil,
	}
	var paths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Path)
		mu.Unlock()
		id := strings.TrimPrefix(r.URL.Path, "/connect_sessions/")
		if id == "999" {
			writeError(w, 404, "Connect session not found", "")
			return
		}
		n, _ := strconv.Atoi(id)
		if id == "126" {
			n = 5 // another session
		}
		writeJSON(w, 200, map[string]any{"id": n, "origin_owner_id": "o", "origin_owner_name": "Org",
			"created_at": "2026-11-29T10:00:00Z", "latest_connection_attempt": attempts[id]})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx := context.Background()

	s, err := c.GetConnectSession(ctx, "123")
	if err != nil {
		t.Fatal(err)
	}
	a := s.LatestConnectionAttempt
	if s.ID != "123" || a == nil || a.Status != "authenticated" || a.AccountSecureID != "acc-1" || a.OAuthErrorCode != "" || s.Token != "" {
		t.Errorf("session 123 = %+v, attempt %+v", s, a)
	}
	s, err = c.GetConnectSession(ctx, "124")
	if err != nil {
		t.Fatal(err)
	}
	if a := s.LatestConnectionAttempt; a == nil || a.Status != "error" || a.OAuthErrorCode != "access_denied" ||
		a.OAuthErrorDescription != "the user said no" || a.AccountSecureID != "" {
		t.Errorf("session 124 attempt = %+v", a)
	}
	s, err = c.GetConnectSession(ctx, "125")
	if err != nil || s.LatestConnectionAttempt != nil {
		t.Errorf("session 125 (not tried yet) = %+v, %v", s, err)
	}
	if _, err := c.GetConnectSession(ctx, "126"); err == nil || !strings.Contains(err.Error(), `session "5"`) {
		t.Errorf("another session's answer: want an error, got %v", err)
	}
	if _, err := c.GetConnectSession(ctx, "999"); !IsNotFound(err) {
		t.Errorf("missing session: want not found, got %v", err)
	}
	if paths[0] != "GET /connect_sessions/123" {
		t.Errorf("paths = %v", paths)
	}
}

// accountsServer serves GET /accounts as a bare array, n accounts in pages
// of the page_size asked, and records each query.
func accountsServer(t *testing.T, n int, mutate func(page int, items []map[string]any) []map[string]any) (*httptest.Server, *[]string) {
	t.Helper()
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/accounts" {
			writeError(w, 404, "Cannot "+r.Method+" "+r.URL.Path, "")
			return
		}
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		q := r.URL.Query()
		page, _ := strconv.Atoi(q.Get("page"))
		size, _ := strconv.Atoi(q.Get("page_size"))
		start := min((page-1)*size, n)
		end := min(start+size, n)
		items := []map[string]any{}
		for i := start; i < end; i++ {
			items = append(items, map[string]any{"id": fmt.Sprintf("acc-%d", i), "provider": "zoominfo",
				"origin_owner_id": "o", "origin_owner_name": "Org", "status": "active",
				"created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z"})
		}
		if mutate != nil && len(items) > 0 {
			items = mutate(page, items)
		}
		writeJSON(w, 200, items)
	}))
	t.Cleanup(srv.Close)
	return srv, &queries
}

func TestListAccounts(t *testing.T) {
	srv, queries := accountsServer(t, 203, nil)
	c, _ := newTestClient(t, srv)
	accts, err := c.ListAccounts(context.Background(), ListAccountsOptions{
		Providers: []string{"zoominfo", " ", "workday"}, OriginOwnerID: " o ", Statuses: []string{"active", "error"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 203 || accts[0].ID != "acc-0" || accts[202].ID != "acc-202" || accts[0].Status != "active" ||
		accts[0].ConnectorProfileID != nil || accts[0].Scopes != nil {
		t.Fatalf("read %d accounts: first %+v", len(accts), accts[0])
	}
	if len(*queries) != 4 {
		t.Fatalf("made %d requests, want 4 (two full pages, a short one, and the empty page that ends the list)", len(*queries))
	}
	for i, raw := range *queries {
		q, _ := parseQuery(raw)
		if q.Get("page") != strconv.Itoa(i+1) || q.Get("page_size") != "100" ||
			strings.Join(q["providers[]"], ",") != "zoominfo,workday" || strings.Join(q["status[]"], ",") != "active,error" ||
			q.Get("origin_owner_id") != "o" {
			t.Errorf("request %d query %s", i+1, raw)
		}
	}
	// No filter: no filter parameter at all.
	srv, queries = accountsServer(t, 0, nil)
	c, _ = newTestClient(t, srv)
	if accts, err := c.ListAccounts(context.Background(), ListAccountsOptions{}); err != nil || len(accts) != 0 {
		t.Fatalf("empty list: %v, %v", accts, err)
	}
	if len(*queries) != 1 || (*queries)[0] != "page=1&page_size=100" {
		t.Errorf("queries = %v", *queries)
	}
}

// TestListAccountsFiltersTheAnswerToo: the filters go in the query, and a
// server that ignores them (every account of the fake answers) still gives
// only the accounts that match.
func TestListAccountsFiltersTheAnswerToo(t *testing.T) {
	srv, queries := accountsServer(t, 5, func(_ int, items []map[string]any) []map[string]any {
		items[1]["provider"], items[2]["status"], items[3]["origin_owner_id"] = "workday", "error", "someone-else"
		return items
	})
	c, _ := newTestClient(t, srv)
	accts, err := c.ListAccounts(context.Background(), ListAccountsOptions{
		Providers: []string{"zoominfo"}, OriginOwnerID: "o", Statuses: []string{"active"},
		AccountIDs: []string{"acc-0", "acc-1", "acc-2", "acc-3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 1 || accts[0].ID != "acc-0" {
		t.Errorf("accounts = %+v, want acc-0 only", accts)
	}
	if q, _ := parseQuery((*queries)[0]); strings.Join(q["account_ids[]"], ",") != "acc-0,acc-1,acc-2,acc-3" {
		t.Errorf("query %s", (*queries)[0])
	}
}

func TestListAccountsExtensionFields(t *testing.T) {
	srv, _ := accountsServer(t, 1, func(_ int, items []map[string]any) []map[string]any {
		for _, it := range items {
			it["connector_profile_id"] = "p1"
			it["scopes"] = []any{"api:data:contact"}
		}
		return items
	})
	c, _ := newTestClient(t, srv)
	accts, err := c.ListAccounts(context.Background(), ListAccountsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a := accts[0]; a.ConnectorProfileID == nil || *a.ConnectorProfileID != "p1" || a.Scopes == nil || len(*a.Scopes) != 1 {
		t.Errorf("account = %+v", a)
	}
}

func TestListAccountsChecks(t *testing.T) {
	cases := map[string]func(page int, items []map[string]any) []map[string]any{
		"appears twice": func(page int, items []map[string]any) []map[string]any {
			if page == 2 {
				items[5]["id"] = "acc-3" // also on page 1
			}
			return items
		},
		"has no id": func(page int, items []map[string]any) []map[string]any {
			delete(items[0], "id")
			return items
		},
	}
	for want, mutate := range cases {
		srv, _ := accountsServer(t, 150, mutate)
		c, _ := newTestClient(t, srv)
		_, err := c.ListAccounts(context.Background(), ListAccountsOptions{})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "GET /accounts") {
			t.Errorf("want an error with %q, got %v", want, err)
		}
	}
	// An object where the published list is a bare array.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"data": []any{}, "next": nil})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	if _, err := c.ListAccounts(context.Background(), ListAccountsOptions{}); err == nil || !strings.Contains(err.Error(), "not the JSON expected") {
		t.Errorf("an object instead of an array: want an error, got %v", err)
	}
}

func TestGetAccount(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/accounts/acc-1":
			writeJSON(w, 200, map[string]any{"id": "acc-1", "provider": "zoominfo", "status": "active", "label": "Main"})
		case "/accounts/acc-2":
			writeJSON(w, 200, map[string]any{"id": "acc-9"})
		default:
			writeError(w, 404, "Account not found", "")
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx := context.Background()
	a, err := c.GetAccount(ctx, "acc-1")
	if err != nil || a.Provider != "zoominfo" || a.Label != "Main" {
		t.Fatalf("acc-1 = %+v, %v", a, err)
	}
	if _, err := c.GetAccount(ctx, "acc-2"); err == nil || !strings.Contains(err.Error(), `"acc-9"`) {
		t.Errorf("another account's answer: want an error, got %v", err)
	}
	_, err = c.GetAccount(ctx, "gone")
	var apiErr *APIError
	if !IsNotFound(err) || !errors.As(err, &apiErr) || apiErr.Path != "/accounts/gone" {
		t.Errorf("missing account: want a 404 APIError, got %v", err)
	}
}

func TestConnectorVersions(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/connector_profiles/p1/versions":
			writeJSON(w, 200, []any{
				map[string]any{"version": "1.0.0", "owner": "stackone", "builtin": true, "pinned": false},
				map[string]any{"version": "1.1.0", "owner": "acme", "builtin": false, "pinned": true},
			})
		default:
			writeError(w, 404, "Connector profile not found", "")
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	vs, err := c.ListConnectorVersions(context.Background(), "p1")
	if err != nil {
		t.Fatal(err)
	}
	want := []ConnectorVersion{{"1.0.0", "stackone", true, false}, {"1.1.0", "acme", false, true}}
	if fmt.Sprint(vs) != fmt.Sprint(want) {
		t.Errorf("versions = %+v, want %+v", vs, want)
	}
	if _, err := c.ListConnectorVersions(context.Background(), "gone"); !IsNotFound(err) {
		t.Errorf("versions of a missing profile: want not found, got %v", err)
	}
}

func TestPinnedVersion(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	var deleteStatus = 204
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/connector_profiles/"), "/pinned_version")
		pinned := map[string]any{"connector_profile_id": id, "pinned_version": "1.1.0", "owner": "acme",
			"created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z"}
		switch id {
		case "other":
			pinned["connector_profile_id"] = "p1"
		case "noversion":
			pinned["pinned_version"] = ""
		case "noprofile":
			delete(pinned, "connector_profile_id")
		case "nothing":
			writeError(w, 404, "No pinned version", "")
			return
		}
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, 200, pinned)
		case http.MethodPut:
			bodies = append(bodies, string(raw))
			writeJSON(w, 200, pinned)
		case http.MethodDelete:
			if deleteStatus == 200 {
				writeJSON(w, 200, pinned)
				return
			}
			w.WriteHeader(deleteStatus)
		}
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx := context.Background()

	v, err := c.GetPinnedVersion(ctx, "p1")
	if err != nil || v.ConnectorProfileID != "p1" || v.PinnedVersion != "1.1.0" || v.Owner != "acme" || v.CreatedAt == "" {
		t.Fatalf("pinned = %+v, %v", v, err)
	}
	if v, err := c.GetPinnedVersion(ctx, "noprofile"); err != nil || v.ConnectorProfileID != "noprofile" {
		t.Errorf("an answer without the profile id: %+v, %v", v, err)
	}
	if _, err := c.GetPinnedVersion(ctx, "nothing"); !IsNotFound(err) {
		t.Errorf("nothing pinned: want not found, got %v", err)
	}
	for _, id := range []string{"other", "noversion"} {
		if _, err := c.GetPinnedVersion(ctx, id); err == nil {
			t.Errorf("GET %s: want an error", id)
		}
		if _, err := c.PinVersion(ctx, id, PinVersionRequest{PinnedVersion: "1.1.0"}); err == nil {
			t.Errorf("PUT %s: want an error", id)
		}
	}
	if _, err := c.GetPinnedVersion(ctx, "other"); err == nil || !strings.Contains(err.Error(), `pinned version of profile "p1"`) {
		t.Errorf("another profile's pin: %v", err)
	}

	bodies = nil
	if _, err := c.PinVersion(ctx, "p1", PinVersionRequest{PinnedVersion: "1.1.0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PinVersion(ctx, "p1", PinVersionRequest{PinnedVersion: "1.1.0", Owner: "acme"}); err != nil {
		t.Fatal(err)
	}
	if len(bodies) != 2 || bodies[0] != `{"pinned_version":"1.1.0"}` || bodies[1] != `{"pinned_version":"1.1.0","owner":"acme"}` {
		t.Errorf("PUT bodies = %q", bodies)
	}

	for _, status := range []int{204, 200} {
		mu.Lock()
		deleteStatus = status
		mu.Unlock()
		if err := c.UnpinVersion(ctx, "p1"); err != nil {
			t.Errorf("unpin answered %d: %v", status, err)
		}
	}
	if err := c.UnpinVersion(ctx, "nothing"); !IsNotFound(err) {
		t.Errorf("unpin with nothing pinned: want not found, got %v", err)
	}
}

func TestRedirectURI(t *testing.T) {
	cases := []struct{ base, want string }{
		{"", "https://api.stackone.com/connect/oauth2/zoominfo/callback"},
		{"https://api.eu1.stackone.com", "https://api.eu1.stackone.com/connect/oauth2/zoominfo/callback"},
		{"https://api.eu1.stackone.com/", "https://api.eu1.stackone.com/connect/oauth2/zoominfo/callback"},
		{"https://proxy.example.com/stackone/", "https://proxy.example.com/stackone/connect/oauth2/zoominfo/callback"},
		{"http://127.0.0.1:8080/a/b", "http://127.0.0.1:8080/a/b/connect/oauth2/zoominfo/callback"},
	}
	for _, tc := range cases {
		c, err := New(Config{APIKey: "k", BaseURL: tc.base})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.RedirectURI("zoominfo"); got != tc.want {
			t.Errorf("base %q: RedirectURI = %q, want %q", tc.base, got, tc.want)
		}
	}
	if got := RedirectURIFor("https://api.stackone.com/", "a b/c"); got != "https://api.stackone.com/connect/oauth2/a%20b%2Fc/callback" {
		t.Errorf("connector key not escaped: %q", got)
	}
}
