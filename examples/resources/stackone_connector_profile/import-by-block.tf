# Or with an import block (Terraform >= 1.5); `terraform plan -generate-config-out=generated.tf`
# writes the resource block for you: then set client_secret_wo and plan again.
import {
  to = stackone_connector_profile.zoominfo
  id = "8f5a3c1e-5f0b-4c1e-9d7a-2b6f1c0e4a11"
}
