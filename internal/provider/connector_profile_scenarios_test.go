package provider_test

// Scenario tests: what platform engineers do with many connector profiles
// over the life of a configuration (for_each fleets, moved and removed
// blocks, import blocks, defaults, replacements, values known only at apply,
// -refresh=false and plan -destroy), each checked both in the plan Terraform
// shows and on the sandbox server.

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// Sandbox request counter keys (method and route template).
const (
	scnPOST    = "POST /connector_profiles"
	scnPATCH   = "PATCH /connector_profiles/{id}"
	scnDELETE  = "DELETE /connector_profiles/{id}"
	scnGET     = "GET /connector_profiles/{id}"
	scnList    = "GET /connector_profiles"
	scnCatalog = "GET /actions"
)

// scnProvider is the provider block; the client-side rate limit is raised
// only to keep fleets of profiles fast, it is not under test here.
func scnProvider(tg *acctest.Target) string {
	return tg.ProviderConfig("max_requests_per_minute = 60000")
}

// scnRequests returns the sandbox's count of requests for a route.
func scnRequests(tg *acctest.Target, key string) int {
	return tg.Sandbox.Stats().Requests[key]
}

// scnStateIDs maps each stackone_connector_profile address in state to its
// id. It reads Terraform's JSON state: terraform-plugin-testing's legacy
// *terraform.State (Check, CheckDestroy) cannot hold for_each instances, so
// tests with for_each check state through ConfigStateChecks only, and end
// with a step that removes every for_each resource.
func scnStateIDs(req statecheck.CheckStateRequest) map[string]string {
	ids := map[string]string{}
	s := req.State
	if s == nil || s.Values == nil || s.Values.RootModule == nil {
		return ids
	}
	for _, r := range s.Values.RootModule.Resources {
		if r.Type == "stackone_connector_profile" && r.Mode == "managed" {
			id, _ := r.AttributeValues["id"].(string)
			ids[r.Address] = id
		}
	}
	return ids
}

// scnCheck is a state check written as a function of Terraform's JSON state.
type scnCheck func(statecheck.CheckStateRequest) error

func (f scnCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req)
}

// scnServerIDs is the sorted ids of every profile on the sandbox.
func scnServerIDs(tg *acctest.Target) []string {
	var ids []string
	for _, p := range tg.Sandbox.Profiles() {
		ids = append(ids, p.ID)
	}
	sort.Strings(ids)
	return ids
}

// scnExpectActions asserts the action planned for every
// stackone_connector_profile instance: want maps an address to its action,
// and every profile not named must be a no-op. It fails on a profile
// address in want that the plan does not hold, so a typo cannot pass.
type scnExpectActions struct {
	want map[string]plancheck.ResourceActionType
	// importing, when set, also requires every listed address to be imported.
	importing []string
}

func (c scnExpectActions) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	var problems []string
	seen := map[string]bool{}
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Type != "stackone_connector_profile" {
			continue
		}
		seen[rc.Address] = true
		want, ok := c.want[rc.Address]
		if !ok {
			want = plancheck.ResourceActionNoop
		}
		a := rc.Change.Actions
		var got bool
		switch want {
		case plancheck.ResourceActionNoop:
			got = a.NoOp()
		case plancheck.ResourceActionUpdate:
			got = a.Update()
		case plancheck.ResourceActionDestroy:
			got = a.Delete()
		case plancheck.ResourceActionCreate:
			got = a.Create()
		case "Forget":
			got = a.Forget()
		default:
			problems = append(problems, fmt.Sprintf("unsupported action %s", want))
		}
		if !got {
			problems = append(problems, fmt.Sprintf("%s: planned %v, want %s", rc.Address, a, want))
		}
		if slices.Contains(c.importing, rc.Address) && rc.Change.Importing == nil {
			problems = append(problems, fmt.Sprintf("%s: not imported by the plan", rc.Address))
		}
	}
	for addr := range c.want {
		if !seen[addr] {
			problems = append(problems, fmt.Sprintf("%s: not in the plan", addr))
		}
	}
	for _, addr := range c.importing {
		if !seen[addr] {
			problems = append(problems, fmt.Sprintf("%s: not in the plan", addr))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		resp.Error = fmt.Errorf("unexpected plan:\n  %s", strings.Join(problems, "\n  "))
	}
}

// scnExpectReplacedBy asserts the attributes Terraform names as the cause of
// addr's replacement (replace_paths in the JSON plan), exactly.
type scnExpectReplacedBy struct {
	addr  string
	attrs []string
}

func (c scnExpectReplacedBy) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != c.addr {
			continue
		}
		var got []string
		for _, p := range rc.Change.ReplacePaths {
			got = append(got, fmt.Sprint(p))
		}
		want := make([]string, len(c.attrs))
		for i, a := range c.attrs {
			want[i] = fmt.Sprint([]any{a})
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			resp.Error = fmt.Errorf("%s: replaced because of %v, want %v", c.addr, got, want)
		}
		return
	}
	resp.Error = fmt.Errorf("%s: not in the plan", c.addr)
}

// scnFleet is one profile of the for_each fleet.
type scnFleet struct {
	key             string
	scopes, actions []string
	active          bool
}

func scnFleetOf(n int) []scnFleet {
	variants := []struct{ scopes, actions []string }{
		{[]string{"api:data:contact", "api:data:company"}, []string{"zoominfo_search_contacts", "zoominfo_enrich_companies"}},
		{[]string{"api:data:intent", "api:data:news", "api:data:company"}, []string{"zoominfo_search_intent", "zoominfo_search_news"}},
		{[]string{"api:data:contact", "api:data:lookup", "api:data:scoops"}, []string{"zoominfo_lookup", "zoominfo_search_scoops", "zoominfo_enrich_contacts"}},
	}
	fleet := make([]scnFleet, n)
	for i := range fleet {
		v := variants[i%len(variants)]
		fleet[i] = scnFleet{key: fmt.Sprintf("team-%02d", i), scopes: v.scopes, actions: v.actions, active: i%4 != 0}
	}
	return fleet
}

// scnFleetConfig renders the fleet as a map for for_each. reordered writes
// the map's entries and every scope and action list in reverse order.
func scnFleetConfig(tg *acctest.Target, fleet []scnFleet, reordered bool) string {
	quoted := func(ss []string) string {
		ss = slices.Clone(ss)
		if reordered {
			slices.Reverse(ss)
		}
		q := make([]string, len(ss))
		for i, s := range ss {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	fleet = slices.Clone(fleet)
	if reordered {
		slices.Reverse(fleet)
	}
	var b strings.Builder
	b.WriteString(scnProvider(tg))
	b.WriteString("locals {\n  profiles = {\n")
	for _, p := range fleet {
		fmt.Fprintf(&b, "    %q = { scopes = %s, actions = %s, active = %t }\n", p.key, quoted(p.scopes), quoted(p.actions), p.active)
	}
	b.WriteString(`  }
}
resource "stackone_connector_profile" "fleet" {
  for_each      = local.profiles
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "ZoomInfo ${each.key}"
  client_id     = "client-${each.key}"
  client_secret = "secret-${each.key}"
  scopes        = each.value.scopes
  actions       = each.value.actions
  active        = each.value.active
}
`)
	return b.String()
}

// TestScenario_forEachFleet applies 30 profiles with for_each; reordering the
// map and every scope and action list plans nothing; removing one key
// destroys exactly that profile on the server and leaves the 29 others
// untouched (no PATCH, no re-create).
func TestScenario_forEachFleet(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	const n, gone = 30, "team-17"
	fleet := scnFleetOf(n)
	goneAddr := fmt.Sprintf("stackone_connector_profile.fleet[%q]", gone)
	remaining := slices.DeleteFunc(slices.Clone(fleet), func(p scnFleet) bool { return p.key == gone })
	var ids map[string]string // address -> id after the first apply

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: scnFleetConfig(tg, fleet, false),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{scnCheck(func(s statecheck.CheckStateRequest) error {
					ids = scnStateIDs(s)
					if len(ids) != n || len(tg.Sandbox.Profiles()) != n {
						return fmt.Errorf("%d profiles in state and %d on the server, want %d", len(ids), len(tg.Sandbox.Profiles()), n)
					}
					// Every profile got its own values (each.value is not mixed up).
					for _, p := range fleet {
						addr := fmt.Sprintf("stackone_connector_profile.fleet[%q]", p.key)
						sp, ok := tg.Sandbox.Profile(ids[addr])
						got := slices.Clone(sp.Scopes)
						sort.Strings(got)
						want := slices.Clone(p.scopes)
						sort.Strings(want)
						if !ok || sp.Name != "ZoomInfo "+p.key || sp.ClientSecret != "secret-"+p.key || sp.Active != p.active || !slices.Equal(got, want) {
							return fmt.Errorf("%s on the server = %+v, want %+v", addr, sp, p)
						}
					}
					return nil
				})},
			},
			{
				Config: scnFleetConfig(tg, fleet, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: scnFleetConfig(tg, remaining, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						scnExpectActions{want: map[string]plancheck.ResourceActionType{goneAddr: plancheck.ResourceActionDestroy}},
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{scnCheck(func(s statecheck.CheckStateRequest) error {
					now := scnStateIDs(s)
					if len(now) != n-1 {
						return fmt.Errorf("%d profiles in state, want %d", len(now), n-1)
					}
					for addr, id := range now {
						if ids[addr] != id {
							return fmt.Errorf("%s changed id from %s to %s", addr, ids[addr], id)
						}
					}
					if _, ok := tg.Sandbox.Profile(ids[goneAddr]); ok {
						return fmt.Errorf("%s (%s) is still on the server", goneAddr, ids[goneAddr])
					}
					want := slices.Collect(func(yield func(string) bool) {
						for _, id := range now {
							if !yield(id) {
								return
							}
						}
					})
					sort.Strings(want)
					if got := scnServerIDs(tg); !slices.Equal(got, want) {
						return fmt.Errorf("server holds %v, want exactly the %d in state", got, len(want))
					}
					if posts, patches, deletes := scnRequests(tg, scnPOST), scnRequests(tg, scnPATCH), scnRequests(tg, scnDELETE); posts != n || patches != 0 || deletes != 1 {
						return fmt.Errorf("server saw %d creates, %d updates, %d deletes; want %d, 0, 1", posts, patches, deletes, n)
					}
					return nil
				})},
			},
			{
				// Tearing the fleet down deletes every profile, once each.
				Config: scnProvider(tg),
				ConfigStateChecks: []statecheck.StateCheck{scnCheck(func(statecheck.CheckStateRequest) error {
					if left, deletes := len(tg.Sandbox.Profiles()), scnRequests(tg, scnDELETE); left != 0 || deletes != n {
						return fmt.Errorf("%d profiles left and %d deletes in all, want 0 and %d", left, deletes, n)
					}
					return nil
				})},
			},
		},
	})
}

// TestScenario_movedAndRemovedBlocks renames a profile's address with a
// moved block, then moves it into a for_each instance: each plans no change
// and keeps the id. A removed block with destroy = false forgets a profile
// without deleting it on the server.
func TestScenario_movedAndRemovedBlocks(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	// The name must not change with the address, or a move would also
	// plan a rename: the single profile is the one team["sales"] declares.
	single := func(label string) string {
		return fmt.Sprintf(`
resource "stackone_connector_profile" %q {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "ZoomInfo sales"
  client_id     = "cid"
  client_secret = "s"
  scopes        = ["api:data:contact"]
}
`, label)
	}
	team := func(keys string) string {
		return fmt.Sprintf(`
resource "stackone_connector_profile" "team" {
  for_each      = toset(%s)
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "ZoomInfo ${each.key}"
  client_id     = "cid"
  client_secret = "s"
  scopes        = ["api:data:contact"]
}
`, keys)
	}
	handover := `
resource "stackone_connector_profile" "handover" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "handed over to another team"
  client_id     = "cid"
  client_secret = "s"
}
`
	const (
		oldAddr     = "stackone_connector_profile.old"
		renamedAddr = "stackone_connector_profile.renamed"
		salesAddr   = `stackone_connector_profile.team["sales"]`
		opsAddr     = `stackone_connector_profile.team["ops"]`
	)
	var handoverID string
	step1 := scnProvider(tg) + single("old") + team(`["ops"]`) + handover
	step2 := scnProvider(tg) + single("renamed") + team(`["ops"]`) + handover + `
moved {
  from = stackone_connector_profile.old
  to   = stackone_connector_profile.renamed
}
`
	// The moved blocks of earlier refactorings stay, as they do in real configurations.
	step3 := scnProvider(tg) + team(`["ops", "sales"]`) + handover + `
moved {
  from = stackone_connector_profile.old
  to   = stackone_connector_profile.renamed
}
moved {
  from = stackone_connector_profile.renamed
  to   = stackone_connector_profile.team["sales"]
}
`
	step4 := strings.Replace(step3, handover, `
removed {
  from = stackone_connector_profile.handover
  lifecycle {
    destroy = false
  }
}
`, 1)
	noServerChange := scnCheck(func(statecheck.CheckStateRequest) error {
		if posts, patches, deletes := scnRequests(tg, scnPOST), scnRequests(tg, scnPATCH), scnRequests(tg, scnDELETE); posts != 3 || patches != 0 || deletes != 0 {
			return fmt.Errorf("server saw %d creates, %d updates, %d deletes; want 3, 0, 0", posts, patches, deletes)
		}
		return nil
	})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)}, // removed blocks
		Steps: []resource.TestStep{
			{
				Config: step1,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(oldAddr, tfjsonpath.New("id")),
					scnCheck(func(s statecheck.CheckStateRequest) error {
						handoverID = scnStateIDs(s)["stackone_connector_profile.handover"]
						return nil
					}),
				},
			},
			{
				Config: step2,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(renamedAddr, plancheck.ResourceActionNoop),
					scnExpectActions{want: map[string]plancheck.ResourceActionType{renamedAddr: plancheck.ResourceActionNoop}},
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(renamedAddr, tfjsonpath.New("id")), noServerChange},
			},
			{
				Config: step3,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					scnExpectActions{want: map[string]plancheck.ResourceActionType{salesAddr: plancheck.ResourceActionNoop, opsAddr: plancheck.ResourceActionNoop}},
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(salesAddr, tfjsonpath.New("id")), noServerChange},
			},
			{
				Config: step4,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					scnExpectActions{want: map[string]plancheck.ResourceActionType{"stackone_connector_profile.handover": "Forget"}},
				}},
				ConfigStateChecks: []statecheck.StateCheck{scnCheck(func(s statecheck.CheckStateRequest) error {
					if _, inState := scnStateIDs(s)["stackone_connector_profile.handover"]; inState {
						return fmt.Errorf("the removed profile is still in state")
					}
					if _, ok := tg.Sandbox.Profile(handoverID); !ok {
						return fmt.Errorf("removed with destroy = false, yet profile %s was deleted on the server", handoverID)
					}
					return noServerChange(s)
				})},
			},
			{
				// Destroying what is still managed leaves the forgotten profile alone.
				Config: scnProvider(tg),
				ConfigStateChecks: []statecheck.StateCheck{scnCheck(func(statecheck.CheckStateRequest) error {
					if got := scnServerIDs(tg); len(got) != 1 || got[0] != handoverID {
						return fmt.Errorf("after destroy the server holds %v, want only the forgotten profile %s", got, handoverID)
					}
					return nil
				})},
			},
		},
	})
}

// TestScenario_importBlocksWithForEach adopts three profiles made in the
// dashboard with one import block using for_each (Terraform 1.7+). With the
// write-only secret configured the plan only imports, the apply changes
// nothing on the server, and the next plans are empty, with or without the
// import block. A fourth profile adopted with client_secret (kept in state)
// plans exactly one in-place change: sending that secret, which an import
// cannot read back.
func TestScenario_importBlocksWithForEach(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	ctx := context.Background()
	type existing struct {
		key, name       string
		scopes, actions []string
		active          bool
	}
	dashboard := []existing{
		{"sales", "ZoomInfo sales", []string{"api:data:contact", "api:data:company"}, []string{"zoominfo_search_contacts", "zoominfo_enrich_companies"}, true},
		{"marketing", "ZoomInfo marketing", []string{"api:data:intent", "api:data:news"}, []string{"zoominfo_search_intent"}, false},
		{"ops", "ZoomInfo ops", nil, nil, true},
		{"legacy", "ZoomInfo legacy", []string{"api:data:company"}, nil, true},
	}
	ids := map[string]string{}
	for _, e := range dashboard {
		active := e.active
		p, err := tg.Client.CreateConnectorProfile(ctx, stackone.CreateConnectorProfileRequest{
			ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: e.name, ClientID: "cid-" + e.key,
			ClientSecret: "dashboard-secret-" + e.key, Scopes: e.scopes, Actions: e.actions, Active: &active,
		})
		if err != nil {
			t.Fatal(err)
		}
		ids[e.key] = p.ID
	}
	hclList := func(ss []string) string {
		ss = slices.Clone(ss)
		slices.Reverse(ss) // another order than the dashboard's
		q := make([]string, len(ss))
		for i, s := range ss {
			q[i] = fmt.Sprintf("%q", s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	var locals strings.Builder
	for _, e := range dashboard[:3] {
		fmt.Fprintf(&locals, "    %s = { id = %q, name = %q, scopes = %s, actions = %s, active = %t }\n",
			e.key, ids[e.key], e.name, hclList(e.scopes), hclList(e.actions), e.active)
	}
	resources := fmt.Sprintf(`
locals {
  existing = {
%s  }
}
resource "stackone_connector_profile" "zoominfo" {
  for_each         = local.existing
  connector        = "zoominfo"
  auth_type        = "oauth2_authorization_code_pkce"
  name             = each.value.name
  client_id        = "cid-${each.key}"
  client_secret_wo = "dashboard-secret-${each.key}"
  scopes           = each.value.scopes
  actions          = each.value.actions
  active           = each.value.active
}
resource "stackone_connector_profile" "legacy" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "ZoomInfo legacy"
  client_id     = "cid-legacy"
  client_secret = "dashboard-secret-legacy"
  scopes        = ["api:data:company"]
}
`, locals.String())
	imports := fmt.Sprintf(`
import {
  for_each = local.existing
  to       = stackone_connector_profile.zoominfo[each.key]
  id       = each.value.id
}
import {
  to = stackone_connector_profile.legacy
  id = %q
}
`, ids["legacy"])
	addr := func(key string) string { return fmt.Sprintf("stackone_connector_profile.zoominfo[%q]", key) }
	const legacyAddr = "stackone_connector_profile.legacy"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}, // for_each on import, write-only secret
		Steps: []resource.TestStep{
			{
				Config: scnProvider(tg) + resources + imports,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						scnExpectActions{
							want: map[string]plancheck.ResourceActionType{
								addr("sales"): plancheck.ResourceActionNoop, addr("marketing"): plancheck.ResourceActionNoop,
								addr("ops"): plancheck.ResourceActionNoop, legacyAddr: plancheck.ResourceActionUpdate,
							},
							importing: []string{addr("sales"), addr("marketing"), addr("ops"), legacyAddr},
						},
						expectOnlyChanged(legacyAddr, "client_secret"),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{scnCheck(func(s statecheck.CheckStateRequest) error {
					got := scnStateIDs(s)
					for _, e := range dashboard[:3] {
						if got[addr(e.key)] != ids[e.key] {
							return fmt.Errorf("%s has id %q, want the imported %q", addr(e.key), got[addr(e.key)], ids[e.key])
						}
					}
					if got[legacyAddr] != ids["legacy"] {
						return fmt.Errorf("%s has id %q, want %q", legacyAddr, got[legacyAddr], ids["legacy"])
					}
					// Nothing created; only the legacy profile got its secret sent.
					if posts, patches := scnRequests(tg, scnPOST), scnRequests(tg, scnPATCH); posts != len(dashboard) || patches != 1 {
						return fmt.Errorf("server saw %d creates and %d updates, want %d and 1", posts, patches, len(dashboard))
					}
					if p, _ := tg.Sandbox.Profile(ids["marketing"]); p.Active {
						return fmt.Errorf("importing turned the inactive profile active")
					}
					return nil
				})},
			},
			{
				// The import blocks have done their job and are deleted.
				Config: scnProvider(tg) + resources,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: scnProvider(tg),
				ConfigStateChecks: []statecheck.StateCheck{scnCheck(func(statecheck.CheckStateRequest) error {
					if left := len(tg.Sandbox.Profiles()); left != 0 {
						return fmt.Errorf("%d adopted profiles left after destroy", left)
					}
					return nil
				})},
			},
		},
	})
}

// TestScenario_scopesUnsetEmptyAndSet: unset, [] and null are the same empty
// set (no diff between them, ever), and a change between empty and a list
// plans one in-place update of exactly scopes (and actions), which the server
// then holds.
func TestScenario_scopesUnsetEmptyAndSet(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	cfg := func(body string) string {
		return scnProvider(tg) + fmt.Sprintf(`
resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "scopes"
  client_id     = "cid"
  client_secret = "s"
%s
}
`, body)
	}
	onServer := func(scopes, actions string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			p, _ := tg.Sandbox.Profile(stateID(s))
			sc, ac := slices.Clone(p.Scopes), slices.Clone(p.Actions)
			sort.Strings(sc)
			sort.Strings(ac)
			if strings.Join(sc, " ") != scopes || strings.Join(ac, " ") != actions {
				return fmt.Errorf("server holds scopes %q actions %q, want %q and %q", sc, ac, scopes, actions)
			}
			return nil
		}
	}
	empty := []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
	update := func(attrs ...string) []plancheck.PlanCheck {
		return []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionUpdate),
			expectOnlyChanged(profileAddr, attrs...),
		}
	}
	emptySet := statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("scopes"), knownvalue.SetSizeExact(0))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg(``), ConfigStateChecks: []statecheck.StateCheck{emptySet}, Check: onServer("", "")},
			{Config: cfg(`scopes = []` + "\n" + `actions = []`), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: empty}},
			{Config: cfg(`scopes = null` + "\n" + `actions = null`), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: empty}},
			{
				Config:           cfg(`scopes = ["api:data:contact"]` + "\n" + `actions = ["zoominfo_search_contacts"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: update("scopes", "actions")},
				Check:            onServer("api:data:contact", "zoominfo_search_contacts"),
			},
			{
				// Back to unset: the default, an empty set, is planned, not "keep what is there".
				Config:            cfg(``),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: update("scopes", "actions")},
				ConfigStateChecks: []statecheck.StateCheck{emptySet},
				Check:             onServer("", ""),
			},
			{
				Config:           cfg(`scopes = ["api:data:company", "api:data:contact"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: update("scopes")},
				Check:            onServer("api:data:company api:data:contact", ""),
			},
			{
				Config:           cfg(`scopes = []`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: update("scopes")},
				Check:            onServer("", ""),
			},
		},
	})
}

// TestScenario_activeBackToDefault: a profile disabled with active = false
// is enabled again by removing the attribute (the default is true), in one
// apply whose plan shows active as a known true, and then plans clean.
func TestScenario_activeBackToDefault(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	cfg := func(body string) string {
		return scnProvider(tg) + fmt.Sprintf(`
resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "active"
  client_id     = "cid"
  client_secret = "s"
%s
}
`, body)
	}
	activeOnServer := func(want bool) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			if p, _ := tg.Sandbox.Profile(stateID(s)); p.Active != want {
				return fmt.Errorf("server has active = %t, want %t", p.Active, want)
			}
			return nil
		}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: cfg(`active = false`), Check: activeOnServer(false)},
			{
				Config: cfg(``),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionUpdate),
						expectOnlyChanged(profileAddr, "active"),
						plancheck.ExpectKnownValue(profileAddr, tfjsonpath.New("active"), knownvalue.Bool(true)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: activeOnServer(true),
			},
			{Config: cfg(`active = true`), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// TestScenario_renameInPlaceConnectorChangeReplaces: a change of name alone
// is one PATCH of the same profile; a change of connector under
// create_before_destroy creates the new profile first, then deletes the old
// one on the server.
func TestScenario_renameInPlaceConnectorChangeReplaces(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t) // acmecrm is in the sandbox catalog
	sameID := statecheck.CompareValue(compare.ValuesSame())
	cfg := func(connector, authType, name, scopes string) string {
		return scnProvider(tg) + fmt.Sprintf(`
resource "stackone_connector_profile" "test" {
  connector     = %q
  auth_type     = %q
  name          = %q
  client_id     = "cid"
  client_secret = "s"
  scopes        = %s
  lifecycle {
    create_before_destroy = true
  }
}
`, connector, authType, name, scopes)
	}
	var firstID string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             checkDestroyed(tg),
		Steps: []resource.TestStep{
			{
				Config:            cfg("zoominfo", "oauth2_authorization_code_pkce", "before", `["api:data:contact"]`),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(profileAddr, tfjsonpath.New("id"))},
				Check:             func(s *terraform.State) error { firstID = stateID(s); return nil },
			},
			{
				Config: cfg("zoominfo", "oauth2_authorization_code_pkce", "after", `["api:data:contact"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionUpdate),
					expectOnlyChanged(profileAddr, "name"),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(profileAddr, tfjsonpath.New("id"))},
				Check: func(s *terraform.State) error {
					if p, _ := tg.Sandbox.Profile(firstID); p.Name != "after" {
						return fmt.Errorf("server name %q, want \"after\"", p.Name)
					}
					if posts, patches := scnRequests(tg, scnPOST), scnRequests(tg, scnPATCH); posts != 1 || patches != 1 {
						return fmt.Errorf("rename: %d creates and %d updates, want 1 and 1", posts, patches)
					}
					return nil
				},
			},
			{
				Config: cfg("acmecrm", "oauth2_authorization_code", "after", `["contacts:read"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionCreateBeforeDestroy),
					// The sandbox has no second connector with the same auth
					// type, so auth_type changes too: replace_paths shows that
					// connector, on its own, also forces the replacement.
					scnExpectReplacedBy{addr: profileAddr, attrs: []string{"auth_type", "connector"}},
					plancheck.ExpectUnknownValue(profileAddr, tfjsonpath.New("id")),
					// Derived from base_url and the connector: known at plan.
					plancheck.ExpectKnownValue(profileAddr, tfjsonpath.New("redirect_uri"), knownvalue.StringExact(tg.BaseURL+"/connect/oauth2/acmecrm/callback")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(profileAddr, tfjsonpath.New("redirect_uri"), knownvalue.StringExact(tg.BaseURL+"/connect/oauth2/acmecrm/callback")),
				},
				Check: func(s *terraform.State) error {
					if stateID(s) == firstID {
						return fmt.Errorf("connector change kept id %s", firstID)
					}
					if _, err := tg.ReadProfile(context.Background(), firstID); !stackone.IsNotFound(err) {
						return fmt.Errorf("old profile %s still answers after the replacement (err=%v)", firstID, err)
					}
					if got := scnServerIDs(tg); len(got) != 1 || got[0] != stateID(s) {
						return fmt.Errorf("server holds %v, want only %s", got, stateID(s))
					}
					if posts, deletes := scnRequests(tg, scnPOST), scnRequests(tg, scnDELETE); posts != 2 || deletes != 1 {
						return fmt.Errorf("replacement: %d creates and %d deletes in all, want 2 and 1", posts, deletes)
					}
					return nil
				},
			},
		},
	})
}

// TestScenario_valuesKnownOnlyAtApply feeds name and scopes from another
// resource whose output changes at apply. The plan is an in-place update
// with the id kept; the apply sends the final values. When the final scopes
// no longer cover an action, the check postponed from plan to apply refuses
// the change before anything is sent.
func TestScenario_valuesKnownOnlyAtApply(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	cfg := func(suffix, scopes string) string {
		return scnProvider(tg) + fmt.Sprintf(`
resource "terraform_data" "team" {
  input = { suffix = %q, scopes = %s }
}
resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "ZoomInfo ${terraform_data.team.output.suffix}"
  client_id     = "cid"
  client_secret = "s"
  scopes        = terraform_data.team.output.scopes
  actions       = ["zoominfo_search_contacts"]
}
`, suffix, scopes)
	}
	var patchesBefore int
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             checkDestroyed(tg),
		Steps: []resource.TestStep{
			{
				Config: cfg("alpha", `["api:data:contact"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownValue(profileAddr, tfjsonpath.New("scopes")),
					plancheck.ExpectUnknownValue(profileAddr, tfjsonpath.New("name")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(profileAddr, tfjsonpath.New("id"))},
			},
			{
				Config: cfg("beta", `["api:data:company", "api:data:contact"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(profileAddr, tfjsonpath.New("scopes")),
					plancheck.ExpectUnknownValue(profileAddr, tfjsonpath.New("name")),
					plancheck.ExpectKnownValue(profileAddr, tfjsonpath.New("id"), knownvalue.NotNull()),
					plancheck.ExpectKnownValue(profileAddr, tfjsonpath.New("redirect_uri"), knownvalue.NotNull()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(profileAddr, tfjsonpath.New("id"))},
				Check: func(s *terraform.State) error {
					p, _ := tg.Sandbox.Profile(stateID(s))
					sc := slices.Clone(p.Scopes)
					sort.Strings(sc)
					if p.Name != "ZoomInfo beta" || strings.Join(sc, " ") != "api:data:company api:data:contact" {
						return fmt.Errorf("server profile = %+v", p)
					}
					patchesBefore = scnRequests(tg, scnPATCH)
					return nil
				},
			},
			{
				// zoominfo_search_contacts needs api:data:contact, which the
				// final scopes drop: unknown at plan, so refused at apply.
				Config:      cfg("gamma", `["api:data:company"]`),
				ExpectError: expectError(`zoominfo_search_contacts.*api:data:contact`),
			},
			{
				// Nothing half-applied: the refused change sent nothing, and
				// the server still has the last good profile.
				PreConfig: func() {
					if n := scnRequests(tg, scnPATCH); n != patchesBefore {
						t.Fatalf("the refused change sent %d PATCHes", n-patchesBefore)
					}
					for _, p := range tg.Sandbox.Profiles() {
						if p.Name != "ZoomInfo beta" || len(p.Scopes) != 2 {
							t.Fatalf("server profile after the refused change = %+v", p)
						}
					}
				},
				Config: cfg("beta", `["api:data:company", "api:data:contact"]`),
			},
		},
	})
}

// TestScenario_noRefreshAndPlanDestroy drives the CLI as an operator does.
// plan -destroy (with and without refresh) lists every profile, sends no
// write and no catalog request, and changes nothing. A plan with
// -refresh=false reads nothing from StackOne and cannot see drift; a normal
// plan shows it. When the configuration no longer passes the catalog check,
// destroy -refresh=false still tears everything down.
func TestScenario_noRefreshAndPlanDestroy(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	cli := acctest.NewCLI(t, tg)
	config := func(scope string) string {
		return fmt.Sprintf(`
terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}
provider "stackone" {
  max_requests_per_minute = 60000
}
resource "stackone_connector_profile" "p" {
  for_each         = toset(["a", "b", "c"])
  connector        = "zoominfo"
  auth_type        = "oauth2_authorization_code_pkce"
  name             = "profile ${each.key}"
  client_id        = "cid"
  client_secret_wo = "s"
  scopes           = [%q]
}
`, scope)
	}
	cli.WriteFile("main.tf", config("api:data:contact"))
	run := func(wantCode int, args ...string) string {
		t.Helper()
		out, code := cli.Run(args...)
		if code != wantCode {
			t.Fatalf("terraform %s: exit %d, want %d:\n%s", strings.Join(args, " "), code, wantCode, out)
		}
		return out
	}
	out := run(0, "apply", "-auto-approve", "-input=false")
	if !strings.Contains(out, "3 added, 0 changed, 0 destroyed") {
		t.Fatalf("unexpected apply:\n%s", out)
	}
	ids := scnServerIDs(tg)

	for _, refresh := range []string{"-refresh=true", "-refresh=false"} {
		before := tg.Sandbox.Stats()
		out = run(2, "plan", "-destroy", "-input=false", refresh, "-detailed-exitcode")
		if !strings.Contains(out, "Plan: 0 to add, 0 to change, 3 to destroy.") {
			t.Fatalf("plan -destroy %s:\n%s", refresh, out)
		}
		after := tg.Sandbox.Stats()
		for _, k := range []string{scnDELETE, scnPATCH, scnPOST, scnCatalog} {
			if after.Requests[k] != before.Requests[k] {
				t.Fatalf("plan -destroy %s sent %s %d times", refresh, k, after.Requests[k]-before.Requests[k])
			}
		}
		if byID := after.Requests[scnGET] - before.Requests[scnGET]; byID != 0 {
			t.Fatalf("plan -destroy %s read %d profiles by id: reads go through the list only", refresh, byID)
		}
		// Three profiles of one connector: one page of the list, at most
		// one more if a refresh starts before the first has ended.
		lists := after.Requests[scnList] - before.Requests[scnList]
		if refresh == "-refresh=false" && lists != 0 || refresh == "-refresh=true" && (lists < 1 || lists > 2) {
			t.Fatalf("plan -destroy %s listed profiles %d times", refresh, lists)
		}
		if got := scnServerIDs(tg); !slices.Equal(got, ids) {
			t.Fatalf("plan -destroy %s changed the server: %v, want %v", refresh, got, ids)
		}
	}

	// Drift the operator cannot see without a refresh.
	renamed := "renamed in the dashboard"
	if _, err := tg.Client.UpdateConnectorProfile(context.Background(), ids[0], "", stackone.UpdateConnectorProfileRequest{Name: &renamed}); err != nil {
		t.Fatal(err)
	}
	before := tg.Sandbox.Stats()
	out = run(0, "plan", "-input=false", "-refresh=false", "-detailed-exitcode")
	if !strings.Contains(out, "No changes.") {
		t.Fatalf("plan -refresh=false:\n%s", out)
	}
	if after := tg.Sandbox.Stats(); after.Total != before.Total {
		t.Fatalf("plan -refresh=false of unchanged profiles sent %d requests (%v), want none", after.Total-before.Total, after.Requests)
	}
	out = run(2, "plan", "-input=false", "-detailed-exitcode")
	if !strings.Contains(out, "Plan: 0 to add, 1 to change, 0 to destroy.") || !strings.Contains(out, renamed) {
		t.Fatalf("a refreshing plan should show the drift:\n%s", out)
	}

	// A scope the catalog does not know: a normal plan refuses it, but a
	// teardown without refresh does not run the catalog check at all.
	cli.WriteFile("main.tf", config("api:data:contacts"))
	out = run(1, "plan", "-input=false")
	if !expectError(`scope "api:data:contacts" is not defined`).MatchString(out) {
		t.Fatalf("plan with an unknown scope:\n%s", out)
	}
	out = run(0, "destroy", "-auto-approve", "-input=false", "-refresh=false")
	if !strings.Contains(out, "3 destroyed") || len(tg.Sandbox.Profiles()) != 0 {
		t.Fatalf("destroy left %d profiles:\n%s", len(tg.Sandbox.Profiles()), out)
	}
}
