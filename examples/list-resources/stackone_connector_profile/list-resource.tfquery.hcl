# zoominfo.tfquery.hcl, beside a configuration that requires the stackone
# provider. `terraform query` (Terraform >= 1.14) lists every ZoomInfo
# profile in StackOne by name, with its id; `terraform query
# -generate-config-out=generated.tf` also writes a resource block and an
# import block for each.
list "stackone_connector_profile" "zoominfo" {
  provider = stackone

  config {
    connector = "zoominfo"
    # Optional filters, all of which must match:
    # active     = true
    # auth_type  = "oauth2_authorization_code_pkce"
    # name       = "ZoomInfo (sales)"
    # name_regex = "^ZoomInfo"
  }

  # Terraform lists at most 100 results unless told otherwise.
  limit = 1000
}
