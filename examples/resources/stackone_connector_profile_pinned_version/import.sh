# Import the pinned version of a connector profile by the profile's id.
terraform import stackone_connector_profile_pinned_version.zoominfo 8f5a3c1e-5f0b-4c1e-9d7a-2b6f1c0e4a11
