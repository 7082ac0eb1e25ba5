package provider_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// terraform query and list resources (Terraform 1.14 and later), driven
// through the CLI as a user runs them: the plugin-testing query mode cannot
// edit a configuration that -generate-config-out wrote.

var (
	cliVersionOnce sync.Once
	cliProduct     string
	cliMinor       int
)

// skipBelowCLI skips a test unless the CLI the tests drive is Terraform
// 1.minor or later (or, when openTofu is true, OpenTofu 1.minor or later),
// saying why, as tfversion.SkipBelow does for plugin-testing steps; what
// names the feature.
func skipBelowCLI(t *testing.T, minor int, openTofu bool, what string) {
	t.Helper()
	cliVersionOnce.Do(func() {
		out, _ := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "version").Output()
		m := regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v1\.(\d+)\.`).FindStringSubmatch(string(out))
		if m != nil {
			cliProduct = m[1]
			cliMinor, _ = strconv.Atoi(m[2])
		}
	})
	switch {
	case cliProduct == "OpenTofu" && !openTofu:
		t.Skipf("OpenTofu 1.%d has no %s: skipping test", cliMinor, what)
	case cliProduct == "" || cliMinor < minor:
		t.Skipf("%s CLI version 1.%d is below minimum version 1.%d.0 (%s): skipping test", cliProduct, cliMinor, minor, what)
	}
}

// skipBelowQuery skips a test unless the CLI has terraform query and list
// resources: Terraform 1.14 and later (OpenTofu 1.12 has neither).
func skipBelowQuery(t *testing.T) {
	t.Helper()
	skipBelowCLI(t, 14, false, "terraform query and list resources")
}

// requireStackone is the terraform block of a configuration the CLI tests
// run: the provider from its dev_overrides build.
const requireStackone = `
terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}
`

// queryCLI is a working directory for terraform query against tg: the
// provider required in main.tf, the list blocks in query.tfquery.hcl.
func queryCLI(t *testing.T, tg *acctest.Target, listBlocks string) *acctest.CLI {
	t.Helper()
	cli := acctest.NewCLI(t, tg)
	cli.WriteFile("main.tf", requireStackone)
	cli.WriteFile("query.tfquery.hcl", listBlocks)
	return cli
}

// queryResult is one result of terraform query -json.
type queryResult struct {
	Address     string            `json:"address"`
	DisplayName string            `json:"display_name"`
	Identity    map[string]string `json:"identity"`
}

// runQuery runs terraform query -json and returns its results by list
// block address, and its diagnostics' summaries.
func runQuery(t *testing.T, cli *acctest.CLI) (map[string][]queryResult, []string) {
	t.Helper()
	out, code := cli.Run("query", "-json")
	if code != 0 {
		t.Fatalf("terraform query: exit %d\n%s", code, out)
	}
	results := map[string][]queryResult{}
	var diags []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line struct {
			Type       string       `json:"type"`
			Found      *queryResult `json:"list_resource_found"`
			Diagnostic *struct {
				Summary string `json:"summary"`
			} `json:"diagnostic"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		if line.Found != nil {
			results[line.Found.Address] = append(results[line.Found.Address], *line.Found)
		}
		if line.Diagnostic != nil {
			diags = append(diags, line.Diagnostic.Summary)
		}
	}
	return results, diags
}

// names returns the display names of results, sorted.
func names(results []queryResult) []string {
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = r.DisplayName
	}
	sort.Strings(out)
	return out
}

// listRequests is how many pages of the profile list the sandbox served.
func listRequests(tg *acctest.Target) int {
	return tg.Sandbox.Stats().Requests["GET /connector_profiles"]
}

// A query lists every profile by name with its id as identity, reading the
// list as a refresh does (150 profiles: 2 pages, no profile by id), and each
// filter keeps only the profiles that match it.
func TestConnectorProfileList_query(t *testing.T) {
	t.Parallel()
	skipBelowQuery(t)
	tg := acctest.New(t)
	tg.RequireProfileWrites(t)
	ctx := context.Background()
	ids := map[string]string{} // name -> id
	create := func(req stackone.CreateConnectorProfileRequest) {
		p, err := tg.Client.CreateConnectorProfile(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		ids[p.Name] = p.ID
	}
	zoominfo := func(name string, active bool) stackone.CreateConnectorProfileRequest {
		return stackone.CreateConnectorProfileRequest{ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce",
			Name: name, ClientID: "cid", ClientSecret: "s", Active: &active}
	}
	for i := 0; i < 147; i++ {
		create(zoominfo(fmt.Sprintf("fleet %03d", i), true))
	}
	create(zoominfo("ZoomInfo (paused)", false))
	create(zoominfo("ZoomInfo (sales)", true))
	create(stackone.CreateConnectorProfileRequest{ConnectorKey: "acmecrm", AuthenticationConfigKey: "oauth2_authorization_code",
		Name: "Acme", ClientID: "cid", ClientSecret: "s"})

	// Every profile, past Terraform's default limit of 100.
	cli := queryCLI(t, tg, `
list "stackone_connector_profile" "all" {
  provider = stackone
  limit    = 1000
}
`)
	before, byIDBefore := listRequests(tg), tg.Sandbox.Stats().Requests["GET /connector_profiles/{id}"]
	results, _ := runQuery(t, cli)
	all := results["list.stackone_connector_profile.all"]
	if len(all) != len(ids) {
		t.Fatalf("query listed %d profiles, want %d", len(all), len(ids))
	}
	for _, r := range all {
		if want, ok := ids[r.DisplayName]; !ok || r.Identity["id"] != want {
			t.Errorf("result %q has identity %v; want the profile of that name, id %q", r.DisplayName, r.Identity, want)
		}
	}
	if n := listRequests(tg) - before; n != 2 {
		t.Errorf("the query of %d profiles read %d list pages, want 2 (page size 100)", len(ids), n)
	}
	if n := tg.Sandbox.Stats().Requests["GET /connector_profiles/{id}"] - byIDBefore; n != 0 {
		t.Errorf("the query read %d profiles by id, want 0", n)
	}

	// The filters, alone and together.
	cli = queryCLI(t, tg, `
list "stackone_connector_profile" "inactive" {
  provider = stackone
  config {
    active = false
  }
}
list "stackone_connector_profile" "named" {
  provider = stackone
  config {
    connector  = "zoominfo"
    name_regex = "^ZoomInfo"
    active     = true
  }
}
list "stackone_connector_profile" "exact" {
  provider = stackone
  config {
    name = "fleet 007"
  }
}
list "stackone_connector_profile" "acme" {
  provider = stackone
  config {
    auth_type = "oauth2_authorization_code"
  }
}
list "stackone_connector_profile" "default_limit" {
  provider = stackone
  config {
    connector = "zoominfo"
  }
}
`)
	results, _ = runQuery(t, cli)
	for addr, want := range map[string][]string{
		"inactive": {"ZoomInfo (paused)"},
		"named":    {"ZoomInfo (sales)"},
		"exact":    {"fleet 007"},
		"acme":     {"Acme"},
	} {
		if got := names(results["list.stackone_connector_profile."+addr]); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("list %s: %q, want %q", addr, got, want)
		}
	}
	if n := len(results["list.stackone_connector_profile.default_limit"]); n != 100 {
		t.Errorf("list without a limit: %d results, want Terraform's default limit of 100", n)
	}
}

// A bad filter is refused before anything is listed, on the attribute, with
// the fix; an unknown connector gets the nearest keys.
func TestConnectorProfileList_badFilters(t *testing.T) {
	t.Parallel()
	skipBelowQuery(t)
	tg := acctest.New(t)
	cli := queryCLI(t, tg, `
list "stackone_connector_profile" "bad" {
  provider = stackone
  config {
    name_regex = "ZoomInfo ("
  }
}
`)
	out, code := cli.Run("query")
	if code == 0 || !expectError(`Invalid regular expression.*name_regex is "ZoomInfo \(", which is not a regular expression`).MatchString(out) {
		t.Fatalf("want the name_regex refused; exit %d:\n%s", code, out)
	}
	cli.WriteFile("query.tfquery.hcl", `
list "stackone_connector_profile" "typo" {
  provider = stackone
  config {
    connector = "zoominfoo"
  }
}
`)
	out, code = cli.Run("query")
	if code != 0 || !expectError(`No profiles of an unknown connector.*Did you mean "zoominfo"`).MatchString(out) {
		t.Fatalf("want a warning with the nearest connector; exit %d:\n%s", code, out)
	}
}

// generatedEdit is what a user adds to each block terraform query generated:
// the secret, and against the published API what StackOne does not report.
func generatedEdit(t *testing.T, generated string, published bool) string {
	t.Helper()
	secret := regexp.MustCompile(`(?m)^(\s*)client_secret_wo(\s*)= null # sensitive$`)
	if len(secret.FindAllString(generated, -1)) == 0 {
		t.Fatalf("no client_secret_wo = null to fill in:\n%s", generated)
	}
	edited := secret.ReplaceAllString(generated, `${1}client_secret_wo${2}= "dashboard-secret"`)
	if published {
		clientID := regexp.MustCompile(`(?m)^(\s*)client_id(\s*)= null$`)
		if len(clientID.FindAllString(edited, -1)) == 0 {
			t.Fatalf("no client_id = null to fill in:\n%s", generated)
		}
		edited = clientID.ReplaceAllString(edited, "${1}client_id = \"0oaf6t3osgvaPvy4E1d7\"\n${1}scopes = [\"api:data:contact\", \"api:data:company\"]\n${1}actions = [\"zoominfo_search_contacts\"]")
	}
	return edited
}

// TestConnectorProfileList_generatedConfigPlansClean adopts every ZoomInfo
// profile made in the dashboard as the guide says: terraform query
// -generate-config-out, fill in what the query's warning names, plan, apply.
// Against the extension, the plan only imports; against the published API,
// it imports and records what StackOne does not report (the adoption rules:
// an update in place that calls nothing). Either way nothing is written to
// StackOne, and the plan after the apply is clean.
func TestConnectorProfileList_generatedConfigPlansClean(t *testing.T) {
	skipBelowQuery(t)
	for _, mode := range []sandbox.APIMode{sandbox.APIExtended, sandbox.APIPublished} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			tg := acctest.NewWithOptions(t, sandbox.Options{API: mode})
			tg.RequireSandbox(t)
			published := mode == sandbox.APIPublished
			ctx := context.Background()
			scopes, actions := []string{"api:data:contact", "api:data:company"}, []string{"zoominfo_search_contacts"}
			for _, name := range []string{"ZoomInfo (sales)", "ZoomInfo (marketing)", "ZoomInfo (ops)"} {
				clientID, secret := "0oaf6t3osgvaPvy4E1d7", "dashboard-secret"
				if _, err := tg.Dashboard().CreateProfile(ctx, acctest.DashboardProfile{
					ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce",
					Name: &name, ClientID: &clientID, ClientSecret: &secret, Scopes: &scopes, Actions: &actions,
				}); err != nil {
					t.Fatal(err)
				}
			}
			acme, cid, secret := "Acme", "cid", "s"
			if _, err := tg.Dashboard().CreateProfile(ctx, acctest.DashboardProfile{
				ConnectorKey: "acmecrm", AuthenticationConfigKey: "oauth2_authorization_code", Name: &acme, ClientID: &cid, ClientSecret: &secret,
			}); err != nil {
				t.Fatal(err)
			}
			writes := func() int {
				st := tg.Sandbox.Stats().Requests
				return st["POST /connector_profiles"] + st["PATCH /connector_profiles/{id}"] + st["DELETE /connector_profiles/{id}"]
			}

			// The query is the docs' example.
			example, err := os.ReadFile(filepath.Join(examplesRoot(t), "list-resources", "stackone_connector_profile", "list-resource.tfquery.hcl"))
			if err != nil {
				t.Fatal(err)
			}
			cli := queryCLI(t, tg, string(example))
			out, code := cli.Run("query", "-generate-config-out=generated.tf")
			if code != 0 {
				t.Fatalf("query -generate-config-out: exit %d\n%s", code, out)
			}
			advice := `Generated configuration needs the client secret.*client_secret_wo = null: set it to the OAuth app's client secret`
			if published {
				advice += `.*did not report the client id, scopes and actions of 3 of the 3 profiles.*Copy all three from the StackOne dashboard`
			} else {
				advice += `.*With the secret added, the plan imports each profile and changes nothing`
			}
			if !expectError(advice).MatchString(out) {
				t.Errorf("the query does not say what to add to the generated configuration:\n%s", out)
			}
			generated := cli.ReadFile("generated.tf")
			if n := strings.Count(generated, "identity = {"); n != 3 || strings.Contains(generated, "Acme") {
				t.Fatalf("want 3 ZoomInfo resource blocks imported by identity, got %d:\n%s", n, generated)
			}
			cli.WriteFile("generated.tf", generatedEdit(t, generated, published))

			out, code = cli.Run("plan", "-input=false", "-detailed-exitcode")
			want := "Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."
			if published {
				want = "Plan: 3 to import, 0 to add, 3 to change, 0 to destroy."
			}
			if code != 2 || !strings.Contains(out, want) {
				t.Fatalf("plan of the generated configuration: exit %d, want %q:\n%s", code, want, out)
			}
			if published && !expectError(`Adopting a profile StackOne reports only in part.*client_id = "0oaf6t3osgvaPvy4E1d7" scopes = \["api:data:company", "api:data:contact"\] actions = \["zoominfo_search_contacts"\]`).MatchString(out) {
				t.Errorf("the plan does not say what the update records:\n%s", out)
			}

			out, code = cli.Run("apply", "-input=false", "-auto-approve")
			want = "Resources: 3 imported, 0 added, 0 changed, 0 destroyed."
			if published {
				want = "Resources: 3 imported, 0 added, 3 changed, 0 destroyed."
			}
			if code != 0 || !strings.Contains(out, want) {
				t.Fatalf("apply: exit %d, want %q:\n%s", code, want, out)
			}
			if published && !expectError(`Recorded without checking StackOne.*recorded the configured values without sending or checking them: client_id = "0oaf6t3osgvaPvy4E1d7" scopes = \["api:data:company", "api:data:contact"\] actions = \["zoominfo_search_contacts"\]`).MatchString(out) {
				t.Errorf("the apply does not list what it recorded:\n%s", out)
			}
			if n := writes(); n != 0 {
				t.Errorf("adopting sent %d writes to StackOne, want none", n)
			}
			if out, code := cli.Run("plan", "-input=false", "-detailed-exitcode"); code != 0 {
				t.Fatalf("plan after the apply: exit %d, want 0 (no changes)\n%s", code, out)
			}
		})
	}
}
