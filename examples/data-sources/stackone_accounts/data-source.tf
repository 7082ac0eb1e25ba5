# Every linked ZoomInfo account, all pages.
data "stackone_accounts" "zoominfo" {
  connectors = ["zoominfo"]
}

output "zoominfo_accounts_by_owner" {
  value = { for a in data.stackone_accounts.zoominfo.accounts : a.origin_owner_name => a.status... }
}

# Warns on every plan and apply while an account is in error, with the
# accounts to look at (a check block never stops the run).
check "no_account_in_error" {
  data "stackone_accounts" "in_error" {
    status = ["error"]
  }

  assert {
    condition     = length(data.stackone_accounts.in_error.accounts) == 0
    error_message = "Linked accounts in error (ask their owners to link them again): ${join("; ", [for a in data.stackone_accounts.in_error.accounts : "${a.connector} account ${a.id} of ${a.origin_owner_name} (${a.origin_owner_id}): ${try(a.status_reasons[0].description, "no reason given")}"])}"
  }
}
