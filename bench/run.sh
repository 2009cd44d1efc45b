#!/usr/bin/env bash
# Side-by-side transfer benchmark: dropspace and nginx (Debian's package)
# on loopback, data on the same disk, in one run. Prints MB/s and peak RSS
# growth for each, the ratios against the targets, and a JSON line.
#
#   bash bench/run.sh                 # 1 GiB, best of 3 runs
#   BENCH_SIZE_MIB=256 BENCH_RUNS=1 bash bench/run.sh
#
# Workloads:
#   upload   dropspace: the sendspace upload form (multipart POST, streamed to
#            the blob store, fsynced, checksummed); nginx: a PUT of the same
#            bytes written to disk by its DAV module (request body to disk).
#   download dropspace: the signed direct URL of download.getInfo;
#            nginx: the same bytes as a static file with sendfile.
# Everything runs on 127.0.0.1, is bounded in time and stopped by PID. Each
# timed transfer starts after `sync`, so no earlier write-back competes.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MIB="${BENCH_SIZE_MIB:-1024}"
RUNS="${BENCH_RUNS:-3}"
CURL_MAX_TIME="${BENCH_MAX_TIME:-300}"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need nginx || ! need curl || ! need md5sum; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nginx curl coreutils >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

echo "== building dropspace (release)" >&2
cargo build --release --quiet
BIN="$PWD/target/release/dropspace"

WORK="$(mktemp -d "${BENCH_DIR:-/var/tmp}/dropspace-bench.XXXXXX")"
PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null || true
    done
    sleep 0.2
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Peak-RSS bookkeeping through /proc: writing 5 to clear_refs resets a
# process's high-water mark (VmHWM) to its current RSS.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
reset_peak() { for p in "$@"; do echo 5 >"/proc/$p/clear_refs" 2>/dev/null || true; done; }
sum_rss() { local t=0; for p in "$@"; do t=$((t + $(rss_kib "$p"))); done; echo "$t"; }
sum_hwm() { local t=0; for p in "$@"; do t=$((t + $(hwm_kib "$p"))); done; echo "$t"; }

# best (highest) MB/s of a list of seconds for SIZE_MIB
mbps() { python3 -c "import sys; t=min(float(x) for x in sys.argv[2:]); print(f'{int(sys.argv[1])*1048576/t/1e6:.1f}')" "$SIZE_MIB" "$@"; }

echo "== test data: $SIZE_MIB MiB" >&2
SRC="$WORK/source.bin"
head -c "$((SIZE_MIB * 1048576))" /dev/urandom >"$SRC"

# ---------------------------------------------------------------- dropspace
DS_PORT="$(free_port)"
DS_DATA="$WORK/dropspace"
mkdir -p "$DS_DATA"
export DROPSPACE_DATA_DIR="$DS_DATA" DROPSPACE_LISTEN="127.0.0.1:$DS_PORT" DROPSPACE_LOG=warn
"$BIN" serve >"$WORK/dropspace.out" 2>"$WORK/dropspace.err" &
DS_PID=$!
PIDS+=("$DS_PID")
for _ in $(seq 1 100); do grep -q "listening on" "$WORK/dropspace.out" 2>/dev/null && break; sleep 0.1; done
API_KEY="$(sed -n 's/^api key: //p' "$WORK/dropspace.out")"
DS="http://127.0.0.1:$DS_PORT"
"$BIN" admin user create --user-name bench --email bench@example.com --password benchpass --membership max >/dev/null

xml_text() { sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p"; }
xml_attr() { grep -o "$1=\"[^\"]*\"" | head -1 | cut -d'"' -f2; }
md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }

TOKEN="$(curl -s "$DS/rest/?method=auth.createToken&api_key=$API_KEY&api_version=1.0" | xml_text token)"
SESSION="$(curl -s "$DS/rest/?method=auth.login&token=$TOKEN&user_name=bench&tokened_password=$(md5 "$TOKEN$(md5 benchpass)")" | xml_text session_key)"
[ -n "$SESSION" ] || { echo "login failed" >&2; exit 1; }

ds_up=() ds_down=() ds_up_rss=0 ds_down_rss=0
for run in $(seq 1 "$RUNS"); do
    info="$(curl -s "$DS/rest/?method=upload.getInfo&session_key=$SESSION")"
    url="$(echo "$info" | grep -o ' url="[^"]*"' | cut -d'"' -f2)"
    extra="$(echo "$info" | xml_attr extra_info)"
    sync  # no earlier run's writeback in this measurement
    base="$(rss_kib "$DS_PID")"; reset_peak "$DS_PID"
    out="$(curl -s --max-time "$CURL_MAX_TIME" -F "extra_info=$extra" -F "userfile=@$SRC;filename=run$run.bin" -w '\n%{time_total}' "$url")"
    grow=$(( ($(hwm_kib "$DS_PID") - base) / 1024 )); [ "$grow" -gt "$ds_up_rss" ] && ds_up_rss=$grow
    echo "$out" | grep -q '^upload_status=ok' || { echo "dropspace upload failed: $out" >&2; exit 1; }
    ds_up+=("$(echo "$out" | tail -1)")
    file_id="$(echo "$out" | sed -n 's/^file_id=//p')"
    dl="$(curl -s "$DS/rest/?method=download.getInfo&session_key=$SESSION&file_id=$file_id" | grep -o ' url="[^"]*"' | cut -d'"' -f2)"
    sync
    base="$(rss_kib "$DS_PID")"; reset_peak "$DS_PID"
    ds_down+=("$(curl -s --max-time "$CURL_MAX_TIME" -o /dev/null -w '%{time_total}' "$dl")")
    grow=$(( ($(hwm_kib "$DS_PID") - base) / 1024 )); [ "$grow" -gt "$ds_down_rss" ] && ds_down_rss=$grow
    echo "   dropspace run $run: upload ${ds_up[-1]} s, download ${ds_down[-1]} s" >&2
done
cmp <(curl -s "$dl") "$SRC" || { echo "dropspace served different bytes" >&2; exit 1; }

# -------------------------------------------------------------------- nginx
NG_PORT="$(free_port)"
NG="$WORK/nginx"
mkdir -p "$NG/root/up" "$NG/tmp" "$NG/logs"
cat >"$NG/nginx.conf" <<EOF
user $(id -un);
worker_processes auto;
daemon off;
pid $NG/nginx.pid;
error_log $NG/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_max_body_size 0;
    client_body_temp_path $NG/tmp;
    server {
        listen 127.0.0.1:$NG_PORT;
        root $NG/root;
        location /up/ { dav_methods PUT; create_full_put_path on; }
    }
}
EOF
cp "$SRC" "$NG/root/source.bin"
"$NGINX" -c "$NG/nginx.conf" -p "$NG" &
NG_MASTER=$!
PIDS+=("$NG_MASTER")
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$NG_PORT/" && break; sleep 0.1; done
NG_PIDS=("$NG_MASTER" $(pgrep -P "$NG_MASTER"))

ng_up=() ng_down=() ng_up_rss=0 ng_down_rss=0
for run in $(seq 1 "$RUNS"); do
    sync
    base="$(sum_rss "${NG_PIDS[@]}")"; reset_peak "${NG_PIDS[@]}"
    ng_up+=("$(curl -s --max-time "$CURL_MAX_TIME" -o /dev/null -T "$SRC" -w '%{time_total}' "http://127.0.0.1:$NG_PORT/up/run$run.bin")")
    grow=$(( ($(sum_hwm "${NG_PIDS[@]}") - base) / 1024 )); [ "$grow" -gt "$ng_up_rss" ] && ng_up_rss=$grow
    sync
    base="$(sum_rss "${NG_PIDS[@]}")"; reset_peak "${NG_PIDS[@]}"
    ng_down+=("$(curl -s --max-time "$CURL_MAX_TIME" -o /dev/null -w '%{time_total}' "http://127.0.0.1:$NG_PORT/source.bin")")
    grow=$(( ($(sum_hwm "${NG_PIDS[@]}") - base) / 1024 )); [ "$grow" -gt "$ng_down_rss" ] && ng_down_rss=$grow
    echo "   nginx run $run: upload ${ng_up[-1]} s, download ${ng_down[-1]} s" >&2
done
cmp "$NG/root/up/run1.bin" "$SRC" || { echo "nginx stored different bytes" >&2; exit 1; }

# ------------------------------------------------------------------ results
DS_UP="$(mbps "${ds_up[@]}")"; NG_UP="$(mbps "${ng_up[@]}")"
DS_DOWN="$(mbps "${ds_down[@]}")"; NG_DOWN="$(mbps "${ng_down[@]}")"
python3 - "$SIZE_MIB" "$DS_UP" "$NG_UP" "$DS_DOWN" "$NG_DOWN" "$ds_up_rss" "$ng_up_rss" "$ds_down_rss" "$ng_down_rss" <<'EOF'
import json, sys
size, ds_up, ng_up, ds_down, ng_down = int(sys.argv[1]), *map(float, sys.argv[2:6])
ds_up_rss, ng_up_rss, ds_down_rss, ng_down_rss = map(int, sys.argv[6:10])
rows = [
    ("upload MB/s", ds_up, ng_up, ds_up / ng_up, ">= 0.90 x nginx", ds_up / ng_up >= 0.90),
    ("download MB/s", ds_down, ng_down, ds_down / ng_down, ">= 0.95 x nginx", ds_down / ng_down >= 0.95),
]
print(f"\n{size} MiB over loopback, best of runs\n")
print(f"{'workload':<22}{'dropspace':>12}{'nginx':>12}{'ratio':>8}  target")
for name, d, n, r, target, met in rows:
    print(f"{name:<22}{d:>12.1f}{n:>12.1f}{r:>8.2f}  {target} {'ok' if met else 'MISSED'}")
print(f"{'upload peak RSS +MiB':<22}{ds_up_rss:>12}{ng_up_rss:>12}{'':>8}  dropspace <= 32 {'ok' if ds_up_rss <= 32 else 'MISSED'}")
print(f"{'download peak RSS +MiB':<22}{ds_down_rss:>12}{ng_down_rss:>12}{'':>8}  dropspace <= 32 {'ok' if ds_down_rss <= 32 else 'MISSED'}")
print(json.dumps({
    "size_mib": size,
    "upload_mbps": {"dropspace": ds_up, "nginx": ng_up, "ratio": round(ds_up / ng_up, 3)},
    "download_mbps": {"dropspace": ds_down, "nginx": ng_down, "ratio": round(ds_down / ng_down, 3)},
    "peak_rss_growth_mib": {"dropspace_upload": ds_up_rss, "dropspace_download": ds_down_rss,
                            "nginx_upload": ng_up_rss, "nginx_download": ng_down_rss},
}))
EOF
