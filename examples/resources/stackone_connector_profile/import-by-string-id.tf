# Import an existing connector profile by its id (Terraform >= 1.5).
# `terraform plan -generate-config-out=generated.tf` writes the resource block
# for you: set client_secret_wo in it, then plan again. Add
# client_secret_wo_version when you want the apply to send the secret.
import {
  to = stackone_connector_profile.zoominfo
  id = "8f5a3c1e-5f0b-4c1e-9d7a-2b6f1c0e4a11"
}
