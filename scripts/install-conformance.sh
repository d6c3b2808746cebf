#!/usr/bin/env bash
# Installs the conformance check's Node.js dependencies (oav 4.0.3 and the exact tree pinned by
# conformance/package-lock.json) into .tools/conformance with `npm ci`, and Node.js/npm from
# apt when they are missing. Idempotent and safe when several processes run it at once (a
# lock, then an atomic rename); re-installs when the lockfile changes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
dest="$tools/conformance"
lock="$root/conformance/package-lock.json"
installed() { [ -f "$dest/node_modules/oav/package.json" ] && cmp -s "$lock" "$dest/package-lock.json"; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  echo "install-conformance: installing nodejs and npm" >&2
  $sudo apt-get update -qq && $sudo apt-get install -y -qq nodejs npm >/dev/null
fi
# oav 4.0.3 declares node >= 20; older versions fail in obscure ways while loading specs.
major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 20 ] || { echo "install-conformance: node >= 20 required, found $(node --version)" >&2; exit 2; }

installed && exit 0
mkdir -p "$tools"
exec 9>"$tools/.conformance-install.lock"
flock 9
installed && exit 0
echo "install-conformance: npm ci (oav 4.0.3) into $dest" >&2
staging="$(mktemp -d "$tools/.staging.XXXXXX")"
trap 'rm -rf "$staging" "$dest.old"' EXIT
cp "$root/conformance/package.json" "$lock" "$staging/"
# No package in the lockfile has an install script; --ignore-scripts keeps it that way.
if ! (cd "$staging" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >"$staging/npm.log" 2>&1); then
  cat "$staging/npm.log" >&2
  echo "install-conformance: npm ci failed" >&2
  exit 2
fi
rm -f "$staging/npm.log"
[ ! -e "$dest" ] || mv "$dest" "$dest.old"
mv "$staging" "$dest"
installed || { echo "install-conformance: install check failed in $dest" >&2; exit 2; }
