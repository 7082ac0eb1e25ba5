# The write path: runs against a sandbox that also serves this project's
# profile-write extension, which live StackOne does not offer today:
#
#   stackone-sandbox -api extended -seed seed.json -env-file sandbox.env ...
#   terraform test -test-directory=extended
#
# zoominfo_client_id, zoominfo_client_secret and
# zoominfo_authorization_endpoint come from TF_VAR_* (see main.tf).

variables {
  zoominfo_profile_id = "3f2b8c1e-7a4d-4e59-9b61-0c8d2f5a7e10"
}

run "adopt_the_dashboard_profile" {
  assert {
    condition     = stackone_connector_profile.zoominfo.id == var.zoominfo_profile_id && output.redirect_uri == local.redirect_uri
    error_message = "The dashboard's profile was not adopted with StackOne's ZoomInfo redirect URI."
  }
}

# With the extension, a change in the configuration is written to StackOne.
run "rename_through_terraform" {
  variables {
    profile_name = "Renamed by Terraform"
  }
}

run "stackone_has_the_new_name" {
  command = plan
  plan_options {
    mode = refresh-only
  }
  variables {
    profile_name = "Renamed by Terraform"
  }
  assert {
    condition     = stackone_connector_profile.zoominfo.name == "Renamed by Terraform"
    error_message = "StackOne's profile is named ${stackone_connector_profile.zoominfo.name} after the apply."
  }
}

# And a profile can be created from configuration (terraform test deletes it
# at the end, which the extension also allows).
run "create_a_profile" {
  module {
    source = "./extended/create"
  }
  assert {
    condition     = output.profile.id != "" && endswith(output.profile.redirect_uri, "/connect/oauth2/zoominfo/callback")
    error_message = "The created profile has no id or the wrong redirect URI: ${jsonencode(output.profile)}"
  }
}

run "link_an_account_to_it" {
  module {
    source = "./tests/link"
  }
  variables {
    zoominfo_profile_id = run.create_a_profile.profile.id
    owner               = "tftest-created"
  }
  assert {
    condition     = length(output.accounts) == 1 && output.accounts[0].status == "active"
    error_message = "No active account was linked to the created profile: ${jsonencode(output.accounts)}"
  }
}
