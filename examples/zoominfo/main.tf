# A complete ZoomInfo connector profile (OAuth 2.0 Authorization Code + PKCE).
#
#   export STACKONE_API_KEY=...            # Platform API scope
#   export TF_VAR_zoominfo_client_id=...   # ZoomInfo Developer Portal → app → Client ID
#   export TF_VAR_zoominfo_client_secret=...
#   terraform apply

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
  description = "Client secret of the ZoomInfo app."
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

resource "stackone_connector_profile" "zoominfo" {
  connector = "zoominfo"
  auth_type = "oauth2_authorization_code_pkce"
  name      = "ZoomInfo"
  client_id = var.zoominfo_client_id

  client_secret_wo         = var.zoominfo_client_secret
  client_secret_wo_version = var.zoominfo_client_secret_version

  scopes  = var.scopes
  actions = ["zoominfo_search_contacts", "zoominfo_enrich_companies", "zoominfo_search_intent"]
}

output "profile_id" {
  value = stackone_connector_profile.zoominfo.id
}

output "redirect_uri" {
  description = "Add this under Sign-in redirect URIs of the ZoomInfo app."
  value       = stackone_connector_profile.zoominfo.redirect_uri
}
