# StackOne's catalog entry for ZoomInfo: auth types, scopes and actions.
data "stackone_connector" "zoominfo" {
  key = "zoominfo"
}

locals {
  # The OAuth 2.0 Authorization Code + PKCE auth type of the connector.
  zoominfo_pkce = one([
    for a in data.stackone_connector.zoominfo.auth_types : a
    if a.key == "oauth2_authorization_code_pkce"
  ])
}

# The redirect URI to register on the ZoomInfo app.
output "zoominfo_callback_url" {
  value = local.zoominfo_pkce.callback_url
}

# Every scope a profile may request.
output "zoominfo_scopes" {
  value = data.stackone_connector.zoominfo.scope_names
}

# Action id => scopes it needs.
output "zoominfo_action_scopes" {
  value = { for a in data.stackone_connector.zoominfo.actions : a.id => a.required_scopes }
}
