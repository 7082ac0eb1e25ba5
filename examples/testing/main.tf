# A module that adopts the ZoomInfo connector profile made in the StackOne
# dashboard, checks the ZoomInfo app behind it, and is tested with
# `terraform test` against stackone-sandbox: no StackOne key, no ZoomInfo app,
# nobody signing in. See the guide "Test with the sandbox".
#
#   stackone-sandbox -api published -seed seed.json -addr 127.0.0.1:0 -authz-addr 127.0.0.1:0 -env-file sandbox.env &
#   set -a; . ./sandbox.env; set +a
#   export TF_VAR_zoominfo_client_id="$ZOOMINFO_CLIENT_ID" \
#          TF_VAR_zoominfo_client_secret="$ZOOMINFO_CLIENT_SECRET" \
#          TF_VAR_zoominfo_authorization_endpoint="$ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT"
#   terraform init && terraform test
#
# Against live StackOne, the same module runs with STACKONE_API_KEY and the
# real profile's id, client id and secret (and no authorization endpoint).

terraform {
  required_version = ">= 1.11"
  required_providers {
    stackone = {
      source = "stackonehq/stackone"
    }
  }
}

# STACKONE_BASE_URL and STACKONE_API_KEY come from the environment (the
# sandbox's env file in tests).
provider "stackone" {}

variable "zoominfo_profile_id" {
  type        = string
  description = "Id of the ZoomInfo connector profile made in the StackOne dashboard (seed.json's in tests)."
}

variable "profile_name" {
  type        = string
  default     = "ZoomInfo (made in the dashboard)"
  description = "The profile's name, exactly as the dashboard shows it."
}

variable "zoominfo_client_id" {
  type        = string
  description = "Client ID of the ZoomInfo app the profile uses (the sandbox prints ZOOMINFO_CLIENT_ID)."
}

variable "zoominfo_client_secret" {
  type        = string
  sensitive   = true
  ephemeral   = true
  description = "Client secret of the ZoomInfo app (the sandbox prints ZOOMINFO_CLIENT_SECRET)."
}

variable "zoominfo_authorization_endpoint" {
  type        = string
  default     = null
  description = "Where the app is checked. Null: ZoomInfo's gateway. The sandbox prints its stand-in as ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT."
}

variable "scopes" {
  type        = set(string)
  default     = ["api:data:contact", "api:data:company"]
  description = "The scopes the profile requests, as the dashboard shows them; each must be registered on the app."
}

variable "actions" {
  type        = set(string)
  default     = ["zoominfo_search_contacts", "zoominfo_enrich_companies"]
  description = "The profile's actions, as the dashboard shows them."
}

# StackOne's catalog: the redirect URI StackOne uses for ZoomInfo.
data "stackone_connector" "zoominfo" {
  key = "zoominfo"
}

locals {
  auth_type = "oauth2_authorization_code_pkce"
  redirect_uri = one([
    for a in data.stackone_connector.zoominfo.auth_types : a.callback_url
    if a.key == local.auth_type
  ])
}

# Is every scope registered on the app, and does it accept StackOne's
# redirect URI and PKCE? (A wrong redirect URI or client id fails here.)
data "stackone_registered_scopes" "zoominfo" {
  connector              = "zoominfo"
  client_id              = var.zoominfo_client_id
  scopes                 = var.scopes
  redirect_uri           = local.redirect_uri
  authorization_endpoint = var.zoominfo_authorization_endpoint
  fail_on_unregistered   = false # the precondition below says what to do
}

# StackOne publishes connector profiles read-only: the profile is made in the
# dashboard and adopted here.
import {
  to = stackone_connector_profile.zoominfo
  id = var.zoominfo_profile_id
}

resource "stackone_connector_profile" "zoominfo" {
  connector                = "zoominfo"
  auth_type                = local.auth_type
  name                     = var.profile_name
  client_id                = var.zoominfo_client_id
  client_secret_wo         = var.zoominfo_client_secret
  client_secret_wo_version = 1
  scopes                   = var.scopes
  actions                  = var.actions

  lifecycle {
    precondition {
      condition     = data.stackone_registered_scopes.zoominfo.all_registered
      error_message = "The ZoomInfo app ${var.zoominfo_client_id} lacks ${join(", ", data.stackone_registered_scopes.zoominfo.unregistered_scopes)}: add it in the ZoomInfo Developer Portal, or remove it from var.scopes."
    }
    postcondition {
      condition     = self.redirect_uri == local.redirect_uri
      error_message = "The profile's redirect URI ${self.redirect_uri} is not the ${local.redirect_uri} checked on the ZoomInfo app."
    }
  }
}

output "profile_id" {
  description = "The adopted profile's id."
  value       = stackone_connector_profile.zoominfo.id
}

output "redirect_uri" {
  description = "The redirect URI to register on the ZoomInfo app (checked above)."
  value       = stackone_connector_profile.zoominfo.redirect_uri
}

output "registered_scopes" {
  description = "The app's registered scopes among var.scopes."
  value       = data.stackone_registered_scopes.zoominfo.registered_scopes
}
