# Runs against a sandbox serving only what StackOne publishes, as live
# StackOne does today, filled from seed.json:
#
#   stackone-sandbox -api published -seed seed.json -env-file sandbox.env ...
#
# zoominfo_client_id, zoominfo_client_secret and
# zoominfo_authorization_endpoint come from TF_VAR_* (see main.tf).

variables {
  # The profile seed.json makes "in the dashboard".
  zoominfo_profile_id = "3f2b8c1e-7a4d-4e59-9b61-0c8d2f5a7e10"
}

run "adopt_the_dashboard_profile" {
  assert {
    condition     = stackone_connector_profile.zoominfo.id == var.zoominfo_profile_id
    error_message = "The import block did not adopt the dashboard's profile."
  }
  assert {
    condition     = output.redirect_uri == local.redirect_uri && endswith(output.redirect_uri, "/connect/oauth2/zoominfo/callback")
    error_message = "The profile's redirect URI ${output.redirect_uri} is not StackOne's ZoomInfo callback ${local.redirect_uri}."
  }
  assert {
    condition     = data.stackone_registered_scopes.zoominfo.all_registered
    error_message = "The ZoomInfo app lacks ${join(", ", data.stackone_registered_scopes.zoominfo.unregistered_scopes)}."
  }
}

# The check users rely on: asking for a scope the app does not have fails the
# plan, before any user's link fails with invalid_scope. (seed.json registers
# api:data:contact, api:data:company and api:data:intent on the app.)
run "a_scope_the_app_lacks_fails_the_plan" {
  command = plan
  variables {
    scopes = ["api:data:contact", "api:data:news"]
  }
  expect_failures = [stackone_connector_profile.zoominfo]
}

run "rename_in_the_dashboard" {
  module {
    source = "./tests/dashboard"
  }
  variables {
    body = jsonencode({ name = "Renamed in the dashboard" })
  }
}

# terraform plan sees the change made outside Terraform.
run "plan_shows_the_drift" {
  command = plan
  plan_options {
    mode = refresh-only
  }
  assert {
    condition     = stackone_connector_profile.zoominfo.name == "Renamed in the dashboard"
    error_message = "The refresh did not see the dashboard's rename (name is ${stackone_connector_profile.zoominfo.name})."
  }
}

# Taking the dashboard's name into the configuration makes the drift go away
# without writing to StackOne (which refuses profile writes).
run "follow_the_dashboard" {
  variables {
    profile_name = "Renamed in the dashboard"
  }
  assert {
    condition     = stackone_connector_profile.zoominfo.name == "Renamed in the dashboard"
    error_message = "The state does not have the dashboard's name."
  }
}

# A user can link a ZoomInfo account through the adopted profile.
run "link_an_account" {
  module {
    source = "./tests/link"
  }
  assert {
    condition     = length(output.accounts) == 1 && output.accounts[0].status == "active" && output.accounts[0].connector == "zoominfo"
    error_message = "No active ZoomInfo account was linked: ${jsonencode(output.accounts)}"
  }
}

# terraform test destroys what it adopted when it ends, and StackOne refuses
# to delete profiles through its API: delete it "in the dashboard" first, so
# the clean-up finds it gone. (POST /admin/reset brings it back from the seed.)
run "delete_in_the_dashboard" {
  module {
    source = "./tests/dashboard"
  }
  variables {
    method = "DELETE"
  }
}
