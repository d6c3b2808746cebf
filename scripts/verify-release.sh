#!/usr/bin/env bash
# Checks release artifacts in DIR for VERSION, as `make release` does after building:
#   - every SHA256SUMS entry matches, and each zip holds its binary and LICENSE;
#   - each …_SHA256SUMS.sig verifies against …_signing-key.asc (in a throwaway keyring), unless
#     RELEASE_UNSIGNED=1 and there is no signature;
#   - Linux binaries: the right ELF machine, no GLIBC_x.y symbol version above 2.17 and no
#     libssl/libcrypto in DT_NEEDED (readelf).
# usage: scripts/verify-release.sh DIR VERSION
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DIR VERSION" >&2; exit 2; }
dir="$(cd "$1" && pwd)" version="$2"
max_glibc="2.17"
host_platform="$("$(dirname "$0")/mirror-install.sh" --host-platform)"
fail=0
bad() { echo "verify-release: $*" >&2; fail=1; }
work="$(mktemp -d)"
trap 'GNUPGHOME="$work/gnupg" gpgconf --kill gpg-agent >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
shopt -s nullglob

sums=("$dir"/*_"${version}"_SHA256SUMS)
[ ${#sums[@]} -gt 0 ] || { echo "verify-release: no *_${version}_SHA256SUMS in $dir" >&2; exit 1; }
for f in "${sums[@]}"; do
  (cd "$dir" && sha256sum --quiet --strict -c "$(basename "$f")") || bad "$(basename "$f") does not match the files"
  if [ -f "$f.sig" ]; then
    key="$dir/terraform-provider-aksnet_${version}_signing-key.asc"
    if [ ! -f "$key" ]; then
      bad "$(basename "$f").sig has no public key beside it ($(basename "$key"))"
      continue
    fi
    mkdir -m 700 "$work/gnupg" 2>/dev/null || true
    GNUPGHOME="$work/gnupg" gpg --batch --quiet --import "$key" 2>/dev/null
    if GNUPGHOME="$work/gnupg" gpg --batch --verify "$f.sig" "$f" >/dev/null 2>&1; then
      echo "verify-release: $(basename "$f").sig: good signature"
    else
      bad "$(basename "$f").sig does not verify"
    fi
  elif [ "${RELEASE_UNSIGNED:-}" = "1" ]; then
    echo "verify-release: $(basename "$f") is UNSIGNED (RELEASE_UNSIGNED=1)"
  else
    bad "$(basename "$f").sig is missing"
  fi
done
manifest="$dir/terraform-provider-aksnet_${version}_manifest.json"
if ! cmp -s "$manifest" "$(dirname "$0")/../terraform-registry-manifest.json"; then
  bad "$(basename "$manifest") is missing or differs from terraform-registry-manifest.json"
fi

glibc_ok() { # prints the highest GLIBC_ version the binary requires, fails above $max_glibc
  local top
  top="$(readelf -W --version-info "$1" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)"
  echo "${top:-none}"
  [ -z "$top" ] || [ "$(printf '%s\n%s\n' "$top" "$max_glibc" | sort -V | tail -1)" = "$max_glibc" ]
}

for zip in "$dir"/terraform-provider-aksnet_"${version}"_*.zip "$dir"/aksnet-emulator_"${version}"_*.zip; do
  base="$(basename "$zip" .zip)"
  platform="${base#*_"${version}"_}"
  case "$base" in
    terraform-provider-aksnet_*) inner="terraform-provider-aksnet_v${version}" ;;
    *) inner="aksnet-emulator" ;;
  esac
  case "$platform" in windows_*) inner="$inner.exe" ;; esac
  out="$work/$base"
  mkdir -p "$out"
  # Extracts with the modes the zip records (zipfile alone drops them); prints non-755 binaries.
  not755="$(python3 - "$zip" "$out" <<'PY'
import os, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for info in z.infolist():
    path = z.extract(info, sys.argv[2])
    mode = (info.external_attr >> 16) & 0o777
    os.chmod(path, mode or 0o644)
    if info.filename != "LICENSE" and mode != 0o755:
        print(info.filename)
PY
)"
  [ -z "$not755" ] || bad "$base.zip: not mode 755: $not755"
  [ -f "$out/LICENSE" ] || bad "$base.zip has no LICENSE"
  [ -f "$out/$inner" ] || { bad "$base.zip has no $inner"; continue; }
  case "$platform" in
    linux_amd64) machine="X86-64" ;;
    linux_arm64) machine="AArch64" ;;
    *) echo "verify-release: $base: $platform is not a Linux build, ELF checks skipped"; continue ;;
  esac
  bin="$out/$inner"
  got="$(readelf -h "$bin" | sed -n 's/^ *Machine: *//p')"
  case "$got" in *"$machine"*) ;; *) bad "$base: ELF machine is '$got', expected $machine" ;; esac
  if top="$(glibc_ok "$bin")"; then
    echo "verify-release: $base: highest GLIBC symbol version $top (<= $max_glibc)"
  else
    bad "$base: needs GLIBC_$top, newer than $max_glibc"
  fi
  needed="$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
  case " $needed" in
    *" libssl"* | *" libcrypto"*) bad "$base: links OpenSSL dynamically (DT_NEEDED: $needed)" ;;
    *) echo "verify-release: $base: DT_NEEDED $needed" ;;
  esac
  # The emulator starts and answers --version: natively on this platform, under qemu-user
  # (Debian's qemu-user with the arm64 libc) for linux_arm64 on amd64, else not run.
  if [ "$inner" = aksnet-emulator ]; then
    run=()
    if [ "$platform" = "$host_platform" ]; then
      run=("$bin")
    elif [ "$platform" = linux_arm64 ] && command -v qemu-aarch64 >/dev/null && [ -e /lib/ld-linux-aarch64.so.1 ]; then
      run=(qemu-aarch64 -L / "$bin")
    fi
    if [ ${#run[@]} -eq 0 ]; then
      echo "verify-release: $base: not run (no $platform host or qemu-aarch64 here)"
    elif said="$("${run[@]}" --version 2>&1)" && [ "$said" = "aksnet-emulator $version" ]; then
      echo "verify-release: $base: ${run[0]##*/} … --version: $said"
    else
      bad "$base: aksnet-emulator --version said '$said', expected 'aksnet-emulator $version'"
    fi
  fi
done
if [ "$fail" -ne 0 ]; then
  echo "verify-release: FAILED for $dir" >&2
  exit 1
fi
echo "verify-release: $dir is a good $version release"
