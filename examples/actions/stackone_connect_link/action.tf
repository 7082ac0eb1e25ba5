variable "zoominfo_client_id" {
  type = string
}

variable "zoominfo_client_secret" {
  type      = string
  sensitive = true
}

# Once the profile is created, Terraform invokes the action: it prints a link
# to open in a browser and waits (up to 10 minutes) until an account is
# linked through it, then prints the account's id.
resource "stackone_connector_profile" "zoominfo" {
  connector                = "zoominfo"
  auth_type                = "oauth2_authorization_code_pkce"
  name                     = "ZoomInfo"
  client_id                = var.zoominfo_client_id
  client_secret_wo         = var.zoominfo_client_secret
  client_secret_wo_version = 1
  scopes                   = ["api:data:contact"]

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.stackone_connect_link.first_account]
    }
  }
}

# Also invoked on its own, at any time, to link another account:
#   terraform apply -invoke=action.stackone_connect_link.first_account
action "stackone_connect_link" "first_account" {
  config {
    connector_profile_id = stackone_connector_profile.zoominfo.id
    origin_owner_id      = "acme"
    origin_owner_name    = "Acme Inc"
    expires_in           = "30m"
    wait                 = "10m"
  }
}
