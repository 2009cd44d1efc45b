#!/usr/bin/env bash
# End-to-end encryption next to the plain path, in one run: one SIZE file
# uploaded with `dropspace client upload` (tus, 50 MiB chunks) as it is and
# with `--encrypt` (age, to a new key: encrypted into a private copy, then
# sent), and downloaded with `dropspace client download` as it is and
# decrypting with the link's key. The ways take turns within each of RUNS
# rounds; every transfer starts after `sync`. Best of RUNS in MB/s of the
# plaintext, the ratio encrypted/plain (target ≥ 0.7, docs/encryption.md)
# and a JSON line.
#
#   bash bench/encryption.sh                 # 1 GiB, 3 rounds: ~2 min on 2 cores
#   BENCH_SIZE_MIB=256 BENCH_RUNS=1 bash bench/encryption.sh
#
# Knobs: BENCH_SIZE_MIB (1024), BENCH_RUNS (3), BENCH_DIR (/var/tmp),
# BENCH_PIN=1: the server on CPU 0 and the client on CPU 1 (taskset), as
# when they run on machines of their own rather than share both cores.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB="${BENCH_SIZE_MIB:-1024}"
RUNS="${BENCH_RUNS:-3}"

# shellcheck source=bench/lib.sh
source bench/lib.sh
make_source

CLIENT_PREFIX=()
if [ "${BENCH_PIN:-0}" = 1 ]; then
    SERVER_PREFIX=(taskset -c 0)
    CLIENT_PREFIX=(taskset -c 1)
fi
start fs
client() {
    DROPSPACE_CLIENT_CONFIG="$WORK/client.json" DROPSPACE_SERVER="$BASE" DROPSPACE_API_KEY="$KEY" \
        "${CLIENT_PREFIX[@]}" "$BIN" client --json "$@"
}
secs() { python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$1" "$2"; }
field() { python3 -c "import json, sys; print(json.load(sys.stdin)[0][sys.argv[1]])" "$1"; }

declare -A times=()
for round in $(seq 1 "$RUNS"); do
    for how in plain encrypted; do
        flag=""; [ "$how" = encrypted ] && flag="--encrypt"
        sync; t0="$(now)"
        # shellcheck disable=SC2086
        client upload --chunk-size 50M $flag "$SRC" >"$WORK/up.json"
        t1="$(now)"
        times[up/$how]="${times[up/$how]:-} $(secs "$t0" "$t1")"
        link="$(field download_url <"$WORK/up.json")"
        rm -rf "$WORK/down" && mkdir "$WORK/down"
        sync; t0="$(now)"
        client download "$link" -o "$WORK/down/" >/dev/null
        t1="$(now)"
        times[down/$how]="${times[down/$how]:-} $(secs "$t0" "$t1")"
        cmp -s "$SRC" "$WORK/down/source.bin" || { echo "$how: the download differs" >&2; exit 1; }
        rm -rf "$WORK/down"
        find "$DIR/blobs" -type f -delete 2>/dev/null || true
    done
done

echo
printf '%-10s %12s %12s %8s\n' "" "plain MB/s" "age MB/s" ratio
json="{\"size_mib\": $SIZE_MIB"
verdicts=()
for dir in up down; do
    # shellcheck disable=SC2086
    plain="$(best_mbps "$SIZE_MIB" ${times[$dir/plain]})"
    # shellcheck disable=SC2086
    enc="$(best_mbps "$SIZE_MIB" ${times[$dir/encrypted]})"
    r="$(ratio "$enc" "$plain")"
    name="upload"; [ "$dir" = down ] && name="download"
    printf '%-10s %12s %12s %8s\n' "$name" "$plain" "$enc" "$r"
    json+=", \"${name}_plain_mbps\": $plain, \"${name}_encrypted_mbps\": $enc, \"${name}_ratio\": $r"
    verdicts+=("$(python3 -c "import sys; ok = float(sys.argv[1]) >= 0.7; print(('MET' if ok else 'MISSED') + f': encrypted {sys.argv[2]} at {sys.argv[1]}x the plain one (target >= 0.7x)')" "$r" "$name")")
    echo "   $name plain:${times[$dir/plain]} s; encrypted:${times[$dir/encrypted]} s" >&2
done
echo "$json}"
printf '%s\n' "${verdicts[@]}"
