package sandbox

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestPublishedModeServesOnlyPublishedRoutes(t *testing.T) {
	s := startSandbox(t, Options{API: APIPublished})
	if s.API() != APIPublished {
		t.Fatalf("API() = %q", s.API())
	}
	c := newClient(t, s)
	admin := bearer(s.AdminToken())
	var p wireProfile
	c.mustStatus(http.StatusCreated, http.MethodPost, "/admin/connector_profiles", zoomInfoBody("dash"), admin).json(t, &p)
	if p.ClientID == "" || !p.ClientSecretSet || p.Scopes == nil {
		t.Errorf("the dashboard stand-in answers without the extension fields: %+v", p)
	}

	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, "/connector_profiles", zoomInfoBody("x")},
		{http.MethodPatch, "/connector_profiles/" + p.ID, map[string]any{"name": "y"}},
		{http.MethodDelete, "/connector_profiles/" + p.ID, nil},
		{http.MethodGet, "/connector_profiles/" + p.ID, nil},
	} {
		r := c.mustStatus(http.StatusNotFound, tc.method, tc.path, tc.body)
		if e := r.apiErr(t); e.Message != "Cannot "+tc.method+" "+tc.path || e.ErrorCode != "" {
			t.Errorf("%s %s: %+v, want the router's 404", tc.method, tc.path, e)
		}
	}
	if got, _ := s.Profile(p.ID); got.Name != "dash" || len(s.Profiles()) != 1 {
		t.Errorf("refused extension writes changed the store: %+v", s.Profiles())
	}

	// The list carries the published fields only.
	r := c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles", nil)
	var page struct {
		Data []map[string]json.RawMessage `json:"data"`
	}
	r.json(t, &page)
	if len(page.Data) != 1 {
		t.Fatalf("list = %s", r.body)
	}
	for _, k := range []string{"client_id", "scopes", "actions", "client_secret_set", "client_secret_updated_at"} {
		if _, ok := page.Data[0][k]; ok {
			t.Errorf("published mode shows the extension field %q: %s", k, r.body)
		}
	}
	if _, ok := page.Data[0]["connector_key"]; !ok {
		t.Errorf("no connector_key: %s", r.body)
	}
	// Published reads work in published mode.
	c.mustStatus(http.StatusOK, http.MethodGet, "/connector_profiles/"+p.ID+"/versions", nil)
	c.mustStatus(http.StatusOK, http.MethodPut, "/connector_profiles/"+p.ID+"/pinned_version", map[string]any{"pinned_version": "1.4.0"})
	c.mustStatus(http.StatusOK, http.MethodGet, "/actions", nil)
	c.mustStatus(http.StatusOK, http.MethodGet, "/accounts", nil)
}

func TestAPIModeOption(t *testing.T) {
	if s := startSandbox(t, Options{}); s.API() != APIExtended {
		t.Errorf("default mode %q, want extended", s.API())
	}
	if _, err := Start(Options{API: "internal"}); err == nil {
		t.Error("Start accepted an unknown API mode")
	}
	for _, v := range []string{"published", "extended"} {
		if m, err := ParseAPIMode(v); err != nil || string(m) != v {
			t.Errorf("ParseAPIMode(%q) = %q, %v", v, m, err)
		}
	}
	if _, err := ParseAPIMode("Published"); err == nil {
		t.Error("ParseAPIMode accepted a spelling the flag does not document")
	}
}

func TestDashboardStandIn(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	admin := bearer(s.AdminToken())

	c.mustStatus(http.StatusUnauthorized, http.MethodPost, "/admin/connector_profiles", zoomInfoBody("x"))
	c.mustStatus(http.StatusUnauthorized, http.MethodPost, "/admin/connector_profiles", zoomInfoBody("x"), bearer(s.APIKey()))
	if len(s.Profiles()) != 0 {
		t.Fatal("an unauthenticated dashboard request created a profile")
	}

	body := zoomInfoBody("dash")
	body["active"] = false
	var p wireProfile
	c.mustStatus(http.StatusCreated, http.MethodPost, "/admin/connector_profiles", body, admin).json(t, &p)
	if p.ConnectorKey != "zoominfo" || p.Active || p.ClientID != "0oaf6t3osgvaPvy4E1d7" || !p.ClientSecretSet ||
		!slices.Equal(p.Scopes, []string{"api:data:contact", "api:data:company"}) {
		t.Fatalf("created = %+v", p)
	}
	var patched wireProfile
	c.mustStatus(http.StatusOK, http.MethodPatch, "/admin/connector_profiles/"+p.ID, map[string]any{
		"name": "renamed", "client_secret": "rotated", "actions": []string{"zoominfo_lookup"}, "active": true,
	}, admin).json(t, &patched)
	if patched.Name != "renamed" || !patched.Active || !slices.Equal(patched.Actions, []string{"zoominfo_lookup"}) {
		t.Fatalf("patched = %+v", patched)
	}
	if got, _ := s.Profile(p.ID); got.ClientSecret != "rotated" {
		t.Errorf("stored secret %q", got.ClientSecret)
	}

	// The same validation as the extension's writes.
	for _, tc := range []struct {
		method, path string
		body         map[string]any
		status       int
		field        string
	}{
		{http.MethodPost, "/admin/connector_profiles", map[string]any{"name": "x"}, 400, "is required"},
		{http.MethodPost, "/admin/connector_profiles", func() map[string]any {
			b := zoomInfoBody("x")
			b["scopes"] = []string{"contacts:read"}
			return b
		}(), 422, "contacts:read"},
		{http.MethodPatch, "/admin/connector_profiles/" + p.ID, map[string]any{"connector_key": "acmecrm"}, 400, "connector_key"},
		{http.MethodPatch, "/admin/connector_profiles/missing", map[string]any{"name": "x"}, 404, "missing"},
		{http.MethodDelete, "/admin/connector_profiles/missing", nil, 404, "missing"},
	} {
		r := c.mustStatus(tc.status, tc.method, tc.path, tc.body, admin)
		if e := r.apiErr(t); !strings.Contains(e.Message, tc.field) {
			t.Errorf("%s %s: message %q does not name %q", tc.method, tc.path, e.Message, tc.field)
		}
	}
	if n := len(s.Profiles()); n != 1 {
		t.Errorf("%d profiles, want 1", n)
	}
	st := s.Stats()
	if st.Requests["POST /admin/connector_profiles"] != 3 || st.Requests["PATCH /admin/connector_profiles/{id}"] != 3 {
		t.Errorf("dashboard requests counted as %v", st.Requests)
	}

	// Deleting in the dashboard, as the provider advises where StackOne
	// refuses profile deletes.
	c.mustStatus(http.StatusNoContent, http.MethodDelete, "/admin/connector_profiles/"+p.ID, nil, admin)
	if _, ok := s.Profile(p.ID); ok {
		t.Error("the profile is still there after DELETE /admin/connector_profiles/{id}")
	}
	if n := s.Stats().Requests["DELETE /admin/connector_profiles/{id}"]; n != 2 {
		t.Errorf("DELETE /admin/connector_profiles/{id} counted %d times, want 2", n)
	}
}
