#!/usr/bin/env bash
# Packages a provider binary the way the Terraform Registry expects:
#   terraform-provider-aksnet_X.Y.Z_<os>_<arch>.zip (holding terraform-provider-aksnet_vX.Y.Z),
#   terraform-provider-aksnet_X.Y.Z_manifest.json and terraform-provider-aksnet_X.Y.Z_SHA256SUMS.
# usage: scripts/package.sh BINARY VERSION OS_ARCH OUTDIR
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 BINARY VERSION OS_ARCH OUTDIR" >&2; exit 2; }
bin="$1" version="$2" os_arch="$3" out="$4"
root="$(cd "$(dirname "$0")/.." && pwd)"
name="terraform-provider-aksnet"
mkdir -p "$out"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp "$bin" "$stage/${name}_v${version}"
chmod 755 "$stage/${name}_v${version}"
python3 - "$stage/${name}_v${version}" "$out/${name}_${version}_${os_arch}.zip" <<'PY'
import sys, zipfile, os
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    info = zipfile.ZipInfo(os.path.basename(src), date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = 0o755 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(src, "rb") as f:
        z.writestr(info, f.read())
PY
cp "$root/terraform-registry-manifest.json" "$out/${name}_${version}_manifest.json"
(cd "$out" && sha256sum "${name}_${version}"_*.zip "${name}_${version}_manifest.json" > "${name}_${version}_SHA256SUMS")
echo "$out/${name}_${version}_${os_arch}.zip"
