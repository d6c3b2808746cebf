#!/usr/bin/env bash
# Installs a release from DIR the way a user without Registry access would: a packed
# filesystem_mirror holding this host's terraform-provider-aksnet_VERSION_<os>_<arch>.zip, and a
# dependency lock file whose zh: hashes come from the release's SHA256SUMS, so `terraform init`
# verifies the zip against the published checksums. Then `terraform plan` runs the installed
# provider (no dev_overrides), and a lock file with a wrong checksum must make init fail.
# Uses the project's Terraform (scripts/terraform-path.sh).
# usage: scripts/mirror-install.sh DIR VERSION | --host-platform
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
host_platform="$(uname -s | tr '[:upper:]' '[:lower:]')_$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')"
if [ "${1:-}" = "--host-platform" ]; then
  echo "$host_platform"
  exit 0
fi
[ $# -eq 2 ] || { echo "usage: $0 DIR VERSION | --host-platform" >&2; exit 2; }
dir="$(cd "$1" && pwd)" version="$2"
name="terraform-provider-aksnet"
zip="${name}_${version}_${host_platform}.zip"
sums="$dir/${name}_${version}_SHA256SUMS"
[ -f "$dir/$zip" ] || { echo "mirror-install: $dir/$zip not found" >&2; exit 1; }
[ -f "$sums" ] || { echo "mirror-install: $sums not found" >&2; exit 1; }
tf="$("$root/scripts/terraform-path.sh")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mirror="$work/mirror/registry.terraform.io/aksnet/aksnet"
mkdir -p "$mirror" "$work/config"
cp "$dir/$zip" "$mirror/"
cat >"$work/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["aksnet/aksnet"]
  }
}
EOF
cat >"$work/config/main.tf" <<EOF
terraform {
  required_providers {
    aksnet = {
      source  = "aksnet/aksnet"
      version = "$version"
    }
  }
}

resource "aksnet_pod_cidr_plan" "x" {
  network_plugin = "kubenet"
  address_space  = ["10.0.0.0/16"]
  node_pool {
    name       = "system"
    node_count = 3
  }
}
EOF
lock_file() { # HASH-LINES
  printf 'provider "registry.terraform.io/aksnet/aksnet" {\n  version     = "%s"\n  constraints = "%s"\n  hashes = [\n%s  ]\n}\n' \
    "$version" "$version" "$1"
}
hashes="$(awk -v n="${name}_${version}_" 'index($2, n) == 1 && $2 ~ /\.zip$/ { printf "    \"zh:%s\",\n", $1 }' "$sums")"
[ -n "$hashes" ] || { echo "mirror-install: no provider zips listed in $sums" >&2; exit 1; }
tfrun() {
  (cd "$work/config" && TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 \
    TF_INPUT=0 TF_PLUGIN_CACHE_DIR="" "$tf" "$@" -no-color -input=false)
}

# A wrong checksum in the lock file: init must refuse the zip.
lock_file '    "zh:0000000000000000000000000000000000000000000000000000000000000000",
' >"$work/config/.terraform.lock.hcl"
if out="$(tfrun init 2>&1)"; then
  echo "$out" >&2
  echo "mirror-install: terraform init accepted $zip against a wrong checksum" >&2
  exit 1
fi
if ! grep -q "checksum" <<<"$out"; then
  echo "$out" >&2
  echo "mirror-install: terraform init failed, but not on the checksum" >&2
  exit 1
fi
echo "mirror-install: a wrong checksum is refused"
rm -rf "$work/config/.terraform"

# The published checksums: init verifies the zip against them and installs it.
lock_file "$hashes" >"$work/config/.terraform.lock.hcl"
if ! out="$(tfrun init 2>&1)"; then
  echo "$out" >&2
  echo "mirror-install: terraform init from the mirror failed" >&2
  exit 1
fi
grep -q "Installed aksnet/aksnet v$version" <<<"$out" || {
  echo "$out" >&2; echo "mirror-install: init did not install aksnet/aksnet v$version" >&2; exit 1; }
echo "mirror-install: terraform init installed aksnet/aksnet v$version from $zip (checksum from SHA256SUMS)"
if ! out="$(tfrun plan 2>&1)"; then
  echo "$out" >&2
  echo "mirror-install: terraform plan with the installed provider failed" >&2
  exit 1
fi
if ! grep -q "node_subnet_cidr" <<<"$out" || grep -q "development overrides" <<<"$out"; then
  echo "$out" >&2
  echo "mirror-install: the plan does not come from the installed provider" >&2
  exit 1
fi
echo "mirror-install: terraform plan ran the installed provider"
