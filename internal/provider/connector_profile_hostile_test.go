package provider_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// Servers that answer the way StackOne's published API allows, or the way
// a proxy, a busy account or a newer StackOne might (issue 21), through
// the Terraform CLI. Each test starts its own sandbox and runs in parallel.

// hostileCLI is a CLI against a hostile proxy in front of a fresh sandbox,
// with TRACE logs kept, and what it printed collected for a leak scan.
type hostileCLI struct {
	t       *testing.T
	tg      *acctest.Target
	proxy   *acctest.HostileProxy
	cli     *acctest.CLI
	logPath string
	outputs []string
}

func newHostileCLI(t *testing.T) *hostileCLI {
	t.Helper()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	proxy := acctest.NewHostileProxy(t, tg)
	cli := acctest.NewCLI(t, proxy.Target(tg))
	h := &hostileCLI{t: t, tg: tg, proxy: proxy, cli: cli, logPath: filepath.Join(t.TempDir(), "terraform.log")}
	cli.Setenv("TF_LOG", "TRACE")
	cli.Setenv("TF_LOG_PATH", h.logPath)
	return h
}

// run runs terraform and fails the test on a crash or on an exit code other
// than want.
func (h *hostileCLI) run(want int, args ...string) string {
	h.t.Helper()
	out, code := h.cli.Run(args...)
	h.outputs = append(h.outputs, out)
	if m := crashSigns.FindString(out); m != "" {
		h.t.Fatalf("terraform %s: the provider crashed (%q):\n%s", strings.Join(args, " "), m, out)
	}
	if code != want {
		h.t.Fatalf("terraform %s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, out)
	}
	return out
}

// noLeaks fails the test when any of secrets shows in what terraform
// printed, in its TRACE log or in its state.
func (h *hostileCLI) noLeaks(secrets map[string]string) {
	h.t.Helper()
	logBytes, err := os.ReadFile(h.logPath)
	if err != nil {
		h.t.Fatal(err)
	}
	if !strings.Contains(string(logBytes), "StackOne request") {
		h.t.Fatalf("the TRACE log has no provider request line: the scan would prove nothing")
	}
	state, _ := os.ReadFile(filepath.Join(h.cli.Dir, "terraform.tfstate"))
	texts := map[string]string{"output": strings.Join(h.outputs, "\n"), "TRACE log": string(logBytes), "state": string(state)}
	for where, text := range texts {
		for what, v := range secrets {
			if i := strings.Index(text, v); i >= 0 {
				h.t.Errorf("the %s holds the %s:\n…%s…", where, what, excerpt(text, i, len(v)))
			}
		}
	}
}

// keyLeaks are the forms of the API key that must never show.
func keyLeaks(tg *acctest.Target) map[string]string {
	return map[string]string{"API key": tg.APIKey, "Basic credential": base64.StdEncoding.EncodeToString([]byte(tg.APIKey + ":"))}
}

func profileHCL(name, clientID, secretAttr string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}

provider "stackone" {
  max_requests_per_minute = 100000
}

resource "stackone_connector_profile" "p" {
  connector = "zoominfo"
  auth_type = "oauth2_authorization_code_pkce"
  name      = %q
  client_id = %q
  scopes    = ["api:data:contact"]
  %s
}
`, name, clientID, secretAttr)
}

// TestCreateAnsweredWithAnExistingProfile: a server that answers POST
// /connector_profiles with the existing profile of the same name and
// connector (create-or-return), fields identical, must not make Terraform
// adopt that profile: the apply fails naming it, with the import advice,
// state stays empty, and destroy leaves the dashboard's profile alone.
func TestCreateAnsweredWithAnExistingProfile(t *testing.T) {
	t.Parallel()
	h := newHostileCLI(t)
	ctx := context.Background()
	name, clientID, scopes := "Upserted ZoomInfo", "client-upsert", []string{"api:data:contact"}
	secret := "dashboard-secret-0123456789"
	dashboard, err := h.tg.Dashboard().CreateProfile(ctx, acctest.DashboardProfile{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce",
		Name: &name, ClientID: &clientID, ClientSecret: &secret, Scopes: &scopes, Actions: &[]string{},
	})
	if err != nil {
		t.Fatal(err)
	}
	// A create-or-return server: the existing profile of that name, as the
	// list has it, answered 201.
	upsert := &acctest.Rule{Method: http.MethodPost, Route: "/connector_profiles", Rewrite: func(*acctest.HostileRequest, *acctest.Answer) *acctest.Answer {
		p, err := h.tg.ReadProfile(ctx, dashboard.ID)
		if err != nil {
			t.Error(err)
			return nil
		}
		b, _ := json.Marshal(p)
		return acctest.JSONAnswer(http.StatusCreated, b)
	}}
	h.proxy.Arm(upsert)
	h.cli.WriteFile("main.tf", profileHCL(name, clientID, `client_secret_wo = "`+secret+`"
  client_secret_wo_version = 1`))
	out := h.run(1, "apply", "-auto-approve", "-input=false")
	if h.proxy.Hits(upsert) == 0 {
		t.Fatal("the create was never answered by the rule")
	}
	want := expectError(`answered the create with a profile that is not new.*` + dashboard.ID + `.*its id was in the list of profiles read before the create was sent.*Nothing was recorded in state.*import.*` + dashboard.ID)
	if !want.MatchString(out) {
		t.Errorf("the apply does not name the existing profile with the import advice:\n%s", out)
	}
	if ids := stateIDs(t, h.cli); len(ids) != 0 {
		t.Fatalf("state holds %v: the dashboard's profile was adopted", ids)
	}
	h.run(0, "destroy", "-auto-approve", "-input=false")
	if p, ok := h.tg.Sandbox.Profile(dashboard.ID); !ok || p.Name != name || p.ClientSecret != secret {
		t.Fatalf("the dashboard's profile was deleted or changed: %+v (found %v)", p, ok)
	}
	h.noLeaks(keyLeaks(h.tg))
}

// TestSecretEchoedInLaterAnswersIsMasked: a client secret the process holds
// is masked in the answer to any request, not only the one that sends it:
// a list read that fails quoting the secret kept in state, and a rename
// (which sends no secret) refused quoting the write-only secret.
func TestSecretEchoedInLaterAnswersIsMasked(t *testing.T) {
	t.Parallel()
	h := newHostileCLI(t)
	const inState, writeOnly = "state-held-secret-0123456789", "write-only-secret-9876543210"
	config := func(woName string) string {
		return profileHCL("echo state", "client-a", `client_secret = "`+inState+`"`) + fmt.Sprintf(`
resource "stackone_connector_profile" "wo" {
  connector                = "zoominfo"
  auth_type                = "oauth2_authorization_code_pkce"
  name                     = %q
  client_id                = "client-b"
  client_secret_wo         = %q
  client_secret_wo_version = 1
}
`, woName, writeOnly)
	}
	h.cli.WriteFile("main.tf", config("echo wo"))
	h.run(0, "apply", "-auto-approve", "-input=false")

	echo := func(secret string) func(*acctest.HostileRequest, *acctest.Answer) *acctest.Answer {
		return func(*acctest.HostileRequest, *acctest.Answer) *acctest.Answer {
			b, _ := json.Marshal(map[string]any{"statusCode": 400, "message": "invalid request, stored client_secret=" + secret + " (" + url64(secret) + ")"})
			return acctest.JSONAnswer(http.StatusBadRequest, b)
		}
	}
	// A refresh whose list read fails quoting the secret held in state.
	// Targeted: the process knows a secret kept in state from the refresh
	// of the resource that holds it on, and a parallel refresh of another
	// resource can report the shared list's failure before that (the limit
	// SECURITY.md states).
	list := &acctest.Rule{Method: http.MethodGet, Route: "/connector_profiles", Rewrite: echo(inState)}
	h.proxy.Arm(list)
	out := h.run(1, "plan", "-input=false", "-target=stackone_connector_profile.p")
	if !expectError(`StackOne answered GET /connector_profiles with 400 Bad Request: invalid request, stored client_secret=\[redacted\] \(\[redacted\]\)`).MatchString(out) {
		t.Errorf("the plan does not show the masked answer:\n%s", out)
	}
	h.proxy.Disarm()

	// A rename, which sends no secret, refused quoting the write-only one.
	patch := &acctest.Rule{Method: http.MethodPatch, Route: "/connector_profiles/{id}", Rewrite: echo(writeOnly)}
	h.proxy.Arm(patch)
	h.cli.WriteFile("main.tf", config("echo wo renamed"))
	out = h.run(1, "apply", "-auto-approve", "-input=false")
	if h.proxy.Hits(patch) == 0 || !expectError(`400 Bad Request: invalid request, stored client_secret=\[redacted\] \(\[redacted\]\)`).MatchString(out) {
		t.Errorf("the rename's refusal is not shown masked (%d PATCH answered):\n%s", h.proxy.Hits(patch), out)
	}
	h.proxy.Disarm()
	h.run(0, "destroy", "-auto-approve", "-input=false")
	leaks := keyLeaks(h.tg)
	leaks["write-only secret"] = writeOnly
	leaks["write-only secret (base64)"] = url64(writeOnly)
	leaks["secret kept in state (base64)"] = url64(inState)
	h.noLeaks(leaks)
	// client_secret is kept in state by design: the output and log must
	// not show it.
	logBytes, _ := os.ReadFile(h.logPath)
	for where, text := range map[string]string{"output": strings.Join(h.outputs, "\n"), "TRACE log": string(logBytes)} {
		if i := strings.Index(text, inState); i >= 0 {
			t.Errorf("the %s shows the secret kept in state: …%s…", where, excerpt(text, i, len(inState)))
		}
	}
}

func url64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestListsWithoutTotalAreReadToTheirEnd: a server that caps its pages
// below the page_size asked for and sends neither total nor page_size must
// not make a profile on a later page look deleted (a plan would create a
// duplicate); a list item without `active` keeps the state's value rather
// than planning active = false. And `stackone_accounts` reads a bare array
// capped at 50 to its end: 120 accounts, not 50.
func TestListsWithoutTotalAreReadToTheirEnd(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	ctx := context.Background()
	for i := range 4 { // older profiles, ahead of the one under test
		if _, err := tg.Client.CreateConnectorProfile(ctx, stackone.CreateConnectorProfileRequest{
			ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: fmt.Sprintf("older %d", i),
			ClientID: "c", ClientSecret: "older-secret-1234",
		}); err != nil {
			t.Fatal(err)
		}
	}
	proxy := acctest.NewHostileProxy(t, tg)
	target := proxy.Target(tg)
	withoutActive := acctest.CappedProfilePages(2)
	withoutActive.Rewrite = func(r *acctest.HostileRequest, up *acctest.Answer) *acctest.Answer {
		return acctest.RewriteJSON(up, func(page map[string]any) {
			delete(page, "total")
			delete(page, "page_size")
			if items, ok := page["data"].([]any); ok {
				for _, it := range items {
					delete(it.(map[string]any), "active")
				}
			}
		})
	}
	const accountsN = 120
	accounts := &acctest.Rule{Method: http.MethodGet, Route: "/accounts", Rewrite: func(r *acctest.HostileRequest, _ *acctest.Answer) *acctest.Answer {
		page := atoi(r.Query.Get("page"))
		items := []map[string]any{}
		for i := (page - 1) * 50; i < page*50 && i < accountsN; i++ {
			items = append(items, map[string]any{"id": fmt.Sprintf("acc-%03d", i), "provider": "zoominfo", "origin_owner_id": "o", "origin_owner_name": "O",
				"status": "active", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"})
		}
		b, _ := json.Marshal(items)
		return acctest.JSONAnswer(http.StatusOK, b)
	}}
	profile := target.ProviderConfig() + `
resource "stackone_connector_profile" "p" {
  connector        = "zoominfo"
  auth_type        = "oauth2_authorization_code_pkce"
  name             = "late in the list"
  client_id        = "client-late"
  client_secret    = "late-secret-0123456789"
  scopes           = ["api:data:contact"]
}
`
	withAccounts := profile + `
data "stackone_accounts" "all" {}

output "accounts" {
  value = length(data.stackone_accounts.all.accounts)
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{Config: profile},
			{
				PreConfig: func() { proxy.Arm(withoutActive, accounts) },
				Config:    withAccounts,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("stackone_connector_profile.p", plancheck.ResourceActionNoop)},
				},
				Check: resource.TestCheckOutput("accounts", fmt.Sprint(accountsN)),
			},
		},
	})
	if proxy.Hits(withoutActive) < 3 || proxy.Hits(accounts) < 3 {
		t.Errorf("the rules answered %d list pages and %d account pages: the test read no capped list", proxy.Hits(withoutActive), proxy.Hits(accounts))
	}
}

// TestProfileShiftingUnderChurnIsNeverPlannedForCreation: every read of the
// paged list misses the profile under test, as reads do when, between two
// page reads, one older profile is deleted and one made (the total
// unchanged): each read lists one profile the read before did not. The profile still
// exists, so the plan must not create it again; the provider says it
// cannot tell. (The first lookup of a missing profile is always confirmed
// by another read; here none ever holds still.)
func TestProfileShiftingUnderChurnIsNeverPlannedForCreation(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	proxy := acctest.NewHostileProxy(t, tg)
	target := proxy.Target(tg)
	var id string
	var mu sync.Mutex
	reads := 0
	// Pages of 2 (a paged list, which can shift between its pages); on the
	// page that holds the profile under test, another one in its place,
	// new on every read: the ids never agree from one read to the next.
	churn := acctest.CappedProfilePages(2)
	churn.Rewrite = func(_ *acctest.HostileRequest, up *acctest.Answer) *acctest.Answer {
		return acctest.RewriteJSON(up, func(page map[string]any) {
			items, _ := page["data"].([]any)
			for i, it := range items {
				if it.(map[string]any)["id"] == id {
					mu.Lock()
					reads++
					items[i] = map[string]any{"id": fmt.Sprintf("made-meanwhile-%d", reads), "name": "made meanwhile", "connector_key": "zoominfo",
						"active": true, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
					mu.Unlock()
				}
			}
		})
	}
	for i := range 3 { // other profiles, so that the list takes several pages
		if _, err := tg.Client.CreateConnectorProfile(context.Background(), stackone.CreateConnectorProfileRequest{
			ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: fmt.Sprintf("other %d", i),
			ClientID: "c", ClientSecret: "other-secret-1234",
		}); err != nil {
			t.Fatal(err)
		}
	}
	config := target.ProviderConfig() + `
resource "stackone_connector_profile" "p" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "shifting"
  client_id     = "client-shift"
  client_secret = "shift-secret-0123456789"
  scopes        = ["api:data:contact"]
}
`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					id = s.RootModule().Resources["stackone_connector_profile.p"].Primary.ID
					return nil
				},
			},
			{
				PreConfig:   func() { proxy.Arm(churn) },
				Config:      config,
				PlanOnly:    true,
				ExpectError: expectError(`list of connector profiles changed on every read.*cannot tell whether profile "` + "[^\"]+" + `" still exists`),
			},
			// Healed: the profile was there all along, and state still holds it.
			{PreConfig: proxy.Disarm, Config: config, PlanOnly: true},
		},
	})
	if reads < 3 {
		t.Errorf("%d reads missed the profile: the lookup was not confirmed", reads)
	}
}

// TestPinnedVersionPathsMaskTheAPIKey: a server that echoes the API key
// into the versions it lists and into the pin it answers (owner,
// pinned_version) has it masked in every message, and refused before it
// can reach state: the versions data source and the pin resource fail,
// naming the field, and no output, log or state shows the key.
func TestPinnedVersionPathsMaskTheAPIKey(t *testing.T) {
	t.Parallel()
	h := newHostileCLI(t)
	profile, err := h.tg.Client.CreateConnectorProfile(context.Background(), stackone.CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: "pinned echo",
		ClientID: "client-pin", ClientSecret: "pin-secret-0123456789",
	})
	if err != nil {
		t.Fatal(err)
	}
	header := `
terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}
`
	versions := &acctest.Rule{Method: http.MethodGet, Route: "/connector_profiles/{id}/versions", Upstream: true, Rewrite: func(r *acctest.HostileRequest, up *acctest.Answer) *acctest.Answer {
		var items []map[string]any
		_ = json.Unmarshal(up.Body, &items)
		for _, it := range items {
			it["owner"] = "acme " + h.tg.APIKey
		}
		up.Body, _ = json.Marshal(items)
		return up
	}}
	h.proxy.Arm(versions)
	h.cli.WriteFile("main.tf", header+fmt.Sprintf(`
data "stackone_connector_profile_versions" "v" {
  connector_profile_id = %q
}
`, profile.ID))
	out := h.run(1, "plan", "-input=false")
	if !expectError(`versions \(item 1\) with a owner that quotes a secret this provider holds.*"acme \[redacted\]"`).MatchString(out) {
		t.Errorf("the versions' echo is not refused and masked:\n%s", out)
	}
	h.proxy.Disarm()

	pin := &acctest.Rule{Method: http.MethodPut, Route: "/connector_profiles/{id}/pinned_version", Upstream: true, Rewrite: func(_ *acctest.HostileRequest, up *acctest.Answer) *acctest.Answer {
		return acctest.RewriteJSON(up, func(p map[string]any) { p["owner"] = h.tg.APIKey })
	}}
	h.proxy.Arm(pin)
	h.cli.WriteFile("main.tf", header+fmt.Sprintf(`
resource "stackone_connector_profile_pinned_version" "pin" {
  connector_profile_id = %q
  pinned_version       = "1.5.0"
}
`, profile.ID))
	out = h.run(1, "apply", "-auto-approve", "-input=false")
	if h.proxy.Hits(pin) == 0 || !expectError(`pinned version of profile .* with a owner that quotes a secret this provider holds`).MatchString(out) {
		t.Errorf("the pin's echo is not refused (%d PUT answered):\n%s", h.proxy.Hits(pin), out)
	}
	if ids := stateIDs(t, h.cli); len(ids) != 0 {
		t.Errorf("state holds %v", ids)
	}
	h.noLeaks(keyLeaks(h.tg))
}

// TestPlanRefusesWritesTheServerCannotTake: against a StackOne without
// profile writes, a plan that creates profiles fails at plan with the
// dashboard + import advice (a CI job gating on plan must not go green),
// having asked once per provider process, without side effects: one PATCH
// of a profile no server has, no POST. (The import-then-adopt path keeps
// planning cleanly: TestConnectorProfilePublishedAPIAdoption.)
func TestPlanRefusesWritesTheServerCannotTake(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	cli := acctest.NewCLI(t, tg)
	config := profileHCL("new a", "client-a", `client_secret = "secret-a-0123456789"`)
	for _, n := range []string{"b", "c"} {
		config += fmt.Sprintf(`
resource "stackone_connector_profile" %q {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "new %s"
  client_id     = "client-%s"
  client_secret = "secret-%s-0123456789"
}
`, n, n, n, n)
	}
	cli.WriteFile("main.tf", config)
	out, code := cli.Run("plan", "-input=false")
	if code != 1 || !expectError(`StackOne does not accept connector profile writes.*Connector Profiles → \+ Connector Profile → zoominfo.*import \{.*Found out while planning`).MatchString(out) {
		t.Fatalf("want the plan refused with the dashboard advice, got exit %d:\n%s", code, out)
	}
	if strings.Contains(out, "to add") {
		t.Errorf("the plan still promises creations:\n%s", out)
	}
	st := tg.Sandbox.Stats().Requests
	if st["PATCH /connector_profiles/{id}"] != 1 || st["POST /connector_profiles"] != 0 || len(tg.Sandbox.Profiles()) != 0 {
		t.Errorf("the plan asked %d times (want once, for the process) and sent %d creates; requests: %v", st["PATCH /connector_profiles/{id}"], st["POST /connector_profiles"], st)
	}
}
