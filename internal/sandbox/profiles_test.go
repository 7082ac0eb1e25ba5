package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
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
	var created profileJSON
	r.json(t, &created)
	if len(created.ID) != 36 || created.ID[14] != '4' {
		t.Errorf("id %q is not a UUID v4", created.ID)
	}
	if r.header.Get("Location") != "/connector_profiles/"+created.ID {
		t.Errorf("Location = %q", r.header.Get("Location"))
	}
	wantRedirect := s.BaseURL() + "/connect/oauth2/zoominfo/callback"
	if created.RedirectURI != wantRedirect || created.Provider != "zoominfo" || created.Name != "prod" ||
		created.AuthType != "oauth2_authorization_code_pkce" || !created.Active || !created.ClientSecretSet ||
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
	if !ok || stored.ClientSecret != "s3cr3t-prod" {
		t.Fatalf("stored profile = %+v, %v", stored, ok)
	}

	var got profileJSON
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles/"+created.ID, nil).json(t, &got)
	if !reflect.DeepEqual(got, created) {
		t.Fatalf("GET = %+v, want %+v", got, created)
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
	var patched profileJSON
	c.mustStatus(http.StatusOK, http.MethodPatch, "/connector_profiles/"+created.ID, map[string]any{
		"name": "renamed", "scopes": []string{"api:data:intent"}, "active": false,
		"provider": "zoominfo", // unchanged values are accepted
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
	var rotated profileJSON
	c.mustStatus(http.StatusOK, http.MethodPatch, "/connector_profiles/"+created.ID, map[string]any{"client_secret": "new-secret"}).json(t, &rotated)
	if *rotated.ClientSecretUpdatedAt == *patched.ClientSecretUpdatedAt || rotated.UpdatedAt == patched.UpdatedAt {
		t.Errorf("setting client_secret did not bump the timestamps: %+v", rotated)
	}
	if p, _ := s.Profile(created.ID); p.ClientSecret != "new-secret" {
		t.Errorf("stored secret = %q", p.ClientSecret)
	}

	c.mustStatus(http.StatusNoContent, http.MethodDelete, "/connector_profiles/"+created.ID, nil)
	for _, m := range []string{http.MethodGet, http.MethodPatch, http.MethodDelete} {
		r := c.mustStatus(http.StatusNotFound, m, "/connector_profiles/"+created.ID, map[string]any{})
		if e := r.apiErr(t); e.ErrorCode != "NotFound" {
			t.Errorf("%s of a deleted profile: errorCode %q", m, e.ErrorCode)
		}
	}
	if _, ok := s.Profile(created.ID); ok || len(s.Profiles()) != 1 {
		t.Errorf("profile still stored after DELETE; profiles = %d", len(s.Profiles()))
	}
}

func listAll(t *testing.T, c *testClient, query url.Values) (pages [][]profileJSON) {
	t.Helper()
	for i := 0; ; i++ {
		if i > 50 {
			t.Fatal("pagination does not end")
		}
		var p listPage
		c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles?"+query.Encode(), nil).json(t, &p)
		pages = append(pages, p.Data)
		if p.Next == nil {
			return pages
		}
		if *p.Next == "" {
			t.Fatal("next is an empty string instead of null")
		}
		query.Set("next", *p.Next)
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

	// Exactly full last page: next is null, not a cursor to an empty page.
	if pages := listAll(t, c, url.Values{"page_size": {"5"}}); len(pages) != 1 {
		t.Errorf("page_size=5 over 5 profiles gave %d pages", len(pages))
	}

	// A delete between pages skips nothing that remains.
	var first listPage
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles?page_size=2", nil).json(t, &first)
	c.mustStatus(http.StatusNoContent, http.MethodDelete, "/connector_profiles/"+ids[1], nil)
	var second listPage
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles?page_size=2&next="+url.QueryEscape(*first.Next), nil).json(t, &second)
	if len(second.Data) != 2 || second.Data[0].ID != ids[2] || second.Data[1].ID != ids[3] {
		t.Errorf("second page after a delete = %v", second.Data)
	}

	// Default page size is 25.
	for i := range 25 {
		c.create(zoomInfoBody(fmt.Sprint("more", i)))
	}
	var def listPage
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles", nil).json(t, &def)
	if len(def.Data) != 25 || def.Next == nil {
		t.Errorf("default page: %d items, next %v", len(def.Data), def.Next)
	}

	for _, q := range []string{"page_size=0", "page_size=101", "page_size=x", "next=bogus", "next=" + encodeCursor("actions", 1)} {
		r := c.mustStatus(http.StatusBadRequest, http.MethodGet, "/connector_profiles?"+q, nil)
		if e := r.apiErr(t); e.ErrorCode != "ValidationError" {
			t.Errorf("%s: errorCode %q", q, e.ErrorCode)
		}
	}
}

func TestListFilterProvider(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	z1 := c.create(zoomInfoBody("z1"))
	a1 := c.create(acmeBody("a1"))
	z2 := c.create(zoomInfoBody("z2"))
	a2 := c.create(acmeBody("a2"))
	if a1.RedirectURI != s.BaseURL()+"/connect/oauth2/acmecrm/callback" {
		t.Errorf("acme redirect_uri = %q", a1.RedirectURI)
	}

	ids := func(pages [][]profileJSON) (out []string) {
		for _, p := range pages {
			for _, prof := range p {
				out = append(out, prof.ID)
			}
		}
		return out
	}
	if got := ids(listAll(t, c, url.Values{"filter[provider]": {"acmecrm"}, "page_size": {"1"}})); !slices.Equal(got, []string{a1.ID, a2.ID}) {
		t.Errorf("acmecrm filter = %v", got)
	}
	if got := ids(listAll(t, c, url.Values{"filter[provider]": {"zoominfo"}})); !slices.Equal(got, []string{z1.ID, z2.ID}) {
		t.Errorf("zoominfo filter = %v", got)
	}
	if got := ids(listAll(t, c, url.Values{"filter[provider]": {"nobody"}})); len(got) != 0 {
		t.Errorf("unknown provider filter = %v", got)
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
		{"unknown provider", with("provider", "salesforce"), 422, "UnprocessableEntity", "provider"},
		{"auth type of another connector", with("auth_type", "oauth2_authorization_code"), 422, "UnprocessableEntity", "auth_type"},
		{"unknown scope", with("scopes", []string{"api:data:contact", "contacts:read"}), 422, "UnprocessableEntity", "contacts:read"},
		{"unknown action", with("actions", []string{"acmecrm_list_deals"}), 422, "UnprocessableEntity", "acmecrm_list_deals"},
		{"bad json", `{"provider": "zoominfo",`, 400, "BadRequest", "JSON"},
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
		{map[string]any{"provider": "acmecrm"}, 400, "provider"},
		{map[string]any{"auth_type": "oauth2_authorization_code"}, 400, "auth_type"},
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
	var same profileJSON
	c.mustStatus(http.StatusOK, http.MethodPatch, path, map[string]any{}).json(t, &same)
	if same.UpdatedAt != p.UpdatedAt {
		t.Errorf("empty PATCH bumped updated_at")
	}
	// Replacing lists with [] clears them.
	var cleared profileJSON
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
		`"client_secret":"s3cr3t-idem","client_id":"0oaf6t3osgvaPvy4E1d7","auth_type":"oauth2_authorization_code_pkce","name":"idem","provider":"zoominfo"}`
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
	bad["provider"] = "nope"
	c.mustStatus(http.StatusUnprocessableEntity, http.MethodPost, "/connector_profiles", bad, header("Idempotency-Key", "k2"))
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connector_profiles", zoomInfoBody("good"), header("Idempotency-Key", "k2"))

	// Concurrent repeats of one key create exactly one profile.
	var wg sync.WaitGroup
	ids := make([]string, 10)
	for i := range ids {
		wg.Go(func() {
			var p profileJSON
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
	var p listPage
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
