# Import the pin of a connector profile by its identity, the profile's id
# (Terraform >= 1.12, OpenTofu >= 1.12).
import {
  to = stackone_connector_profile_pinned_version.zoominfo
  identity = {
    connector_profile_id = "8f5a3c1e-5f0b-4c1e-9d7a-2b6f1c0e4a11"
  }
}
