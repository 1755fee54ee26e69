#!/usr/bin/env bash
# Build every fuzz target once, replay the committed seeds and regression inputs, then fuzz each
# target for FUZZ_SECONDS (default 30) starting from its seeds. Exits non-zero if any input
# crashes (a panic, a failed invariant, a timeout or an out-of-memory).
#
# Usage: fuzz/run-all.sh [target ...]      (default: every target of `cargo fuzz list`)
# Environment:
#   FUZZ_SECONDS      seconds of fuzzing per target (default 30; 0 = replay only)
#   CARGO_TARGET_DIR  where to build (default: fuzz/target)
#   FUZZ_ARGS         extra libFuzzer flags, e.g. "-max_len=8192"
#   FUZZ_SEED         libFuzzer's random seed (default: a new one each run; CI sets one, so a
#                     CI run tries the same inputs on every machine, as far as its time allows)
#
# Needs cargo-fuzz (0.13) and a nightly compiler, or a stable one with RUSTC_BOOTSTRAP=1 (set
# here). New corpus entries go to fuzz/corpus/<target> and crashes to fuzz/artifacts/<target>,
# both git-ignored.
set -euo pipefail

cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1
seconds="${FUZZ_SECONDS:-30}"
# Release build with debug assertions and overflow checks (an overflow is a bug too), without
# AddressSanitizer: our crates forbid unsafe code, and ASan halves the speed of the SRP
# big-integer arithmetic that several targets spend most of their time in.
build_flags=(-O -a -s none)

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

start=$(date +%s)
echo "== building ${#targets[@]} targets"
cargo fuzz build "${build_flags[@]}"
built=$(date +%s)

failed=()
summary=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    replay=("seeds/$t")
    if [ -d "regressions/$t" ]; then
        replay+=("regressions/$t")
    fi
    echo "== $t: replaying ${replay[*]}"
    if ! cargo fuzz run "${build_flags[@]}" "$t" "${replay[@]}" -- -runs=0 >"artifacts/$t/replay.log" 2>&1; then
        tail -n 40 "artifacts/$t/replay.log"
        failed+=("$t (replay)")
        summary+=("$t: replay FAILED")
        continue
    fi
    if [ "$seconds" -eq 0 ]; then
        summary+=("$t: replay ok")
        continue
    fi
    echo "== $t: fuzzing for ${seconds}s"
    log="artifacts/$t/fuzz.log"
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    if cargo fuzz run "${build_flags[@]}" "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        ${FUZZ_SEED:+-seed="$FUZZ_SEED"} ${FUZZ_ARGS:-} >"$log" 2>&1; then
        result=ok
    else
        tail -n 60 "$log"
        failed+=("$t")
        result=FAILED
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    summary+=("$t: $result, ${execs:-?} execs (${speed:-?}/s), corpus $(find "corpus/$t" -type f | wc -l) files")
done

end=$(date +%s)
echo "== summary (build $((built - start))s, total $((end - start))s)"
printf '  %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "== FAILED: ${failed[*]} (inputs in fuzz/artifacts/<target>/)"
    exit 1
fi
