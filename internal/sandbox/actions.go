package sandbox

import (
	"cmp"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"unicode"
)

// The catalog's options and neighbours as StackOne publishes them (Ruby SDK
// 0.41.0: list_actions_meta, search_actions, list_connectors_meta,
// get_connector_meta): GET /actions with include, exclude, search,
// group_by and filter[connectors|account_ids|action_key]; POST
// /actions/search; GET /connectors/meta[/{provider}].

// actionsQuery is what GET /actions was asked for.
type actionsQuery struct {
	include    map[string]bool // action_details, authentication_guides, event_guides
	noActions  bool            // exclude=actions
	search     string
	connectors map[string]bool
	accountIDs []string
	actionKey  string
}

var (
	actionsIncludes = []string{"action_details", "authentication_guides", "event_guides"}
	actionsExcludes = []string{"actions"}
)

// listValues reads a query parameter given as name=a&name=b, name[]=a or
// name=a,b, in order, without duplicates.
func listValues(r *http.Request, names ...string) []string {
	var out []string
	q := r.URL.Query()
	for _, name := range names {
		for _, v := range append(q[name], q[name+"[]"]...) {
			for _, item := range strings.Split(v, ",") {
				if item = strings.TrimSpace(item); item != "" && !slices.Contains(out, item) {
					out = append(out, item)
				}
			}
		}
	}
	return out
}

func readActionsQuery(r *http.Request) (actionsQuery, *apiError) {
	q := actionsQuery{include: map[string]bool{}, search: strings.TrimSpace(r.URL.Query().Get("search")),
		actionKey: strings.TrimSpace(r.URL.Query().Get("filter[action_key]"))}
	for _, v := range listValues(r, "include") {
		if !slices.Contains(actionsIncludes, v) {
			return q, validationError("include %q is not one of %s", v, strings.Join(actionsIncludes, ", "))
		}
		q.include[v] = true
	}
	for _, v := range listValues(r, "exclude") {
		if !slices.Contains(actionsExcludes, v) {
			return q, validationError("exclude %q is not one of %s", v, strings.Join(actionsExcludes, ", "))
		}
		q.noActions = true
	}
	if g := r.URL.Query().Get("group_by"); g != "" && strings.Trim(g, `[]"`) != "connector" {
		return q, validationError("group_by %q is not supported: results are grouped by connector", g)
	}
	if keys := listValues(r, "filter[connectors]"); keys != nil {
		q.connectors = map[string]bool{}
		for _, k := range keys {
			q.connectors[k] = true
		}
	}
	q.accountIDs = listValues(r, "filter[account_ids]")
	return q, nil
}

// actionsMetaJSON is one item of GET /actions (StackOne's ActionsMeta).
type actionsMetaJSON struct {
	Key                string               `json:"key"`
	Name               string               `json:"name"`
	Description        string               `json:"description"`
	Icon               string               `json:"icon"`
	Categories         []string             `json:"categories"`
	ReleaseStage       string               `json:"release_stage"`
	Version            string               `json:"version"`
	Actions            *[]actionMetaJSON    `json:"actions,omitempty"` // nil with exclude=actions
	Authentication     []authenticationJSON `json:"authentication"`
	ScopeDefinitions   []ScopeDefinition    `json:"scope_definitions"`
	AccountID          *string              `json:"account_id,omitempty"`
	ConnectorProfileID *string              `json:"connector_profile_id,omitempty"`
}

type actionMetaJSON struct {
	ID             string         `json:"id"`
	Label          string         `json:"label"`
	Description    string         `json:"description"`
	RequiredScopes []string       `json:"required_scopes"`
	ActionDetails  map[string]any `json:"action_details,omitempty"`
}

type authenticationJSON struct {
	Key            string      `json:"key"`
	Label          string      `json:"label"`
	Type           string      `json:"type"`
	RequiredScopes []string    `json:"required_scopes"`
	Support        supportJSON `json:"support"`
}

type supportJSON struct {
	Link        string      `json:"link"`
	Description string      `json:"description"`
	Guides      *guidesJSON `json:"guides,omitempty"`
}

type guidesJSON struct {
	Config guideJSON `json:"config"`
	Setup  guideJSON `json:"setup"`
}

type guideJSON struct {
	Sections []guideSectionJSON `json:"sections"`
}

type guideSectionJSON struct {
	Title   string `json:"title"`
	Content string `json:"content"`
}

// actionDescription is an action's description: the sandbox's catalog has
// labels only, so the label stands in for it.
func actionDescription(a Action) string { return a.Label }

// matchesSearch is GET /actions' search: "text search across provider
// names, action labels, and action descriptions", case-insensitive.
func matchesSearch(text, search string) bool {
	return strings.Contains(strings.ToLower(text), strings.ToLower(search))
}

// actionsItem renders c for q; false when q filters it out.
func (s *Sandbox) actionsItem(c Connector, q actionsQuery) (actionsMetaJSON, bool) {
	connectorMatches := q.search == "" || matchesSearch(c.Name, q.search) || matchesSearch(c.Key, q.search)
	var actions []actionMetaJSON
	for _, a := range c.Actions {
		if q.actionKey != "" && a.ID != q.actionKey {
			continue
		}
		if !connectorMatches && !matchesSearch(a.Label, q.search) && !matchesSearch(actionDescription(a), q.search) && !matchesSearch(a.ID, q.search) {
			continue
		}
		am := actionMetaJSON{ID: a.ID, Label: a.Label, Description: actionDescription(a), RequiredScopes: append([]string{}, a.RequiredScopes...)}
		if q.include["action_details"] {
			am.ActionDetails = map[string]any{"id": a.ID, "label": a.Label, "required_scopes": append([]string{}, a.RequiredScopes...)}
		}
		actions = append(actions, am)
	}
	if (q.actionKey != "" || !connectorMatches) && len(actions) == 0 {
		return actionsMetaJSON{}, false
	}
	item := actionsMetaJSON{
		Key: c.Key, Name: c.Name, Description: c.Name + " connector", Icon: c.LogoURL,
		Categories: append([]string{}, c.Categories...), ReleaseStage: c.ReleaseStage,
		ScopeDefinitions: c.clone().ScopeDefinitions,
	}
	if v, ok := resolvePin(c.Versions, pinLatest, ""); ok {
		item.Version = v.Version
	}
	if !q.noActions {
		all := append([]actionMetaJSON{}, actions...)
		item.Actions = &all
	}
	for _, a := range c.Authentication {
		aj := authenticationJSON{Key: a.Key, Label: a.Label, Type: a.Type, RequiredScopes: append([]string{}, a.RequiredScopes...),
			Support: supportJSON{Link: a.Support.Link, Description: a.Support.Description}}
		if q.include["authentication_guides"] {
			aj.Support.Guides = &guidesJSON{
				Config: guideJSON{Sections: []guideSectionJSON{{Title: "Create the OAuth app", Content: a.Support.Description}}},
				Setup:  guideJSON{Sections: []guideSectionJSON{{Title: "Link an account", Content: "Sign in to " + c.Name + " and grant access."}}},
			}
		}
		item.Authentication = append(item.Authentication, aj)
	}
	return item, true
}

// actionsItems is the whole filtered answer of GET /actions, before paging.
// With filter[account_ids], one item per account (its connector), carrying
// account_id and connector_profile_id, as StackOne describes those fields.
func (s *Sandbox) actionsItems(q actionsQuery) []actionsMetaJSON {
	var out []actionsMetaJSON
	if q.accountIDs != nil {
		for _, id := range q.accountIDs {
			a, ok := s.Account(id)
			if !ok {
				continue
			}
			c, ok := s.connector(a.Provider)
			if !ok || (q.connectors != nil && !q.connectors[c.Key]) {
				continue
			}
			if item, ok := s.actionsItem(c, q); ok {
				item.AccountID, item.ConnectorProfileID = nullable(a.ID), nullable(a.IntegrationID)
				out = append(out, item)
			}
		}
		return out
	}
	for _, c := range s.catalog {
		if q.connectors != nil && !q.connectors[c.Key] {
			continue
		}
		if item, ok := s.actionsItem(c, q); ok {
			out = append(out, item)
		}
	}
	return out
}

// --- POST /actions/search ---

var actionSearchFields = []string{"query", "connector", "min_similarity", "top_k"}

type actionSearchResponseJSON struct {
	Query           string                   `json:"query"`
	Results         []actionSearchResultJSON `json:"results"`
	TotalCount      int                      `json:"total_count"`
	ConnectorFilter *string                  `json:"connector_filter"`
	ProjectFilter   *string                  `json:"project_filter"`
}

type actionSearchResultJSON struct {
	ID              string  `json:"id"`
	SimilarityScore float64 `json:"similarity_score"`
}

// searchActions implements POST /actions/search: the actions nearest a text
// query. StackOne ranks by embedding similarity; the sandbox ranks by the
// share of the query's words found in an action's label, description and id
// (0..1), which keeps answers deterministic. Result ids use StackOne's form
// {connector}_{version}_{action id}_global.
func (s *Sandbox) searchActions(w http.ResponseWriter, r *http.Request) {
	fields, _, aerr := readObject(w, r, "an action search", actionSearchFields...)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	query, aerr := requiredString(fields, "query")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	connector, _, aerr := stringField(fields, "connector")
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	minSim, topK := 0.0, 10.0
	for _, f := range []struct {
		name     string
		dst      *float64
		min, max float64
	}{{"min_similarity", &minSim, 0, 1}, {"top_k", &topK, 1, 100}} {
		if raw := fields[f.name]; !isNull(raw) {
			var v float64
			if err := json.Unmarshal(raw, &v); err != nil || v < f.min || v > f.max || math.IsNaN(v) {
				writeError(w, validationError("%s must be a number from %g to %g", f.name, f.min, f.max))
				return
			}
			*f.dst = v
		}
	}
	words := searchWords(query)
	var results []actionSearchResultJSON
	for _, c := range s.catalog {
		if connector != "" && c.Key != connector {
			continue
		}
		version, _ := resolvePin(c.Versions, pinLatest, "")
		for _, a := range c.Actions {
			score := similarity(words, searchWords(a.Label+" "+actionDescription(a)+" "+strings.ReplaceAll(a.ID, "_", " ")))
			if score > 0 && score >= minSim {
				results = append(results, actionSearchResultJSON{ID: c.Key + "_" + version.Version + "_" + a.ID + "_global", SimilarityScore: score})
			}
		}
	}
	slices.SortStableFunc(results, func(a, b actionSearchResultJSON) int { return cmp.Compare(b.SimilarityScore, a.SimilarityScore) })
	if len(results) > int(topK) {
		results = results[:int(topK)]
	}
	writeJSON(w, http.StatusOK, actionSearchResponseJSON{
		Query: query, Results: append([]actionSearchResultJSON{}, results...), TotalCount: len(results),
		ConnectorFilter: nullable(connector),
	})
}

func searchWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// similarity is the share of query words (or their stems, a trailing "s"
// dropped) found among words.
func similarity(query, words []string) float64 {
	if len(query) == 0 {
		return 0
	}
	hits := 0
	for _, q := range query {
		if slices.ContainsFunc(words, func(w string) bool { return strings.TrimSuffix(w, "s") == strings.TrimSuffix(q, "s") }) {
			hits++
		}
	}
	return math.Round(float64(hits)/float64(len(query))*1000) / 1000
}

// --- GET /connectors/meta[/{provider}] ---

// connectorsMetaJSON is StackOne's ConnectorsMeta (legacy connector
// metadata).
type connectorsMetaJSON struct {
	Provider     string         `json:"provider"`
	ProviderName string         `json:"provider_name"`
	Category     string         `json:"category"`
	Active       bool           `json:"active"`
	Models       map[string]any `json:"models"`
	Resources    *resourcesJSON `json:"resources,omitempty"`
}

type resourcesJSON struct {
	Images imagesJSON `json:"images"`
}

type imagesJSON struct {
	LogoURL                   string `json:"logo_url"`
	OriginalLogoHorizontalURL string `json:"original_logo_horizontal_url"`
}

var connectorsMetaIncludes = []string{"field_path", "unmapped_fields", "resources", "inactive", "webhooks", "static_fields"}

// connectorsMetaInclude reads include (comma-separated, StackOne's
// options); the sandbox acts on resources and inactive and accepts the rest.
func connectorsMetaInclude(r *http.Request) (map[string]bool, *apiError) {
	include := map[string]bool{}
	for _, v := range listValues(r, "include") {
		if !slices.Contains(connectorsMetaIncludes, v) {
			return nil, validationError("include %q is not one of %s", v, strings.Join(connectorsMetaIncludes, ", "))
		}
		include[v] = true
	}
	return include, nil
}

// connectorMeta renders c; active when the project has an active profile
// of it ("enabled on the integrations page").
func (s *Sandbox) connectorMeta(c Connector, include map[string]bool) connectorsMetaJSON {
	active := slices.ContainsFunc(s.Profiles(), func(p Profile) bool { return p.Provider == c.Key && p.Active })
	out := connectorsMetaJSON{Provider: c.Key, ProviderName: c.Name, Category: firstOr(c.Categories, ""), Active: active, Models: map[string]any{}}
	if include["resources"] {
		out.Resources = &resourcesJSON{Images: imagesJSON{LogoURL: c.LogoURL, OriginalLogoHorizontalURL: c.LogoURL}}
	}
	return out
}

// listConnectorsMeta implements GET /connectors/meta: a bare array of the
// connectors enabled in the project, every connector with include=inactive.
func (s *Sandbox) listConnectorsMeta(w http.ResponseWriter, r *http.Request) {
	include, aerr := connectorsMetaInclude(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	out := []connectorsMetaJSON{}
	for _, c := range s.catalog {
		if m := s.connectorMeta(c, include); m.Active || include["inactive"] {
			out = append(out, m)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// getConnectorMeta implements GET /connectors/meta/{provider}; 404 for a
// connector the catalog does not have.
func (s *Sandbox) getConnectorMeta(w http.ResponseWriter, r *http.Request) {
	include, aerr := connectorsMetaInclude(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	c, ok := s.connector(r.PathValue("provider"))
	if !ok {
		writeError(w, notFound("connector %q not found", r.PathValue("provider")))
		return
	}
	writeJSON(w, http.StatusOK, s.connectorMeta(c, include))
}
