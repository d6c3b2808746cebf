#!/usr/bin/env bash
# `make fuzz`: runs every cargo-fuzz target for FUZZ_SECONDS (default 60) each, growing the
# committed corpus under fuzz/corpus. Crashes land in fuzz/artifacts/<target>/; copy them to
# fuzz/regressions/<target>/ so `make test` replays them forever (tests/fuzz_corpus.rs).
#
# cargo-fuzz is installed into .tools/ on first use. libFuzzer instrumentation needs unstable
# rustc flags; this machine has only a stable toolchain, so RUSTC_BOOTSTRAP=1 enables them
# (a nightly toolchain works too: FUZZ_TOOLCHAIN=+nightly).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${FUZZ_SECONDS:-60}"
bin="$root/.tools/cargo-fuzz/bin/cargo-fuzz"
if [ ! -x "$bin" ]; then
  echo "installing cargo-fuzz into .tools/cargo-fuzz"
  cargo install cargo-fuzz --locked --root "$root/.tools/cargo-fuzz" >/dev/null
fi
cd "$root"
export RUSTC_BOOTSTRAP="${RUSTC_BOOTSTRAP:-1}"
for target in ids netplan arm_response; do
  echo "== fuzz $target for ${seconds}s =="
  # shellcheck disable=SC2086
  "$bin" fuzz ${FUZZ_TOOLCHAIN:-} run --sanitizer none "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=4096
done
