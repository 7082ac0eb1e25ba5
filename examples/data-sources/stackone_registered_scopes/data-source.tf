variable "zoominfo_client_id" {
  type        = string
  description = "Client ID of the ZoomInfo app."
}

variable "zoominfo_authorization_endpoint" {
  type        = string
  default     = null
  description = "Authorization endpoint to check the app at. Null: ZoomInfo's documented gateway, https://api.zoominfo.com/gtm/oauth/v1/authorize. The sandbox prints its stand-in as ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT."
}

# Fails the plan when a scope is not registered on the ZoomInfo app, when the
# app does not accept StackOne's redirect URI, or when PKCE is not enabled:
# the errors a user would otherwise hit while linking an account.
data "stackone_registered_scopes" "zoominfo" {
  connector = "zoominfo"
  client_id = var.zoominfo_client_id
  scopes    = ["api:data:contact", "api:data:company"]
  # authorization_endpoint defaults to ZoomInfo's gateway, and redirect_uri
  # to {base_url}/connect/oauth2/zoominfo/callback, the redirect_uri of every
  # ZoomInfo profile.
  authorization_endpoint = var.zoominfo_authorization_endpoint
}

# Or read the result and decide in configuration.
data "stackone_registered_scopes" "optional" {
  connector              = "zoominfo"
  client_id              = var.zoominfo_client_id
  scopes                 = ["api:data:news", "api:data:lookup"]
  authorization_endpoint = var.zoominfo_authorization_endpoint
  fail_on_unregistered   = false
}

output "optional_scopes_available" {
  value = data.stackone_registered_scopes.optional.registered_scopes
}

check "optional_scopes" {
  assert {
    condition     = data.stackone_registered_scopes.optional.all_registered
    error_message = "Not registered on the ZoomInfo app: ${join(", ", data.stackone_registered_scopes.optional.unregistered_scopes)}."
  }
}
