#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 30) and
# prints the executions per target; exits non-zero if any target crashes.
# The machine has only the stable toolchain: RUSTC_BOOTSTRAP=1 lets it take
# the nightly flags cargo-fuzz passes (-Zsanitizer=address and friends).
# The committed seeds in fuzz/corpus/<target>/ are only read; what a run
# discovers goes to a scratch directory. See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

# One build for all targets (the runs below then start at once).
sanitizer="${FUZZ_SANITIZER:-address}"
(cd fuzz && cargo fuzz build --sanitizer "$sanitizer")

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mapfile -t targets < <(cd fuzz && cargo fuzz list)
failed=()
rows=()
for target in "${targets[@]}"; do
    mkdir -p "$scratch/$target"
    log="$scratch/$target.log"
    echo "== fuzz $target (${seconds}s)"
    status=0
    (cd fuzz && cargo fuzz run --sanitizer "$sanitizer" "$target" \
        "$scratch/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1) >"$log" 2>&1 || status=$?
    # libFuzzer's closing stats; `#N DONE` when the stats line is missing.
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    if [ -z "$execs" ]; then
        execs="$(sed -n 's/^#\([0-9]*\)[[:space:]]*DONE.*/\1/p' "$log" | tail -1)"
    fi
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
    if [ "$status" -ne 0 ]; then
        failed+=("$target")
        # The panic or sanitizer report, then libFuzzer's closing lines.
        grep -m1 -A12 -E "panicked at|ERROR: (AddressSanitizer|libFuzzer)" "$log" >&2 || true
        tail -25 "$log" >&2
        rows+=("$(printf '%-16s %14s %10s  %s' "$target" "${execs:--}" "${rate:--}" "CRASH")")
    else
        rows+=("$(printf '%-16s %14s %10s  %s' "$target" "${execs:--}" "${rate:--}" "ok")")
    fi
done

echo
printf '%-16s %14s %10s  %s\n' target executions exec/s result
for row in "${rows[@]}"; do echo "$row"; done
echo "fuzz: $((${#targets[@]} - ${#failed[@]})) passed, ${#failed[@]} failed"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: crashes in ${failed[*]} (inputs under fuzz/artifacts/)" >&2
    exit 1
fi
