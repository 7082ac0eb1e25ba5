#!/usr/bin/env bash
# What each feature of the connector profile's schema costs Terraform itself
# (BENCHMARKS.md, "The floor of any plugin provider"). Serves benchnull_profile
# on the raw protocol (no framework, no work: BENCHNULL_RAW=1) with features
# taken out of its schema (BENCHNULL_RESHAPE), applies N of them, then times
# three `terraform plan`s of each variant: wall, user and system seconds.
#
#   scripts/bench-reshape.sh [N] [variant ...]
#
# Variants: full, or comma-separated features to take out: timeouts,
# writeonly, sensitive, sets. Default: each one alone, then all together.
set -euo pipefail

n=${1:-1000}
shift || true
variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
  variants=(full timeouts writeonly sensitive sets timeouts,writeonly,sensitive,sets)
fi

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
(cd "$root" && go build -trimpath -o "$work/bin/terraform-provider-benchnull" ./internal/bench/cmd/benchnull-provider)
cat >"$work/cli.tfrc" <<TF
provider_installation {
  dev_overrides { "stackonehq/benchnull" = "$work/bin" }
  direct {}
}
TF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 BENCHNULL_RAW=1
export TF_LOG_SDK=off TF_LOG_SDK_PROTO=off TF_LOG_SDK_FRAMEWORK=off TF_LOG_PROVIDER=off

echo "| variant (taken out) | plan wall, user, sys (s), 3 runs |"
echo "| --- | --- |"
for v in "${variants[@]}"; do
  d="$work/${v//,/-}"
  mkdir -p "$d"
  cat >"$d/main.tf" <<TF
terraform {
  required_providers {
    benchnull = { source = "stackonehq/benchnull" }
  }
}

resource "benchnull_profile" "bench" {
  count     = $n
  connector = "zoominfo"
  auth_type = "oauth2_authorization_code_pkce"
  name      = "bench-\${count.index}"
  client_id = "cid"

  client_secret_wo         = "bench-secret"
  client_secret_wo_version = 1

  scopes  = ["api:data:contact", "api:data:company"]
  actions = ["zoominfo_search_contacts"]
}
TF
  reshape=""
  [ "$v" != full ] && reshape=$v
  (
    cd "$d"
    export BENCHNULL_RESHAPE=$reshape
    terraform apply -auto-approve -input=false -parallelism=10 >apply.log 2>&1 || { tail apply.log >&2; exit 1; }
    runs=()
    for i in 1 2 3; do
      /usr/bin/time -f "%e %U %S" -o "t.$i" terraform plan -input=false -parallelism=10 -detailed-exitcode >plan.log 2>&1 ||
        { echo "plan of $v exited $? (2: not empty after apply)" >&2; tail plan.log >&2; exit 1; }
      runs+=("$(cat "t.$i")")
    done
    echo "| $v | ${runs[0]}; ${runs[1]}; ${runs[2]} |"
  )
done
