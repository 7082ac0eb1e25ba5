# The S256 code challenge of a PKCE code verifier (RFC 7636).
output "code_challenge" {
  value = provider::stackone::pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
  # => "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
}
