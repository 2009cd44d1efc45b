#!/usr/bin/env bash
# Zip downloads next to the plain download, in one run (docs/zip.md): a
# shared folder of FILES files holding SIZE MiB in all, downloaded as one
# zip (`/folder/{id}/zip`, stored entries streamed from the store), against
# one SIZE MiB file through its signed direct URL, on the fs store. Both
# are read after `sync` with a warm page cache (each is fetched once
# before timing), to /dev/null with curl; they take turns within each of
# RUNS rounds. Prints MB/s of each (best of RUNS), the ratio, the server's
# peak RSS during the zips and the plain downloads, and a JSON line.
#
#   bash bench/zip.sh                                # 1,000 files, 1 GiB: ~3 min on 2 cores
#   BENCH_FILES=100 BENCH_SIZE_MIB=256 BENCH_RUNS=1 bash bench/zip.sh
#
# Knobs: BENCH_FILES (1000), BENCH_SIZE_MIB (1024), BENCH_RUNS (9),
# BENCH_DIR (/var/tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
FILES="${BENCH_FILES:-1000}"
SIZE_MIB="${BENCH_SIZE_MIB:-1024}"
RUNS="${BENCH_RUNS:-9}"

# shellcheck source=bench/lib.sh
source bench/lib.sh
md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }
xml_text() { sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p"; }
get_secs() { curl -s -o /dev/null -w '%{time_total}' "$1"; }

DIR="$WORK/server"
mkdir -p -m 700 "$DIR"
PORT="$(free_port)"
env DROPSPACE_DATA_DIR="$DIR" DROPSPACE_LOG=warn DROPSPACE_LISTEN="127.0.0.1:$PORT" \
    DROPSPACE_LIMITS__API_CALLS_PER_ADDRESS=0 DROPSPACE_LIMITS__API_CALLS_PER_ACCOUNT=0 \
    DROPSPACE_LIMITS__UPLOAD_STARTS_PER_MINUTE=0 DROPSPACE_LIMITS__CONNECTIONS_PER_ADDRESS=0 \
    "$BIN" serve >"$DIR.out" 2>"$DIR.err" &
PID=$!
PIDS+=("$PID")
BASE="http://127.0.0.1:$PORT"
wait_http "$BASE/healthz" || { echo "the server did not start: $(cat "$DIR.err")" >&2; exit 1; }
env DROPSPACE_DATA_DIR="$DIR" "$BIN" admin user create --user-name bench \
    --email bench@example.com --password benchpass --membership max >/dev/null
TOKEN="$(curl -s "$BASE/rest/?method=auth.createToken&api_key=$(sed -n 's/^api key: //p' "$DIR.out")&api_version=1.0" | xml_text token)"
SESSION="$(curl -s "$BASE/rest/?method=auth.login&token=$TOKEN&user_name=bench&tokened_password=$(md5 "$TOKEN$(md5 benchpass)")" | xml_text session_key)"
[ -n "$SESSION" ] || { echo "login failed" >&2; exit 1; }

upload() { # file name folder -> file id
    local info url extra out
    info="$(curl -s "$BASE/rest/?method=upload.getInfo&session_key=$SESSION")"
    url="$(echo "$info" | attr url)"; extra="$(echo "$info" | attr extra_info)"
    out="$(curl -s -F "extra_info=$extra" -F "folder_id=$3" -F "userfile=@$1;filename=$2" "$url")"
    echo "$out" | grep -q '^upload_status=ok' || { echo "upload failed: $out" >&2; exit 1; }
    echo "$out" | sed -n 's/^file_id=//p'
}

echo "== $FILES files, $SIZE_MIB MiB in all, and one $SIZE_MIB MiB file" >&2
FOLDER="$(curl -s "$BASE/rest/?method=folders.create&session_key=$SESSION&name=bench&shared=1" | attr id)"
EACH=$((SIZE_MIB * 1048576 / FILES))
PIECE="$WORK/piece.bin"
for i in $(seq 1 "$FILES"); do
    head -c "$EACH" /dev/urandom >"$PIECE"
    upload "$PIECE" "file-$i.bin" "$FOLDER" >/dev/null
done
BIG="$WORK/big.bin"
head -c "$((SIZE_MIB * 1048576))" /dev/urandom >"$BIG"
BIG_ID="$(upload "$BIG" big.bin 0)"
rm -f "$PIECE" "$BIG"
ZIP_URL="$BASE/folder/$FOLDER/zip"
ZIP_BYTES="$(curl -s -o /dev/null -w '%{size_download}' "$ZIP_URL")"
# A direct URL works for a while and counts downloads: one per round.
direct() { curl -s "$BASE/rest/?method=download.getInfo&session_key=$SESSION&file_id=$BIG_ID" | attr url; }
get_secs "$(direct)" >/dev/null

# The server's peak RSS over one transfer (VmHWM, reset first).
peak_reset() { echo 5 >"/proc/$PID/clear_refs" 2>/dev/null || true; }
peak_mib() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$PID/status"; }

ZIP_T=(); PLAIN_T=(); ZIP_RSS=0; PLAIN_RSS=0
for r in $(seq 1 "$RUNS"); do
    sync
    peak_reset
    ZIP_T+=("$(get_secs "$ZIP_URL")")
    z="$(peak_mib)"; [ "$z" -gt "$ZIP_RSS" ] && ZIP_RSS=$z
    url="$(direct)"
    sync
    peak_reset
    PLAIN_T+=("$(get_secs "$url")")
    p="$(peak_mib)"; [ "$p" -gt "$PLAIN_RSS" ] && PLAIN_RSS=$p
    echo "round $r: zip ${ZIP_T[-1]} s, plain ${PLAIN_T[-1]} s" >&2
done

python3 - "$ZIP_BYTES" "$((SIZE_MIB * 1048576))" "$ZIP_RSS" "$PLAIN_RSS" "$FILES" \
    "${ZIP_T[*]}" "${PLAIN_T[*]}" <<'EOF'
import json, sys
zip_bytes, plain_bytes, zip_rss, plain_rss, files = map(int, sys.argv[1:6])
zip_t = min(map(float, sys.argv[6].split()))
plain_t = min(map(float, sys.argv[7].split()))
zip_mbps = zip_bytes / zip_t / 1e6
plain_mbps = plain_bytes / plain_t / 1e6
print(f"{'workload':<40} {'MB/s':>9} {'peak RSS':>10}")
print(f"{f'zip of {files} files ({zip_bytes} bytes)':<40} {zip_mbps:>9.1f} {zip_rss:>7} MiB")
print(f"{'plain download (signed direct URL)':<40} {plain_mbps:>9.1f} {plain_rss:>7} MiB")
print(f"ratio zip / plain: {zip_mbps / plain_mbps:.2f}x (target >= 0.9x)")
print(json.dumps({"zip_mbps": round(zip_mbps, 1), "plain_mbps": round(plain_mbps, 1),
                  "ratio": round(zip_mbps / plain_mbps, 3), "zip_peak_rss_mib": zip_rss,
                  "plain_peak_rss_mib": plain_rss, "files": files, "zip_bytes": zip_bytes}))
EOF
