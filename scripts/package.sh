#!/usr/bin/env bash
# Packages a binary the way the Terraform Registry expects, with LICENSE in every zip:
#   terraform-provider-aksnet_X.Y.Z_<os>_<arch>.zip (holding terraform-provider-aksnet_vX.Y.Z),
#   terraform-provider-aksnet_X.Y.Z_manifest.json and terraform-provider-aksnet_X.Y.Z_SHA256SUMS
#   (every provider zip of that version in OUTDIR, and the manifest).
# With --emulator: aksnet-emulator_X.Y.Z_<os>_<arch>.zip (holding aksnet-emulator) and its own
#   aksnet-emulator_X.Y.Z_SHA256SUMS, so the provider's SHA256SUMS lists only what the Registry reads.
# Windows binaries get their .exe suffix inside the zip.
# usage: scripts/package.sh [--emulator] BINARY VERSION OS_ARCH OUTDIR
set -euo pipefail
name="terraform-provider-aksnet"
if [ "${1:-}" = "--emulator" ]; then
  name="aksnet-emulator"
  shift
fi
[ $# -eq 4 ] || { echo "usage: $0 [--emulator] BINARY VERSION OS_ARCH OUTDIR" >&2; exit 2; }
bin="$1" version="$2" os_arch="$3" out="$4"
root="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$bin" ] || { echo "package: $bin not found" >&2; exit 1; }
exe=""
case "$os_arch" in windows_*) exe=".exe" ;; esac
if [ "$name" = "aksnet-emulator" ]; then
  inner="${name}${exe}"
else
  inner="${name}_v${version}${exe}"
fi
# python3 zips (python on Windows runners); sha256sum, or shasum on macOS.
py="$(command -v python3 || command -v python)" || { echo "package: python3 is required" >&2; exit 1; }
sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
mkdir -p "$out"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp "$bin" "$stage/$inner"
chmod 755 "$stage/$inner"
cp "$root/LICENSE" "$stage/LICENSE"
# Fixed timestamps and modes: the same binary always gives the same zip (and checksum).
"$py" - "$out/${name}_${version}_${os_arch}.zip" "$stage/$inner" "$stage/LICENSE" <<'PY'
import sys, zipfile, os
dst, files = sys.argv[1], sys.argv[2:]
with zipfile.ZipFile(dst + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
    for src in files:
        info = zipfile.ZipInfo(os.path.basename(src), date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = (0o755 if os.access(src, os.X_OK) else 0o644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(src, "rb") as f:
            z.writestr(info, f.read())
os.replace(dst + ".tmp", dst)
PY
cd "$out"
if [ "$name" = "aksnet-emulator" ]; then
  sha256 "${name}_${version}"_*.zip >"${name}_${version}_SHA256SUMS"
else
  cp "$root/terraform-registry-manifest.json" "${name}_${version}_manifest.json"
  sha256 "${name}_${version}"_*.zip "${name}_${version}_manifest.json" >"${name}_${version}_SHA256SUMS"
fi
# A signature of an older SHA256SUMS would no longer match.
rm -f "${name}_${version}_SHA256SUMS.sig"
echo "$out/${name}_${version}_${os_arch}.zip"
