terraform {
  required_providers {
    stackone = {
      source = "stackonehq/stackone"
    }
  }
}

# The API key comes from STACKONE_API_KEY; base_url from STACKONE_BASE_URL
# (default https://api.stackone.com).
provider "stackone" {}
