# Test helper: changes a connector profile as someone would in the StackOne
# dashboard, through stackone-sandbox's dashboard stand-in
# ($STACKONE_BASE_URL/admin/connector_profiles/{id}, bearer
# $SANDBOX_ADMIN_TOKEN; both come from the sandbox's env file). Needs curl.

terraform {
  required_version = ">= 1.11"
}

variable "zoominfo_profile_id" {
  type        = string
  description = "The profile to change."
}

variable "method" {
  type        = string
  default     = "PATCH"
  description = "PATCH to change the fields in var.body, DELETE to delete the profile."
  validation {
    condition     = contains(["PATCH", "DELETE"], var.method)
    error_message = "method is PATCH or DELETE."
  }
}

variable "body" {
  type        = string
  default     = "{}"
  description = "JSON body of a PATCH, e.g. jsonencode({ name = \"Renamed\" })."
}

resource "terraform_data" "dashboard" {
  # Another method or body is another change: replaced, so it runs again.
  triggers_replace = [var.zoominfo_profile_id, var.method, var.body]

  provisioner "local-exec" {
    command = "curl -fsS -X \"$METHOD\" -H \"Authorization: Bearer $SANDBOX_ADMIN_TOKEN\" -H 'Content-Type: application/json' --data \"$BODY\" \"$STACKONE_BASE_URL/admin/connector_profiles/$PROFILE_ID\""
    environment = {
      METHOD     = var.method
      BODY       = var.method == "DELETE" ? "" : var.body
      PROFILE_ID = var.zoominfo_profile_id
    }
  }
}
