#!/usr/bin/env bash
# make demo: build the provider, start the sandbox, apply examples/zoominfo
# through a dev_overrides CLI config, and show that the next plan is empty.
# Needs only Go and Terraform (>= 1.11) on PATH; touches nothing outside a temp dir.
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

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\n\033[31mdemo failed: %s\033[0m\n' "$*" >&2; exit 1; }

command -v terraform >/dev/null || fail "terraform is not on PATH (Terraform >= 1.11 is required)"
command -v go >/dev/null || fail "go is not on PATH"

step "Building the provider and the sandbox"
mkdir -p "$work/bin"
(cd "$root" && go build -o "$work/bin/terraform-provider-stackone" . && go build -o "$work/stackone-sandbox" ./internal/sandbox/cmd/stackone-sandbox) || fail "build failed"

step "Starting the sandbox (a StackOne API and a ZoomInfo-style authorization server on loopback)"
"$work/stackone-sandbox" -addr 127.0.0.1:0 -authz-addr 127.0.0.1:0 -env-file "$work/sandbox.env" >"$work/sandbox.out" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/sandbox.env" ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log" >&2; fail "the sandbox exited"; }
  sleep 0.1
done
[ -s "$work/sandbox.env" ] || fail "the sandbox did not start within 10 s"
set -a; . "$work/sandbox.env"; set +a
echo "StackOne API: $STACKONE_BASE_URL"

step "Writing a CLI config with dev_overrides, so Terraform uses the provider just built"
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
export TF_VAR_zoominfo_client_id="${ZOOMINFO_CLIENT_ID:-0oaf6t3osgvaPvy4E1d7}"
export TF_VAR_zoominfo_client_secret="${ZOOMINFO_CLIENT_SECRET:-sandbox-demo-secret}"

step "terraform apply: creates the ZoomInfo connector profile"
terraform apply -auto-approve -input=false -no-color 2>&1 | grep -v -e 'dev_overrides' -e 'Provider development overrides' -e 'stackonehq/stackone in' -e 'The behavior may therefore' -e 'applying changes may cause' -e 'published releases' || true
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "terraform apply failed"

step "terraform plan: after apply, Terraform should see no changes"
set +e
terraform plan -detailed-exitcode -input=false -no-color >"$work/plan.out" 2>&1
rc=$?
set -e
grep -E 'No changes|Plan:' "$work/plan.out" || true
case $rc in
  0) echo "Clean plan: the declared profile matches StackOne." ;;
  2) cat "$work/plan.out"; fail "the plan after apply is not empty" ;;
  *) cat "$work/plan.out"; fail "terraform plan failed" ;;
esac

step "terraform destroy: removes the profile"
terraform destroy -auto-approve -input=false -no-color >"$work/destroy.out" 2>&1 || { cat "$work/destroy.out"; fail "terraform destroy failed"; }
grep -E 'Destroy complete' "$work/destroy.out"

step "Stopping the sandbox"
echo "Demo complete."
