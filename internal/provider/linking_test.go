package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox/authserver"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
	"github.com/stackonehq/terraform-provider-stackone/internal/testclock"
)

// These tests prove the point of the provider: a profile declared in HCL lets
// a person link a ZoomInfo account, with the scopes it declares, and the
// mistakes people make in the Developer Portal show up as the refusals
// ZoomInfo really gives.

// linkingConfig renders a ZoomInfo profile for the sandbox's seeded app.
func linkingConfig(tg *acctest.Target, app authserver.App, body string) string {
	return tg.ProviderConfig() + fmt.Sprintf(`
resource "stackone_connector_profile" "test" {
  connector = "zoominfo"
  auth_type = "oauth2_authorization_code_pkce"
  name      = "ZoomInfo linking"
  client_id = %q
%s
}
`, app.ClientID, body)
}

// checkLinks links an account to the profile in state and expects it linked
// with exactly wantScopes granted.
func checkLinks(tg *acctest.Target, wantScopes ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		res, err := acctest.LinkAccount(context.Background(), tg, stateID(s))
		if err != nil {
			return fmt.Errorf("linking: %w", err)
		}
		if res.SessionStatus != "linked" || res.Account == nil {
			return fmt.Errorf("linking ended %s with %s: %s", res.SessionStatus, res.Error, res.ErrorDescription)
		}
		got := slices.Clone(acctest.Strings(res.Account.Scopes))
		want := slices.Clone(wantScopes)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			return fmt.Errorf("linked account has scopes %v, want exactly %v", got, want)
		}
		if res.Account.ConnectorProfileID == nil || *res.Account.ConnectorProfileID != stateID(s) || res.Account.Status != "active" || res.Account.Provider != "zoominfo" {
			return fmt.Errorf("linked account = %+v", res.Account)
		}
		return nil
	}
}

// checkLinkFails links through the profile in state and expects the
// authorization server's OAuth error wantErr, recorded on the session, and
// no account.
func checkLinkFails(tg *acctest.Target, wantErr, wantDesc string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		before, err := accountsOf(ctx, tg, stateID(s))
		if err != nil {
			return err
		}
		res, err := acctest.LinkAccount(ctx, tg, stateID(s))
		if err != nil {
			return fmt.Errorf("linking: %w", err)
		}
		if res.SessionStatus != "failed" || res.Error != wantErr || !strings.Contains(res.ErrorDescription, wantDesc) || res.Account != nil {
			return fmt.Errorf("linking ended %s with %q (%s), account %v; want failed with %s", res.SessionStatus, res.Error, res.ErrorDescription, res.Account, wantErr)
		}
		if res.Page == nil || res.Page.Text("error") != wantErr {
			return fmt.Errorf("the person linking was not shown %s", wantErr)
		}
		after, err := accountsOf(ctx, tg, stateID(s))
		if err != nil {
			return err
		}
		if after != before {
			return fmt.Errorf("a failed link changed the profile's accounts from %d to %d", before, after)
		}
		return nil
	}
}

// accountsOf counts the linked accounts of a profile.
func accountsOf(ctx context.Context, tg *acctest.Target, profileID string) (int, error) {
	accounts, err := tg.Client.ListAccounts(ctx, stackone.ListAccountsOptions{})
	n := 0
	for _, a := range accounts {
		if a.ConnectorProfileID != nil && *a.ConnectorProfileID == profileID {
			n++
		}
	}
	return n, err
}

func TestLinking_profileLinksAccountWithItsScopes(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t) // a user of ZoomInfo's authorization server is needed
	app := tg.Sandbox.ZoomInfoApp()
	if !slices.Contains(app.Scopes, "api:data:intent") || slices.Contains(app.Scopes, "api:data:lookup") {
		t.Fatalf("seeded app scopes %v do not suit this test", app.Scopes)
	}
	cfg := func(scopes string) string {
		return linkingConfig(tg, app, fmt.Sprintf("  client_secret = %q\n  scopes = %s\n", app.ClientSecret, scopes))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		CheckDestroy:             checkDestroyed(tg),
		Steps: []resource.TestStep{
			{
				Config: cfg(`["api:data:contact", "api:data:company"]`),
				Check:  checkLinks(tg, "api:data:contact", "api:data:company"),
			},
			{
				// A scope added in HCL is what the next linked account gets.
				Config: cfg(`["api:data:contact", "api:data:company", "api:data:intent"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionUpdate),
				}},
				Check: checkLinks(tg, "api:data:contact", "api:data:company", "api:data:intent"),
			},
		},
	})
}

// A scope in StackOne's catalog but not registered on the DevPortal app is
// accepted by StackOne and then refused by ZoomInfo when someone links.
func TestLinking_unregisteredScopeFails(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	app := tg.Sandbox.ZoomInfoApp()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: linkingConfig(tg, app, fmt.Sprintf(`  client_secret = %q
  scopes        = ["api:data:contact", "api:data:lookup"]
`, app.ClientSecret)),
			Check: checkLinkFails(tg, "invalid_scope", "One or more scopes are not configured"),
		}},
	})
}

// Rotating the secret in the DevPortal breaks linking (invalid_client at the
// token endpoint) until the new secret is applied, and with a write-only
// secret that takes a bump of client_secret_wo_version.
func TestLinking_rotatedSecretNeedsVersionBump(t *testing.T) {
	t.Parallel()
	tg := acctest.New(t)
	tg.RequireSandbox(t)
	app := tg.Sandbox.ZoomInfoApp()
	rotated := "rotated-" + strings.Repeat("s", 8) + fmt.Sprint(time.Now().UnixNano())
	cfg := func(secret string, version int) string {
		return linkingConfig(tg, app, fmt.Sprintf(`  client_secret_wo         = %q
  client_secret_wo_version = %d
  scopes                   = ["api:data:contact"]
`, secret, version))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{Config: cfg(app.ClientSecret, 1), Check: checkLinks(tg, "api:data:contact")},
			{
				// Out of band, as in the DevPortal: through the admin API.
				PreConfig:        func() { rotateSecret(t, tg, app.ClientID, rotated) },
				Config:           cfg(app.ClientSecret, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkLinkFails(tg, "invalid_client", "Client authentication failed"),
			},
			{
				// The new value alone is invisible to Terraform: nothing is sent.
				Config:           cfg(rotated, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkLinkFails(tg, "invalid_client", "Client authentication failed"),
			},
			{
				Config: cfg(rotated, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(profileAddr, plancheck.ResourceActionUpdate),
				}},
				Check: checkLinks(tg, "api:data:contact"),
			},
		},
	})
}

// rotateSecret sets the app's secret through the authorization server's
// admin API, the sandbox's stand-in for the DevPortal.
func rotateSecret(t *testing.T, tg *acctest.Target, clientID, secret string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"client_secret": secret})
	req, err := http.NewRequest(http.MethodPatch, tg.Sandbox.AuthzURL()+"/admin/apps/"+url.PathEscape(clientID), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tg.Sandbox.AdminToken())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PATCH /admin/apps/%s: HTTP %d", clientID, resp.StatusCode)
	}
	if got := tg.Sandbox.ZoomInfoApp().ClientSecret; got != secret {
		t.Fatal("the admin API did not rotate the secret")
	}
}

// A profile applied by Terraform, then the code tampered with on its way
// back: an expired code fails the session with invalid_grant, and a replayed
// callback is refused and links nothing more.
func TestLinking_expiredAndReplayedCodes(t *testing.T) {
	t.Parallel()
	clk := testclock.New(time.Now())
	tg := acctest.NewWithOptions(t, sandbox.Options{Now: clk.Now})
	tg.RequireSandbox(t)
	app := tg.Sandbox.ZoomInfoApp()
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: linkingConfig(tg, app, fmt.Sprintf("  client_secret = %q\n  scopes = [\"api:data:scoops\"]\n", app.ClientSecret)),
			Check: func(s *terraform.State) error {
				ctx := t.Context()
				pl, err := acctest.AuthorizeAndGetCode(ctx, tg, stateID(s))
				if err != nil {
					return err
				}
				clk.Advance(authserver.DefaultCodeLifetime + time.Second)
				res, err := pl.Finish(ctx, tg)
				if err != nil {
					return err
				}
				if res.SessionStatus != "failed" || res.Error != "invalid_grant" {
					return fmt.Errorf("expired code: %s %s", res.SessionStatus, res.Error)
				}

				pl, err = acctest.AuthorizeAndGetCode(ctx, tg, stateID(s))
				if err != nil {
					return err
				}
				if res, err = pl.Finish(ctx, tg); err != nil || res.SessionStatus != "linked" {
					return fmt.Errorf("link: %+v %v", res, err)
				}
				page, err := pl.Browser.Open(ctx, pl.Authorization.CallbackURL.String())
				if err != nil {
					return err
				}
				if page.Status != http.StatusBadRequest {
					return fmt.Errorf("replayed callback answered HTTP %d", page.Status)
				}
				if n := len(tg.Sandbox.Accounts()); n != 1 {
					return fmt.Errorf("%d accounts, want 1", n)
				}
				return nil
			},
		}},
	})
}
