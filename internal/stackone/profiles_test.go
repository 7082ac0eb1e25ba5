package stackone

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
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
			writeJSON(w, 201, map[string]any{"id": fmt.Sprintf("p%d", len(got)), "connector_key": "zoominfo"})
			return
		}
		writeJSON(w, 200, map[string]any{"data": []any{}, "page": 1, "page_size": 100, "total": 0})
	}))
	defer srv.Close()
	ua := "terraform-provider-stackone/0.1.0 (+https://github.com/stackonehq/terraform-provider-stackone) terraform/1.11.4"
	c, _ := newTestClient(t, srv, func(c *Config) { c.UserAgent = ua })

	ctx := context.Background()
	if _, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{ConnectorKey: "zoominfo", Name: "n"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListConnectorProfiles(ctx, ListConnectorProfilesOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{ConnectorKey: "zoominfo", Name: "n2"}); err != nil {
		t.Fatal(err)
	}

	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(testAPIKey+":"))
	// The first create reads the list first (to prove its answer new).
	if len(got) != 4 || got[0].method != http.MethodGet {
		t.Fatalf("got %d requests, want 4, a list read first", len(got))
	}
	got = got[1:]
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

// TestExtensionFieldsAbsentVsEmpty: a server without the extension omits
// client_id, scopes and actions; the client must keep that apart from empty
// values, so the provider never reads "not reported" as "cleared".
func TestExtensionFieldsAbsentVsEmpty(t *testing.T) {
	published := map[string]any{"id": "p1", "name": "n", "connector_key": "zoominfo", "active": true,
		"created_at": "2026-11-29T10:00:00Z", "updated_at": "2026-11-29T10:00:00Z", "client_secret_updated_at": nil}
	extended := map[string]any{"id": "p2", "name": "n", "connector_key": "zoominfo", "active": false,
		"client_id": "", "scopes": []any{}, "actions": []any{}, "client_secret_set": false, "client_secret_updated_at": nil}
	nulls := map[string]any{"id": "p3", "name": "n", "connector_key": "zoominfo", "client_id": nil, "scopes": nil, "actions": nil}
	srv, _ := pageServer(t, func(int, url.Values) any {
		return map[string]any{"data": []any{published, extended, nulls}, "page": 1, "page_size": 100, "total": 3}
	})
	c, _ := newTestClient(t, srv)
	ps, err := c.ListConnectorProfiles(context.Background(), ListConnectorProfilesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := ps[0]; p.ClientID != nil || p.Scopes != nil || p.Actions != nil || p.ClientSecretSet != nil ||
		p.ClientSecretUpdatedAt != nil || p.ReportsExtension() {
		t.Errorf("absent extension fields should stay nil: %+v", p)
	}
	if p := ps[1]; p.ClientID == nil || *p.ClientID != "" || p.Scopes == nil || len(*p.Scopes) != 0 ||
		p.Actions == nil || p.ClientSecretSet == nil || *p.ClientSecretSet || !p.ReportsExtension() || p.Active == nil || *p.Active {
		t.Errorf("empty extension fields should be set and empty: %+v", p)
	}
	if ps[2].ReportsExtension() {
		t.Errorf("null extension fields read as reported: %+v", ps[2])
	}
}

func TestDefaultUserAgent(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		writeJSON(w, 200, []any{})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	if _, err := c.ListAccounts(context.Background(), ListAccountsOptions{}); err != nil {
		t.Fatal(err)
	}
	if ua != DefaultUserAgent {
		t.Errorf("User-Agent = %q, want %q", ua, DefaultUserAgent)
	}
}

func TestConnectorProfileLifecycle(t *testing.T) {
	fake := &fakeAPI{maxPage: 2} // a server with a smaller maximum page
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	ctx := context.Background()

	var ids []string
	for i := 0; i < 5; i++ {
		conn := "zoominfo"
		if i == 2 {
			conn = "other"
		}
		p, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{
			ConnectorKey: conn, Name: fmt.Sprintf("p%d", i), AuthenticationConfigKey: "oauth2_authorization_code_pkce",
			ClientID: "0oaf6t3osgvaPvy4E1d7", ClientSecret: "s3cret", Scopes: []string{"api:data:contact"},
		})
		if err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
		ids = append(ids, p.ID)
	}

	got, err := c.ConnectorProfile(ctx, ids[0], "zoominfo")
	if err != nil {
		t.Fatal(err)
	}
	created, err := ParseTime(got.CreatedAt)
	if err != nil || time.Since(created) > time.Minute || got.CreatedAt != created.UTC().Format(time.RFC3339Nano) {
		t.Errorf("created_at %q parsed as %s, %v", got.CreatedAt, created, err)
	}
	if got.Name != "p0" || got.ConnectorKey != "zoominfo" || got.AuthenticationConfigKey != "oauth2_authorization_code_pkce" ||
		got.ClientID == nil || *got.ClientID != "0oaf6t3osgvaPvy4E1d7" || got.ClientSecretSet == nil || !*got.ClientSecretSet ||
		got.Scopes == nil || len(*got.Scopes) != 1 || got.Actions == nil || len(*got.Actions) != 0 {
		t.Errorf("unexpected profile %+v", got)
	}

	all, err := c.ListConnectorProfiles(ctx, ListConnectorProfilesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Fatalf("listed %d profiles over pages, want 5", len(all))
	}
	zi, err := c.ListConnectorProfiles(ctx, ListConnectorProfilesOptions{ConnectorKey: "zoominfo"})
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
	// Pages of two: the snapshot read of zoominfo (2), all (3), zoominfo (2).
	if n := fake.count("GET /connector_profiles"); n != 2+3+2 {
		t.Errorf("made %d list requests, want 7", n)
	}

	name := "renamed"
	upd, err := c.UpdateConnectorProfile(ctx, ids[1], "zoominfo", UpdateConnectorProfileRequest{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Name != "renamed" || upd.Scopes == nil || len(*upd.Scopes) != 1 {
		t.Errorf("after update: %+v", upd)
	}

	if err := c.DeleteConnectorProfile(ctx, ids[1], "zoominfo"); err != nil {
		t.Fatal(err)
	}
	_, err = c.ConnectorProfile(ctx, ids[1], "zoominfo")
	if !IsNotFound(err) || !errors.Is(err, ErrProfileNotFound) {
		t.Fatalf("get after delete: want not found, got %v", err)
	}
	err = c.DeleteConnectorProfile(ctx, ids[1], "zoominfo")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.ErrorCode != "NotFound" ||
		!IsNotFound(err) || !errors.Is(err, ErrProfileNotFound) {
		t.Fatalf("delete twice: want a 404 APIError and ErrProfileNotFound, got %v", err)
	}
	if !strings.Contains(err.Error(), "DELETE /connector_profiles/"+ids[1]) || !strings.Contains(err.Error(), "not found") {
		t.Errorf("404 message lacks method/path/server message: %v", err)
	}
}

func TestUpdateSendsOnlySetFields(t *testing.T) {
	fake := &fakeAPI{profiles: []map[string]any{{"id": "x", "name": "a", "connector_key": "zoominfo"}}}
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
		if _, err := c.UpdateConnectorProfile(ctx, "x", "zoominfo", tc.req); err != nil {
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
	if _, err := c.CreateConnectorProfile(context.Background(), CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: "n", ClientSecret: "s",
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `"scopes":[]`) || !strings.Contains(body, `"actions":[]`) || strings.Contains(body, `"active"`) {
		t.Errorf("create body %s: want empty arrays and no active", body)
	}
	// The published names, never a second spelling.
	if !strings.Contains(body, `"connector_key":"zoominfo"`) || !strings.Contains(body, `"authentication_config_key":"oauth2_authorization_code_pkce"`) ||
		strings.Contains(body, `"provider"`) || strings.Contains(body, `"auth_type"`) {
		t.Errorf("create body %s: want connector_key and authentication_config_key only", body)
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
		if err := c.DeleteConnectorProfile(context.Background(), "abc", "zoominfo"); err != nil {
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
	for _, id := range []string{"", ".", "..", "a/b", "/", "../admin", "x/", "a?b", "a#b"} {
		_, err1 := c.ConnectorProfile(ctx, id, "zoominfo")
		_, err2 := c.UpdateConnectorProfile(ctx, id, "zoominfo", UpdateConnectorProfileRequest{})
		err3 := c.DeleteConnectorProfile(ctx, id, "zoominfo")
		_, err4 := c.GetAccount(ctx, id)
		_, err5 := c.ListConnectorVersions(ctx, id)
		_, err6 := c.GetPinnedVersion(ctx, id)
		_, err7 := c.PinVersion(ctx, id, PinVersionRequest{PinnedVersion: "1"})
		err8 := c.UnpinVersion(ctx, id)
		_, err9 := c.GetConnectSession(ctx, SessionID(id))
		for i, err := range []error{err1, err2, err3, err4, err5, err6, err7, err8, err9} {
			if !errors.Is(err, ErrInvalidID) {
				t.Errorf("id %q, call %d: want ErrInvalidID, got %v", id, i+1, err)
			}
		}
	}
	if n := hits.get(); n != 0 {
		t.Errorf("server received %d requests for invalid ids", n)
	}
}

func TestIDIsPathEscaped(t *testing.T) {
	id := "a b%e"
	var rawPath, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rawPath, path = r.URL.EscapedPath(), r.URL.Path
		writeJSON(w, 200, map[string]any{"id": id})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	if _, err := c.UpdateConnectorProfile(context.Background(), id, "zoominfo", UpdateConnectorProfileRequest{}); err != nil {
		t.Fatal(err)
	}
	if path != "/connector_profiles/"+id || rawPath != "/connector_profiles/a%20b%25e" {
		t.Errorf("server saw path %q (raw %q)", path, rawPath)
	}
}

func TestBaseURLPathPrefix(t *testing.T) {
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		writeJSON(w, 200, map[string]any{"data": []any{}, "page": 1, "page_size": 100, "total": 0})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv, func(c *Config) { c.BaseURL = srv.URL + "/stackone/" })
	if _, err := c.ListConnectorProfiles(context.Background(), ListConnectorProfilesOptions{}); err != nil {
		t.Fatal(err)
	}
	if path != "/stackone/connector_profiles" {
		t.Errorf("path = %q", path)
	}
}

func TestListConnectors(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		queries = append(queries, r.URL.RawQuery)
		if r.URL.Query().Get("next") == "" {
			writeJSON(w, 200, map[string]any{"data": []any{map[string]any{"key": "zoominfo", "name": "ZoomInfo",
				// Fields the catalog does not publish are ignored.
				"authentication": []any{map[string]any{"key": "oauth2_authorization_code_pkce", "type": "oauth2", "pkce": true,
					"support": map[string]any{"link": "x"}, "callback_url": "https://elsewhere/callback"}},
				"scope_definitions": []any{map[string]any{"name": "api:data:contact", "includes": []any{}}},
				"actions":           []any{map[string]any{"id": "zoominfo_search_contacts", "required_scopes": []any{"api:data:contact"}}},
			}}, "next": "c2"})
			return
		}
		writeJSON(w, 200, map[string]any{"data": []any{map[string]any{"key": "workday"}}, "next": nil})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)

	conns, err := c.ListConnectors(context.Background(), "zoominfo", " ", "workday")
	if err != nil {
		t.Fatal(err)
	}
	if len(conns) != 2 || conns[0].Key != "zoominfo" || conns[0].Authentication[0].Type != "oauth2" ||
		conns[0].Actions[0].RequiredScopes[0] != "api:data:contact" || conns[1].Key != "workday" {
		t.Errorf("connectors = %+v", conns)
	}
	if len(queries) != 2 || queries[0] != "filter%5Bconnectors%5D=zoominfo%2Cworkday&page_size=100" ||
		!strings.Contains(queries[1], "next=c2") {
		t.Errorf("catalog queries = %q", queries)
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
		writeJSON(w, 200, map[string]any{"data": []any{map[string]any{"key": "x"}}, "next": next})
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv)
	_, err := c.ListConnectors(context.Background())
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
		_, err := c.GetAccount(context.Background(), "p")
		srv.Close()
		if err == nil {
			t.Errorf("body %q: want an error", body)
			continue
		}
		msg := err.Error()
		explained := strings.Contains(msg, "not the JSON expected") || strings.Contains(msg, "empty body")
		if !strings.Contains(msg, "GET /accounts/p") || !strings.Contains(msg, "req-9") || !explained {
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
	_, err := c.GetAccount(context.Background(), "p")
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
	cases := map[string]struct {
		cfg  Config
		want Setting
	}{
		"blank key":        {Config{APIKey: "  "}, SettingAPIKey},
		"colon in key":     {Config{APIKey: "v1.eu1.abc:def"}, SettingAPIKey},
		"newline key":      {Config{APIKey: "v1.eu1\nabc"}, SettingAPIKey},
		"http remote":      {Config{APIKey: "k", BaseURL: "http://api.stackone.com"}, SettingBaseURL},
		"negative rpm":     {Config{APIKey: "k", RequestsPerMinute: -1}, SettingRequestsPerMinute},
		"rpm over limit":   {Config{APIKey: "k", RequestsPerMinute: RequestsPerMinuteLimit + 1}, SettingRequestsPerMinute},
		"negative retries": {Config{APIKey: "k", MaxRetries: retries(-3)}, SettingMaxRetries},
		"too many retries": {Config{APIKey: "k", MaxRetries: retries(MaxRetriesLimit + 1)}, SettingMaxRetries},
		"negative timeout": {Config{APIKey: "k", RequestTimeout: -time.Second}, SettingRequestTimeout},
		"bad UA":           {Config{APIKey: "k", UserAgent: "a\r\nX-Evil: 1"}, SettingUserAgent},
	}
	for name, c := range cases {
		_, err := New(c.cfg)
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Setting != c.want {
			t.Errorf("%s: want a *ConfigError for setting %d, got %v", name, c.want, err)
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
	c, _ = New(Config{APIKey: "k", MaxRetries: retries(0)})
	if c.maxRetries != 0 {
		t.Errorf("MaxRetries 0 should mean no retry, got %d", c.maxRetries)
	}
}

// TestCreateAnsweredWithAnotherProfile: a create answered with another
// profile (another name, another auth type, or the id of a profile the
// client already lists) is refused rather than recorded, so that Terraform
// never adopts, changes or deletes it.
func TestCreateAnsweredWithAnotherProfile(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer map[string]any
		want   string
	}{
		{"another name", map[string]any{"id": "new-1", "name": "bystander", "connector_key": "zoominfo"}, `named "bystander"`},
		{"another auth type", map[string]any{"id": "new-1", "name": "mine", "connector_key": "zoominfo", "authentication_config_key": "api_key"}, `auth type "api_key"`},
		{"a listed profile's id", map[string]any{"id": "by-1", "name": "mine", "connector_key": "zoominfo"}, `profile "by-1" (named "mine", created at ), which is not a new profile: its id was in the list of profiles read before the create was sent`},
		{"empty id", map[string]any{"id": "", "name": "mine", "connector_key": "zoominfo"}, "without a profile id"},
		{"another connector", map[string]any{"id": "new-1", "name": "mine", "connector_key": "acmecrm"}, `connector "acmecrm"`},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				writeJSON(w, 200, map[string]any{"data": []any{map[string]any{"id": "by-1", "name": "bystander", "connector_key": "zoominfo"}}, "page": 1, "page_size": 100, "total": 1})
				return
			}
			writeJSON(w, 201, tc.answer)
		}))
		c, _ := newTestClient(t, srv)
		ctx := context.Background()
		if _, err := c.ConnectorProfiles(ctx, "zoominfo"); err != nil {
			t.Fatal(err)
		}
		_, err := c.CreateConnectorProfile(ctx, CreateConnectorProfileRequest{ConnectorKey: "zoominfo", Name: "mine", AuthenticationConfigKey: "oauth2", ClientSecret: "s"})
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: want an error saying %s, got %v", tc.name, tc.want, err)
		}
		if items, _ := c.ConnectorProfiles(ctx, "zoominfo"); len(items) != 1 || items[0].Name != "bystander" {
			t.Errorf("%s: the snapshot changed: %+v", tc.name, items)
		}
	}
}

// TestNewReportsEverySettingRefused: two wrong settings give two errors, so
// the provider shows both on their attributes at once.
func TestNewReportsEverySettingRefused(t *testing.T) {
	_, err := New(Config{APIKey: "", BaseURL: "ftp://x", RequestsPerMinute: -1})
	got := map[Setting]bool{}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("want joined errors, got %v", err)
	}
	for _, e := range joined.Unwrap() {
		var ce *ConfigError
		if errors.As(e, &ce) {
			got[ce.Setting] = true
		}
	}
	for _, s := range []Setting{SettingAPIKey, SettingBaseURL, SettingRequestsPerMinute} {
		if !got[s] {
			t.Errorf("setting %d not reported: %v", s, err)
		}
	}
}
