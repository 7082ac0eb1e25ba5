#!/usr/bin/env bash
# make demo: a tour of the provider against the sandbox, on a machine with
# only Go and Terraform (>= 1.11). It builds the provider, starts the sandbox,
# checks the ZoomInfo app's scopes, applies examples/zoominfo, links an
# account through the full PKCE flow, shows a clean plan, makes a change
# outside Terraform and shows the plan catching it, destroys, and stops the
# sandbox. It touches nothing outside a temp dir and exits non-zero when a
# step fails.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/stackone-demo.XXXXXX")
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ] && kill -0 "$sandbox_pid" 2>/dev/null; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

n=0
step() { n=$((n + 1)); printf '\n\033[1m==> %d. %s\033[0m\n' "$n" "$*"; }
fail() { printf '\n\033[31mdemo failed: %s\033[0m\n' "$*" >&2; exit 1; }
# tf runs terraform quietly and shows its output only when it fails.
tf() {
  if ! terraform "$@" -input=false -no-color >"$work/tf.out" 2>&1; then
    cat "$work/tf.out" >&2
    return 1
  fi
}

command -v terraform >/dev/null || fail "terraform is not on PATH (Terraform >= 1.11 is required)"
command -v go >/dev/null || fail "go is not on PATH"

step "Build the provider and the sandbox tools"
mkdir -p "$work/bin"
(
  cd "$root"
  go build -o "$work/bin/terraform-provider-stackone" .
  go build -o "$work/stackone-sandbox" ./cmd/stackone-sandbox
  go build -o "$work/stackone-link" ./cmd/stackone-link
  go build -o "$work/stackone-dashboard" ./cmd/stackone-dashboard
) || fail "build failed"

step "Start the sandbox: a StackOne API and a ZoomInfo-style OAuth server on loopback"
"$work/stackone-sandbox" -addr 127.0.0.1:0 -authz-addr 127.0.0.1:0 -env-file "$work/sandbox.env" >"$work/sandbox.out" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/sandbox.env" ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; fail "the sandbox exited"; }
  sleep 0.1
done
[ -s "$work/sandbox.env" ] || fail "the sandbox did not start within 10 s"
while IFS='=' read -r key value; do
  value=${value#\'}
  [ -n "$key" ] && export "$key=${value%\'}"
done <"$work/sandbox.env"
echo "StackOne API:         $STACKONE_BASE_URL"
echo "Authorization server: $ZOOMINFO_ISSUER"
echo "ZoomInfo app:         $ZOOMINFO_CLIENT_ID, registered scopes: $ZOOMINFO_REGISTERED_SCOPES"

step "Point Terraform at the provider just built (dev_overrides in a temp CLI config)"
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "stackonehq/stackone" = "$work/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
cp -r "$root/examples/zoominfo" "$work/zoominfo"
cd "$work/zoominfo"
export TF_VAR_zoominfo_client_id="$ZOOMINFO_CLIENT_ID"
export TF_VAR_zoominfo_client_secret="$ZOOMINFO_CLIENT_SECRET"
# The sandbox's stand-in for ZoomInfo's gateway, where the app is checked.
export TF_VAR_zoominfo_authorization_endpoint="$ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT"
echo "Wrote $TF_CLI_CONFIG_FILE; working in a copy of examples/zoominfo"

step "Check the app before users do: a scope the app lacks fails the plan (stackone_registered_scopes)"
if terraform plan -input=false -no-color -var='scopes=["api:data:contact","api:data:lookup"]' >"$work/tf.out" 2>&1; then
  cat "$work/tf.out"; fail "the plan should have failed on the unregistered scope api:data:lookup"
fi
grep -E 'Not registered|not registered on' "$work/tf.out" | sed 's/^ */    /'
echo "The plan refused api:data:lookup before any user hit invalid_scope."

step "terraform apply: check the registered scopes and create the ZoomInfo connector profile"
tf apply -auto-approve || fail "terraform apply failed"
grep -E 'Apply complete' "$work/tf.out"
profile_id=$(terraform output -raw profile_id)
echo "Profile $profile_id; redirect URI to register on the app: $(terraform output -raw redirect_uri)"

step "Link a ZoomInfo account through the Hub: connect session, PKCE S256, sign-in, code exchange"
"$work/stackone-link" -profile "$profile_id" -auto || fail "linking an account failed"

step "terraform plan: after apply, no changes"
set +e
terraform plan -detailed-exitcode -input=false -no-color >"$work/plan.out" 2>&1
rc=$?
set -e
case $rc in
  0) grep -E 'No changes' "$work/plan.out" ;;
  2) cat "$work/plan.out"; fail "the plan after apply is not empty" ;;
  *) cat "$work/plan.out"; fail "terraform plan failed" ;;
esac

step "Change the profile outside Terraform (as in the dashboard), and watch terraform plan catch it"
"$work/stackone-dashboard" -profile "$profile_id" -name "Renamed in the dashboard"
set +e
terraform plan -detailed-exitcode -input=false -no-color >"$work/plan.out" 2>&1
rc=$?
set -e
[ $rc -eq 2 ] || { cat "$work/plan.out"; fail "terraform plan did not see the change made outside Terraform"; }
grep -E '^\s+~ name|Plan:' "$work/plan.out"
tf apply -auto-approve || fail "terraform apply (restoring the declared name) failed"
echo "Applied: the declared name is back."

step "terraform destroy"
tf destroy -auto-approve || fail "terraform destroy failed"
grep -E 'Destroy complete' "$work/tf.out"

step "Stop the sandbox"
kill "$sandbox_pid" && wait "$sandbox_pid" 2>/dev/null || true
sandbox_pid=""
echo "Demo complete."
