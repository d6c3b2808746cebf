#!/usr/bin/env bash
# Proves the conformance check needs nothing outside the repository: copies the files git
# knows about (tracked and untracked-but-not-ignored, so uncommitted work counts too; outside a
# git checkout, everything but target/ and .tools/) into an empty temporary directory with no
# siblings, installs oav there from the lockfile and runs the driver on the committed samples.
# conformance/selftest/good must pass (exit 0); bad must fail (exit 1) with exactly the (file,
# error code) findings listed in bad/expected.tsv; a missing placeholder spec must be reported
# as a spec that did not load.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
copy="$tmp/aksnet"
mkdir "$copy"
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Deleted-but-tracked files are listed too; skip what does not exist.
  (cd "$root" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) | tar -xf - -C "$copy"
else
  # A source export without .git: everything but build output and installed tools.
  tar -C "$root" --exclude=./target --exclude=./.tools --exclude=node_modules -cf - . | tar -xf - -C "$copy"
fi
fail() { echo "conformance-selftest: $*" >&2; exit 1; }
[ "$(ls -A "$tmp")" = aksnet ] || fail "the copy has siblings"
if grep -rn '\.\./shared' "$copy/conformance" "$copy/scripts" "$copy/GNUmakefile"; then
  fail "the conformance tooling refers to a folder outside the repository"
fi
# npm's download cache is outside the copy but holds only registry tarballs, checked against
# the lockfile's integrity hashes.
run() { (cd "$copy" && ./scripts/validate-traffic.sh "$@"); }

set +e
run conformance/selftest/good >"$tmp/good.txt" 2>&1; good=$?
run conformance/selftest/bad >"$tmp/bad.txt" 2>&1; bad=$?
set -e
[ "$good" -eq 0 ] || { cat "$tmp/good.txt"; fail "selftest/good: exit $good, want 0"; }
[ "$bad" -eq 1 ] || { cat "$tmp/bad.txt"; fail "selftest/bad: exit $bad, want 1"; }

# The summary lists errors as "  CODE: n" followed by "    file [side] ..." lines.
got="$(awk '/^errors:/ {on=1; next} /^RESULT:/ {on=0}
  on && /^  [A-Z_]+: [0-9]+$/ {code=$1; sub(":", "", code); next}
  on && /^    / {print $1 "\t" code}' "$tmp/bad.txt" | sort -u)"
want="$(grep -v '^#' "$copy/conformance/selftest/bad/expected.tsv" | sort -u)"
if [ "$got" != "$want" ]; then
  cat "$tmp/bad.txt"
  diff <(echo "$want") <(echo "$got") >&2 || true
  fail "selftest/bad findings differ from bad/expected.tsv (< expected, > reported)"
fi
listed="$(cut -f1 <<<"$want" | sort -u)"
present="$(cd "$copy/conformance/selftest/bad" && ls -- *.json | sort)"
[ "$listed" = "$present" ] || fail "bad/expected.tsv does not list exactly the files in selftest/bad"

# Every referenced spec must load: without a placeholder, virtualNetwork.json cannot.
rm "$copy/conformance/specification/network/resource-manager/Microsoft.Network/stable/2025-01-01/networkSecurityGroup.json"
set +e
run conformance/selftest/good >"$tmp/stub.txt" 2>&1; stub=$?
set -e
{ [ "$stub" -eq 1 ] && grep -q 'NOT LOADED: .*virtualNetwork.json' "$tmp/stub.txt"; } ||
  { cat "$tmp/stub.txt"; fail "a spec that cannot load was not reported (exit $stub)"; }

echo "conformance-selftest: ok in a standalone copy ($(grep '^exchanges checked' "$tmp/good.txt" | cut -d' ' -f3) good exchanges pass, $(wc -l <<<"$want") expected findings in $(wc -l <<<"$listed") bad ones, missing spec detected)"
