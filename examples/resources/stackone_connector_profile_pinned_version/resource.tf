variable "zoominfo_client_id" {
  type = string
}

variable "zoominfo_client_secret" {
  type      = string
  sensitive = true
}

resource "stackone_connector_profile" "zoominfo" {
  connector                = "zoominfo"
  auth_type                = "oauth2_authorization_code_pkce"
  name                     = "ZoomInfo"
  client_id                = var.zoominfo_client_id
  client_secret_wo         = var.zoominfo_client_secret
  client_secret_wo_version = 1
  scopes                   = ["api:data:contact", "api:data:company"]
}

# Keep the profile on connector versions of your choice instead of the
# latest one. StackOne accepts "latest", a major range ("1.x.x": the newest
# 1.y.z), a minor range ("1.4.x") or an exact version
# (data.stackone_connector_profile_versions lists them); not "^1.4.0" or
# "~1.4". A profile already pinned in the dashboard is not taken over: import
# its pin instead. Destroying this resource (or removing it) lets the profile
# follow the latest version again.
resource "stackone_connector_profile_pinned_version" "zoominfo" {
  connector_profile_id = stackone_connector_profile.zoominfo.id
  pinned_version       = "1.x.x"
}
