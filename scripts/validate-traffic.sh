#!/usr/bin/env bash
# Checks recorded ARM exchanges against the specs vendored in conformance/specification:
# installs the pinned oav on first use, then runs conformance/validate.mjs.
# usage: scripts/validate-traffic.sh TRAFFIC_DIR|FILE...   (exit 0 pass, 1 findings, 2 setup)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-conformance.sh"
exec node "$root/conformance/validate.mjs" "$@"
