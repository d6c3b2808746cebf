#!/usr/bin/env bash
# `make conformance`: proves the check is self-contained (scripts/conformance-selftest.sh), then
# records the ARM traffic of the emulator-backed tests (provider client and emulator both) and
# checks it against the Azure OpenAPI specs vendored in conformance/ (scripts/validate-traffic.sh).
# Async-operation polls (poll-*.json) have no operation in the specs, and off-spec exchanges
# (offspec-*.json: AKS's real flat error bodies, refused api-versions) are real ARM behaviour
# the specs do not describe; both are recorded but not validated.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
"$root/scripts/conformance-selftest.sh"
traffic="$(mktemp -d)"
trap 'rm -rf "$traffic"' EXIT
export AKSNET_EMULATOR_RECORD="$traffic"
export TF_ACC_TERRAFORM_PATH="${TF_ACC_TERRAFORM_PATH:-$("$root/scripts/terraform-path.sh")}"
# Two tests send what the specs do not allow on purpose: a field from the future (round-trip
# of unknown fields) and AKS's real flat error body (the spec still declares the wrapped one).
cargo test --locked --quiet --test acc_route_table --test acc_cluster_network --test acc_subnet_usage --test arm_client -- \
  --skip unknown_fields_survive_get_modify_put --skip aks_errors_come_back_flat_and_parsed >/dev/null
# The emulator's own HTTPS integration tests (every behaviour, fault and AKS error code, and
# the AKS checks it makes as an independent witness).
cargo test --locked --quiet -p aksnet-emulator --test emulator --test aks_witness >/dev/null
shopt -s nullglob
files=("$traffic"/arm-*.json)
echo "conformance: validating ${#files[@]} recorded exchanges ($(ls "$traffic" | grep -c '^poll-' || true) polls and $(ls "$traffic" | grep -c '^offspec-' || true) off-spec exchanges not validated)"
# Nothing recorded means the tests did not reach the emulator: fail rather than pass vacuously.
[ "${#files[@]}" -gt 0 ] || { echo "conformance: no arm-*.json exchanges were recorded" >&2; exit 1; }
"$root/scripts/validate-traffic.sh" "${files[@]}"
