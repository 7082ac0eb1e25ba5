package provider_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// linkAccount links an account to the profile through the sandbox, as a
// person does through the Hub, each with an owner of its own.
func linkAccount(t *testing.T, tg *acctest.Target, profileID string) *stackone.Account {
	t.Helper()
	res, err := acctest.LinkAccount(context.Background(), tg, profileID)
	if err != nil {
		t.Fatal(err)
	}
	if res.SessionStatus != "linked" || res.Account == nil {
		t.Fatalf("linking ended %s with %s: %s", res.SessionStatus, res.Error, res.ErrorDescription)
	}
	return res.Account
}

// accountIDs expects the list at data.stackone_accounts.<name>.accounts to
// hold exactly the accounts with ids, in order.
func accountIDs(name string, ids ...string) statecheck.StateCheck {
	checks := make([]knownvalue.Check, len(ids))
	for i, id := range ids {
		checks[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"id": knownvalue.StringExact(id)})
	}
	return statecheck.ExpectKnownValue("data.stackone_accounts."+name, tfjsonpath.New("accounts"), knownvalue.ListExact(checks))
}

// TestAccountsDataSource links two accounts through the sandbox, then finds
// them by each filter, none for another owner, connector or status, and one
// by id with stackone_account.
func TestAccountsDataSource(t *testing.T) {
	bothAPIModes(t, func(t *testing.T, tg *acctest.Target) {
		profileID := dashboardZoomInfoProfile(t, tg).ID
		first, second := linkAccount(t, tg, profileID), linkAccount(t, tg, profileID)
		if first.OriginOwnerID == second.OriginOwnerID {
			t.Fatalf("both accounts have owner %s: the test needs two owners", first.OriginOwnerID)
		}
		config := tg.ProviderConfig() + fmt.Sprintf(`
data "stackone_accounts" "all" {}
data "stackone_accounts" "zoominfo" { connectors = ["zoominfo"] }
data "stackone_accounts" "other_connector" { connectors = ["acmecrm"] }
data "stackone_accounts" "first_owner" { origin_owner_id = %[1]q }
data "stackone_accounts" "other_owner" { origin_owner_id = "someone-else" }
data "stackone_accounts" "active" { status = ["active", "expired"] }
data "stackone_accounts" "in_error" { status = ["error"] }
data "stackone_accounts" "by_id" { account_ids = [%[2]q, "no-such-account"] }
data "stackone_accounts" "combined" {
  connectors      = ["zoominfo"]
  origin_owner_id = %[1]q
  account_ids     = [%[2]q]
}
data "stackone_account" "second" { id = %[2]q }
`, first.OriginOwnerID, second.ID)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
			// The valid configuration comes last: the test's destroy plans it.
			Steps: []resource.TestStep{
				{
					Config:      tg.ProviderConfig() + `data "stackone_account" "missing" { id = "no-such-account" }`,
					ExpectError: expectError(`Linked account not found.*with data.stackone_account.missing.*StackOne has no linked account "no-such-account"`),
				},
				{
					Config:      tg.ProviderConfig() + `data "stackone_accounts" "typo" { status = ["errored"] }`,
					ExpectError: expectError(`Invalid Attribute Value Match.*with data.stackone_accounts.typo.*status.*value must be one of`),
				},
				{
					Config: config,
					ConfigStateChecks: []statecheck.StateCheck{
						accountIDs("all", first.ID, second.ID),
						accountIDs("zoominfo", first.ID, second.ID),
						accountIDs("other_connector"),
						accountIDs("first_owner", first.ID),
						accountIDs("other_owner"),
						accountIDs("active", first.ID, second.ID),
						accountIDs("in_error"),
						accountIDs("by_id", second.ID),
						accountIDs("combined"),
						statecheck.ExpectKnownValue("data.stackone_accounts.first_owner", tfjsonpath.New("accounts").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id": knownvalue.StringExact(first.ID), "connector": knownvalue.StringExact("zoominfo"), "connector_name": knownvalue.StringExact("ZoomInfo"),
							"origin_owner_id": knownvalue.StringExact(first.OriginOwnerID), "origin_owner_name": knownvalue.StringExact(first.OriginOwnerName),
							"origin_username": knownvalue.Null(), "label": knownvalue.Null(), "status": knownvalue.StringExact("active"),
							"status_reasons": knownvalue.ListExact(nil), "type": knownvalue.StringExact("production"), "shared": knownvalue.Bool(false),
							"categories": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("crm"), knownvalue.StringExact("marketing")}),
							"created_at": knownvalue.StringRegexp(rfc3339), "updated_at": knownvalue.StringRegexp(rfc3339),
						})),
						statecheck.ExpectKnownValue("data.stackone_account.second", tfjsonpath.New("connector"), knownvalue.StringExact("zoominfo")),
						statecheck.ExpectKnownValue("data.stackone_account.second", tfjsonpath.New("origin_owner_id"), knownvalue.StringExact(second.OriginOwnerID)),
						statecheck.ExpectKnownValue("data.stackone_account.second", tfjsonpath.New("status"), knownvalue.StringExact("active")),
					},
				},
			},
		})
	})
}

// TestAccountsDataSource_relinkAndReasons: linking the same owner twice
// leaves one account (StackOne updates it), with multiple two; an account in
// error shows why, in status_reasons, as StackOne reports it.
func TestAccountsDataSource_relinkAndReasons(t *testing.T) {
	t.Parallel()
	tg := acctest.NewWithOptions(t, sandbox.Options{API: sandbox.APIPublished})
	tg.RequireSandbox(t)
	ctx := context.Background()
	profileID := dashboardZoomInfoProfile(t, tg).ID
	link := func(owner acctest.Owner) string {
		t.Helper()
		res, err := acctest.LinkAccountAs(ctx, tg, profileID, owner)
		if err != nil || res.Account == nil {
			t.Fatalf("link %+v: %v %+v", owner, err, res)
		}
		return res.Account.ID
	}
	acme := acctest.Owner{ID: "acme-1", Name: "Acme Ltd"}
	first := link(acme)
	if again := link(acme); again != first {
		t.Fatalf("linking Acme again made account %s, want %s updated", again, first)
	}
	acme.Multiple = true
	second := link(acme)
	tg.Sandbox.SetAccountStatus(first, "error", sandbox.StatusReason{Code: "invalid_grant", Description: "The refresh token was revoked.",
		Timestamp: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)})
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: tg.ProviderConfig() + `
data "stackone_accounts" "acme" { origin_owner_id = "acme-1" }
data "stackone_accounts" "in_error" { status = ["error"] }
`,
			ConfigStateChecks: []statecheck.StateCheck{
				accountIDs("acme", first, second),
				statecheck.ExpectKnownValue("data.stackone_accounts.in_error", tfjsonpath.New("accounts").AtSliceIndex(0).AtMapKey("status_reasons"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
						"code": knownvalue.StringExact("invalid_grant"), "description": knownvalue.StringExact("The refresh token was revoked."),
						"timestamp": knownvalue.StringExact("2026-06-01T10:00:00Z"),
					})})),
				accountIDs("in_error", first),
			},
		}},
	})
}
