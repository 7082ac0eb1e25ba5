# Test helper: links an account to a connector profile the way a user does
# through StackOne's Hub (connect session, PKCE, sign-in, code exchange), with
# stackone-link -auto signing in as the sandbox's user, then reads the account
# back. Needs stackone-link on PATH and the sandbox's env file loaded.

terraform {
  required_version = ">= 1.11"
  required_providers {
    stackone = {
      source = "stackonehq/stackone"
    }
  }
}

variable "zoominfo_profile_id" {
  type        = string
  description = "The profile to link an account to."
}

variable "owner" {
  type        = string
  default     = "tftest-customer"
  description = "origin_owner_id of the link: the customer the account belongs to."
}

resource "terraform_data" "link" {
  triggers_replace = [var.zoominfo_profile_id, var.owner]

  provisioner "local-exec" {
    command = "stackone-link -profile \"$PROFILE_ID\" -auto -owner \"$OWNER\""
    environment = {
      PROFILE_ID = var.zoominfo_profile_id
      OWNER      = var.owner
    }
  }
}

# Read after the link (depends_on defers it to apply).
data "stackone_accounts" "linked" {
  origin_owner_id = var.owner
  depends_on      = [terraform_data.link]
}

output "accounts" {
  value = data.stackone_accounts.linked.accounts
}
