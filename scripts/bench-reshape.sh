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
# writeonly, sensitive, sets; or "data" for benchnull_data (terraform_data's
# shape, an id and an input). Default: full, each feature alone, all four,
# and data.
set -euo pipefail

n=${1:-1000}
shift || true
variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
  variants=(full timeouts writeonly sensitive sets timeouts,writeonly,sensitive,sets data)
fi

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
(cd "$root/internal/bench" && go build -trimpath -o "$work/bin/terraform-provider-benchnull" ./cmd/benchnull-provider)
cat >"$work/cli.tfrc" <<TF
provider_installation {
  dev_overrides { "stackonehq/benchnull" = "$work/bin" }
  direct {}
}
TF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 BENCHNULL_RAW=1
export TF_LOG_SDK=off TF_LOG_SDK_PROTO=off TF_LOG_SDK_FRAMEWORK=off TF_LOG_PROVIDER=off

# Apply every variant, then time the plans in rounds (one plan of each
# variant per round), so that a noisy moment weighs on all of them alike.
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
  if [ "$v" = data ]; then
    cat >"$d/main.tf" <<TF
terraform {
  required_providers {
    benchnull = { source = "stackonehq/benchnull" }
  }
}

resource "benchnull_data" "bench" {
  count = $n
  input = "bench-\${count.index}"
}
TF
  fi
  reshape=""
  [ "$v" != full ] && [ "$v" != data ] && reshape=$v
  (cd "$d" && BENCHNULL_RESHAPE=$reshape terraform apply -auto-approve -input=false -parallelism=10 >apply.log 2>&1) ||
    { tail "$d/apply.log" >&2; exit 1; }
done

declare -A runs
for round in 1 2 3; do
  for v in "${variants[@]}"; do
    d="$work/${v//,/-}"
    reshape=""
    [ "$v" != full ] && [ "$v" != data ] && reshape=$v
    (cd "$d" && BENCHNULL_RESHAPE=$reshape /usr/bin/time -f "%e %U %S" -o t terraform plan -input=false -parallelism=10 -detailed-exitcode >plan.log 2>&1) ||
      { echo "plan of $v exited $? (2: not empty after apply)" >&2; tail "$d/plan.log" >&2; exit 1; }
    runs[$v]+="$(cat "$d/t"); "
  done
done

echo "| variant (taken out) | plan wall, user, sys (s), rounds 1–3 |"
echo "| --- | --- |"
for v in "${variants[@]}"; do
  echo "| $v | ${runs[$v]%; } |"
done
