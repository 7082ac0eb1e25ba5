# A fresh PKCE verifier and challenge on every run, never stored in plan or state.
ephemeral "stackone_pkce" "login" {
  length = 64 # 43..128, default 64
}

# Use it where ephemeral values are accepted, e.g. a provider block or a
# write-only attribute:
#   code_challenge = ephemeral.stackone_pkce.login.code_challenge
