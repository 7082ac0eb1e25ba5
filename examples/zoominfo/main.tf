# A complete ZoomInfo connector profile (OAuth 2.0 Authorization Code + PKCE),
# checked against the ZoomInfo app before it is declared.
#
#   export STACKONE_API_KEY=...            # Platform API scope
#   export TF_VAR_zoominfo_client_id=...   # ZoomInfo Developer Portal → app → Client ID
#   export TF_VAR_zoominfo_client_secret=...
#   terraform apply
#
# The plan fails, before anything is created, when the ZoomInfo app lacks one
# of var.scopes, does not accept StackOne's redirect URI, or does not use PKCE.

terraform {
  required_version = ">= 1.11"
  required_providers {
    stackone = {
      source = "stackonehq/stackone"
    }
  }
}

provider "stackone" {}

variable "zoominfo_client_id" {
  type        = string
  description = "Client ID of the ZoomInfo app."
}

variable "zoominfo_client_secret" {
  type        = string
  sensitive   = true
  ephemeral   = true # only ever sent to a write-only attribute
  description = "Client secret of the ZoomInfo app."
}

variable "zoominfo_authorization_endpoint" {
  type        = string
  default     = null
  description = "Authorization endpoint to check the app at. Null: ZoomInfo's documented gateway, https://api.zoominfo.com/gtm/oauth/v1/authorize. The sandbox prints its stand-in as ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT."
}

variable "zoominfo_client_secret_version" {
  type        = number
  default     = 1
  description = "Increase after rotating the secret, to send the new one."
}

variable "scopes" {
  type        = set(string)
  description = "Scopes to request. Each must be registered on the ZoomInfo app."
  default     = ["api:data:contact", "api:data:company", "api:data:intent"]
}

variable "actions" {
  type        = set(string)
  description = "Actions to enable. Each action's required scopes must be in var.scopes."
  default     = ["zoominfo_search_contacts", "zoominfo_enrich_companies", "zoominfo_search_intent"]
}

# StackOne's catalog entry: the redirect URI StackOne uses for ZoomInfo.
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

# Step 1 of the setup cannot be automated (the ZoomInfo Developer Portal has no
# API), so it is checked: this asks ZoomInfo's authorization server which of
# var.scopes are registered on the app, and whether it accepts the redirect URI
# and PKCE. A wrong redirect URI, client id or PKCE setting fails here.
data "stackone_registered_scopes" "zoominfo" {
  connector              = "zoominfo"
  client_id              = var.zoominfo_client_id
  scopes                 = var.scopes
  redirect_uri           = local.redirect_uri
  authorization_endpoint = var.zoominfo_authorization_endpoint

  # Report unregistered scopes through the precondition below, which says
  # what to do, instead of failing inside the data source.
  fail_on_unregistered = false
}

resource "stackone_connector_profile" "zoominfo" {
  connector = "zoominfo"
  auth_type = local.auth_type
  name      = "ZoomInfo"
  client_id = var.zoominfo_client_id

  # Write-only: sent to StackOne, never stored in state or plan.
  client_secret_wo         = var.zoominfo_client_secret
  client_secret_wo_version = var.zoominfo_client_secret_version

  # Only scopes the app has been checked to have.
  scopes  = data.stackone_registered_scopes.zoominfo.registered_scopes
  actions = var.actions

  lifecycle {
    precondition {
      condition     = data.stackone_registered_scopes.zoominfo.all_registered
      error_message = <<-EOT
        The ZoomInfo app ${var.zoominfo_client_id} does not have every scope in var.scopes.
        Not registered: ${join(", ", data.stackone_registered_scopes.zoominfo.unregistered_scopes)}
        Could not be checked: ${join(", ", data.stackone_registered_scopes.zoominfo.unknown_scopes)}
        Add them to the app in the ZoomInfo Developer Portal (Scopes), or remove them from var.scopes:
        requesting a scope the app lacks makes every account link fail with invalid_scope.
      EOT
    }
    postcondition {
      condition     = self.redirect_uri == local.redirect_uri
      error_message = "StackOne gave the profile the redirect URI ${self.redirect_uri}, not the ${local.redirect_uri} that was checked on the ZoomInfo app: add it to the app's Sign-in redirect URIs."
    }
  }
}

output "profile_id" {
  description = "The profile's id: the integration_id of connect sessions and linked accounts."
  value       = stackone_connector_profile.zoominfo.id
}

output "redirect_uri" {
  description = "Registered on the ZoomInfo app under Sign-in redirect URIs (checked above)."
  value       = stackone_connector_profile.zoominfo.redirect_uri
}

output "registered_scopes" {
  description = "The scopes the profile requests, all registered on the app."
  value       = stackone_connector_profile.zoominfo.scopes
}
