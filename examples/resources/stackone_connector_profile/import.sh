# Import a connector profile by its id.
terraform import stackone_connector_profile.zoominfo 8f5a3c1e-5f0b-4c1e-9d7a-2b6f1c0e4a11
