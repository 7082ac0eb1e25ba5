package sandbox

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRelinking: as StackOne's connect-session reference describes, linking
// again with the same origin_owner_id, origin_owner_name and provider
// updates the existing account (one account, same id); with multiple a new
// one is made; account_id opens edit mode on that account.
func TestRelinking(t *testing.T) {
	s, c, p, first := publishedWorld(t)
	owner := map[string]any{"origin_owner_id": "o-1", "origin_owner_name": "One", "connector_profile_id": p.ID}
	if again := linkOwner(t, s, c, owner); again != first {
		t.Fatalf("linking the same owner again made account %s, want the existing %s updated", again, first)
	}
	if n := len(s.Accounts()); n != 1 {
		t.Fatalf("%d accounts after linking one owner twice, want 1", n)
	}
	a, _ := s.Account(first)
	if a.Label != "Sales" || a.OriginUsername != "ada@example.com" {
		t.Errorf("relinked account lost its fields: %+v", a)
	}

	// Another owner name is another account; multiple makes a second one.
	other := linkOwner(t, s, c, map[string]any{"origin_owner_id": "o-1", "origin_owner_name": "One Ltd", "connector_profile_id": p.ID})
	multi := map[string]any{"origin_owner_id": "o-1", "origin_owner_name": "One", "connector_profile_id": p.ID, "multiple": true}
	second := linkOwner(t, s, c, multi)
	if other == first || second == first || second == other || len(s.Accounts()) != 3 {
		t.Fatalf("accounts %s %s %s (%d in all), want three", first, other, second, len(s.Accounts()))
	}

	// Edit mode: account_id re-links that account, even with multiple.
	edit := linkOwner(t, s, c, map[string]any{"origin_owner_id": "o-1", "origin_owner_name": "One", "account_id": second, "multiple": true})
	if edit != second || len(s.Accounts()) != 3 {
		t.Fatalf("edit mode linked %s (%d accounts), want %s updated", edit, len(s.Accounts()), second)
	}
	// An account of another provider cannot be edited through this profile.
	c.mustStatus(http.StatusUnprocessableEntity, http.MethodPost, "/connect_sessions", map[string]any{
		"origin_owner_id": "o-1", "origin_owner_name": "One", "account_id": second, "connector_profile_id": acmeProfile(t, c).ID}).apiErr(t)
}

// TestHubSelection: a session without provider or profile opens the Hub's
// selection ("omit to show the full provider selection screen"); the person
// picks a profile and links through it.
func TestHubSelection(t *testing.T) {
	s, c, p, _ := publishedWorld(t)
	var cs wireSession
	c.mustStatus(http.StatusCreated, http.MethodPost, "/connect_sessions", map[string]any{
		"origin_owner_id": "o-9", "origin_owner_name": "Nine", "provider_version": "1.0.0"}).json(t, &cs)
	if cs.Provider != "" || cs.ConnectorProfileID != "" || !strings.HasPrefix(cs.AuthLinkURL, s.BaseURL()+"/embedded/integrations?token=") {
		t.Fatalf("session without provider = %+v", cs)
	}
	b := newBrowser(t)
	page := b.get(cs.AuthLinkURL)
	m := regexp.MustCompile(`id="connect-` + p.ID + `" href="([^"]+)"`).FindSubmatch(page.body)
	if page.status != http.StatusOK || m == nil {
		t.Fatalf("selection page: %d %s", page.status, page.body)
	}
	href := strings.ReplaceAll(string(m[1]), "&amp;", "&")
	cb, _ := toCallback(t, s, b, s.BaseURL()+href)
	if r := b.get(cb.String()); r.status != http.StatusOK {
		t.Fatalf("callback: %d %s", r.status, r.body)
	}
	st := sessionStatus(c, cs.ID)
	if st.ConnectorProfileID != p.ID || st.Provider != "zoominfo" || st.LatestConnectionAttempt == nil || st.LatestConnectionAttempt.Status != AttemptAuthenticated {
		t.Fatalf("after picking, session = %+v", st)
	}
	if r := b.get(cs.AuthLinkURL); r.status != http.StatusBadRequest {
		t.Errorf("the selection page opened again after the token was spent: %d", r.status)
	}
}

// TestAccountUpdateAndDelete: PATCH /accounts/{id} changes what StackOne's
// PatchAccountExternalDto names, refuses a provider change and a profile of
// another connector; DELETE answers the account and removes it.
func TestAccountUpdateAndDelete(t *testing.T) {
	s, c, p, id := publishedWorld(t)
	var a wireAccount
	c.mustStatus(http.StatusOK, http.MethodPatch, "/accounts/"+id, map[string]any{
		"label": "Renamed", "origin_owner_name": "One plc", "shared": true, "type": "production", "connector_profile_id": p.ID,
		"metadata": map[string]any{"k": "v"}, "provider": "zoominfo"}).json(t, &a)
	if a.ID != id || deref(a.Label) != "Renamed" || a.OriginOwnerName != "One plc" {
		t.Fatalf("patched account = %+v", a)
	}
	var raw map[string]json.RawMessage
	c.mustStatus(http.StatusOK, http.MethodGet, "/accounts/"+id, nil).json(t, &raw)
	if string(raw["shared"]) != "true" || string(raw["type"]) != `"production"` {
		t.Errorf("after PATCH shared=%s type=%s", raw["shared"], raw["type"])
	}
	for _, body := range []map[string]any{{"provider": "acmecrm"}, {"type": "staging"}, {"shared": "yes"}, {"nope": 1}, {"credentials": "x"}} {
		c.mustStatus(http.StatusBadRequest, http.MethodPatch, "/accounts/"+id, body).apiErr(t)
	}
	c.mustStatus(http.StatusNotFound, http.MethodPatch, "/accounts/"+id, map[string]any{"connector_profile_id": "missing"}).apiErr(t)
	c.mustStatus(http.StatusNotFound, http.MethodPatch, "/accounts/nope", map[string]any{"label": "x"}).apiErr(t)
	c.mustStatus(http.StatusOK, http.MethodDelete, "/accounts/"+id, nil).json(t, &a)
	if a.ID != id || len(s.Accounts()) != 0 {
		t.Fatalf("DELETE answered %+v; %d accounts left", a, len(s.Accounts()))
	}
	c.mustStatus(http.StatusNotFound, http.MethodDelete, "/accounts/"+id, nil).apiErr(t)
	c.mustStatus(http.StatusNotFound, http.MethodGet, "/accounts/"+id+"/meta", nil).apiErr(t)
}

// TestAccountPatchKeepsConcurrentRelink: a relink and a status change that
// land while a PATCH /accounts/{id} is under way stay: the PATCH changes the
// fields it names on the account as stored when it edits, and does not write
// back the account it read (which would revert the profile, scopes, status
// and status reasons).
func TestAccountPatchKeepsConcurrentRelink(t *testing.T) {
	s, c, _, id := publishedWorld(t)
	app := s.ZoomInfoApp()
	var p2 wireProfile
	c.mustStatus(http.StatusCreated, http.MethodPost, dashboardProfilesRoute, map[string]any{
		"connector_key": "zoominfo", "name": "second", "authentication_config_key": "oauth2_authorization_code_pkce",
		"client_id": app.ClientID, "client_secret": app.ClientSecret, "scopes": []string{"api:data:company", "api:data:news"},
	}, bearer(s.AdminToken())).json(t, &p2)

	// The PATCH stops after reading the account until the test has relinked
	// it and put it in error.
	read, resume := make(chan struct{}), make(chan struct{})
	release := sync.OnceFunc(func() { close(resume) })
	defer release() // a failed test still lets the handler end before the sandbox closes
	s.accountPatchRead = func(string) {
		close(read)
		<-resume
	}
	type result struct {
		r   response
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := c.send(http.MethodPatch, "/accounts/"+id, map[string]any{"label": "Renamed", "shared": true})
		done <- result{r, err}
	}()
	<-read
	if again := linkOwner(t, s, c, map[string]any{"origin_owner_id": "o-1", "origin_owner_name": "One", "connector_profile_id": p2.ID}); again != id {
		t.Fatalf("relink made account %s, want %s updated", again, id)
	}
	reason := StatusReason{Code: "token_revoked", Description: "revoked", Timestamp: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if !s.SetAccountStatus(id, "error", reason) {
		t.Fatalf("SetAccountStatus(%s) found no account", id)
	}
	release()
	res := <-done
	if res.err != nil || res.r.status != http.StatusOK {
		t.Fatalf("PATCH: %v %d %s", res.err, res.r.status, res.r.body)
	}

	a, _ := s.Account(id)
	if a.Label != "Renamed" || !a.Shared {
		t.Errorf("the PATCH's own fields were not applied: label %q shared %v", a.Label, a.Shared)
	}
	if a.IntegrationID != p2.ID || !slices.Equal(a.Scopes, []string{"api:data:company", "api:data:news"}) {
		t.Errorf("the PATCH reverted the relink: profile %s scopes %v, want %s %v", a.IntegrationID, a.Scopes, p2.ID, []string{"api:data:company", "api:data:news"})
	}
	if a.Status != "error" || len(a.StatusReasons) != 1 || a.StatusReasons[0] != reason {
		t.Errorf("the PATCH reverted the status change: %q %+v", a.Status, a.StatusReasons)
	}
	var wire wireAccount
	if err := json.Unmarshal(res.r.body, &wire); err != nil || wire.Status != "error" || deref(wire.Label) != "Renamed" {
		t.Errorf("PATCH answered %s, want the account as stored after the edit", res.r.body)
	}
}

// TestActionsOptions: /actions honours StackOne's published options.
func TestActionsOptions(t *testing.T) {
	_, c, p, accountID := publishedWorld(t)
	get := func(q string) []map[string]json.RawMessage {
		t.Helper()
		var pg struct{ Data []map[string]json.RawMessage }
		c.mustStatus(http.StatusOK, http.MethodGet, "/actions?"+q, nil).json(t, &pg)
		return pg.Data
	}
	keys := func(items []map[string]json.RawMessage) (out []string) {
		for _, it := range items {
			out = append(out, strings.Trim(string(it["key"]), `"`))
		}
		return out
	}
	if got := keys(get("")); len(got) != 2 {
		t.Fatalf("all connectors: %v", got)
	}
	if items := get("exclude=actions"); len(items) != 2 || items[0]["actions"] != nil {
		t.Errorf("exclude=actions still lists actions: %s", items[0]["actions"])
	}
	if items := get("search=acme"); len(items) != 1 || keys(items)[0] != "acmecrm" {
		t.Errorf("search=acme: %v", keys(items))
	}
	items := get("search=scoops")
	var acts []struct{ ID string }
	if len(items) == 1 {
		_ = json.Unmarshal(items[0]["actions"], &acts)
	}
	if len(acts) != 1 || acts[0].ID != "zoominfo_search_scoops" {
		t.Errorf("search=scoops: %v %v", keys(items), acts)
	}
	items = get("filter[action_key]=acmecrm_list_deals")
	if len(items) != 1 || keys(items)[0] != "acmecrm" {
		t.Errorf("filter[action_key]: %v", keys(items))
	}
	items = get("filter[account_ids]=" + accountID)
	if len(items) != 1 || string(items[0]["account_id"]) != `"`+accountID+`"` || string(items[0]["connector_profile_id"]) != `"`+p.ID+`"` {
		t.Errorf("filter[account_ids]: %v", items)
	}
	if items := get("include=authentication_guides"); !strings.Contains(string(items[0]["authentication"]), `"guides"`) {
		t.Errorf("include=authentication_guides has no guides: %s", items[0]["authentication"])
	}
	if items := get(""); strings.Contains(string(items[0]["authentication"]), `"guides"`) {
		t.Errorf("guides without include: %s", items[0]["authentication"])
	}
	if items := get("include=action_details"); !strings.Contains(string(items[0]["actions"]), `"action_details"`) {
		t.Errorf("include=action_details has none")
	}
	for _, q := range []string{"include=everything", "exclude=auth", "group_by=category"} {
		c.mustStatus(http.StatusBadRequest, http.MethodGet, "/actions?"+q, nil).apiErr(t)
	}

	var res struct {
		Results []struct {
			ID    string  `json:"id"`
			Score float64 `json:"similarity_score"`
		}
		TotalCount int `json:"total_count"`
	}
	c.mustStatus(http.StatusOK, http.MethodPost, "/actions/search", map[string]any{"query": "search contacts", "top_k": 2}).json(t, &res)
	if len(res.Results) == 0 || res.Results[0].ID != "zoominfo_1.5.0_zoominfo_search_contacts_global" || res.Results[0].Score != 1 || res.TotalCount != len(res.Results) || len(res.Results) > 2 {
		t.Errorf("search results = %+v", res)
	}
	for _, body := range []any{map[string]any{}, map[string]any{"query": "x", "top_k": 0}, map[string]any{"query": "x", "min_similarity": 2}} {
		c.mustStatus(http.StatusBadRequest, http.MethodPost, "/actions/search", body).apiErr(t)
	}

	var metas []struct {
		Provider string `json:"provider"`
		Active   bool   `json:"active"`
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/connectors/meta", nil).json(t, &metas)
	if len(metas) != 1 || metas[0].Provider != "zoominfo" || !metas[0].Active {
		t.Errorf("connectors/meta (enabled only) = %+v", metas)
	}
	c.mustStatus(http.StatusOK, http.MethodGet, "/connectors/meta?include=inactive", nil).json(t, &metas)
	if len(metas) != 2 {
		t.Errorf("connectors/meta?include=inactive = %+v", metas)
	}
	c.mustStatus(http.StatusBadRequest, http.MethodGet, "/connectors/meta?include=everything", nil).apiErr(t)
}

// TestUnknownRoutesStill404: the routes added keep the router's answer for
// what is not served.
func TestUnknownRoutesStill404(t *testing.T) {
	_, c, _, _ := publishedWorld(t)
	for _, mr := range [][2]string{{"GET", "/connect_sessions/authenticate/x"}, {"PUT", "/accounts/x"}, {"POST", "/connectors/meta"},
		{"GET", "/actions/search"}, {"DELETE", "/auth_configs"}, {"GET", "/accounts/x/meta/y"}} {
		r := c.do(mr[0], mr[1], nil)
		if e := r.apiErr(t); r.status != http.StatusNotFound || e.Message != "Cannot "+mr[0]+" "+mr[1] || e.ErrorCode != "" {
			t.Errorf("%s %s: %d %s", mr[0], mr[1], r.status, r.body)
		}
	}
}

// acmeProfile makes an Acme CRM profile in the dashboard stand-in.
func acmeProfile(t *testing.T, c *testClient) wireProfile {
	t.Helper()
	var p wireProfile
	c.mustStatus(http.StatusCreated, http.MethodPost, dashboardProfilesRoute, map[string]any{
		"connector_key": "acmecrm", "name": "acme", "authentication_config_key": "oauth2_authorization_code",
		"client_id": "acme-client", "client_secret": "acme-secret",
	}, bearer(c.s.AdminToken())).json(t, &p)
	return p
}
