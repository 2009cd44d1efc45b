#!/usr/bin/env bash
# Resumable uploads next to the form, in one run: one SIZE file through the
# sendspace upload form (one multipart POST, curl) and through tus with
# 8 MiB and 50 MiB chunks, and 50 MiB chunks in 4 parallel parts
# (`dropspace client upload --chunk-size [--parallel 4]`, the client a user
# runs), on the fs store and, when `moto_server` is installed
# (pip install 'moto[server]'), on S3 too. Every upload starts after `sync`
# and is durable when answered; the ways take turns within each of RUNS
# rounds and each uploaded file is removed before the next upload (a
# virtual disk writes blocks it never held several times slower than
# blocks it held: a store that only grows makes later runs slower than
# earlier ones, whatever they measure). Best of RUNS; prints MB/s, the
# ratio to the form on the same store, and a JSON line.
#
#   bash bench/tus.sh                        # 1 GiB, 3 rounds: ~3 min on 2 cores
#   BENCH_SIZE_MIB=256 BENCH_RUNS=1 bash bench/tus.sh
#
# Knobs: BENCH_SIZE_MIB (1024), BENCH_RUNS (3), BENCH_DIR (/var/tmp),
# BENCH_S3 (1: also on S3 when its server is there; 0: fs only),
# BENCH_S3_SERVER (moto: `moto_server`, in memory, the default; s3s: `s3s-fs`
# from PATH, on disk in BENCH_DIR — `cargo install s3s-fs --features binary`).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB="${BENCH_SIZE_MIB:-1024}"
RUNS="${BENCH_RUNS:-3}"

# shellcheck source=bench/lib.sh
source bench/lib.sh
make_source

form_secs() {
    local info url ident extra out
    info="$(curl -s "$BASE/rest/?method=anonymous.uploadGetInfo&api_key=$KEY&api_version=1.0")"
    url="$(echo "$info" | attr url)"; ident="$(echo "$info" | attr upload_identifier)"
    extra="$(echo "$info" | attr extra_info)"
    sync
    out="$(curl -s -F "UPLOAD_IDENTIFIER=$ident" -F "extra_info=$extra" -F "userfile=@$SRC" \
        -w '\n%{time_total}' "$url")"
    echo "$out" | grep -q '<status>ok</status>' || { echo "form upload failed: $out" >&2; exit 1; }
    echo "$out" | tail -1
}

tus_secs() { # chunk size [parallel parts]
    local t0 t1
    sync
    t0="$(now)"
    DROPSPACE_CLIENT_CONFIG="$WORK/client.json" DROPSPACE_SERVER="$BASE" DROPSPACE_API_KEY="$KEY" \
        "$BIN" client --json upload --chunk-size "$1" --parallel "${2:-1}" "$SRC" >"$WORK/tus.out"
    t1="$(now)"
    grep -q '"file_id"' "$WORK/tus.out" || { echo "tus upload failed: $(cat "$WORK/tus.out")" >&2; exit 1; }
    python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$t1"
}

# Removes the uploaded files (fs: their blobs; S3: the bucket's objects).
forget_uploads() { # label
    if [ "$1" = fs ]; then
        find "$DIR/blobs" -type f -delete 2>/dev/null || true
    elif [ "$S3_SERVER" = s3s ]; then
        find "$WORK/s3s/bench" -type f -delete 2>/dev/null || true
    else
        local key
        for key in $(curl -s "http://127.0.0.1:$S3_PORT/bench?list-type=2" | grep -o '<Key>[^<]*</Key>' | sed 's/<[^>]*>//g'); do
            curl -s -X DELETE "http://127.0.0.1:$S3_PORT/bench/$key" >/dev/null
        done
    fi
    sync
}

declare -A MBPS
WAYS=(form 8M 50M 50Mx4)
run_store() { # label
    local label=$1 how t round
    declare -A times=()
    for round in $(seq 1 "$RUNS"); do
        for how in "${WAYS[@]}"; do
            case "$how" in
                form) t="$(form_secs)" ;;
                *x4) t="$(tus_secs "${how%x4}" 4)" ;;
                *) t="$(tus_secs "$how")" ;;
            esac
            times[$how]="${times[$how]:-} $t"
            forget_uploads "$label"
        done
    done
    for how in "${WAYS[@]}"; do
        # shellcheck disable=SC2086
        MBPS[$label/$how]="$(best_mbps "$SIZE_MIB" ${times[$how]})"
        echo "   $label $how:${times[$how]} s" >&2
    done
}

echo "== fs store" >&2
start fs
run_store fs

S3_SERVER="${BENCH_S3_SERVER:-moto}"
case "$S3_SERVER" in
    moto) S3_BIN=moto_server ;;
    s3s) S3_BIN=s3s-fs ;;
    *) echo "BENCH_S3_SERVER is moto or s3s" >&2; exit 1 ;;
esac
if [ "${BENCH_S3:-1}" = 1 ] && command -v "$S3_BIN" >/dev/null 2>&1; then
    echo "== S3 store ($S3_SERVER)" >&2
    S3_PORT="$(free_port)"
    if [ "$S3_SERVER" = moto ]; then
        moto_server -H 127.0.0.1 -p "$S3_PORT" >"$WORK/s3.log" 2>&1 &
    else
        mkdir -p "$WORK/s3s"
        s3s-fs --host 127.0.0.1 --port "$S3_PORT" --access-key bench --secret-key bench \
            "$WORK/s3s" >"$WORK/s3.log" 2>&1 &
    fi
    PIDS+=("$!")
    wait_http "http://127.0.0.1:$S3_PORT/"
    if [ "$S3_SERVER" = moto ]; then
        curl -s -X PUT "http://127.0.0.1:$S3_PORT/bench" >/dev/null
    else
        mkdir -p "$WORK/s3s/bench"
    fi
    start s3 DROPSPACE_STORAGE__BACKEND=s3 DROPSPACE_STORAGE__S3__ENDPOINT="http://127.0.0.1:$S3_PORT" \
        DROPSPACE_STORAGE__S3__BUCKET=bench DROPSPACE_STORAGE__S3__ACCESS_KEY_ID=bench \
        DROPSPACE_STORAGE__S3__SECRET_ACCESS_KEY=bench
    run_store s3
fi

echo
printf '%-8s %-12s %10s %8s\n' store upload MB/s "x form"
json="{\"size_mib\": $SIZE_MIB"
for key in $(printf '%s\n' "${!MBPS[@]}" | sort); do
    store="${key%/*}"; how="${key#*/}"
    r="$(ratio "${MBPS[$key]}" "${MBPS[$store/form]}")"
    label="$how"; [ "$how" = form ] || label="tus $how"
    printf '%-8s %-12s %10s %8s\n' "$store" "$label" "${MBPS[$key]}" "$r"
    json+=", \"${store}_${how}_mbps\": ${MBPS[$key]}, \"${store}_${how}_ratio\": $r"
done
echo "$json}"
r50="$(ratio "${MBPS[fs/50M]}" "${MBPS[fs/form]}")"
verdict() { # ratio target what
    python3 -c "import sys; ok = float(sys.argv[1]) >= float(sys.argv[2]); print(('MET' if ok else 'MISSED') + f': {sys.argv[3]} at {sys.argv[1]}x the form (target >= {sys.argv[2]}x)')" "$@"
}
verdict "$r50" 0.8 "tus with 50 MiB chunks on fs"
if [ -n "${MBPS[s3/form]:-}" ]; then
    verdict "$(ratio "${MBPS[s3/50Mx4]}" "${MBPS[s3/form]}")" 1 "tus with 4 parallel parts on S3"
fi
