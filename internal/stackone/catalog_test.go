package stackone

import (
	"strings"
	"testing"
)

func testCatalog() []Connector {
	return []Connector{{
		Key: "zoominfo", Name: "ZoomInfo",
		Authentication: []Authentication{{Key: "oauth2_authorization_code_pkce", Type: "oauth2"}},
		ScopeDefinitions: []ScopeDefinition{
			{Name: "api:data:contact"}, {Name: "api:data:company"},
			{Name: "api:audience:read"}, {Name: "api:audience:manage", Includes: []string{"api:audience:read"}},
		},
		Actions: []Action{
			{ID: "zoominfo_search_contacts", RequiredScopes: []string{"api:data:contact"}},
			{ID: "zoominfo_list_audiences", RequiredScopes: []string{"api:audience:read"}},
		},
	}}
}

func known(p ProfileSpec) ProfileSpec {
	p.ConnectorKnown, p.AuthTypeKnown, p.ScopesKnown, p.ActionsKnown = true, true, true, true
	return p
}

func TestValidateProfile(t *testing.T) {
	base := ProfileSpec{Connector: "zoominfo", AuthType: "oauth2_authorization_code_pkce"}
	cases := []struct {
		name      string
		spec      ProfileSpec
		wantField string
		wantText  string
	}{
		{"valid", known(ProfileSpec{Connector: "zoominfo", AuthType: base.AuthType, Scopes: []string{"api:data:contact"}, Actions: []string{"zoominfo_search_contacts"}}), "", ""},
		{"unknown connector suggests", known(ProfileSpec{Connector: "zoominf", AuthType: base.AuthType}), "connector", `Did you mean "zoominfo"`},
		{"unknown auth type", known(ProfileSpec{Connector: "zoominfo", AuthType: "oauth2_pkce"}), "auth_type", `"oauth2_pkce"`},
		{"misspelt scope suggests", known(ProfileSpec{Connector: "zoominfo", AuthType: base.AuthType, Scopes: []string{"api:data:contacts"}}), "scopes", `Did you mean "api:data:contact"`},
		{"unknown action", known(ProfileSpec{Connector: "zoominfo", AuthType: base.AuthType, Actions: []string{"zoominfo_search_contact"}}), "actions", `Did you mean "zoominfo_search_contacts"`},
		{"action missing scope", known(ProfileSpec{Connector: "zoominfo", AuthType: base.AuthType, Scopes: []string{"api:data:company"}, Actions: []string{"zoominfo_search_contacts"}}), "actions", `"api:data:contact"`},
		{"includes expanded", known(ProfileSpec{Connector: "zoominfo", AuthType: base.AuthType, Scopes: []string{"api:audience:manage"}, Actions: []string{"zoominfo_list_audiences"}}), "", ""},
		{"empty scopes grant all", known(ProfileSpec{Connector: "zoominfo", AuthType: base.AuthType, Actions: []string{"zoominfo_search_contacts"}}), "", ""},
		{"unknown connector value skipped", ProfileSpec{Connector: "", AuthType: "x", AuthTypeKnown: true}, "", ""},
		{"unknown scopes skip action check", ProfileSpec{Connector: "zoominfo", ConnectorKnown: true, AuthType: base.AuthType, AuthTypeKnown: true, Actions: []string{"zoominfo_search_contacts"}, ActionsKnown: true}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			problems := ValidateProfile(testCatalog(), tc.spec)
			if tc.wantField == "" {
				if len(problems) != 0 {
					t.Fatalf("want no problems, got %+v", problems)
				}
				return
			}
			if len(problems) != 1 || problems[0].Field != tc.wantField || !strings.Contains(problems[0].Detail, tc.wantText) {
				t.Fatalf("want one %s problem containing %q, got %+v", tc.wantField, tc.wantText, problems)
			}
		})
	}
}

func TestSuggestOrdersByDistance(t *testing.T) {
	got := Suggest("api:data:compny", []string{"api:data:contact", "api:data:company", "openid"}, 3)
	if len(got) == 0 || got[0] != "api:data:company" {
		t.Fatalf("Suggest = %v, want api:data:company first", got)
	}
	if got := Suggest("zzzzzzzz", []string{"openid", "email"}, 3); len(got) != 0 {
		t.Fatalf("Suggest for a far-off name = %v, want none", got)
	}
}
