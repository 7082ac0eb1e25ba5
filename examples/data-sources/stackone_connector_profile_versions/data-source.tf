variable "zoominfo_profile_id" {
  type        = string
  description = "Id of an existing connector profile, e.g. from data.stackone_connector_profiles."
}

data "stackone_connector_profile_versions" "zoominfo" {
  connector_profile_id = var.zoominfo_profile_id
}

output "zoominfo_versions" {
  value = {
    # Versions that can be pinned with stackone_connector_profile_pinned_version.
    available = [for v in data.stackone_connector_profile_versions.zoominfo.versions : "${v.version} (${v.owner})"]
    # Empty while the profile follows the latest version.
    pinned = [for v in data.stackone_connector_profile_versions.zoominfo.versions : v.version if v.pinned]
  }
}
