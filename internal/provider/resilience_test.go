package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
)

// loadConfig declares n profiles named "<prefix>-<index>", each with its own
// client id and secret, behind a provider block with the extra lines given.
func loadConfig(tg *acctest.Target, n int, providerExtra ...string) string {
	return tg.ProviderConfig(providerExtra...) + fmt.Sprintf(`
resource "stackone_connector_profile" "load" {
  count         = %d
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "load-${count.index}"
  client_id     = "client-${count.index}"
  client_secret = "secret-${count.index}"
  scopes        = ["api:data:contact", "api:data:company"]
  actions       = ["zoominfo_search_contacts"]
}
`, n)
}

// checkStateMatchesServer asserts that state and the sandbox hold the same
// want profiles: every id in state exists on the server with the declared
// attributes (secret included), the server holds nothing else, and no name
// was created twice.
func checkStateMatchesServer(tg *acctest.Target, want int) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		server := map[string]sandbox.Profile{}
		names := map[string]int{}
		for _, p := range tg.Sandbox.Profiles() {
			server[p.ID] = p
			names[p.Name]++
		}
		var dups []string
		for name, n := range names {
			if n > 1 {
				dups = append(dups, fmt.Sprintf("%s×%d", name, n))
			}
		}
		if len(dups) > 0 {
			sort.Strings(dups)
			return fmt.Errorf("profiles created more than once on the server: %s", strings.Join(dups, ", "))
		}
		inState := 0
		for addr, rs := range s.RootModule().Resources {
			if rs.Type != "stackone_connector_profile" {
				continue
			}
			inState++
			a := rs.Primary.Attributes
			p, ok := server[rs.Primary.ID]
			if !ok {
				return fmt.Errorf("%s: id %q is in state but not on the server", addr, rs.Primary.ID)
			}
			idx := a["name"][strings.LastIndex(a["name"], "-")+1:]
			switch {
			case p.Name != a["name"] || p.ClientID != a["client_id"] || p.ClientID != "client-"+idx:
				return fmt.Errorf("%s: server has name %q client_id %q, state %q %q", addr, p.Name, p.ClientID, a["name"], a["client_id"])
			case p.ClientSecret != "secret-"+idx:
				return fmt.Errorf("%s: the server holds the wrong client secret", addr)
			case !p.Active || a["active"] != "true":
				return fmt.Errorf("%s: not active (server %v, state %s)", addr, p.Active, a["active"])
			case strings.Join(sortedCopy(p.Scopes), " ") != "api:data:company api:data:contact" || a["scopes.#"] != "2":
				return fmt.Errorf("%s: scopes on server %v, %s in state", addr, p.Scopes, a["scopes.#"])
			case strings.Join(p.Actions, " ") != "zoominfo_search_contacts" || a["actions.#"] != "1":
				return fmt.Errorf("%s: actions on server %v, %s in state", addr, p.Actions, a["actions.#"])
			case a["updated_at"] == "" || a["redirect_uri"] != p.RedirectURI:
				return fmt.Errorf("%s: computed attributes not from the server: %v", addr, a)
			}
		}
		if inState != want || len(server) != want {
			return fmt.Errorf("want %d profiles, state has %d and the server %d", want, inState, len(server))
		}
		return nil
	}
}

func sortedCopy(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}

// TestResilience_faultsDuringBulkApply applies 100 profiles while a fifth of
// all requests fail (500/503, 429 with Retry-After, and connections dropped
// after the server committed the change). Retries and the idempotency key on
// create must end with exactly 100 profiles, state equal to the server, and
// an empty plan afterwards. Faults stay on for every command of the test:
// the post-apply plans, refreshes and the destroy go through them too.
func TestResilience_faultsDuringBulkApply(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{FaultRate: 0.2})
	tg.RequireSandbox(t)
	const n = 100
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy: func(*terraform.State) error {
			if left := tg.Sandbox.Profiles(); len(left) != 0 {
				return fmt.Errorf("%d profiles left on the server after destroy", len(left))
			}
			return nil
		},
		Steps: []resource.TestStep{{
			// max_retries 10: the chance that one call meets 11 faults in a
			// row is 0.2^11, about 2e-8. The client-side limit is raised only
			// to keep the test short; it is not what is under test here.
			Config: loadConfig(tg, n, "max_retries = 10", "max_requests_per_minute = 60000"),
			Check: resource.ComposeTestCheckFunc(
				checkStateMatchesServer(tg, n),
				func(*terraform.State) error {
					// The faults really happened: some creates were sent more
					// than once, yet no profile was created twice.
					st := tg.Sandbox.Stats()
					if posts := st.Requests["POST /connector_profiles"]; posts <= n {
						return fmt.Errorf("%d POSTs for %d profiles: no create was retried, so faults were not exercised", posts, n)
					}
					return nil
				},
			),
		}},
	})
}

// TestResilience_outage applies while StackOne is down: first down from the
// start (the plan's catalog check fails), then going down right after the
// first profile was committed (the rest fail). Each time the error says it is
// StackOne, the status and what to do; state keeps exactly what the server
// has, so once StackOne is back the next apply creates only what is missing.
func TestResilience_outage(t *testing.T) {
	t.Parallel()
	var tripAfterFirstCreate atomic.Bool
	var tg *acctest.Target
	tg = acctest.NewWithOptions(t, sandbox.Options{Logf: func(format string, args ...any) {
		// One line per request, "METHOD /route status duration"; the sandbox
		// writes it before the response leaves, so the outage starts before the
		// provider even sees its first 201.
		f := strings.Fields(fmt.Sprintf(format, args...))
		if len(f) >= 3 && f[0] == "POST" && f[1] == "/connector_profiles" && f[2] == "201" && tripAfterFirstCreate.CompareAndSwap(true, false) {
			tg.Sandbox.SetDown(true)
		}
	}})
	tg.RequireSandbox(t)
	const n = 6
	// "first" is created before the others (depends_on), so the outage
	// reliably starts between the first create and the rest.
	config := tg.ProviderConfig("max_retries = 2") + fmt.Sprintf(`
resource "stackone_connector_profile" "first" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "load-first"
  client_id     = "client-first"
  client_secret = "secret-first"
  scopes        = ["api:data:contact", "api:data:company"]
  actions       = ["zoominfo_search_contacts"]
}

resource "stackone_connector_profile" "load" {
  count         = %d
  depends_on    = [stackone_connector_profile.first]
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "load-${count.index}"
  client_id     = "client-${count.index}"
  client_secret = "secret-${count.index}"
  scopes        = ["api:data:contact", "api:data:company"]
  actions       = ["zoominfo_search_contacts"]
}
`, n-1)

	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { tg.Sandbox.SetDown(true) },
				Config:      config,
				ExpectError: expectError(`StackOne.*503 Service Unavailable.*try again later`),
			},
			{
				PreConfig: func() {
					if p := tg.Sandbox.Profiles(); len(p) != 0 {
						t.Fatalf("an apply against a StackOne that was down created %d profiles", len(p))
					}
					if posts := tg.Sandbox.Stats().Requests["POST /connector_profiles"]; posts != 0 {
						t.Fatalf("the failed plan still sent %d creates", posts)
					}
					tg.Sandbox.SetDown(false)
					tripAfterFirstCreate.Store(true)
				},
				Config:      config,
				ExpectError: expectError(`Cannot create the connector profile.*StackOne failed on POST /connector_profiles \(503 Service Unavailable\).*try again later`),
			},
			{
				PreConfig: func() {
					if tripAfterFirstCreate.Load() {
						t.Fatal("the outage never started: no create was committed in the previous step")
					}
					if p := tg.Sandbox.Profiles(); len(p) != 1 || p[0].Name != "load-first" {
						t.Fatalf("want only load-first on the server after the outage, got %d profiles", len(p))
					}
					tg.Sandbox.SetDown(false)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// State held exactly what the server had: only the
					// profiles lost to the outage are planned.
					expectActionCounts(map[string]int{"create": n - 1}),
				}},
				Check: checkStateMatchesServer(tg, n),
			},
		},
	})
}

// expectActionCounts asserts how many resource changes of each action the
// plan holds (actions as in plan JSON: "create", "update", "delete", ...;
// "no-op" is not counted).
func expectActionCounts(want map[string]int) plancheck.PlanCheck {
	return actionCounts(want)
}

type actionCounts map[string]int

func (want actionCounts) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	got := map[string]int{}
	for _, rc := range req.Plan.ResourceChanges {
		for _, a := range rc.Change.Actions {
			if a != "no-op" {
				got[string(a)]++
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(map[string]int(want)) {
		resp.Error = fmt.Errorf("planned actions %v, want %v", got, map[string]int(want))
	}
}

// TestResilience_createTimeout gives a create 2 seconds while StackOne is
// down and retries would take far longer: the apply stops at the timeout with
// an error that says so and how to change it.
func TestResilience_createTimeout(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			PreConfig: func() { tg.Sandbox.SetDown(true) },
			// Retries alone would wait 0.5+0.75+1.1+1.7+... seconds.
			Config: tg.ProviderConfig("max_retries = 20", "skip_catalog_validation = true") + `
resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "times out"
  client_id     = "cid"
  client_secret = "s"
  timeouts {
    create = "2s"
  }
}
`,
			ExpectError: expectError(`Timed out creating the connector profile.*timeouts.*create.*2s.*503 Service Unavailable`),
		}},
	})
	if p := tg.Sandbox.Profiles(); len(p) != 0 {
		t.Fatalf("a timed-out create left %d profiles", len(p))
	}
}

// TestResilience_outageAtPlanChecksCatalogOnce plans many profiles while
// StackOne is down. The plan must fail after one catalog fetch and its
// retries, not after one retried fetch per profile (which, with 100 profiles
// and default retries, kept a plan busy for minutes before it said anything).
func TestResilience_outageAtPlanChecksCatalogOnce(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	tg.Sandbox.SetDown(true)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      loadConfig(tg, 20, "max_retries = 2"),
			ExpectError: expectError(`Cannot check the profile against StackOne's catalog.*503 Service Unavailable.*try again later.*skip_catalog_validation`),
		}},
	})
	// terraform-plugin-testing runs one plan for the step: 1 attempt + 2 retries.
	if got := tg.Sandbox.Stats().Requests["GET /actions"]; got != 3 {
		t.Fatalf("GET /actions sent %d times for one plan of 20 profiles, want 3 (one fetch, retried twice)", got)
	}
	if p := tg.Sandbox.Profiles(); len(p) != 0 {
		t.Fatalf("%d profiles created", len(p))
	}
}

// TestResilience_destroyUnder429Storm: a destroy of 40 profiles at
// -parallelism=50 against a busy key (another client keeps the sandbox's
// 150-a-minute window full: a slot frees every 400 ms, and it asks for one
// every 400 ms) with 30% of requests failing on purpose (500s, 429s,
// dropped connections) completes in one run: after a 429 the whole provider
// process waits the Retry-After plus jitter and goes on one request at a
// time until answers are 2xx again, and 429s do not use up max_retries.
// (max_retries is raised to 10 so that a run of 500s and drops, which no
// client can avoid, does not fail one of ~60 requests in a few runs in a
// hundred; the 429s are what this test is about: with each 429 counted as a
// retry, 40 requests waking together each second fail it.)
func TestResilience_destroyUnder429Storm(t *testing.T) {
	t.Parallel()
	var offset atomic.Int64     // the sandbox's clock, ahead of or behind real time
	var deletes429 atomic.Int64 // DELETEs the sandbox answered with 429
	tg := acctest.NewWithOptions(t, sandbox.Options{
		Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) },
		Logf: func(_ string, args ...any) {
			if len(args) == 4 && args[0] == http.MethodDelete && args[2] == "429" {
				deletes429.Add(1)
			}
		},
	})
	tg.RequireSandbox(t)
	cli := acctest.NewCLI(t, tg)
	const n = 40
	cli.WriteFile("main.tf", `
terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}

provider "stackone" {
  max_retries = 10
}
`+strings.SplitN(loadConfig(tg, n), "}\n", 2)[1])
	if out, code := cli.Run("apply", "-auto-approve", "-input=false", "-parallelism=50"); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, out)
	}
	busyRequest := func(ctx context.Context) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tg.BaseURL+"/actions", nil)
		req.SetBasicAuth(tg.APIKey, "")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
		}
	}
	// The other client's last minute: 150 requests, 400 ms apart, the
	// sandbox's clock moved back for each so the window holds them spread.
	tg.Sandbox.SetRateLimit(150)
	for i := range 150 {
		offset.Store(int64(-60*time.Second + time.Duration(i)*400*time.Millisecond))
		busyRequest(context.Background())
	}
	offset.Store(0)
	tg.Sandbox.SetFaultRate(0.3)
	ctx, stop := context.WithCancel(context.Background())
	busy := make(chan struct{})
	go func() {
		defer close(busy)
		tick := time.NewTicker(400 * time.Millisecond)
		defer tick.Stop()
		for {
			busyRequest(ctx)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	out, code := cli.Run("destroy", "-auto-approve", "-input=false", "-parallelism=50")
	stop()
	<-busy
	tg.Sandbox.SetFaultRate(0)
	tg.Sandbox.SetRateLimit(0)
	if code != 0 {
		t.Fatalf("destroy: exit %d\n%s", code, out)
	}
	if left := len(tg.Sandbox.Profiles()); left != 0 {
		t.Errorf("%d profiles left after the destroy", left)
	}
	// Else the destroy met no storm, and its success proves nothing.
	if deletes429.Load() == 0 {
		t.Error("no DELETE was answered with 429: the test did not reach the rate limit it is about")
	}
}
