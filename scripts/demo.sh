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

echo
echo "== offline: a route table and a cluster network against aksnet-emulator (a local HTTPS ARM) =="
emu_dir="$work/emulator"
sub="00000000-0000-0000-0000-0000000000cc"
vnet="/subscriptions/$sub/resourceGroups/example-rg/providers/Microsoft.Network/virtualNetworks/example-vnet"
cat >"$work/seed.json" <<EOT
[{"id": "/subscriptions/$sub/resourceGroups/example-rg", "body": {"location": "westeurope"}},
 {"id": "$vnet", "body": {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
   "subnets": [{"name": "nodes", "id": "$vnet/subnets/nodes", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}}]
EOT
"$root/target/debug/aksnet-emulator" --data-dir "$emu_dir" --seed "$work/seed.json" --lro-ms 300 >"$work/emulator.out" 2>&1 &
emu_pid=$!
trap 'kill $emu_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$work/emulator.out" 2>/dev/null && break; sleep 0.1; done
cat "$work/emulator.out"
# shellcheck disable=SC1091
. "$emu_dir/env.sh"
mkdir -p "$work/offline"
cp "$root/examples/offline/main.tf" "$work/offline/"
cd "$work/offline"
"$tf" apply -no-color -auto-approve -var "subnet_id=$vnet/subnets/nodes" 2>&1 | grep -E "Creating|Creation complete|Apply complete|Error" || true
"$tf" output -no-color
"$tf" destroy -no-color -auto-approve -var "subnet_id=$vnet/subnets/nodes" 2>&1 | grep -E "Destroy complete|Error" || true
