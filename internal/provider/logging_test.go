package provider_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// TestLogging_traceHoldsNoSecret runs the real terraform CLI with TF_LOG=TRACE
// through create, update (secrets rotated), import and data source reads, with
// both client_secret and client_secret_wo, and scans the whole log: it must
// not hold the API key, its Basic credential, any client secret or any
// Authorization header value. It must hold the provider's request lines, so
// that a log with nothing in it cannot pass.
func TestLogging_traceHoldsNoSecret(t *testing.T) {
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	ctx := context.Background()

	secrets := map[string]string{
		"API key":                  tg.APIKey,
		"Basic credential":         base64.StdEncoding.EncodeToString([]byte(tg.APIKey + ":")),
		"client_secret":            "cs-first-9d1c2f4e",
		"rotated client_secret":    "cs-second-77a0b3e1",
		"client_secret_wo":         "wo-first-5be8c0aa",
		"rotated client_secret_wo": "wo-second-c3d94f12",
		"imported profile secret":  "wo-imported-0f6e2b9d",
		"secret set out of band":   "dashboard-secret-4a7f",
	}

	// A profile made in the dashboard, imported below.
	dashboard, err := tg.Client.CreateConnectorProfile(ctx, stackone.CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: "from the dashboard",
		ClientID: "dashboard-client", ClientSecret: secrets["secret set out of band"],
		Scopes: []string{"api:data:contact"},
	})
	if err != nil {
		t.Fatal(err)
	}

	cli := acctest.NewCLI(t, tg)
	logPath := filepath.Join(t.TempDir(), "terraform.log")
	cli.Setenv("TF_LOG", "TRACE")
	cli.Setenv("TF_LOG_PATH", logPath)

	config := func(version int, csecret, wosecret, suffix string, imported bool) string {
		c := fmt.Sprintf(`
terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}

provider "stackone" {}

resource "stackone_connector_profile" "in_state" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "kept in state %[4]s"
  client_id     = "client-in-state"
  client_secret = %[2]q
  scopes        = ["api:data:contact"]
}

resource "stackone_connector_profile" "write_only" {
  connector                = "zoominfo"
  auth_type                = "oauth2_authorization_code_pkce"
  name                     = "write-only %[4]s"
  client_id                = "client-write-only"
  client_secret_wo         = %[3]q
  client_secret_wo_version = %[1]d
  scopes                   = ["api:data:company"]
}

data "stackone_connector_profile" "read" {
  id = stackone_connector_profile.in_state.id
}

data "stackone_connector" "zoominfo" {
  key = "zoominfo"
}
`, version, csecret, wosecret, suffix)
		if imported {
			c += fmt.Sprintf(`
resource "stackone_connector_profile" "imported" {
  connector        = "zoominfo"
  auth_type        = "oauth2_authorization_code_pkce"
  name             = "from the dashboard"
  client_id        = "dashboard-client"
  client_secret_wo = %q
  scopes           = ["api:data:contact"]
}
`, secrets["imported profile secret"])
		}
		return c
	}
	run := func(args ...string) string {
		t.Helper()
		out, code := cli.Run(args...)
		if code != 0 {
			t.Fatalf("terraform %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
		return out
	}

	// Create.
	cli.WriteFile("main.tf", config(1, secrets["client_secret"], secrets["client_secret_wo"], "v1", false))
	run("apply", "-auto-approve", "-input=false")
	// Update, rotating both secrets.
	cli.WriteFile("main.tf", config(2, secrets["rotated client_secret"], secrets["rotated client_secret_wo"], "v2", false))
	run("apply", "-auto-approve", "-input=false")
	// Import, then a plan that refreshes everything and reads the data sources.
	cli.WriteFile("main.tf", config(2, secrets["rotated client_secret"], secrets["rotated client_secret_wo"], "v2", true))
	run("import", "-input=false", "stackone_connector_profile.imported", dashboard.ID)
	run("apply", "-auto-approve", "-input=false")
	if out := run("plan", "-input=false", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("want a clean plan after the import:\n%s", out)
	}

	// The secrets really went to StackOne: the runs did what the scan assumes.
	sent := map[string]bool{}
	for _, p := range tg.Sandbox.Profiles() {
		sent[p.ClientSecret] = true
	}
	for _, k := range []string{"rotated client_secret", "rotated client_secret_wo", "secret set out of band"} {
		if !sent[secrets[k]] {
			t.Fatalf("the %s never reached the sandbox; profiles: %d", k, len(tg.Sandbox.Profiles()))
		}
	}

	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	if !strings.Contains(log, "StackOne request") || !regexp.MustCompile(`route=/connector_profiles\b|"route":\s*"/connector_profiles"`).MatchString(log) {
		t.Fatalf("the TRACE log (%d bytes) has no provider request line for /connector_profiles: the scan below would prove nothing", len(raw))
	}
	for _, route := range []string{"POST", "PATCH", "GET"} {
		if !regexp.MustCompile(`StackOne request.*` + route).MatchString(log) {
			t.Fatalf("the TRACE log has no %s request line", route)
		}
	}
	for what, secret := range secrets {
		if i := strings.Index(log, secret); i >= 0 {
			t.Errorf("the TRACE log holds the %s:\n…%s…", what, excerpt(log, i, len(secret)))
		}
	}
	// Any Authorization header value (Basic, Bearer or otherwise).
	if m := regexp.MustCompile(`(?i)authorization["']?\s*[:=]\s*\[?["']?\s*(basic|bearer)\s+\S+`).FindStringIndex(log); m != nil {
		t.Errorf("the TRACE log holds an Authorization header value:\n…%s…", excerpt(log, m[0], m[1]-m[0]))
	}
}

// excerpt shows the log around a match with the match itself masked, so a
// failing test does not print the secret it found.
func excerpt(log string, at, n int) string {
	start, end := max(at-120, 0), min(at+n+120, len(log))
	return log[start:at] + "[MATCH]" + log[at+n:end]
}
