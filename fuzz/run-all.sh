#!/usr/bin/env bash
# Build every fuzz target once, replay the committed seeds and regression inputs, then fuzz each
# target for FUZZ_SECONDS (default 30) starting from its seeds. Exits non-zero if any input
# crashes (a panic, a failed invariant, a timeout or an out-of-memory).
#
# Usage: fuzz/run-all.sh [target ...]      (default: every target of `cargo fuzz list`)
# Environment:
#   FUZZ_SECONDS      seconds of fuzzing per target (default 30; 0 = replay only)
#   FUZZ_JOBS         targets fuzzed at the same time (default: the number of cores)
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

# Each target runs in its own process, FUZZ_JOBS at a time (default: one per core), and
# writes its one-line result to results/<target>; a failing target's log tail is printed.
jobs_max="${FUZZ_JOBS:-$(nproc)}"
rm -rf results
mkdir -p results

run_target() {
    local t=$1
    mkdir -p "corpus/$t" "artifacts/$t"
    local replay=("seeds/$t")
    if [ -d "regressions/$t" ]; then
        replay+=("regressions/$t")
    fi
    if ! cargo fuzz run "${build_flags[@]}" "$t" "${replay[@]}" -- -runs=0 >"artifacts/$t/replay.log" 2>&1; then
        echo "== $t: replay FAILED"
        tail -n 40 "artifacts/$t/replay.log"
        echo "$t: replay FAILED" >"results/$t"
        return
    fi
    if [ "$seconds" -eq 0 ]; then
        echo "$t: replay ok" >"results/$t"
        return
    fi
    local log="artifacts/$t/fuzz.log" result
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
    if cargo fuzz run "${build_flags[@]}" "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
        ${FUZZ_SEED:+-seed="$FUZZ_SEED"} ${FUZZ_ARGS:-} >"$log" 2>&1; then
        result=ok
    else
        echo "== $t: FAILED"
        tail -n 60 "$log"
        result=FAILED
    fi
    local execs speed
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    echo "$t: $result, ${execs:-?} execs (${speed:-?}/s), corpus $(find "corpus/$t" -type f | wc -l) files" >"results/$t"
}

echo "== replaying seeds and regressions, then fuzzing ${seconds}s a target, $jobs_max at a time"
for t in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
        wait -n || true
    done
    run_target "$t" &
done
wait

failed=()
summary=()
for t in "${targets[@]}"; do
    line=$(cat "results/$t" 2>/dev/null || echo "$t: no result")
    summary+=("$line")
    case "$line" in
        *FAILED* | *"no result"*) failed+=("$t") ;;
    esac
done

end=$(date +%s)
echo "== summary (build $((built - start))s, total $((end - start))s)"
printf '  %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "== FAILED: ${failed[*]} (inputs in fuzz/artifacts/<target>/)"
    exit 1
fi
