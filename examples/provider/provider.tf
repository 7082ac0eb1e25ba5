terraform {
  required_version = ">= 1.11" # write-only attributes (client_secret_wo)
  required_providers {
    stackone = {
      source = "stackonehq/stackone"
    }
  }
}

# Configured from the environment:
#   STACKONE_API_KEY   an API key with the Platform API scope (required)
#   STACKONE_BASE_URL  optional, default https://api.stackone.com
provider "stackone" {
  # Every setting is optional; these are the defaults.
  # max_retries             = 4     # after 429, 408, 5xx or a dropped connection
  # request_timeout         = "30s" # per HTTP attempt
  # max_requests_per_minute = 1000  # shared by every resource of this provider
  # skip_catalog_validation = false # plan-time check of scopes and actions
}
