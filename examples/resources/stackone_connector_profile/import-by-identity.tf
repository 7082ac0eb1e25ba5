# Import an existing connector profile by its identity, its id
# (Terraform >= 1.12, OpenTofu >= 1.12). `terraform query` (Terraform >= 1.14)
# writes one such block, with its resource block, for every profile it lists:
# see the guide "Adopt existing profiles".
import {
  to = stackone_connector_profile.zoominfo
  identity = {
    id = "8f5a3c1e-5f0b-4c1e-9d7a-2b6f1c0e4a11"
  }
}
