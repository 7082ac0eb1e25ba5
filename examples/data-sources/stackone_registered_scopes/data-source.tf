variable "zoominfo_client_id" {
  type        = string
  description = "Client ID of the ZoomInfo app."
}

# Fails the plan when a scope is not registered on the ZoomInfo app, when the
# app does not accept StackOne's redirect URI, or when PKCE is not enabled:
# the errors a user would otherwise hit while linking an account.
data "stackone_registered_scopes" "zoominfo" {
  connector = "zoominfo"
  client_id = var.zoominfo_client_id
  scopes    = ["api:data:contact", "api:data:company"]
  # redirect_uri defaults to the connector's callback URL in StackOne's
  # catalog, the redirect_uri of every ZoomInfo profile.
}

# Or read the result and decide in configuration.
data "stackone_registered_scopes" "optional" {
  connector            = "zoominfo"
  client_id            = var.zoominfo_client_id
  scopes               = ["api:data:news", "api:data:scoops"]
  fail_on_unregistered = false
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
