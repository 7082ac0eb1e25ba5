package sandbox

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

// seedAccount stores a linked account directly: the filters are about
// listing, and linking through a browser is tested elsewhere.
func seedAccount(s *Sandbox, a Account) {
	s.link.mu.Lock()
	defer s.link.mu.Unlock()
	s.link.accounts = append(s.link.accounts, &accountRecord{a: a})
}

func TestAccountFilters(t *testing.T) {
	s := startSandbox(t, Options{})
	c := newClient(t, s)
	now := time.Now().UTC()
	for _, a := range []Account{
		{ID: "a1", Provider: "zoominfo", OriginOwnerID: "o1", Status: "active"},
		{ID: "a2", Provider: "acmecrm", OriginOwnerID: "o2", Status: "active"},
		{ID: "a3", Provider: "zoominfo", OriginOwnerID: "o2", Status: "error"},
		{ID: "a4", Provider: "acmecrm", OriginOwnerID: "o3", Status: "inactive"},
	} {
		a.OriginOwnerName, a.CreatedAt, a.UpdatedAt = "Owner "+a.OriginOwnerID, now, now
		seedAccount(s, a)
	}
	ids := func(query string) []string {
		t.Helper()
		var got []wireAccount
		c.mustStatus(http.StatusOK, http.MethodGet, "/accounts?"+query, nil).json(t, &got)
		out := []string{}
		for _, a := range got {
			out = append(out, a.ID)
		}
		return out
	}
	for _, tc := range []struct {
		query url.Values
		want  []string
	}{
		{url.Values{}, []string{"a1", "a2", "a3", "a4"}},
		{url.Values{"providers": {"zoominfo"}}, []string{"a1", "a3"}},
		{url.Values{"providers": {"zoominfo", "acmecrm"}}, []string{"a1", "a2", "a3", "a4"}},
		{url.Values{"providers[]": {"acmecrm"}}, []string{"a2", "a4"}},
		{url.Values{"providers": {"acmecrm,zoominfo"}, "status": {"active"}}, []string{"a1", "a2"}},
		{url.Values{"origin_owner_id": {"o2"}}, []string{"a2", "a3"}},
		{url.Values{"origin_owner_ids": {"o1", "o3"}}, []string{"a1", "a4"}},
		{url.Values{"origin_owner_ids[]": {"o1"}, "origin_owner_id": {"o3"}}, []string{"a1", "a4"}},
		{url.Values{"status[]": {"error", "inactive"}}, []string{"a3", "a4"}},
		{url.Values{"account_ids": {"a4,a1"}}, []string{"a1", "a4"}},
		{url.Values{"account_ids": {"nope"}}, []string{}},
		{url.Values{"providers": {"zoominfo"}, "page_size": {"1"}, "page": {"2"}}, []string{"a3"}},
	} {
		if got := ids(tc.query.Encode()); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.query.Encode(), got, tc.want)
		}
	}
	if acc, ok := s.Account("a3"); !ok || acc.Status != "error" {
		t.Errorf("Account(a3) = %+v, %v", acc, ok)
	}
}

func TestAccountFieldsByMode(t *testing.T) {
	for _, mode := range []APIMode{APIExtended, APIPublished} {
		s := startSandbox(t, Options{API: mode})
		c := newClient(t, s)
		now := time.Now().UTC()
		seedAccount(s, Account{ID: "a1", Provider: "zoominfo", IntegrationID: "p1", Status: "active", Scopes: []string{"openid"},
			OriginOwnerID: "o", OriginOwnerName: "O", Label: "Sales", CreatedAt: now, UpdatedAt: now})
		var one map[string]json.RawMessage
		c.mustStatus(http.StatusOK, http.MethodGet, "/accounts/a1", nil).json(t, &one)
		for _, k := range []string{"id", "provider", "origin_owner_id", "origin_owner_name", "status", "created_at", "updated_at", "label", "provider_name"} {
			if _, ok := one[k]; !ok {
				t.Errorf("%s: account has no %q", mode, k)
			}
		}
		_, hasProfile := one["connector_profile_id"]
		_, hasScopes := one["scopes"]
		if want := mode == APIExtended; hasProfile != want || hasScopes != want {
			t.Errorf("%s: connector_profile_id present %v, scopes present %v", mode, hasProfile, hasScopes)
		}
		if string(one["provider_name"]) != `"ZoomInfo"` || string(one["label"]) != `"Sales"` {
			t.Errorf("%s: account = %v", mode, one)
		}
	}
}
