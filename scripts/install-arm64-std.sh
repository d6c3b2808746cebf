#!/usr/bin/env bash
# Installs an aarch64-unknown-linux-gnu Rust standard library from Debian, for linux_arm64
# releases on an amd64 Debian host where rustup cannot download targets: Debian's rustc-web
# toolchain (/usr/bin/rustc, /usr/bin/cargo) and the arm64 build of its standard library,
# libstd-rust-web-dev:arm64 (which needs the arm64 architecture in dpkg). The binary is linked by
# Zig (cargo-zigbuild), so no aarch64 gcc is needed. qemu-user (with the arm64 libc the
# standard library brings) lets scripts/verify-release.sh run the arm64 emulator binary.
set -euo pipefail
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-arm64-std: not a Debian system (no apt-get)" >&2
  exit 1
fi
if [ "$(dpkg --print-architecture)" != amd64 ]; then
  echo "install-arm64-std: expected an amd64 host, got $(dpkg --print-architecture)" >&2
  exit 1
fi
echo "install-arm64-std: dpkg --add-architecture arm64; apt-get install rustc-web cargo-web libstd-rust-web-dev:arm64 qemu-user" >&2
dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq rustc-web cargo-web libstd-rust-web-dev:arm64 qemu-user >/dev/null
/usr/bin/rustc -V >&2
