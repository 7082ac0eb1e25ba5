package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The published field lists, as StackOne's newest API description gives
// them (Ruby SDK 0.41.0, branch speakeasy-sdk-regen-1777887644,
// docs/models/shared/*.md): for each field its JSON type, whether it is
// required, and for enums the values. A sandbox answer passes when every
// required field is there with its type, every optional field is absent,
// null or of its type, and no field is outside the list. Each test below
// asks the sandox's published mode (what live StackOne serves) once per
// endpoint and method an SDK of theirs calls.

type field struct {
	typ      string // string, number, boolean, array, object
	required bool
	enum     []string
	items    shape // array of objects
	itemTyp  string
	object   shape // a nested object
}

type shape map[string]field

func req(typ string) field { return field{typ: typ, required: true} }
func opt(typ string) field { return field{typ: typ} }

var (
	connectorProfileShape = shape{
		"id": req("string"), "name": req("string"), "connector_key": req("string"), "connector_label": req("string"),
		"logo_url": req("string"), "categories": {typ: "array", required: true, itemTyp: "string"}, "active": req("boolean"),
		"default": req("boolean"), "release_stage": req("string"), "created_at": req("string"), "updated_at": req("string"),
		"authentication_config_key": opt("string"), "authentication_config_label": opt("string"), "environment": opt("string"),
		"connector_version": opt("string"), "connector_pinned_version": opt("string"), "connector_owner": opt("string"),
	}
	profilePageShape = shape{"data": {typ: "array", required: true, items: connectorProfileShape},
		"page": req("number"), "page_size": req("number"), "total": req("number")}
	versionShape = shape{"version": req("string"), "owner": req("string"), "builtin": req("boolean"), "pinned": req("boolean")}
	pinShape     = shape{"connector_profile_id": req("string"), "pinned_version": req("string"), "owner": opt("string"),
		"created_at": req("string"), "updated_at": req("string")}
	attemptShape = shape{"id": req("string"), "status": {typ: "string", enum: []string{"pending", "authenticated", "error", "cancelled"}},
		"oauth_error_code": opt("string"), "oauth_error_description": opt("string"), "account_secure_id": opt("string"),
		"created_at": req("string"), "updated_at": req("string")}
	connectSessionShape = shape{
		"id": req("number"), "organization_id": req("string"), "project_id": req("string"), "origin_owner_id": req("string"),
		"origin_owner_name": req("string"), "created_at": req("string"),
		"account_id": opt("string"), "categories": {typ: "array", itemTyp: "string"}, "connector_profile_id": opt("string"),
		"external_trigger_token": opt("string"), "integration_id": opt("string"), "label": opt("string"),
		"latest_connection_attempt": {typ: "object", object: attemptShape}, "metadata": opt("object"),
		"origin_username": opt("string"), "provider": opt("string"), "type": {typ: "string", enum: []string{"production", "test"}},
	}
	connectSessionCreatedShape = with(connectSessionShape, shape{"token": req("string"), "auth_link_url": req("string")})
	statusReasonShape          = shape{"code": opt("string"), "description": opt("string"), "timestamp": req("string")}
	linkedAccountShape         = shape{
		"id": req("string"), "provider": req("string"), "origin_owner_id": req("string"), "origin_owner_name": req("string"),
		"status":     {typ: "string", required: true, enum: []string{"active", "inactive", "suspended", "archived", "expired", "error"}},
		"created_at": req("string"), "updated_at": req("string"),
		"categories": {typ: "array", itemTyp: "string"}, "credentials": opt("object"), "label": opt("string"),
		"origin_username": opt("string"), "provider_name": opt("string"), "setup_information": opt("object"),
		"shared": opt("boolean"), "status_reasons": {typ: "array", items: statusReasonShape},
		"type": {typ: "string", enum: []string{"production", "test"}},
	}
	accountMetaShape = shape{"provider": req("string"), "models": req("object"),
		"category": {typ: "string", required: true, enum: []string{"ats", "hris", "hris-legacy", "crm", "iam", "marketing", "lms", "stackone", "documents", "ticketing", "screening", "messaging", "accounting", "scheduling"}}}
	guideShape        = shape{"sections": {typ: "array", required: true, items: shape{"title": req("string"), "content": req("string"), "applicable_scopes": {typ: "array", itemTyp: "string"}, "list": {typ: "array", itemTyp: "string"}, "image": opt("object"), "steps": opt("array")}}, "warning": opt("string")}
	authMetaShape     = shape{"key": opt("string"), "label": opt("string"), "type": opt("string"), "required_scopes": {typ: "array", itemTyp: "string"}, "support": {typ: "object", object: shape{"description": opt("string"), "link": opt("string"), "guides": {typ: "object", object: shape{"config": {typ: "object", object: guideShape}, "setup": {typ: "object", object: guideShape}}}}}}
	actionMetaShape   = shape{"id": opt("string"), "label": opt("string"), "description": opt("string"), "required_scopes": {typ: "array", itemTyp: "string"}, "action_details": opt("object"), "authentication": {typ: "array", items: authMetaShape}, "schema_type": opt("string"), "tags": {typ: "array", itemTyp: "string"}}
	actionsMetaShape  = shape{"key": opt("string"), "name": opt("string"), "description": opt("string"), "icon": opt("string"), "categories": {typ: "array", itemTyp: "string"}, "release_stage": opt("string"), "version": opt("string"), "account_id": opt("string"), "connector_profile_id": opt("string"), "integration_id": opt("string"), "actions": {typ: "array", items: actionMetaShape}, "authentication": {typ: "array", items: authMetaShape}, "scope_definitions": {typ: "array", items: shape{"name": req("string"), "description": req("string"), "includes": {typ: "array", itemTyp: "string"}}}}
	actionsPageShape  = shape{"data": {typ: "array", items: actionsMetaShape}, "next": opt("string")}
	actionSearchShape = shape{"query": req("string"), "results": {typ: "array", required: true, items: shape{"id": req("string"), "similarity_score": req("number")}}, "total_count": req("number"), "connector_filter": opt("string"), "project_filter": opt("string")}
	connectorsMeta    = shape{"provider": req("string"), "provider_name": req("string"), "category": req("string"), "active": opt("boolean"), "models": req("object"), "resources": {typ: "object", object: shape{"images": {typ: "object", object: shape{"logo_url": opt("string"), "original_logo_horizontal_url": opt("string")}}}}}
	errorShape        = shape{"statusCode": req("number"), "message": req("string"), "timestamp": req("string"), "errorCode": opt("string"), "data": opt("object"), "provider_errors": opt("array")}
)

func with(base, more shape) shape {
	out := shape{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

func jsonType(raw json.RawMessage) string {
	switch t := strings.TrimSpace(string(raw)); {
	case t == "null":
		return "null"
	case strings.HasPrefix(t, `"`):
		return "string"
	case strings.HasPrefix(t, "{"):
		return "object"
	case strings.HasPrefix(t, "["):
		return "array"
	case t == "true" || t == "false":
		return "boolean"
	}
	return "number"
}

// shapeProblems lists how raw departs from sh, each with its path.
func shapeProblems(where string, raw json.RawMessage, sh shape) []string {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return []string{fmt.Sprintf("%s: not an object: %.80s", where, raw)}
	}
	var out []string
	for name, v := range obj {
		f, ok := sh[name]
		if !ok {
			out = append(out, fmt.Sprintf("%s.%s: not a published field", where, name))
			continue
		}
		out = append(out, valueProblems(where+"."+name, v, f)...)
	}
	for name, f := range sh {
		if _, ok := obj[name]; f.required && !ok {
			out = append(out, fmt.Sprintf("%s.%s: required, missing", where, name))
		}
	}
	sort.Strings(out)
	return out
}

func valueProblems(where string, v json.RawMessage, f field) []string {
	got := jsonType(v)
	if got == "null" {
		if f.required {
			return []string{where + ": required, null"}
		}
		return nil
	}
	if got != f.typ {
		return []string{fmt.Sprintf("%s: %s, want %s", where, got, f.typ)}
	}
	var out []string
	switch {
	case f.enum != nil:
		var s string
		_ = json.Unmarshal(v, &s)
		if !slices.Contains(f.enum, s) {
			out = append(out, fmt.Sprintf("%s: %q is not one of %v", where, s, f.enum))
		}
	case f.object != nil:
		out = append(out, shapeProblems(where, v, f.object)...)
	case f.typ == "array":
		var items []json.RawMessage
		_ = json.Unmarshal(v, &items)
		for i, item := range items {
			at := fmt.Sprintf("%s[%d]", where, i)
			switch {
			case f.items != nil:
				out = append(out, shapeProblems(at, item, f.items)...)
			case f.itemTyp != "" && jsonType(item) != f.itemTyp:
				out = append(out, fmt.Sprintf("%s: %s, want %s", at, jsonType(item), f.itemTyp))
			}
		}
	}
	return out
}

// checkAnswer fails when r's status is not want or its body departs from sh
// (an array body: each item).
func checkAnswer(t *testing.T, what string, r response, want int, sh shape, array bool) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, want, r.body)
	}
	var problems []string
	if array {
		var items []json.RawMessage
		if err := json.Unmarshal(r.body, &items); err != nil || items == nil {
			t.Fatalf("%s: not a JSON array: %s", what, r.body)
		}
		if len(items) == 0 {
			t.Fatalf("%s: an empty array checks nothing", what)
		}
		for i, item := range items {
			problems = append(problems, shapeProblems(fmt.Sprintf("[%d]", i), item, sh)...)
		}
	} else {
		problems = shapeProblems("$", r.body, sh)
	}
	if len(problems) > 0 {
		t.Errorf("%s departs from the published fields:\n  %s\nbody: %s", what, strings.Join(problems, "\n  "), r.body)
	}
}

func TestShapeCheckerCatchesDepartures(t *testing.T) {
	for name, body := range map[string]string{
		"number where a string is published": `{"connector_profile_id":"p","pinned_version":"1","created_at":"t","updated_at":1}`,
		"required field missing":             `{"connector_profile_id":"p","created_at":"t","updated_at":"t"}`,
		"unpublished field":                  `{"connector_profile_id":"p","pinned_version":"1","created_at":"t","updated_at":"t","extra":1}`,
		"required null":                      `{"connector_profile_id":null,"pinned_version":"1","created_at":"t","updated_at":"t"}`,
	} {
		if len(shapeProblems("$", json.RawMessage(body), pinShape)) == 0 {
			t.Errorf("%s: not caught", name)
		}
	}
	if p := shapeProblems("$", json.RawMessage(`{"id":"a","provider":"z","origin_owner_id":"o","origin_owner_name":"O","status":"broken","created_at":"t","updated_at":"t"}`), linkedAccountShape); len(p) != 1 {
		t.Errorf("an unpublished enum value: %v", p)
	}
}

// publishedWorld is a published-mode sandbox with a dashboard profile, a pin
// and a linked account.
func publishedWorld(t *testing.T) (*Sandbox, *testClient, wireProfile, string) {
	t.Helper()
	s := startSandbox(t, Options{API: APIPublished})
	c := newClient(t, s)
	app := s.ZoomInfoApp()
	var p wireProfile
	c.mustStatus(http.StatusCreated, http.MethodPost, dashboardProfilesRoute, map[string]any{
		"connector_key": "zoominfo", "name": "dashboard", "authentication_config_key": "oauth2_authorization_code_pkce",
		"client_id": app.ClientID, "client_secret": app.ClientSecret, "scopes": []string{"api:data:contact"},
	}, bearer(s.AdminToken())).json(t, &p)
	accountID := linkOwner(t, s, c, map[string]any{"origin_owner_id": "o-1", "origin_owner_name": "One", "connector_profile_id": p.ID,
		"label": "Sales", "origin_username": "ada@example.com", "type": "test"})
	return s, c, p, accountID
}

// linkOwner links an account through a connect session created with body,
// and returns the account id the session reports.
func linkOwner(t *testing.T, s *Sandbox, c *testClient, body map[string]any) string {
	t.Helper()
	var cs wireSession
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connect_sessions", body).json(t, &cs)
	b := newBrowser(t)
	cb, _ := toCallback(t, s, b, cs.AuthLinkURL)
	if r := b.get(cb.String()); r.status != http.StatusOK {
		t.Fatalf("callback: %d %s", r.status, r.body)
	}
	att := sessionStatus(c, cs.ID).LatestConnectionAttempt
	if att == nil || att.AccountSecureID == nil {
		t.Fatalf("session %d linked no account", cs.ID)
	}
	return *att.AccountSecureID
}

func TestPublishedFields_profiles(t *testing.T) {
	_, c, p, _ := publishedWorld(t)
	checkAnswer(t, "GET /connector_profiles", c.do(http.MethodGet, "/connector_profiles", nil), 200, profilePageShape, false)
	checkAnswer(t, "GET /auth_configs", c.do(http.MethodGet, "/auth_configs?connector_key=zoominfo&page=1&page_size=10", nil), 200, profilePageShape, false)
	checkAnswer(t, "GET /connector_profiles/{id}/versions", c.do(http.MethodGet, "/connector_profiles/"+p.ID+"/versions", nil), 200, versionShape, true)
	pin := "/connector_profiles/" + p.ID + "/pinned_version"
	checkAnswer(t, "PUT …/pinned_version", c.do(http.MethodPut, pin, map[string]any{"pinned_version": "1.x.x"}), 200, pinShape, false)
	checkAnswer(t, "GET …/pinned_version", c.do(http.MethodGet, pin, nil), 200, pinShape, false)
	checkAnswer(t, "GET /connector_profiles (pinned)", c.do(http.MethodGet, "/connector_profiles", nil), 200, profilePageShape, false)
	c.mustStatus(http.StatusNoContent, http.MethodDelete, pin, nil)
	checkAnswer(t, "GET …/pinned_version (none)", c.do(http.MethodGet, pin, nil), 404, errorShape, false)
}

func TestPublishedFields_connectSessions(t *testing.T) {
	s, c, p, accountID := publishedWorld(t)
	r := c.do(http.MethodPost, "/connect_sessions", map[string]any{"origin_owner_id": "o-2", "origin_owner_name": "Two", "connector_profile_id": p.ID,
		"categories": []string{"crm"}, "metadata": map[string]any{"plan": "gold"}, "label": "L", "expires_in": 60})
	checkAnswer(t, "POST /connect_sessions", r, 201, connectSessionCreatedShape, false)
	var cs wireSession
	r.json(t, &cs)
	checkAnswer(t, "POST /connect_sessions/authenticate", c.do(http.MethodPost, "/connect_sessions/authenticate", map[string]any{"token": cs.Token}), 201, connectSessionShape, false)
	checkAnswer(t, "GET /connect_sessions/{id} (no attempt)", c.do(http.MethodGet, fmt.Sprintf("/connect_sessions/%d", cs.ID), nil), 200, connectSessionShape, false)
	checkAnswer(t, "POST /connect_sessions (no provider)", c.do(http.MethodPost, "/connect_sessions", map[string]any{"origin_owner_id": "o-3", "origin_owner_name": "Three"}), 201, connectSessionCreatedShape, false)
	checkAnswer(t, "POST /connect_sessions (edit mode)", c.do(http.MethodPost, "/connect_sessions", map[string]any{"origin_owner_id": "o-1", "origin_owner_name": "One", "account_id": accountID}), 201, connectSessionCreatedShape, false)
	b := newBrowser(t)
	cb, _ := toCallback(t, s, b, cs.AuthLinkURL)
	b.get(cb.String())
	checkAnswer(t, "GET /connect_sessions/{id} (linked)", c.do(http.MethodGet, fmt.Sprintf("/connect_sessions/%d", cs.ID), nil), 200, connectSessionShape, false)
	checkAnswer(t, "POST /connect_sessions/authenticate (spent)", c.do(http.MethodPost, "/connect_sessions/authenticate", map[string]any{"token": cs.Token}), 401, errorShape, false)
}

func TestPublishedFields_accounts(t *testing.T) {
	s, c, _, accountID := publishedWorld(t)
	checkAnswer(t, "GET /accounts", c.do(http.MethodGet, "/accounts?providers[]=zoominfo&page=1&page_size=10", nil), 200, linkedAccountShape, true)
	checkAnswer(t, "GET /accounts/{id}", c.do(http.MethodGet, "/accounts/"+accountID, nil), 200, linkedAccountShape, false)
	s.SetAccountStatus(accountID, "error", StatusReason{Code: "invalid_grant", Description: "The refresh token was revoked.", Timestamp: s.now()})
	checkAnswer(t, "GET /accounts/{id} (error)", c.do(http.MethodGet, "/accounts/"+accountID, nil), 200, linkedAccountShape, false)
	checkAnswer(t, "PATCH /accounts/{id}", c.do(http.MethodPatch, "/accounts/"+accountID, map[string]any{"label": "Renamed", "shared": true, "type": "production"}), 200, linkedAccountShape, false)
	checkAnswer(t, "GET /accounts/{id}/meta", c.do(http.MethodGet, "/accounts/"+accountID+"/meta", nil), 200, accountMetaShape, false)
	checkAnswer(t, "DELETE /accounts/{id}", c.do(http.MethodDelete, "/accounts/"+accountID, nil), 200, linkedAccountShape, false)
	checkAnswer(t, "GET /accounts/{id} (deleted)", c.do(http.MethodGet, "/accounts/"+accountID, nil), 404, errorShape, false)
}

func TestPublishedFields_catalog(t *testing.T) {
	_, c, _, accountID := publishedWorld(t)
	for _, q := range []string{"", "filter[connectors]=zoominfo", "include=action_details,authentication_guides,event_guides",
		"exclude=actions", "search=contact", "group_by=connector", "filter[account_ids]=" + accountID, "filter[action_key]=zoominfo_search_contacts", "page_size=1"} {
		r := c.do(http.MethodGet, "/actions?"+q, nil)
		checkAnswer(t, "GET /actions?"+q, r, 200, actionsPageShape, false)
		var pg struct{ Data []json.RawMessage }
		r.json(t, &pg)
		if len(pg.Data) == 0 {
			t.Errorf("GET /actions?%s: no items to check", q)
		}
	}
	checkAnswer(t, "POST /actions/search", c.do(http.MethodPost, "/actions/search", map[string]any{"query": "search contacts", "connector": "zoominfo", "top_k": 3, "min_similarity": 0.4}), 200, actionSearchShape, false)
	checkAnswer(t, "GET /connectors/meta", c.do(http.MethodGet, "/connectors/meta?include=resources", nil), 200, connectorsMeta, true)
	checkAnswer(t, "GET /connectors/meta/{provider}", c.do(http.MethodGet, "/connectors/meta/zoominfo?include="+url.QueryEscape("resources,inactive"), nil), 200, connectorsMeta, false)
	checkAnswer(t, "GET /connectors/meta/{provider} (unknown)", c.do(http.MethodGet, "/connectors/meta/nope", nil), 404, errorShape, false)
}
