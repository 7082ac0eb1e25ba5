variable "zoominfo_client_id" {
  type = string
}

variable "zoominfo_client_secret" {
  type      = string
  sensitive = true
}

resource "stackone_connector_profile" "zoominfo" {
  connector = "zoominfo"
  auth_type = "oauth2_authorization_code_pkce"
  name      = "ZoomInfo"
  client_id = var.zoominfo_client_id

  # Write-only: sent to StackOne, never stored in state (Terraform >= 1.11).
  # Increase the version to send a rotated secret.
  client_secret_wo         = var.zoominfo_client_secret
  client_secret_wo_version = 1

  scopes  = ["api:data:contact", "api:data:company"]
  actions = ["zoominfo_search_contacts", "zoominfo_enrich_companies"]
}

# Paste this into the ZoomInfo Developer Portal under "Sign-in redirect URIs".
output "zoominfo_redirect_uri" {
  value = stackone_connector_profile.zoominfo.redirect_uri
}
