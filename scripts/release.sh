#!/usr/bin/env bash
# `make release VERSION=x.y.z`: Registry release artifacts in dist/ for Linux, then their checks.
#
#   terraform-provider-aksnet_x.y.z_linux_{amd64,arm64}.zip   binary + LICENSE
#   terraform-provider-aksnet_x.y.z_manifest.json              terraform-registry-manifest.json
#   terraform-provider-aksnet_x.y.z_SHA256SUMS(.sig)           zips + manifest, GPG-signed
#   aksnet-emulator_x.y.z_linux_{amd64,arm64}.zip              binary + LICENSE
#   aksnet-emulator_x.y.z_SHA256SUMS(.sig)
#
# The binaries are built with cargo-zigbuild and Zig (pinned, from PyPI, into .tools/release)
# against glibc 2.17, so they run on any Linux with glibc >= 2.17. linux_arm64 needs an aarch64
# Rust standard library: rustup's when installed, else Debian's rustc-web toolchain with
# libstd-rust-web-dev:arm64 (scripts/install-arm64-std.sh installs it when it is missing).
# Signing: scripts/sign.sh (GPG_PRIVATE_KEY / GPG_FINGERPRINT; RELEASE_UNSIGNED=1 skips it).
# Checks: scripts/verify-release.sh (checksums, signature, zip contents, ELF machine, glibc
# <= 2.17, no OpenSSL) and scripts/mirror-install.sh (terraform init from a filesystem mirror,
# checking the zip against the SHA256SUMS through the dependency lock file, then plan).
# RELEASE_PLATFORMS="linux_amd64" builds a subset. Other platforms come from
# .github/workflows/release.yml (native runners).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="${1:-}"
if [ -z "$version" ]; then
  echo "release: usage: make release VERSION=x.y.z" >&2
  exit 2
fi
cargo_version="$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)"
if [ "$version" != "$cargo_version" ]; then
  echo "release: VERSION=$version does not match Cargo.toml version $cargo_version" >&2
  exit 1
fi
cd "$root"
platforms="${RELEASE_PLATFORMS:-linux_amd64 linux_arm64}"
dist="$root/dist"
glibc="2.17"

command -v protoc >/dev/null 2>&1 || {
  echo "release: protoc is required (apt-get install protobuf-compiler, or make build)" >&2
  exit 1
}
tools="$(scripts/install-python-tools.sh release)"
export CARGO_ZIGBUILD_ZIG_PATH="$tools/ziglang/zig"
zigbuild="$tools/bin/cargo-zigbuild"

has_std() { # RUSTC TRIPLE: the compiler has a standard library for the target
  local libdir
  libdir="$("$1" --print target-libdir --target "$2" 2>/dev/null)" || return 1
  compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

mkdir -p "$dist"
rm -f "$dist"/terraform-provider-aksnet_"${version}"_* "$dist"/aksnet-emulator_"${version}"_*
failed=()
for platform in $platforms; do
  case "$platform" in
    linux_amd64) triple="x86_64-unknown-linux-gnu" ;;
    linux_arm64) triple="aarch64-unknown-linux-gnu" ;;
    *) echo "release: $platform is built by .github/workflows/release.yml on a native runner, not here" >&2
       failed+=("$platform: not buildable here"); continue ;;
  esac
  env=()
  tdir="${CARGO_TARGET_DIR:-$root/target}"
  if has_std rustc "$triple"; then
    :
  elif [ "$platform" = linux_arm64 ]; then
    # rustup cannot download targets here; Debian ships the aarch64 std for its rustc-web.
    if ! has_std /usr/bin/rustc "$triple"; then
      scripts/install-arm64-std.sh || true
    fi
    if has_std /usr/bin/rustc "$triple" && [ -x /usr/bin/cargo ]; then
      echo "release: $platform: rustup has no $triple standard library; using Debian's $(/usr/bin/rustc -V)"
      tdir="$root/target/debian-rustc"
      env=(PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc CARGO=/usr/bin/cargo
           CARGO_TARGET_DIR="$tdir")
    else
      msg="$platform: no Rust standard library for $triple: 'rustup target add $triple' (needs network to static.rust-lang.org) or Debian's 'dpkg --add-architecture arm64 && apt-get update && apt-get install rustc-web cargo-web libstd-rust-web-dev:arm64' (scripts/install-arm64-std.sh)"
      echo "release: $msg" >&2
      failed+=("$msg")
      continue
    fi
  else
    failed+=("$platform: rustc has no $triple standard library")
    continue
  fi
  echo "release: building $platform ($triple, glibc $glibc)"
  if ! env "${env[@]}" "$zigbuild" zigbuild --locked --release --target "$triple.$glibc" \
      -p terraform-provider-aksnet -p aksnet-emulator \
      --bin terraform-provider-aksnet --bin aksnet-emulator; then
    failed+=("$platform: cargo zigbuild --target $triple.$glibc failed (output above)")
    continue
  fi
  out="$tdir/$triple/release"
  scripts/package.sh "$out/terraform-provider-aksnet" "$version" "$platform" "$dist"
  scripts/package.sh --emulator "$out/aksnet-emulator" "$version" "$platform" "$dist"
done

if compgen -G "$dist/terraform-provider-aksnet_${version}_*.zip" >/dev/null; then
  scripts/sign.sh "$dist" "$version"
  scripts/verify-release.sh "$dist" "$version" || failed+=("verify-release.sh failed (output above)")
  if [ -f "$dist/terraform-provider-aksnet_${version}_$(scripts/mirror-install.sh --host-platform).zip" ]; then
    scripts/mirror-install.sh "$dist" "$version" || failed+=("mirror-install.sh failed (output above)")
  fi
fi
ls -l "$dist"
if [ ${#failed[@]} -gt 0 ]; then
  echo "release: INCOMPLETE:" >&2
  printf '  %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "release: $version for $platforms is in dist/"
