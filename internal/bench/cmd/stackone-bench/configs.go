package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// providerBlock is the stackone provider configured for the sandbox.
// max_requests_per_minute comes from a variable that is null unless set
// (-var), so the same configuration and state plan with the provider's
// default limit or with the limit lifted.
func providerBlock(baseURL, apiKey string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    stackone = { source = "stackonehq/stackone" }
  }
}

variable "max_requests_per_minute" {
  type    = number
  default = null
}

provider "stackone" {
  base_url                = %q
  api_key                 = %q
  max_requests_per_minute = var.max_requests_per_minute
}
`, baseURL, apiKey)
}

// profilesConfig declares n ZoomInfo connector profiles, as the README's
// example declares one (write-only secret, scopes and an action).
func profilesConfig(baseURL, apiKey string, n int, clientID string) string {
	return providerBlock(baseURL, apiKey) + "\n" + profileResources("stackone_connector_profile", n, clientID)
}

// nullConfig declares n benchnull_profile: the same attributes as
// profilesConfig, served by a framework provider that does nothing.
func nullConfig(n int, clientID string) string {
	return `terraform {
  required_providers {
    benchnull = { source = "stackonehq/benchnull" }
  }
}

` + profileResources("benchnull_profile", n, clientID)
}

// profileResources is the one resource body both profile configurations
// share, so the two kinds differ only in who serves them.
func profileResources(typeName string, n int, clientID string) string {
	return fmt.Sprintf(`resource %q "bench" {
  count     = %d
  connector = "zoominfo"
  auth_type = "oauth2_authorization_code_pkce"
  name      = "bench-${count.index}"
  client_id = %q

  client_secret_wo         = "bench-secret"
  client_secret_wo_version = 1

  scopes  = ["api:data:contact", "api:data:company"]
  actions = ["zoominfo_search_contacts"]
}
`, typeName, n, clientID)
}

// dataConfig declares n of Terraform's built-in terraform_data: the floor.
func dataConfig(n int) string {
	return dataShapedResources("terraform_data", n)
}

// rawDataConfig declares n benchnull_data: terraform_data's shape served by
// a plugin on the raw protocol.
func rawDataConfig(n int) string {
	return `terraform {
  required_providers {
    benchnull = { source = "stackonehq/benchnull" }
  }
}

` + dataShapedResources("benchnull_data", n)
}

func dataShapedResources(typeName string, n int) string {
	return fmt.Sprintf(`resource %q "bench" {
  count = %d
  input = "bench-${count.index}"
}
`, typeName, n)
}

// scopesConfig declares one stackone_registered_scopes data source.
// The authorization endpoint is the sandbox's copy of ZoomInfo's gateway
// (the data source's default is the real one).
func scopesConfig(baseURL, apiKey, authorizeURL, clientID string, scopes []string) string {
	quoted := make([]string, len(scopes))
	for i, s := range scopes {
		quoted[i] = strconv.Quote(s)
	}
	return providerBlock(baseURL, apiKey) + fmt.Sprintf(`
data "stackone_registered_scopes" "bench" {
  connector              = "zoominfo"
  client_id              = %q
  scopes                 = [%s]
  authorization_endpoint = %q
  fail_on_unregistered   = false
}
`, clientID, strings.Join(quoted, ", "), authorizeURL)
}

// writeConfig creates dir (if needed) with main.tf holding text.
func writeConfig(dir, text string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(text), 0o600)
}
