#!/usr/bin/env bash
# make example-test: what a user of examples/testing does, from the public
# commands. In a copy of examples/testing, for each API mode:
#   stackone-sandbox -api MODE -seed seed.json (the command, built from cmd/)
#   set -a; . sandbox.env; set +a; TF_VAR_* from it
#   terraform init && terraform test           (published: tests/)
#   terraform init -test-directory=extended && terraform test -test-directory=extended
# with the provider built from this checkout through dev_overrides (a temp
# TF_CLI_CONFIG_FILE), so nothing is downloaded. terraform init does not
# apply dev_overrides and would ask the Registry for the provider (and fail
# offline), so the same build is also in a filesystem mirror that init
# installs from; it is needed for the test-only modules the tests use. stackone-link, built the
# same way, is on PATH for the tests that link an account; they also need
# curl. Touches nothing outside a temp dir; exits non-zero when a step fails.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/stackone-example-test.XXXXXX")
sandbox_pid=""
stop_sandbox() {
  if [ -n "$sandbox_pid" ] && kill -0 "$sandbox_pid" 2>/dev/null; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  sandbox_pid=""
}
cleanup() {
  stop_sandbox
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "example-test: FAIL: $*" >&2; exit 1; }

command -v terraform >/dev/null || fail "terraform is not on PATH (Terraform >= 1.11 is required)"
command -v curl >/dev/null || fail "curl is not on PATH (the tests change a profile through the sandbox's admin API with it)"

echo "--- build the provider, stackone-sandbox and stackone-link"
mkdir -p "$work/bin"
(
  cd "$root"
  go build -o "$work/bin/terraform-provider-stackone" .
  go build -o "$work/bin/" ./cmd/stackone-sandbox ./cmd/stackone-link
) || fail "build failed"

# A release version (latest-version resolution skips pre-releases).
version=${VERSION:-0.1.0}
platform=$(go env GOOS)_$(go env GOARCH)
mirror_dir="$work/mirror/registry.terraform.io/stackonehq/stackone/$version/$platform"
mkdir -p "$mirror_dir"
cp "$work/bin/terraform-provider-stackone" "$mirror_dir/terraform-provider-stackone_v$version"
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "stackonehq/stackone" = "$work/bin"
  }
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/stackonehq/stackone"]
  }
  direct {
    exclude = ["registry.terraform.io/stackonehq/stackone"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export PATH="$work/bin:$PATH"

cp -r "$root/examples/testing" "$work/testing"
cd "$work/testing"

for mode in published extended; do
  echo "--- stackone-sandbox -api $mode -seed seed.json"
  rm -f sandbox.env
  stackone-sandbox -api "$mode" -seed seed.json -addr 127.0.0.1:0 -authz-addr 127.0.0.1:0 \
    -env-file sandbox.env >"$work/sandbox-$mode.out" 2>"$work/sandbox-$mode.log" &
  sandbox_pid=$!
  for _ in $(seq 1 100); do
    [ -s sandbox.env ] && break
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox-$mode.log" >&2; fail "the sandbox exited"; }
    sleep 0.1
  done
  [ -s sandbox.env ] || fail "the sandbox did not start within 10 s"

  (
    set -a
    # shellcheck disable=SC1091
    . ./sandbox.env
    set +a
    export TF_VAR_zoominfo_client_id="$ZOOMINFO_CLIENT_ID"
    export TF_VAR_zoominfo_client_secret="$ZOOMINFO_CLIENT_SECRET"
    export TF_VAR_zoominfo_authorization_endpoint="$ZOOMINFO_GATEWAY_AUTHORIZATION_ENDPOINT"
    args=()
    [ "$mode" = extended ] && args=(-test-directory=extended)
    echo "--- terraform init ${args[*]} && terraform test ${args[*]} (against -api $mode)"
    terraform init -input=false -no-color "${args[@]}" >"$work/init.out" 2>&1 || { cat "$work/init.out" >&2; exit 1; }
    # terraform test passes with no test file at all: the runs are counted.
    dir=tests; [ "$mode" = extended ] && dir=extended
    want=$(cat "$dir"/*.tftest.hcl | grep -c '^run "')
    terraform test -no-color "${args[@]}" | tee "$work/test-$mode.out"
    [ "${PIPESTATUS[0]}" -eq 0 ] || exit 1
    grep -q "^Success! $want passed, 0 failed" "$work/test-$mode.out" || { echo "want $want runs to pass" >&2; exit 1; }
  ) || { echo "sandbox log:" >&2; tail -n 30 "$work/sandbox-$mode.log" >&2; fail "terraform test against -api $mode"; }
  stop_sandbox
done
echo "example-test: ok"
