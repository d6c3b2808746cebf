#!/usr/bin/env bash
# `make release VERSION=x.y.z`: a static linux_amd64 build (musl, like goreleaser's
# CGO_ENABLED=0) packaged for the Registry into dist/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="${1:?usage: release.sh VERSION}"
cargo_version="$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)"
if [ "$version" != "$cargo_version" ]; then
  echo "release: VERSION=$version does not match Cargo.toml version $cargo_version" >&2
  exit 1
fi
target=x86_64-unknown-linux-musl
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  echo "release: the $target standard library is not installed; run: rustup target add $target" >&2
  exit 1
fi
cd "$root"
cargo build --locked --release --target "$target" --bin terraform-provider-aksnet
scripts/package.sh "target/$target/release/terraform-provider-aksnet" "$version" linux_amd64 dist
ls -l dist
