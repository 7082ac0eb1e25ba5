package provider_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// The examples under examples/ are what the registry docs show and what users
// copy, so each one is planned by the real terraform CLI against a sandbox,
// with the provider configured only from STACKONE_API_KEY and
// STACKONE_BASE_URL, as a user's would be.

// exampleImportFile matches the import-block examples tfplugindocs renders
// into a resource's Import section (import-by-string-id.tf). They name an id
// that exists nowhere, so they are planned separately, with a real one.
var exampleImportFile = regexp.MustCompile(`^import-by-.*\.tf$`)

// exampleProfileID is the id in the import examples, replaced by a real one.
var exampleProfileID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// examplePlanMust lists text each example's plan output must contain, beyond
// succeeding: evidence that the example does what its comments say.
var examplePlanMust = map[string][]string{
	"provider":                                 {"No changes."},
	"resources/stackone_connector_profile":     {"stackone_connector_profile.zoominfo will be created", "Plan: 1 to add, 0 to change, 0 to destroy."},
	"data-sources/stackone_connector":          {"/connect/oauth2/zoominfo/callback", "+ zoominfo_search_contacts"},
	"data-sources/stackone_connector_profile":  {`name              = "Example ZoomInfo"`, "client_secret_set = true"},
	"data-sources/stackone_connector_profiles": {`"Example ZoomInfo" = [`},
	// The sandbox's app lacks api:data:lookup: the check block warns.
	"data-sources/stackone_registered_scopes": {`"api:data:news"`, "Not registered on the ZoomInfo app: api:data:lookup."},
	"functions/pkce_challenge":                {`code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"`},
	"ephemeral-resources/stackone_pkce":       {"No changes."},
	"zoominfo":                                {"stackone_connector_profile.zoominfo will be created", "Plan: 1 to add, 0 to change, 0 to destroy."},
	"resources/stackone_connector_profile_pinned_version": {
		"stackone_connector_profile_pinned_version.zoominfo will be created", `pinned_version       = "1.x.x"`, "Plan: 2 to add, 0 to change, 0 to destroy.",
	},
	"data-sources/stackone_connector_profile_versions": {`"1.5.0-acme.1 (acme-corp)"`, "pinned    = []"},
	"data-sources/stackone_account":                    {`connector = "zoominfo"`, `status    = "active"`},
	// The sandbox's one linked account is active: the check passes (see
	// TestExamples_accountsCheckFails for one in error).
	"data-sources/stackone_accounts": {`"Acceptance test acctest-`, `"active"`},
	// The terraform test example (scripts/example-test.sh runs its tests):
	// the module adopts the profile and takes the declared name; the
	// helpers plan their commands, which run only on apply.
	"testing":                 {"stackone_connector_profile.zoominfo will be updated in-place", `~ name `, "Plan: 1 to import, 0 to add, 1 to change, 0 to destroy."},
	"testing/tests/dashboard": {"terraform_data.dashboard will be created"},
	"testing/tests/link":      {"terraform_data.link will be created"},
	"testing/extended/create": {"stackone_connector_profile.created will be created"},
	"actions/stackone_connect_link": {
		"stackone_connector_profile.zoominfo will be created", `action "stackone_connect_link" "first_account"`, "Actions: 1 to invoke.",
	},
}

// exampleRequires skips an example on a CLI without what it uses, saying so.
var exampleRequires = map[string]func(testing.TB){
	"actions/stackone_connect_link": acctest.RequireActions,
}

func examplesRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "examples")
}

// exampleDirs returns every directory under examples/ holding .tf files,
// relative to examples/.
func exampleDirs(t *testing.T) []string {
	t.Helper()
	root := examplesRoot(t)
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".terraform") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".tf") {
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			seen[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dirs := make([]string, 0, len(seen))
	for d := range seen {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	if len(dirs) == 0 {
		t.Fatalf("no examples found under %s", root)
	}
	return dirs
}

// exampleFiles reads the .tf files of an example directory by name.
func exampleFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(examplesRoot(t), dir))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".tf") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(examplesRoot(t), dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

// exampleVariables are the values the tests give the examples' input
// variables, through TF_VAR_*: the sandbox's ZoomInfo app and a profile made
// beforehand. An example declaring a variable missing here, without a default,
// fails to plan: add it here.
func exampleVariables(t *testing.T, tg *acctest.Target) map[string]string {
	t.Helper()
	app := tg.Sandbox.ZoomInfoApp()
	profile, err := tg.Client.CreateConnectorProfile(context.Background(), stackone.CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", Name: "Example ZoomInfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce",
		ClientID: app.ClientID, ClientSecret: app.ClientSecret,
		Scopes: []string{"api:data:contact"}, Actions: []string{"zoominfo_search_contacts"},
	})
	if err != nil {
		t.Fatalf("create a profile for the examples: %v", err)
	}
	account := linkAccount(t, tg, profile.ID) // owner "Acceptance test acctest-…"
	return map[string]string{
		"zoominfo_client_id":     app.ClientID,
		"zoominfo_client_secret": app.ClientSecret,
		"zoominfo_profile_id":    profile.ID,
		// The sandbox's stand-in for ZoomInfo's gateway, the default endpoint.
		"zoominfo_authorization_endpoint": tg.Sandbox.AuthServer().GatewayAuthorizeEndpoint(),
		"account_id":                      account.ID,
	}
}

// newExampleCLI sets TF_VAR_* for vars, then returns a CLI (which takes the
// environment as it is when created) with the given files written into it. A
// configuration without required_providers (resource, data source and
// function examples, as the docs show them) gets one, as it would in a user's
// root module.
func newExampleCLI(t *testing.T, tg *acctest.Target, vars map[string]string, files map[string]string) *acctest.CLI {
	t.Helper()
	for name, value := range vars {
		t.Setenv("TF_VAR_"+name, value)
	}
	cli := acctest.NewCLI(t, tg)
	hasRequiredProviders := false
	for name, content := range files {
		cli.WriteFile(name, content)
		hasRequiredProviders = hasRequiredProviders || strings.Contains(content, "required_providers")
	}
	if !hasRequiredProviders {
		cli.WriteFile("required_providers_test.tf", `terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}
`)
	}
	return cli
}

// runOK runs terraform and fails the test unless it exits with one of codes.
func runOK(t *testing.T, cli *acctest.CLI, codes []int, args ...string) string {
	t.Helper()
	out, code := cli.Run(args...)
	for _, c := range codes {
		if code == c {
			return out
		}
	}
	t.Fatalf("terraform %s: exit %d, want %v:\n%s", strings.Join(args, " "), code, codes, out)
	return ""
}

// TestExamples plans every example directory, import blocks aside.
func TestExamples(t *testing.T) {
	dirs := exampleDirs(t)
	for _, dir := range dirs {
		if _, ok := examplePlanMust[dir]; !ok {
			t.Errorf("example %s has no entry in examplePlanMust: say what its plan must show", dir)
		}
	}
	for _, dir := range dirs {
		t.Run(strings.ReplaceAll(dir, "/", "_"), func(t *testing.T) {
			if requires := exampleRequires[dir]; requires != nil {
				requires(t)
			}
			tg := acctest.New(t)
			tg.RequireSandbox(t)
			files := exampleFiles(t, dir)
			for name := range files {
				if exampleImportFile.MatchString(name) {
					delete(files, name) // planned by TestExamples_importBlock
				}
			}
			cli := newExampleCLI(t, tg, exampleVariables(t, tg), files)
			runOK(t, cli, []int{0}, "validate")
			out := runOK(t, cli, []int{0, 2}, "plan", "-input=false", "-detailed-exitcode")
			for _, want := range examplePlanMust[dir] {
				if !strings.Contains(out, want) {
					t.Errorf("plan of examples/%s lacks %q:\n%s", dir, want, out)
				}
			}
			if strings.Contains(out, "Error:") {
				t.Errorf("plan of examples/%s reports an error:\n%s", dir, out)
			}
		})
	}
}

// TestExamples_importBlock plans each resource's import-by-string-id.tf with
// its resource.tf, the id replaced by a profile's that exists.
func TestExamples_importBlock(t *testing.T) {
	found := 0
	for _, dir := range exampleDirs(t) {
		files := exampleFiles(t, dir)
		for name, content := range files {
			if !exampleImportFile.MatchString(name) {
				continue
			}
			found++
			t.Run(strings.ReplaceAll(dir, "/", "_")+"_"+name, func(t *testing.T) {
				if strings.Contains(name, "identity") {
					skipBelowCLI(t, 12, true, "import blocks with identity")
				}
				tg := acctest.New(t)
				tg.RequireSandbox(t)
				vars := exampleVariables(t, tg)
				if !exampleProfileID.MatchString(content) {
					t.Fatalf("examples/%s/%s has no profile id to replace:\n%s", dir, name, content)
				}
				files := maps.Clone(files)
				for other := range files {
					if other != name && exampleImportFile.MatchString(other) {
						delete(files, other) // each import example is planned alone
					}
				}
				files[name] = exampleProfileID.ReplaceAllString(content, vars["zoominfo_profile_id"])
				cli := newExampleCLI(t, tg, vars, files)
				if prepare := exampleImportPrepare[dir]; prepare != nil {
					prepare(t, tg, cli, vars["zoominfo_profile_id"])
				}
				runOK(t, cli, []int{0}, "validate")
				out := runOK(t, cli, []int{2}, "plan", "-input=false", "-detailed-exitcode")
				if !regexp.MustCompile(`Plan: 1 to import, 0 to add, \d+ to change, 0 to destroy\.`).MatchString(out) {
					t.Errorf("want a plan that imports the profile and neither adds nor destroys:\n%s", out)
				}
			})
		}
	}
	if found == 0 {
		t.Fatal("no import-by-*.tf example found")
	}
}

// exampleImportPrepare gives an example's import.sh what a user has before
// running it, beyond the profile of exampleVariables.
var exampleImportPrepare = map[string]func(t *testing.T, tg *acctest.Target, cli *acctest.CLI, profileID string){
	// A pin to import, on a profile already in state.
	"resources/stackone_connector_profile_pinned_version": func(t *testing.T, tg *acctest.Target, cli *acctest.CLI, profileID string) {
		if _, err := tg.Client.PinVersion(context.Background(), profileID, stackone.PinVersionRequest{PinnedVersion: "1.5.0"}); err != nil {
			t.Fatal(err)
		}
		runOK(t, cli, []int{0}, "import", "-input=false", "stackone_connector_profile.zoominfo", profileID)
	},
}

// TestExamples_importCommand runs the `terraform import` line of each
// resource's import.sh, with a real id, then plans the resource example.
func TestExamples_importCommand(t *testing.T) {
	root := examplesRoot(t)
	scripts, err := filepath.Glob(filepath.Join(root, "resources", "*", "import.sh"))
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no import.sh example found (%v)", err)
	}
	for _, script := range scripts {
		dir, _ := filepath.Rel(root, filepath.Dir(script))
		dir = filepath.ToSlash(dir)
		t.Run(strings.ReplaceAll(dir, "/", "_"), func(t *testing.T) {
			tg := acctest.New(t)
			tg.RequireSandbox(t)
			b, err := os.ReadFile(script)
			if err != nil {
				t.Fatal(err)
			}
			var args []string
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "terraform import ") {
					args = strings.Fields(line)[1:]
				}
			}
			if len(args) != 3 || args[0] != "import" || !exampleProfileID.MatchString(args[2]) {
				t.Fatalf("%s: want one line `terraform import <address> <profile id>`, got %q", script, args)
			}
			vars := exampleVariables(t, tg)
			args[2] = vars["zoominfo_profile_id"]
			files := exampleFiles(t, dir)
			for name := range files {
				if exampleImportFile.MatchString(name) {
					delete(files, name)
				}
			}
			cli := newExampleCLI(t, tg, vars, files)
			if prepare := exampleImportPrepare[dir]; prepare != nil {
				prepare(t, tg, cli, vars["zoominfo_profile_id"])
			}
			out := runOK(t, cli, []int{0}, "import", "-input=false", args[1], args[2])
			if !strings.Contains(out, "Import successful!") {
				t.Errorf("terraform %s did not import:\n%s", strings.Join(args, " "), out)
			}
			out = runOK(t, cli, []int{0, 2}, "plan", "-input=false", "-detailed-exitcode")
			if !regexp.MustCompile(`No changes\.|Plan: 0 to add, \d+ to change, 0 to destroy\.`).MatchString(out) {
				t.Errorf("after import, want a plan that neither adds nor destroys:\n%s", out)
			}
		})
	}
}

// TestExamples_zoominfoApply applies examples/zoominfo end to end against the
// sandbox, checks that the next plan is empty, and that the plan fails when
// a scope (with the example's own message) or the redirect URI is not
// registered on the app.
func TestExamples_zoominfoApply(t *testing.T) {
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	app := tg.Sandbox.ZoomInfoApp()
	vars := map[string]string{"zoominfo_client_id": app.ClientID, "zoominfo_client_secret": app.ClientSecret,
		"zoominfo_authorization_endpoint": tg.Sandbox.AuthServer().GatewayAuthorizeEndpoint()}
	cli := newExampleCLI(t, tg, vars, exampleFiles(t, "zoominfo"))

	out := runOK(t, cli, []int{0}, "apply", "-auto-approve", "-input=false")
	if !strings.Contains(out, "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.") {
		t.Fatalf("unexpected apply output:\n%s", out)
	}
	out = runOK(t, cli, []int{0}, "plan", "-input=false", "-detailed-exitcode")
	if !strings.Contains(out, "No changes.") {
		t.Fatalf("the plan after apply is not empty:\n%s", out)
	}

	profiles, err := tg.Client.ListConnectorProfiles(context.Background(), stackone.ListConnectorProfilesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(profiles) != 1 {
		t.Fatalf("want one profile, got %d", len(profiles))
	}
	p := profiles[0]
	scopes := append([]string(nil), acctest.Strings(p.Scopes)...)
	sort.Strings(scopes)
	if p.ConnectorKey != "zoominfo" || p.ClientID == nil || *p.ClientID != app.ClientID || p.ClientSecretSet == nil || !*p.ClientSecretSet ||
		strings.Join(scopes, " ") != "api:data:company api:data:contact api:data:intent" {
		t.Errorf("unexpected profile: %+v", p)
	}
	state := runOK(t, cli, []int{0}, "show", "-json")
	if strings.Contains(state, app.ClientSecret) {
		t.Error("the client secret is in state: the example should use client_secret_wo")
	}

	// A scope the app lacks (the sandbox's app has no api:data:lookup) fails
	// the plan, with the example's message, before anything changes.
	t.Setenv("TF_VAR_scopes", `["api:data:contact", "api:data:company", "api:data:intent", "api:data:lookup"]`)
	scoops := acctest.NewCLI(t, tg)
	for name, content := range exampleFiles(t, "zoominfo") {
		scoops.WriteFile(name, content)
	}
	out, code := scoops.Run("plan", "-input=false")
	if code != 1 || !strings.Contains(out, "Not registered: api:data:lookup") {
		t.Errorf("want the plan to fail on the unregistered scope; exit %d:\n%s", code, out)
	}

	// The app no longer accepting StackOne's redirect URI fails the plan too.
	moved := tg.Sandbox.ZoomInfoApp()
	moved.RedirectURIs = []string{"https://elsewhere.example/callback"}
	tg.Sandbox.AuthServer().PutApp(moved)
	out, code = cli.Run("plan", "-input=false")
	if code != 1 || !strings.Contains(out, "Redirect URI not registered on the OAuth app") {
		t.Errorf("want the plan to fail on the unregistered redirect URI; exit %d:\n%s", code, out)
	}
	tg.Sandbox.AuthServer().PutApp(app)

	out = runOK(t, cli, []int{0}, "destroy", "-auto-approve", "-input=false")
	if !strings.Contains(out, "Destroy complete! Resources: 1 destroyed.") {
		t.Errorf("unexpected destroy output:\n%s", out)
	}
}

// TestExamples_accountsCheckFails plans examples/data-sources/stackone_accounts
// against a StackOne holding a linked account in error (the sandbox links
// only active ones): the check block warns, naming the account, and the plan
// still succeeds.
func TestExamples_accountsCheckFails(t *testing.T) {
	tg := fakeStackOne(t, map[string]string{"GET /accounts": `[{"id":"acc-1","provider":"zoominfo","provider_name":"ZoomInfo",
		"origin_owner_id":"acme-1","origin_owner_name":"Acme Ltd","status":"error",
		"status_reasons":[{"code":"invalid_grant","description":"The refresh token was revoked.","timestamp":"2025-01-02T00:00:00Z"}],
		"created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-02T00:00:00Z"}]`})
	cli := newExampleCLI(t, tg, nil, exampleFiles(t, "data-sources/stackone_accounts"))
	out := runOK(t, cli, []int{0, 2}, "plan", "-input=false", "-detailed-exitcode")
	if !expectError(`Warning: Check block assertion failed.*Linked accounts in error \(ask their owners to link them again\): zoominfo account acc-1 of Acme Ltd \(acme-1\): The refresh token was revoked\.`).MatchString(strings.Join(strings.Fields(out), " ")) {
		t.Errorf("want the check to warn about account acc-1:\n%s", out)
	}
}
