// Package catalogcheck checks what a connector profile asks for against
// StackOne's connector catalog: the connector, its auth type, scopes and
// actions, with the nearest names when one is misspelt.
//
// It speaks in catalog terms, not Terraform's: a Problem names its Subject
// (a connector, an auth type, a scope, an action), and the provider decides
// which attribute that is. Catalog entries are the wire client's types.
package catalogcheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/agext/levenshtein"

	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// Subject is what a Problem is about, in words.
type Subject string

// The subjects of problems.
const (
	// SubjectConnector is the connector key.
	SubjectConnector Subject = "connector"
	// SubjectAuthType is the auth type key.
	SubjectAuthType Subject = "auth type"
	// SubjectScope is one of the scopes requested.
	SubjectScope Subject = "scope"
	// SubjectAction is one of the actions enabled.
	SubjectAction Subject = "action"
)

// Problem is one way a Profile disagrees with the catalog.
type Problem struct {
	Subject Subject
	Summary string
	Detail  string
}

// Profile is what a connector profile asks of the catalog. The connector is
// always looked up; of the rest, what is empty is not checked, so a caller
// leaves out what it does not know yet. An empty AuthType is not looked up;
// empty Scopes, like an empty scope list on the OAuth authorization request,
// grant every scope registered on the app, so the scopes the actions need
// are not checked either.
type Profile struct {
	Connector string
	AuthType  string
	Scopes    []string
	Actions   []string
}

// Find returns the connector with the given key.
func Find(catalog []stackone.Connector, key string) (stackone.Connector, bool) {
	i := slices.IndexFunc(catalog, func(c stackone.Connector) bool { return c.Key == key })
	if i < 0 {
		return stackone.Connector{}, false
	}
	return catalog[i], true
}

// Lookup returns the connector with the given key or, when the catalog has
// none, a Problem that suggests the nearest keys.
func Lookup(catalog []stackone.Connector, key string) (stackone.Connector, *Problem) {
	if conn, ok := Find(catalog, key); ok {
		return conn, nil
	}
	keys := make([]string, 0, len(catalog))
	for _, c := range catalog {
		keys = append(keys, c.Key)
	}
	return stackone.Connector{}, &Problem{Subject: SubjectConnector, Summary: "Unknown connector",
		Detail: fmt.Sprintf("connector %q is not in StackOne's catalog.%s", key, suggestion(key, keys))}
}

// Check checks a profile against the catalog: the connector, its auth type,
// each scope and each action must exist, and every action needs its
// required scopes granted. An unknown connector is the only problem
// reported, since nothing else can be checked without it.
func Check(catalog []stackone.Connector, p Profile) []Problem {
	conn, problem := Lookup(catalog, p.Connector)
	if problem != nil {
		return []Problem{*problem}
	}

	var problems []Problem
	if p.AuthType != "" && !slices.ContainsFunc(conn.Authentication, func(a stackone.Authentication) bool { return a.Key == p.AuthType }) {
		keys := make([]string, 0, len(conn.Authentication))
		for _, a := range conn.Authentication {
			keys = append(keys, a.Key)
		}
		problems = append(problems, Problem{Subject: SubjectAuthType, Summary: "Unknown auth type",
			Detail: fmt.Sprintf("auth_type %q is not an auth type of connector %q.%s", p.AuthType, conn.Key, suggestion(p.AuthType, keys))})
	}

	scopeNames := make([]string, 0, len(conn.ScopeDefinitions))
	for _, d := range conn.ScopeDefinitions {
		scopeNames = append(scopeNames, d.Name)
	}
	for _, s := range sorted(p.Scopes) {
		if !slices.Contains(scopeNames, s) {
			problems = append(problems, Problem{Subject: SubjectScope, Summary: "Unknown scope",
				Detail: fmt.Sprintf("scope %q is not defined for connector %q.%s", s, conn.Key, suggestion(s, scopeNames))})
		}
	}

	byID := map[string]stackone.Action{}
	ids := make([]string, 0, len(conn.Actions))
	for _, a := range conn.Actions {
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	granted := expandScopes(conn, p.Scopes)
	for _, id := range sorted(p.Actions) {
		action, ok := byID[id]
		if !ok {
			problems = append(problems, Problem{Subject: SubjectAction, Summary: "Unknown action",
				Detail: fmt.Sprintf("action %q is not an action of connector %q.%s", id, conn.Key, suggestion(id, ids))})
			continue
		}
		if len(p.Scopes) == 0 {
			continue
		}
		var missing []string
		for _, req := range action.RequiredScopes {
			if !granted[req] {
				missing = append(missing, req)
			}
		}
		if len(missing) > 0 {
			problems = append(problems, Problem{Subject: SubjectAction, Summary: "Action needs scopes the profile does not request",
				Detail: fmt.Sprintf("action %q needs the scope(s) %s, which scopes does not grant: add them to scopes (and register them on the OAuth app), remove the action, or leave scopes empty to request every scope registered on the app.", id, strings.Join(quoteEach(missing), ", "))})
		}
	}
	return problems
}

// expandScopes returns the scopes with everything they include,
// transitively, as the connector's scope definitions say.
func expandScopes(c stackone.Connector, scopes []string) map[string]bool {
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

// Suggest returns up to n candidates closest to s by edit distance, nearest
// first, leaving out any too far away to be a plausible typo.
func Suggest(s string, candidates []string, n int) []string {
	type scored struct {
		name string
		dist int
	}
	var list []scored
	for _, c := range candidates {
		d := levenshtein.Distance(strings.ToLower(s), strings.ToLower(c), nil) // in runes, each edit costing 1
		limit := max(2, len([]rune(c))/3)
		if d <= limit || strings.Contains(strings.ToLower(c), strings.ToLower(s)) && s != "" {
			list = append(list, scored{c, d})
		}
	}
	slices.SortStableFunc(list, func(a, b scored) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return strings.Compare(a.name, b.name)
	})
	out := make([]string, 0, n)
	for i := 0; i < len(list) && i < n; i++ {
		out = append(out, list[i].name)
	}
	return out
}

// suggestion ends a message about s: the nearest candidates if any are
// near, else the valid values, at most a dozen of them.
func suggestion(s string, candidates []string) string {
	if near := Suggest(s, candidates, 3); len(near) > 0 {
		return " Did you mean " + strings.Join(quoteEach(near), " or ") + "?"
	}
	if len(candidates) == 0 {
		return ""
	}
	all := sorted(candidates)
	if len(all) > 12 {
		return fmt.Sprintf(" Valid values include %s, … (%d in all; see data.stackone_connector).", strings.Join(quoteEach(all[:12]), ", "), len(all))
	}
	return " Valid values: " + strings.Join(quoteEach(all), ", ") + "."
}

// sorted returns a sorted copy, leaving the caller's slice alone.
func sorted(in []string) []string {
	return slices.Sorted(slices.Values(in))
}

func quoteEach(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
