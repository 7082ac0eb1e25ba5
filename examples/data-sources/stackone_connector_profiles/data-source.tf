# Every ZoomInfo connector profile of the account, oldest first.
data "stackone_connector_profiles" "zoominfo" {
  connector = "zoominfo"
}

output "zoominfo_profile_ids" {
  value = data.stackone_connector_profiles.zoominfo.ids
}

# Name => id, e.g. to find the id to import.
output "zoominfo_profiles_by_name" {
  value = { for p in data.stackone_connector_profiles.zoominfo.profiles : p.name => p.id... }
}
