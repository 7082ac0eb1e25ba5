package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProfileCRUD(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)

	r := c.mustStatus(http.StatusCreated, http.MethodPost, "/connector_profiles", zoomInfoBody("prod"))
	if strings.Contains(string(r.body), "client_secret\"") || strings.Contains(string(r.body), "s3cr3t") {
		t.Fatalf("create response leaks the client secret: %s", r.body)
	}
	if r.header.Get("Location") != "" {
		t.Errorf("Location %q points at a GET by id, which is not served", r.header.Get("Location"))
	}
	var created wireProfile
	r.json(t, &created)
	if len(created.ID) != 36 || created.ID[14] != '4' {
		t.Errorf("id %q is not a UUID v4", created.ID)
	}
	if created.ConnectorKey != "zoominfo" || created.Name != "prod" ||
		created.AuthenticationConfigKey != "oauth2_authorization_code_pkce" || !created.Active || !created.ClientSecretSet ||
		created.ClientSecretUpdatedAt == nil || !slices.Equal(created.Scopes, []string{"api:data:contact", "api:data:company"}) ||
		!slices.Equal(created.Actions, []string{"zoominfo_search_contacts"}) {
		t.Fatalf("created profile = %+v", created)
	}
	for _, ts := range []string{created.CreatedAt, created.UpdatedAt, *created.ClientSecretUpdatedAt} {
		parsed, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil || !strings.HasSuffix(ts, "Z") || time.Since(parsed) > time.Minute {
			t.Errorf("timestamp %q is not a recent UTC RFC 3339 time (%v)", ts, err)
		}
	}
	stored, ok := s.Profile(created.ID)
	if !ok || stored.ClientSecret != "s3cr3t-prod" || stored.RedirectURI != s.BaseURL()+"/connect/oauth2/zoominfo/callback" {
		t.Fatalf("stored profile = %+v, %v", stored, ok)
	}

	// The list carries the same profile.
	var list wireProfilePage
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles", nil).json(t, &list)
	if len(list.Data) != 1 || !reflect.DeepEqual(list.Data[0], created) {
		t.Fatalf("list = %+v, want [%+v]", list.Data, created)
	}

	// Defaults: no scopes/actions given → [], active defaults to true.
	minimal := zoomInfoBody("minimal")
	delete(minimal, "scopes")
	minimal["actions"] = nil
	r = c.mustStatus(http.StatusCreated, http.MethodPost, "/connector_profiles", minimal)
	if !strings.Contains(string(r.body), `"scopes":[]`) || !strings.Contains(string(r.body), `"actions":[]`) {
		t.Errorf("absent lists are not [] on the wire: %s", r.body)
	}

	time.Sleep(2 * time.Millisecond)
	var patched wireProfile
	c.mustStatus(http.StatusOK, http.MethodPatch, "/connector_profiles/"+created.ID, map[string]any{
		"name": "renamed", "scopes": []string{"api:data:intent"}, "active": false,
		"connector_key": "zoominfo", // unchanged values are accepted
	}).json(t, &patched)
	if patched.Name != "renamed" || patched.Active || !slices.Equal(patched.Scopes, []string{"api:data:intent"}) ||
		!slices.Equal(patched.Actions, created.Actions) || patched.ClientID != created.ClientID {
		t.Fatalf("patched = %+v", patched)
	}
	if patched.UpdatedAt == created.UpdatedAt || patched.CreatedAt != created.CreatedAt {
		t.Errorf("updated_at %s (was %s), created_at %s (was %s)", patched.UpdatedAt, created.UpdatedAt, patched.CreatedAt, created.CreatedAt)
	}
	if *patched.ClientSecretUpdatedAt != *created.ClientSecretUpdatedAt {
		t.Errorf("client_secret_updated_at moved without a new secret")
	}

	time.Sleep(2 * time.Millisecond)
	var rotated wireProfile
	c.mustStatus(http.StatusOK, http.MethodPatch, "/connector_profiles/"+created.ID, map[string]any{"client_secret": "new-secret"}).json(t, &rotated)
	if *rotated.ClientSecretUpdatedAt == *patched.ClientSecretUpdatedAt || rotated.UpdatedAt == patched.UpdatedAt {
		t.Errorf("setting client_secret did not bump the timestamps: %+v", rotated)
	}
	if p, _ := s.Profile(created.ID); p.ClientSecret != "new-secret" {
		t.Errorf("stored secret = %q", p.ClientSecret)
	}

	c.mustStatus(http.StatusNoContent, http.MethodDelete, "/connector_profiles/"+created.ID, nil)
	for _, m := range []string{http.MethodPatch, http.MethodDelete} {
		r := c.mustStatus(http.StatusNotFound, m, "/connector_profiles/"+created.ID, map[string]any{})
		if e := r.apiErr(t); e.ErrorCode != "NotFound" {
			t.Errorf("%s of a deleted profile: errorCode %q", m, e.ErrorCode)
		}
	}
	if _, ok := s.Profile(created.ID); ok || len(s.Profiles()) != 1 {
		t.Errorf("profile still stored after DELETE; profiles = %d", len(s.Profiles()))
	}
}

func TestProfilePublishedFields(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	z := c.create(zoomInfoBody("z"))
	a := c.create(acmeBody("a"))
	if z.ConnectorLabel != "ZoomInfo" || !strings.HasPrefix(z.LogoURL, "https://") || !slices.Equal(z.Categories, []string{"crm", "marketing"}) ||
		z.Default || z.ReleaseStage != "ga" || z.AuthenticationConfigLabel != "OAuth 2.0 (Authorization Code + PKCE)" ||
		z.Environment != "production" || z.ConnectorVersion != "1.5.0" || z.ConnectorOwner != "stackone" || z.ConnectorPinnedVersion != nil {
		t.Errorf("zoominfo profile = %+v", z)
	}
	if a.ConnectorLabel != "Acme CRM" || a.ReleaseStage != "beta" || a.ConnectorVersion != "2.1.0" ||
		a.AuthenticationConfigLabel != "OAuth 2.0 (Authorization Code)" {
		t.Errorf("acme profile = %+v", a)
	}
	raw := keysOf(t, c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles", nil).body)
	var items []json.RawMessage
	if err := json.Unmarshal(raw["data"], &items); err != nil || len(items) != 2 {
		t.Fatalf("data = %s (%v)", raw["data"], err)
	}
	for _, k := range []string{"id", "name", "connector_key", "connector_label", "logo_url", "categories", "active", "default",
		"release_stage", "created_at", "updated_at", "authentication_config_key", "authentication_config_label", "environment",
		"connector_version", "connector_pinned_version", "connector_owner",
		"client_id", "scopes", "actions", "client_secret_set", "client_secret_updated_at"} {
		if _, ok := keysOf(t, items[0])[k]; !ok {
			t.Errorf("extended profile has no %q: %s", k, items[0])
		}
	}
	for _, k := range []string{"provider", "auth_type", "redirect_uri", "client_secret"} {
		if _, ok := keysOf(t, items[0])[k]; ok {
			t.Errorf("profile carries the unpublished %q: %s", k, items[0])
		}
	}
}

// listAll follows the page-numbered profile list to its end.
func listAll(t *testing.T, c *testClient, query url.Values) (pages [][]wireProfile) {
	t.Helper()
	seen := 0
	for page := 1; ; page++ {
		if page > 50 {
			t.Fatal("pagination does not end")
		}
		query.Set("page", strconv.Itoa(page))
		var p wireProfilePage
		c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles?"+query.Encode(), nil).json(t, &p)
		if p.Page != page {
			t.Fatalf("asked page %d, answered page %d", page, p.Page)
		}
		pages = append(pages, p.Data)
		seen += len(p.Data)
		if seen >= p.Total || len(p.Data) < p.PageSize {
			return pages
		}
	}
}

func TestListPagination(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	var ids []string
	for i := range 5 {
		ids = append(ids, c.create(zoomInfoBody(fmt.Sprint("p", i))).ID)
	}

	pages := listAll(t, c, url.Values{"page_size": {"2"}})
	var sizes []int
	var got []string
	for _, p := range pages {
		sizes = append(sizes, len(p))
		for _, prof := range p {
			got = append(got, prof.ID)
		}
	}
	if !slices.Equal(sizes, []int{2, 2, 1}) || !slices.Equal(got, ids) {
		t.Fatalf("pages of sizes %v with ids %v, want [2 2 1] and creation order %v", sizes, got, ids)
	}

	var p wireProfilePage
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles?page=2&page_size=2", nil).json(t, &p)
	if p.Page != 2 || p.PageSize != 2 || p.Total != 5 || len(p.Data) != 2 || p.Data[0].ID != ids[2] {
		t.Errorf("page 2 of 2 = %+v", p)
	}
	// Past the end: an empty page, still with the total.
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles?page=4&page_size=2", nil).json(t, &p)
	if len(p.Data) != 0 || p.Data == nil || p.Total != 5 {
		t.Errorf("page past the end = %+v", p)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles?page=9223372036854775807&page_size=100", nil).json(t, &p)
	if len(p.Data) != 0 {
		t.Errorf("huge page number = %+v", p)
	}

	// Default page size is 25; asks above 100 are answered with 100.
	for i := range 120 {
		c.create(zoomInfoBody(fmt.Sprint("more", i)))
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles", nil).json(t, &p)
	if len(p.Data) != 25 || p.PageSize != 25 || p.Page != 1 || p.Total != 125 {
		t.Errorf("default page: %d items, page_size %d, page %d, total %d", len(p.Data), p.PageSize, p.Page, p.Total)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles?page_size=500", nil).json(t, &p)
	if len(p.Data) != 100 || p.PageSize != 100 {
		t.Errorf("page_size=500: %d items, page_size %d", len(p.Data), p.PageSize)
	}

	for _, q := range []string{"page_size=0", "page_size=-1", "page_size=x", "page=0", "page=-2", "page=two", "page=1.5", "enabled=maybe", "enabled=1"} {
		r := c.mustStatus(http.StatusBadRequest, http.MethodGet, "/connector_profiles?"+q, nil)
		if e := r.apiErr(t); e.ErrorCode != "ValidationError" || !strings.Contains(e.Message, strings.Split(q, "=")[0]) {
			t.Errorf("%s: error %+v", q, e)
		}
	}
}

func TestListFilters(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	z1 := c.create(zoomInfoBody("z1"))
	a1 := c.create(acmeBody("a1"))
	z2 := c.create(zoomInfoBody("z2"))
	a2 := c.create(acmeBody("a2"))
	c.mustStatus(http.StatusOK, http.MethodPatch, "/connector_profiles/"+z2.ID, map[string]any{"active": false})

	ids := func(pages [][]wireProfile) (out []string) {
		for _, p := range pages {
			for _, prof := range p {
				out = append(out, prof.ID)
			}
		}
		return out
	}
	for _, tc := range []struct {
		query url.Values
		want  []string
	}{
		{url.Values{"connector_key": {"acmecrm"}, "page_size": {"1"}}, []string{a1.ID, a2.ID}},
		{url.Values{"connector_key": {"zoominfo"}}, []string{z1.ID, z2.ID}},
		{url.Values{"connector_key": {"nobody"}}, nil},
		{url.Values{"enabled": {"false"}}, []string{z2.ID}},
		{url.Values{"enabled": {"true"}, "connector_key": {"zoominfo"}}, []string{z1.ID}},
		{url.Values{"enabled": {"true"}}, []string{z1.ID, a1.ID, a2.ID}},
	} {
		if got := ids(listAll(t, c, tc.query)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.query.Encode(), got, tc.want)
		}
	}
}

func TestCreateValidation(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	with := func(k string, v any) map[string]any {
		b := zoomInfoBody("v")
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
		field  string
	}{
		{"blank client_id", with("client_id", "  "), 400, "ValidationError", "client_id"},
		{"missing client_secret", with("client_secret", nil), 400, "ValidationError", "client_secret"},
		{"missing name", with("name", nil), 400, "ValidationError", "name"},
		{"name too long", with("name", strings.Repeat("n", 256)), 400, "ValidationError", "name"},
		{"control character", with("name", "a\x07b"), 400, "ValidationError", "name"},
		{"number for string", with("client_id", 42), 400, "ValidationError", "client_id"},
		{"duplicate scope", with("scopes", []string{"api:data:contact", "api:data:contact"}), 400, "ValidationError", "scopes[1]"},
		{"scope with whitespace", with("scopes", []string{"api:data:contact api:data:company"}), 400, "ValidationError", "scopes[0]"},
		{"blank action", with("actions", []string{""}), 400, "ValidationError", "actions[0]"},
		{"too many scopes", with("scopes", make([]string, 201)), 400, "ValidationError", "scopes"},
		{"scopes not a list", with("scopes", "api:data:contact"), 400, "ValidationError", "scopes"},
		{"active not a bool", with("active", "yes"), 400, "ValidationError", "active"},
		{"unknown field", with("connector", "zoominfo"), 400, "ValidationError", "connector"},
		{"the old name provider", with("provider", "zoominfo"), 400, "ValidationError", "provider"},
		{"missing connector_key", with("connector_key", nil), 400, "ValidationError", "connector_key"},
		{"unknown connector", with("connector_key", "salesforce"), 422, "UnprocessableEntity", "connector_key"},
		{"auth type of another connector", with("authentication_config_key", "oauth2_authorization_code"), 422, "UnprocessableEntity", "authentication_config_key"},
		{"unknown scope", with("scopes", []string{"api:data:contact", "contacts:read"}), 422, "UnprocessableEntity", "contacts:read"},
		{"unknown action", with("actions", []string{"acmecrm_list_deals"}), 422, "UnprocessableEntity", "acmecrm_list_deals"},
		{"bad json", `{"connector_key": "zoominfo",`, 400, "BadRequest", "JSON"},
		{"not an object", `["zoominfo"]`, 400, "BadRequest", "JSON"},
		{"two objects", `{} {}`, 400, "BadRequest", "JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.mustStatus(tc.status, http.MethodPost, "/connector_profiles", tc.body)
			e := r.apiErr(t)
			if e.ErrorCode != tc.code || !strings.Contains(e.Message, tc.field) {
				t.Errorf("error %+v: want errorCode %s and a message naming %q", e, tc.code, tc.field)
			}
		})
	}
	if n := len(s.Profiles()); n != 0 {
		t.Errorf("%d profiles created by invalid requests", n)
	}
}

func TestPatchValidation(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	p := c.create(zoomInfoBody("x"))
	path := "/connector_profiles/" + p.ID
	cases := []struct {
		body   map[string]any
		status int
		field  string
	}{
		{map[string]any{"connector_key": "acmecrm"}, 400, "connector_key"},
		{map[string]any{"authentication_config_key": "oauth2_authorization_code"}, 400, "authentication_config_key"},
		{map[string]any{"auth_type": "oauth2_authorization_code_pkce"}, 400, "auth_type"},
		{map[string]any{"client_secret": ""}, 400, "client_secret"},
		{map[string]any{"scopes": []string{"a", "a"}}, 400, "scopes[1]"},
		{map[string]any{"scopes": []string{"contacts:read"}}, 422, "contacts:read"},
		{map[string]any{"actions": []string{"nope"}}, 422, "nope"},
		{map[string]any{"id": "other"}, 400, "id"},
	}
	for _, tc := range cases {
		r := c.mustStatus(tc.status, http.MethodPatch, path, tc.body)
		if e := r.apiErr(t); !strings.Contains(e.Message, tc.field) {
			t.Errorf("PATCH %v: message %q does not name %q", tc.body, e.Message, tc.field)
		}
	}
	if got, _ := s.Profile(p.ID); got.Provider != "zoominfo" || !slices.Equal(got.Scopes, p.Scopes) || got.ClientSecret != "s3cr3t-x" {
		t.Errorf("refused PATCHes changed the profile: %+v", got)
	}
	// An empty PATCH changes nothing, not even updated_at.
	var same wireProfile
	c.mustStatus(http.StatusOK, http.MethodPatch, path, map[string]any{}).json(t, &same)
	if same.UpdatedAt != p.UpdatedAt {
		t.Errorf("empty PATCH bumped updated_at")
	}
	// Replacing lists with [] clears them.
	var cleared wireProfile
	c.mustStatus(http.StatusOK, http.MethodPatch, path, map[string]any{"scopes": []string{}, "actions": []string{}}).json(t, &cleared)
	if len(cleared.Scopes) != 0 || len(cleared.Actions) != 0 || cleared.Scopes == nil {
		t.Errorf("cleared = %+v", cleared)
	}
}

func TestIdempotency(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	key := header("Idempotency-Key", "create-1")

	first := c.mustStatus(http.StatusCreated, http.MethodPost, "/connector_profiles", zoomInfoBody("idem"), key)
	// Same body, keys in another order and spacing: still the same request.
	reordered := `{"scopes":["api:data:contact","api:data:company"], "actions":["zoominfo_search_contacts"],` +
		`"client_secret":"s3cr3t-idem","client_id":"0oaf6t3osgvaPvy4E1d7","authentication_config_key":"oauth2_authorization_code_pkce","name":"idem","connector_key":"zoominfo"}`
	second := c.mustStatus(http.StatusCreated, http.MethodPost, "/connector_profiles", reordered, key)
	if string(first.body) != string(second.body) {
		t.Fatalf("replay differs:\n%s\n%s", first.body, second.body)
	}
	if second.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay not marked")
	}
	if n := len(s.Profiles()); n != 1 {
		t.Fatalf("%d profiles after a repeated create", n)
	}

	r := c.mustStatus(http.StatusConflict, http.MethodPost, "/connector_profiles", zoomInfoBody("other"), key)
	if e := r.apiErr(t); e.ErrorCode != "IdempotencyKeyReused" {
		t.Errorf("errorCode %q", e.ErrorCode)
	}
	// A failed create does not burn its key.
	bad := zoomInfoBody("bad")
	bad["connector_key"] = "nope"
	c.mustStatus(http.StatusUnprocessableEntity, http.MethodPost, "/connector_profiles", bad, header("Idempotency-Key", "k2"))
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connector_profiles", zoomInfoBody("good"), header("Idempotency-Key", "k2"))

	// Concurrent repeats of one key create exactly one profile.
	var wg sync.WaitGroup
	ids := make([]string, 10)
	for i := range ids {
		wg.Go(func() {
			var p wireProfile
			r, err := c.send(http.MethodPost, "/connector_profiles", zoomInfoBody("race"), header("Idempotency-Key", "race"))
			if err != nil || r.status != http.StatusCreated {
				t.Errorf("concurrent create: %v %d", err, r.status)
				return
			}
			r.json(t, &p)
			ids[i] = p.ID
		})
	}
	wg.Wait()
	if ids[0] == "" || slices.ContainsFunc(ids, func(id string) bool { return id != ids[0] }) {
		t.Errorf("concurrent repeats got ids %v", ids)
	}
	if n := len(s.Profiles()); n != 3 {
		t.Errorf("%d profiles, want 3", n)
	}
}

func TestConcurrentCreates(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := c.send(http.MethodPost, "/connector_profiles", zoomInfoBody(fmt.Sprint("c", i)))
			if err != nil || r.status != http.StatusCreated {
				t.Errorf("create %d: %v %d", i, err, r.status)
			}
			// Reads interleave with writes.
			if _, err := c.send(http.MethodGet, "/connector_profiles?page_size=100", nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var p wireProfilePage
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles?page_size=100", nil).json(t, &p)
	seen := map[string]bool{}
	for _, prof := range p.Data {
		seen[prof.ID] = true
	}
	if len(p.Data) != n || len(seen) != n || len(s.Profiles()) != n {
		t.Fatalf("%d listed, %d distinct, %d stored; want %d", len(p.Data), len(seen), len(s.Profiles()), n)
	}
	if st := s.Stats(); st.Requests["POST /connector_profiles"] != n {
		t.Errorf("stats counted %d creates", st.Requests["POST /connector_profiles"])
	}
}
