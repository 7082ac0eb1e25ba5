variable "zoominfo_profile_id" {
  type        = string
  description = "Id of an existing connector profile, e.g. from data.stackone_connector_profiles."
}

data "stackone_connector_profile" "zoominfo" {
  id = var.zoominfo_profile_id
}

output "zoominfo_profile" {
  value = {
    name              = data.stackone_connector_profile.zoominfo.name
    active            = data.stackone_connector_profile.zoominfo.active
    scopes            = data.stackone_connector_profile.zoominfo.scopes
    client_secret_set = data.stackone_connector_profile.zoominfo.client_secret_set # the secret itself is never returned
    redirect_uri      = data.stackone_connector_profile.zoominfo.redirect_uri
  }
}
