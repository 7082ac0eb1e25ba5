# Test helper for extended.tftest.hcl: a connector profile created by
# Terraform, which only a StackOne API with the profile-write extension
# accepts (stackone-sandbox -api extended).

terraform {
  required_version = ">= 1.11"
  required_providers {
    stackone = {
      source = "stackonehq/stackone"
    }
  }
}

variable "zoominfo_client_id" {
  type = string
}

variable "zoominfo_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "stackone_connector_profile" "created" {
  connector                = "zoominfo"
  auth_type                = "oauth2_authorization_code_pkce"
  name                     = "ZoomInfo (created by Terraform)"
  client_id                = var.zoominfo_client_id
  client_secret_wo         = var.zoominfo_client_secret
  client_secret_wo_version = 1
  scopes                   = ["api:data:contact"]
  actions                  = ["zoominfo_search_contacts"]
}

output "profile" {
  value = {
    id           = stackone_connector_profile.created.id
    redirect_uri = stackone_connector_profile.created.redirect_uri
  }
}
