terraform {
  required_version = ">= 1.11" # write-only attributes (client_secret_wo)
  required_providers {
    stackone = {
      source = "stackonehq/stackone"
    }
  }
}

# Configured from the environment: STACKONE_API_KEY (an API key with the
# Platform API scope) and, optionally, STACKONE_BASE_URL. Every setting of the
# block is optional; the Schema below gives each one's meaning and default.
provider "stackone" {}
