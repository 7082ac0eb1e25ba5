package provider_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// The stackone_connect_link action, driven by the Terraform CLI (1.14 and
// later): `terraform apply -invoke` prints an auth link; a person (here
// acctest's browser) follows it and signs in; the action reports the linked
// account, or the OAuth error the sign-in ended with.

// linkLine is the progress line that carries the auth link.
var linkLine = regexp.MustCompile(`Open this link to link an account .*: (http\S+)$`)

// connectLinkProfile creates a ZoomInfo profile for the sandbox's app with
// scopes, as the dashboard would, and returns its id.
func connectLinkProfile(t *testing.T, tg *acctest.Target, scopes ...string) string {
	t.Helper()
	app := tg.Sandbox.ZoomInfoApp()
	p, err := tg.Client.CreateConnectorProfile(context.Background(), stackone.CreateConnectorProfileRequest{
		ConnectorKey: "zoominfo", AuthenticationConfigKey: "oauth2_authorization_code_pkce", Name: "ZoomInfo connect link",
		ClientID: app.ClientID, ClientSecret: app.ClientSecret, Scopes: scopes,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// invokeConnectLink writes an action block for profileID with the given extra
// config lines and starts `terraform apply -invoke` on it, with TRACE logs
// written to trace.log in the working directory.
func invokeConnectLink(t *testing.T, tg *acctest.Target, profileID, owner string, extra ...string) (*acctest.CLI, *acctest.Running) {
	t.Helper()
	cli := acctest.NewCLI(t, tg)
	cli.WriteFile("main.tf", fmt.Sprintf(`terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}

action "stackone_connect_link" "x" {
  config {
    connector_profile_id = %q
    origin_owner_id      = %q
    origin_owner_name    = "Acme Inc"
    %s
  }
}
`, profileID, owner, strings.Join(extra, "\n    ")))
	cli.Setenv("TF_LOG", "TRACE")
	cli.Setenv("TF_LOG_PATH", filepath.Join(cli.Dir, "trace.log"))
	return cli, cli.Start("apply", "-auto-approve", "-input=false", "-invoke=action.stackone_connect_link.x")
}

// followLink plays the person: opens the auth link, signs in on the
// authorization server and comes back to StackOne's callback.
func followLink(t *testing.T, tg *acctest.Target, link string) {
	t.Helper()
	ctx := context.Background()
	user, password, err := tg.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	b := acctest.NewBrowser(user, password)
	authz, err := b.Authorize(ctx, link, tg.Client.RedirectURI("zoominfo"))
	if err != nil {
		t.Fatalf("following the auth link: %v", err)
	}
	if authz.CallbackURL == nil {
		t.Fatalf("the authorization server did not send the browser back to StackOne (error %q %q)", authz.Error, authz.ErrorDescription)
	}
	if _, err := b.Open(ctx, authz.CallbackURL.String()); err != nil {
		t.Fatalf("opening the callback: %v", err)
	}
}

// linkToken is the session token the auth link carries.
func linkToken(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	token := u.Query().Get("token")
	if len(token) < 16 {
		t.Fatalf("the link %s carries no session token", link)
	}
	return token
}

// checkTraceLogClean reads the run's TRACE log and fails if the link or its
// token is in it. The log must show the invocation, or the check proves
// nothing.
func checkTraceLogClean(t *testing.T, cli *acctest.CLI, link, token string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(cli.Dir, "trace.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := string(raw)
	if !strings.Contains(log, "tf_rpc=InvokeAction") || !strings.Contains(log, "route=/connect_sessions") {
		t.Fatalf("the TRACE log does not show the provider invoking the action (%d bytes): the secret check would prove nothing", len(log))
	}
	for what, secret := range map[string]string{"auth link": link, "session token": token} {
		if i := strings.Index(log, secret); i >= 0 {
			t.Errorf("the %s is in Terraform's TRACE log: %s", what, log[max(0, i-300):min(len(log), i+len(secret)+50)])
		}
	}
}

func TestConnectLinkAction_invokeLinksAnAccount(t *testing.T) {
	t.Parallel()
	acctest.RequireActions(t)
	tg := acctest.New(t)
	tg.RequireSandbox(t) // a person must sign in on the authorization server
	profileID := connectLinkProfile(t, tg, "api:data:contact")
	cli, run := invokeConnectLink(t, tg, profileID, "acme-invoke", `label = "CRM"`, `expires_in = "30m"`, `wait = "5m"`)

	link := run.WaitForLine(context.Background(), linkLine)[1]
	followLink(t, tg, link)
	out, code := run.Wait()
	if code != 0 {
		t.Fatalf("terraform apply -invoke: exit %d:\n%s", code, out)
	}

	accounts, err := tg.Client.ListAccounts(context.Background(), stackone.ListAccountsOptions{OriginOwnerID: "acme-invoke"})
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) != 1 {
		t.Fatalf("owner acme-invoke has %d accounts after the link was followed, want 1:\n%s", len(accounts), out)
	}
	a := accounts[0]
	if a.ConnectorProfileID == nil || *a.ConnectorProfileID != profileID || a.Label != "CRM" || a.OriginOwnerName != "Acme Inc" || a.Status != "active" {
		t.Errorf("linked account = %+v, want an active account of profile %s labelled CRM for Acme Inc", a, profileID)
	}
	if want := fmt.Sprintf("Linked account %s to connector profile %s", a.ID, profileID); !strings.Contains(out, want) {
		t.Errorf("the output does not report %q:\n%s", want, out)
	}
	if !strings.Contains(out, "valid for 30m0s until") {
		t.Errorf("the output does not say how long the link is valid:\n%s", out)
	}
	checkTraceLogClean(t, cli, link, linkToken(t, link))
}

func TestConnectLinkAction_reportsTheOAuthError(t *testing.T) {
	t.Parallel()
	acctest.RequireActions(t)
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	// The sandbox's ZoomInfo app does not have api:data:lookup registered:
	// the authorization server refuses the sign-in with invalid_scope.
	profileID := connectLinkProfile(t, tg, "api:data:contact", "api:data:lookup")
	cli, run := invokeConnectLink(t, tg, profileID, "acme-scope", `wait = "5m"`)

	link := run.WaitForLine(context.Background(), linkLine)[1]
	followLink(t, tg, link)
	out, code := run.Wait()
	if code == 0 {
		t.Fatalf("terraform apply -invoke succeeded although the sign-in failed:\n%s", out)
	}
	for _, want := range []string{"Linking the account failed", "ended error with OAuth error invalid_scope", "One or more scopes are not configured", "data.stackone_registered_scopes"} {
		if !expectError(want).MatchString(out) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	accounts, err := tg.Client.ListAccounts(context.Background(), stackone.ListAccountsOptions{OriginOwnerID: "acme-scope"})
	if err != nil || len(accounts) != 0 {
		t.Errorf("a refused sign-in left accounts %v (err %v)", accounts, err)
	}
	checkTraceLogClean(t, cli, link, linkToken(t, link))
}

// connectLinkTriggered is a profile whose creation triggers the action.
func connectLinkTriggered(tg *acctest.Target, wait string) string {
	app := tg.Sandbox.ZoomInfoApp()
	waitLine := ""
	if wait != "" {
		waitLine = fmt.Sprintf("wait = %q", wait)
	}
	return tg.ProviderConfig() + fmt.Sprintf(`
resource "stackone_connector_profile" "test" {
  connector     = "zoominfo"
  auth_type     = "oauth2_authorization_code_pkce"
  name          = "ZoomInfo triggered"
  client_id     = %q
  client_secret = %q
  scopes        = ["api:data:contact"]

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.stackone_connect_link.onboard]
    }
  }
}

action "stackone_connect_link" "onboard" {
  config {
    connector_profile_id = stackone_connector_profile.test.id
    origin_owner_id      = "acme-trigger"
    origin_owner_name    = "Acme Inc"
    %s
  }
}
`, app.ClientID, app.ClientSecret, waitLine)
}

// triggeredTest runs one step of connectLinkTriggered on a CLI with actions.
func triggeredTest(t *testing.T, tg *acctest.Target, step resource.TestStep) {
	t.Helper()
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ActionsSupported()},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps:                    []resource.TestStep{step},
	})
}

// TestConnectLinkAction_afterCreate: creating the profile starts a connect
// session for it, once; without wait the apply does not block on it.
func TestConnectLinkAction_afterCreate(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	triggeredTest(t, tg, resource.TestStep{
		Config: connectLinkTriggered(tg, ""),
		Check: func(s *terraform.State) error {
			// The sandbox numbers sessions from 1: exactly one means 1
			// exists and 2 does not.
			got, ok := tg.Sandbox.ConnectSession("1")
			if !ok {
				return fmt.Errorf("no connect session after the profile was created")
			}
			if _, twice := tg.Sandbox.ConnectSession("2"); twice {
				return fmt.Errorf("two connect sessions after the profile was created, want 1")
			}
			if got.IntegrationID != stateID(s) || got.OriginOwnerID != "acme-trigger" || got.OriginOwnerName != "Acme Inc" {
				return fmt.Errorf("connect session %+v is not for profile %s and owner acme-trigger", got, stateID(s))
			}
			return nil
		},
	})
}

// TestConnectLinkAction_timeout: with wait and nobody following the link,
// the action fails saying so, and names where a later link shows.
func TestConnectLinkAction_timeout(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	triggeredTest(t, tg, resource.TestStep{
		Config:      connectLinkTriggered(tg, "1s"),
		ExpectError: expectError(`No account linked in time: No account was linked through connect session 1 \(connector profile [-0-9a-f]+\) within 1s: nobody opened the link.*origin_owner_id = "acme-trigger"`),
	})
}

// actionConfig is a stackone_connect_link config value for ValidateActionConfig.
func actionConfig(t *testing.T, p *protoServer, attrs map[string]string) *tfprotov6.DynamicValue {
	t.Helper()
	typ := p.schema.ActionSchemas["stackone_connect_link"].Schema.ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(tftypes.String, nil)
	}
	for k, v := range attrs {
		vals[k] = tftypes.NewValue(tftypes.String, v)
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

// TestConnectLinkAction_validation checks the action's config as Terraform
// validates it, on any CLI: each mistake is named on its attribute.
func TestConnectLinkAction_validation(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	p := newProtoServer(t, tg)
	good := map[string]string{"connector_profile_id": "p-1", "origin_owner_id": "acme", "origin_owner_name": "Acme Inc"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range good {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		name   string
		attrs  map[string]string
		want   string // "" for no diagnostic
		attr   string
		isWarn bool
	}{
		{"valid", with("wait", "5m"), "", "", false},
		{"expires_in not whole seconds", with("expires_in", "90500ms"), "not a whole number of seconds", "expires_in", false},
		{"expires_in not a duration", with("expires_in", "600"), "not a positive Go duration", "expires_in", false},
		{"wait not a duration", with("wait", "soon"), "not a positive Go duration", "wait", false},
		{"blank owner", with("origin_owner_id", "  "), "must not be empty or blank", "origin_owner_id", false},
		{"profile id with a slash", with("connector_profile_id", "a/b"), "is not a connector profile id", "connector_profile_id", false},
		{"wait beyond the link", func() map[string]string { m := with("wait", "20m"); m["expires_in"] = "10m"; return m }(), "stops waiting when the link expires", "wait", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := p.server.(tfprotov6.ActionServer).ValidateActionConfig(context.Background(), &tfprotov6.ValidateActionConfigRequest{
				ActionType: "stackone_connect_link", Config: actionConfig(t, p, tc.attrs),
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if len(resp.Diagnostics) != 0 {
					t.Fatalf("diagnostics for a valid config: %v", resp.Diagnostics)
				}
				return
			}
			if len(resp.Diagnostics) != 1 {
				t.Fatalf("got %d diagnostics, want 1: %v", len(resp.Diagnostics), resp.Diagnostics)
			}
			d := resp.Diagnostics[0]
			wantSeverity := tfprotov6.DiagnosticSeverityError
			if tc.isWarn {
				wantSeverity = tfprotov6.DiagnosticSeverityWarning
			}
			if d.Severity != wantSeverity || !strings.Contains(d.Detail, tc.want) || d.Attribute == nil || d.Attribute.String() != tftypes.NewAttributePath().WithAttributeName(tc.attr).String() {
				t.Errorf("diagnostic %s %q: %q on %v; want %v containing %q on %s", d.Severity, d.Summary, d.Detail, d.Attribute, wantSeverity, tc.want, tc.attr)
			}
		})
	}
}

// TestConnectLinkAction_docsSchema: docs/actions/connect_link.md lists the
// schema by hand (tfplugindocs renders an action's schema only from a
// Terraform 1.14 CLI, and make generate must give the same page on every
// CLI), so it is compared with the schema here: each attribute under the
// right heading, with its description.
func TestConnectLinkAction_docsSchema(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "docs", "actions", "connect_link.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	server, err := acctest.ProtoV6ProviderFactories()["stackone"]()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	block := resp.ActionSchemas["stackone_connect_link"].Schema.Block
	if len(block.Attributes) == 0 {
		t.Fatal("the action has no attributes")
	}
	section := func(heading string) string {
		i := strings.Index(doc, "### "+heading+"\n")
		if i < 0 {
			return ""
		}
		rest := doc[i+len(heading)+5:]
		if j := strings.Index(rest, "\n#"); j >= 0 {
			rest = rest[:j]
		}
		return rest
	}
	for _, a := range block.Attributes {
		heading := "Optional"
		if a.Required {
			heading = "Required"
		}
		line := fmt.Sprintf("- `%s` (String) %s\n", a.Name, a.Description)
		if a.Description == "" {
			t.Fatalf("attribute %s has no description", a.Name)
		}
		if !strings.Contains(section(heading), line) {
			t.Errorf("docs/actions/connect_link.md lacks, under ### %s:\n%s(edit templates/actions/connect_link.md.tmpl, then make generate)", heading, line)
		}
	}
	if n := strings.Count(section("Required")+section("Optional"), "\n- `"); n != len(block.Attributes) {
		t.Errorf("the docs list %d attributes, the schema has %d", n, len(block.Attributes))
	}
}

// invokeAction invokes stackone_connect_link through the protocol, as
// Terraform does, and returns its progress messages and final diagnostics.
func invokeAction(t *testing.T, p *protoServer, attrs map[string]string) ([]string, []*tfprotov6.Diagnostic) {
	t.Helper()
	stream, err := p.server.(tfprotov6.ActionServer).InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{
		ActionType: "stackone_connect_link", Config: actionConfig(t, p, attrs),
	})
	if err != nil {
		t.Fatal(err)
	}
	var progress []string
	var diags []*tfprotov6.Diagnostic
	for ev := range stream.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			progress = append(progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			diags = e.Diagnostics
		}
	}
	return progress, diags
}

// TestConnectLinkAction_invokeErrors invokes the action through the protocol
// (so on every CLI): a profile StackOne does not have is named on
// connector_profile_id, and nothing is shown as a link.
func TestConnectLinkAction_invokeErrors(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	p := newProtoServer(t, tg)
	progress, diags := invokeAction(t, p, map[string]string{"connector_profile_id": "no-such-profile", "origin_owner_id": "acme", "origin_owner_name": "Acme Inc"})
	if len(progress) != 0 {
		t.Errorf("progress for a session never created: %q", progress)
	}
	if len(diags) != 1 || diags[0].Summary != "Connector profile not found" || !strings.Contains(diags[0].Detail, `"no-such-profile"`) ||
		diags[0].Attribute.String() != tftypes.NewAttributePath().WithAttributeName("connector_profile_id").String() {
		t.Fatalf("diagnostics = %+v, want one error on connector_profile_id naming the profile", diags)
	}

	// A link that expires before the wait ends: the wait is cut to the
	// link's life, and the error says the link expired.
	profileID := connectLinkProfile(t, tg, "api:data:contact")
	progress, diags = invokeAction(t, p, map[string]string{"connector_profile_id": profileID, "origin_owner_id": "acme", "origin_owner_name": "Acme Inc", "expires_in": "1s", "wait": "1h"})
	if len(progress) != 2 || !linkLine.MatchString(progress[0]) || progress[1] != "Waiting up to 1s for the account to be linked." {
		t.Errorf("progress = %q, want the link, then a wait of the link's life", progress)
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Detail, "The auth link of connect session 1 (connector profile "+profileID+") expired (after 1s) before an account was linked: nobody opened the link.") {
		t.Errorf("diagnostics = %+v, want the link's expiry", diags)
	}
}
