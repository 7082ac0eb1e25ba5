package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/stackonehq/terraform-provider-stackone/internal/acctest"
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
// them by each filter, none for another owner, provider or status, and one
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
data "stackone_accounts" "zoominfo" { providers = ["zoominfo"] }
data "stackone_accounts" "other_provider" { providers = ["acmecrm"] }
data "stackone_accounts" "first_owner" { origin_owner_id = %[1]q }
data "stackone_accounts" "other_owner" { origin_owner_id = "someone-else" }
data "stackone_accounts" "active" { status = ["active", "expired"] }
data "stackone_accounts" "in_error" { status = ["error"] }
data "stackone_accounts" "by_id" { account_ids = [%[2]q, "no-such-account"] }
data "stackone_accounts" "combined" {
  providers       = ["zoominfo"]
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
						accountIDs("other_provider"),
						accountIDs("first_owner", first.ID),
						accountIDs("other_owner"),
						accountIDs("active", first.ID, second.ID),
						accountIDs("in_error"),
						accountIDs("by_id", second.ID),
						accountIDs("combined"),
						statecheck.ExpectKnownValue("data.stackone_accounts.first_owner", tfjsonpath.New("accounts").AtSliceIndex(0), knownvalue.ObjectExact(map[string]knownvalue.Check{
							"id": knownvalue.StringExact(first.ID), "provider": knownvalue.StringExact("zoominfo"), "provider_name": knownvalue.StringExact("ZoomInfo"),
							"origin_owner_id": knownvalue.StringExact(first.OriginOwnerID), "origin_owner_name": knownvalue.StringExact(first.OriginOwnerName),
							"label": knownvalue.Null(), "status": knownvalue.StringExact("active"),
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
