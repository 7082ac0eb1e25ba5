package catalogcheck

import (
	"strings"
	"testing"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

func testCatalog() []stackone.Connector {
	return []stackone.Connector{{
		Key: "zoominfo", Name: "ZoomInfo",
		Authentication: []stackone.Authentication{{Key: "oauth2_authorization_code_pkce", Type: "oauth2"}},
		ScopeDefinitions: []stackone.ScopeDefinition{
			{Name: "api:data:contact"}, {Name: "api:data:company"},
			{Name: "api:audience:read"}, {Name: "api:audience:manage", Includes: []string{"api:audience:read"}},
		},
		Actions: []stackone.Action{
			{ID: "zoominfo_search_contacts", RequiredScopes: []string{"api:data:contact"}},
			{ID: "zoominfo_list_audiences", RequiredScopes: []string{"api:audience:read"}},
		},
	}}
}

func TestCheck(t *testing.T) {
	const pkce = "oauth2_authorization_code_pkce"
	cases := []struct {
		name        string
		profile     Profile
		wantSubject Subject // "": no problem
		wantText    string
	}{
		{"valid", Profile{Connector: "zoominfo", AuthType: pkce, Scopes: []string{"api:data:contact"}, Actions: []string{"zoominfo_search_contacts"}}, "", ""},
		{"unknown connector suggests", Profile{Connector: "zoominf", AuthType: pkce}, SubjectConnector, `Did you mean "zoominfo"`},
		{"unknown auth type", Profile{Connector: "zoominfo", AuthType: "oauth2_pkce"}, SubjectAuthType, `"oauth2_pkce"`},
		{"misspelt scope suggests", Profile{Connector: "zoominfo", AuthType: pkce, Scopes: []string{"api:data:contacts"}}, SubjectScope, `Did you mean "api:data:contact"`},
		{"unknown action", Profile{Connector: "zoominfo", AuthType: pkce, Actions: []string{"zoominfo_search_contact"}}, SubjectAction, `Did you mean "zoominfo_search_contacts"`},
		{"action missing scope", Profile{Connector: "zoominfo", AuthType: pkce, Scopes: []string{"api:data:company"}, Actions: []string{"zoominfo_search_contacts"}}, SubjectAction, `"api:data:contact"`},
		{"includes expanded", Profile{Connector: "zoominfo", AuthType: pkce, Scopes: []string{"api:audience:manage"}, Actions: []string{"zoominfo_list_audiences"}}, "", ""},
		{"empty scopes grant all", Profile{Connector: "zoominfo", AuthType: pkce, Actions: []string{"zoominfo_search_contacts"}}, "", ""},
		{"empty auth type not checked", Profile{Connector: "zoominfo", Scopes: []string{"api:data:contact"}}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			problems := Check(testCatalog(), tc.profile)
			if tc.wantSubject == "" {
				if len(problems) != 0 {
					t.Fatalf("want no problems, got %+v", problems)
				}
				return
			}
			if len(problems) != 1 || problems[0].Subject != tc.wantSubject || !strings.Contains(problems[0].Detail, tc.wantText) {
				t.Fatalf("want one %s problem containing %q, got %+v", tc.wantSubject, tc.wantText, problems)
			}
		})
	}
}

// TestCheckUnknownConnectorAlone: nothing else can be checked without the
// connector, so its problem is the only one.
func TestCheckUnknownConnectorAlone(t *testing.T) {
	problems := Check(testCatalog(), Profile{Connector: "nope", AuthType: "x", Scopes: []string{"y"}, Actions: []string{"z"}})
	if len(problems) != 1 || problems[0].Subject != SubjectConnector || problems[0].Summary != "Unknown connector" {
		t.Fatalf("want only an unknown-connector problem, got %+v", problems)
	}
}

func TestLookup(t *testing.T) {
	conn, problem := Lookup(testCatalog(), "zoominfo")
	if problem != nil || conn.Name != "ZoomInfo" {
		t.Fatalf("Lookup(zoominfo) = %+v, %+v", conn, problem)
	}
	_, problem = Lookup(testCatalog(), "ZoomInfo")
	if problem == nil || problem.Subject != SubjectConnector ||
		problem.Detail != `connector "ZoomInfo" is not in StackOne's catalog. Did you mean "zoominfo"?` {
		t.Fatalf("Lookup(ZoomInfo) problem = %+v", problem)
	}
}

func TestSuggestionListsValidValues(t *testing.T) {
	if got := suggestion("zzzzzzzz", []string{"b", "a"}); got != ` Valid values: "a", "b".` {
		t.Errorf("few candidates: %q", got)
	}
	many := make([]string, 13)
	for i := range many {
		many[i] = string(rune('a'+i)) + "-scope-name"
	}
	if got := suggestion("zzzzzzzz", many); !strings.Contains(got, "(13 in all; see data.stackone_connector)") {
		t.Errorf("many candidates: %q", got)
	}
	if got := suggestion("x", nil); got != "" {
		t.Errorf("no candidates: %q", got)
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

// TestSuggestReachIsTwoEdits: a short name is suggested for a typo up to two
// edits (an insertion, a deletion or a substitution each; case ignored) away,
// and not for three, so that "did you mean" offers a plausible typo's fix and
// nothing else.
func TestSuggestReachIsTwoEdits(t *testing.T) {
	candidates := []string{"openid"} // 6 runes: two edits at most
	for _, typo := range []string{"opnid", "openidd", "OpenID", "xpenix", "opeid_"} {
		if got := Suggest(typo, candidates, 3); len(got) != 1 || got[0] != "openid" {
			t.Errorf("Suggest(%q) = %v, want [openid] (two edits or fewer away)", typo, got)
		}
	}
	for _, far := range []string{"xxenix", "pneoid", "opxxx"} {
		if got := Suggest(far, candidates, 3); len(got) != 0 {
			t.Errorf("Suggest(%q) = %v, want none (three edits or more away)", far, got)
		}
	}
}
