#!/usr/bin/env bash
# `make demo`: applies examples/quickstart with the freshly built provider (dev_overrides,
# no registry needed) and prints the address plan.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tf="$("$root/scripts/terraform-path.sh")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/dev.tfrc" <<EOT
provider_installation {
  dev_overrides {
    "registry.terraform.io/aksnet/aksnet" = "$root/target/debug"
    "registry.opentofu.org/aksnet/aksnet" = "$root/target/debug"
  }
  direct {}
}
EOT
cp "$root/examples/quickstart/main.tf" "$work/"
export TF_CLI_CONFIG_FILE="$work/dev.tfrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
cd "$work"
echo "== terraform plan (aksnet computes the whole address plan here) =="
"$tf" plan -no-color -out=plan.out 2>&1 | grep -v -e "Provider development overrides" -e "dev_overrides" -e "^ *- aksnet/aksnet in" -e "The behavior may therefore" -e "published releases" -e "^│ *$" || true
echo "== terraform apply =="
"$tf" apply -no-color -auto-approve plan.out >/dev/null
echo "== address plan =="
"$tf" output -no-color
