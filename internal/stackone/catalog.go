package stackone

import (
	"fmt"
	"sort"
	"strings"
)

// ProfileSpec is what a connector profile asks of the catalog. A field whose
// Known flag is false is not checked: its value is decided only at apply.
type ProfileSpec struct {
	Connector      string
	ConnectorKnown bool
	AuthType       string
	AuthTypeKnown  bool
	Scopes         []string
	ScopesKnown    bool
	Actions        []string
	ActionsKnown   bool
}

// CatalogProblem is one way a ProfileSpec disagrees with the catalog. Field is
// the profile attribute at fault ("connector", "auth_type", "scopes", "actions").
type CatalogProblem struct {
	Field   string
	Summary string
	Detail  string
}

// FindConnector returns the connector with the given key.
func FindConnector(catalog []Connector, key string) (Connector, bool) {
	for _, c := range catalog {
		if c.Key == key {
			return c, true
		}
	}
	return Connector{}, false
}

// FindAuthentication returns the connector's auth type with the given key.
func (c Connector) FindAuthentication(key string) (Authentication, bool) {
	for _, a := range c.Authentication {
		if a.Key == key {
			return a, true
		}
	}
	return Authentication{}, false
}

// ExpandScopes returns the scopes with everything they include, transitively.
func (c Connector) ExpandScopes(scopes []string) map[string]bool {
	includes := map[string][]string{}
	for _, d := range c.ScopeDefinitions {
		includes[d.Name] = d.Includes
	}
	out := map[string]bool{}
	var add func(string)
	add = func(s string) {
		if out[s] {
			return
		}
		out[s] = true
		for _, inc := range includes[s] {
			add(inc)
		}
	}
	for _, s := range scopes {
		add(s)
	}
	return out
}

// ValidateProfile checks a profile against the catalog: the connector, its
// auth type, each scope and each action must exist, and every action needs
// its required scopes granted (an empty scope list grants every scope
// registered on the OAuth app, so it is not checked).
func ValidateProfile(catalog []Connector, p ProfileSpec) []CatalogProblem {
	if !p.ConnectorKnown {
		return nil
	}
	conn, ok := FindConnector(catalog, p.Connector)
	if !ok {
		keys := make([]string, 0, len(catalog))
		for _, c := range catalog {
			keys = append(keys, c.Key)
		}
		return []CatalogProblem{{Field: "connector", Summary: "Unknown connector",
			Detail: fmt.Sprintf("connector %q is not in StackOne's catalog.%s", p.Connector, suggestion(p.Connector, keys))}}
	}

	var problems []CatalogProblem
	if p.AuthTypeKnown {
		if _, ok := conn.FindAuthentication(p.AuthType); !ok {
			keys := make([]string, 0, len(conn.Authentication))
			for _, a := range conn.Authentication {
				keys = append(keys, a.Key)
			}
			problems = append(problems, CatalogProblem{Field: "auth_type", Summary: "Unknown auth type",
				Detail: fmt.Sprintf("auth_type %q is not an auth type of connector %q.%s", p.AuthType, conn.Key, suggestion(p.AuthType, keys))})
		}
	}

	scopeNames := make([]string, 0, len(conn.ScopeDefinitions))
	for _, d := range conn.ScopeDefinitions {
		scopeNames = append(scopeNames, d.Name)
	}
	if p.ScopesKnown {
		for _, s := range sortedCopy(p.Scopes) {
			if !contains(scopeNames, s) {
				problems = append(problems, CatalogProblem{Field: "scopes", Summary: "Unknown scope",
					Detail: fmt.Sprintf("scope %q is not defined for connector %q.%s", s, conn.Key, suggestion(s, scopeNames))})
			}
		}
	}

	if p.ActionsKnown {
		byID := map[string]Action{}
		ids := make([]string, 0, len(conn.Actions))
		for _, a := range conn.Actions {
			byID[a.ID] = a
			ids = append(ids, a.ID)
		}
		granted := conn.ExpandScopes(p.Scopes)
		for _, id := range sortedCopy(p.Actions) {
			action, ok := byID[id]
			if !ok {
				problems = append(problems, CatalogProblem{Field: "actions", Summary: "Unknown action",
					Detail: fmt.Sprintf("action %q is not an action of connector %q.%s", id, conn.Key, suggestion(id, ids))})
				continue
			}
			if !p.ScopesKnown || len(p.Scopes) == 0 {
				continue
			}
			var missing []string
			for _, req := range action.RequiredScopes {
				if !granted[req] {
					missing = append(missing, req)
				}
			}
			if len(missing) > 0 {
				problems = append(problems, CatalogProblem{Field: "actions", Summary: "Action needs scopes the profile does not request",
					Detail: fmt.Sprintf("action %q needs the scope(s) %s, which scopes does not grant: add them to scopes (and register them on the OAuth app), remove the action, or leave scopes empty to request every scope registered on the app.", id, quoteList(missing))})
			}
		}
	}
	return problems
}

// Suggest returns up to n candidates closest to s by edit distance, nearest
// first, leaving out any too far away to be a plausible typo.
func Suggest(s string, candidates []string, n int) []string {
	type scored struct {
		name string
		dist int
	}
	var list []scored
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		limit := max(2, len([]rune(c))/3)
		if d <= limit || strings.Contains(strings.ToLower(c), strings.ToLower(s)) && s != "" {
			list = append(list, scored{c, d})
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		if list[i].dist != list[j].dist {
			return list[i].dist < list[j].dist
		}
		return list[i].name < list[j].name
	})
	out := make([]string, 0, n)
	for i := 0; i < len(list) && i < n; i++ {
		out = append(out, list[i].name)
	}
	return out
}

func suggestion(s string, candidates []string) string {
	if near := Suggest(s, candidates, 3); len(near) > 0 {
		return " Did you mean " + strings.Join(quoteEach(near), " or ") + "?"
	}
	if len(candidates) == 0 {
		return ""
	}
	sorted := sortedCopy(candidates)
	if len(sorted) > 12 {
		return fmt.Sprintf(" Valid values include %s, … (%d in all; see data.stackone_connector).", strings.Join(quoteEach(sorted[:12]), ", "), len(sorted))
	}
	return " Valid values: " + strings.Join(quoteEach(sorted), ", ") + "."
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedCopy(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}

func quoteEach(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func quoteList(in []string) string { return strings.Join(quoteEach(in), ", ") }
