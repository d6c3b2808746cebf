#!/usr/bin/env bash
# `make testacc` and `make testacc-sweep` (acceptance/README.md).
#
#   testacc.sh        runs the acceptance scenarios (TESTS, default acc_*; RUN filters them by
#                     name; TESTARGS go to cargo) with TF_ACC=1 against the ARM endpoint the
#                     ARM_* variables name: Azure, or ARM_METADATA_HOSTNAME's cloud or emulator.
#   testacc.sh sweep  deletes leftover acctest-* resource groups in ARM_SUBSCRIPTION_ID.
#
# Without credentials both print one line naming what is missing and exit 0. The check
# mirrors aksnet_acceptance::arm::missing_settings.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode="${1:-test}"
cargo="${CARGO:-cargo}"

truthy() { case "$(printf '%s' "${1:-}" | tr 'A-Z' 'a-z')" in 1 | true | yes) return 0 ;; *) return 1 ;; esac; }

missing=()
for v in ARM_SUBSCRIPTION_ID ARM_TENANT_ID; do
  [ -n "${!v:-}" ] || missing+=("$v")
done
if ! truthy "${ARM_USE_CLI:-}"; then
  [ -n "${ARM_CLIENT_ID:-}" ] || missing+=(ARM_CLIENT_ID)
  oidc_request=""
  if truthy "${ARM_USE_OIDC:-}" && [ -n "${ARM_OIDC_REQUEST_URL:-}${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ]; then
    oidc_request=1
  fi
  [ -n "${ARM_CLIENT_SECRET:-}${ARM_OIDC_TOKEN:-}${ARM_OIDC_TOKEN_FILE_PATH:-}$oidc_request" ] ||
    missing+=("ARM_CLIENT_SECRET (or ARM_OIDC_TOKEN, or ARM_USE_CLI=true)")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  what="run the acceptance tests against Azure"
  [ "$mode" = sweep ] && what="sweep a subscription"
  list="$(printf '%s, ' "${missing[@]}")"
  echo "testacc: skipped: set ${list%, } to $what"
  exit 0
fi

cd "$root"
case "$mode" in
  sweep)
    exec "$cargo" run --locked --quiet -p aksnet-acceptance --bin acctest-sweep
    ;;
  test)
    "${MAKE:-make}" --no-print-directory tools
    endpoint="${ARM_METADATA_HOSTNAME:-${ARM_METADATA_HOST:-${ARM_ENVIRONMENT:-public} cloud}}"
    echo "testacc: ${TESTS:-acc_*} against $endpoint, subscription $ARM_SUBSCRIPTION_ID, location ${ARM_TEST_LOCATION:-westeurope}"
    # shellcheck disable=SC2086 # TESTARGS and RUN are word lists on purpose.
    TF_ACC=1 exec "$cargo" test --locked --test "${TESTS:-acc_*}" ${TESTARGS:-} -- --nocapture ${RUN:-}
    ;;
  *)
    echo "usage: $0 [test|sweep]" >&2
    exit 2
    ;;
esac
