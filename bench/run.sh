#!/usr/bin/env bash
# Side-by-side benchmark: dropspace, nginx (Debian's package) and the Rust
# peer rustypaste (`cargo install rustypaste`), each on a loopback port with
# its data on the same disk, every workload against all of them in one run.
# Prints a table of figures with the ratios dropspace/nginx and
# dropspace/rustypaste against the targets, then a JSON line.
#
#   bash bench/run.sh                       # everything (a few minutes)
#   BENCH_SIZE_MIB=256 BENCH_RUNS=1 BENCH_SLOW=200 BENCH_SMALL=2000 bash bench/run.sh
#
# Workloads:
#   upload     one SIZE file. dropspace: the sendspace upload form (multipart
#              POST, streamed to the blob store, checksummed, fsynced);
#              nginx: PUT written to disk by its DAV module; rustypaste: its
#              multipart upload. MB/s (best of RUNS) and peak RSS. The
#              reference is the disk's durable write speed in the same run
#              (dd conv=fdatasync of the same bytes): uploads are synced.
#   download   the same file whole (dropspace: the signed direct URL; nginx:
#              sendfile; rustypaste: its file URL), and as 64 concurrent 1 MiB
#              Range requests. MB/s, each after sync and one untimed GET.
#   slow       1,000 uploads at once, 1 MiB each sent at 64 KB/s: how many
#              complete, peak RSS and open descriptors of the server.
#   api        files.getInfo and auth.checkSession, 64 connections for 10 s
#              (wrk); nginx serves a static file of the same XML. req/s, p50,
#              p99.
#   small      10,000 uploads of 4 KiB from 16 clients (dropspace: getInfo +
#              form each). uploads/s.
#   scaling    the api workload at 1, 16, 64, 256 connections; the upload at
#              1 MiB … SIZE: how throughput and memory grow.
# Load comes from curl, wrk and the small Rust client examples/load.rs. All
# of it runs on 127.0.0.1, is bounded in time and stopped by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MIB="${BENCH_SIZE_MIB:-1024}"
RUNS="${BENCH_RUNS:-3}"
SLOW_N="${BENCH_SLOW:-1000}"
SMALL_N="${BENCH_SMALL:-10000}"
API_SECS="${BENCH_API_SECS:-10}"
MAX_TIME="${BENCH_MAX_TIME:-300}"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need nginx || ! need curl || ! need wrk || ! need md5sum; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nginx curl wrk coreutils >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
if ! need rustypaste; then
    echo "== installing rustypaste (cargo install)" >&2
    cargo install --quiet rustypaste
fi
RUSTYPASTE="$(command -v rustypaste || echo "$HOME/.cargo/bin/rustypaste")"

echo "== building dropspace and the load client (release)" >&2
cargo build --release --quiet
cargo build --release --quiet --example load
BIN="$PWD/target/release/dropspace"
LOAD="$PWD/target/release/examples/load"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

WORK="$(mktemp -d "${BENCH_DIR:-/var/tmp}/dropspace-bench.XXXXXX")"
RESULTS="$WORK/results"
PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null || true
    done
    sleep 0.3
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
put() { echo "$1 $2" >>"$RESULTS"; }
log() { echo "   $*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }

# Peak RSS through /proc: writing 5 to clear_refs resets the high-water
# mark (VmHWM) to the current RSS.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
reset_peak() { for p in "$@"; do echo 5 >"/proc/$p/clear_refs" 2>/dev/null || true; done; }
sum_of() { local f=$1 t=0; shift; for p in "$@"; do t=$((t + $($f "$p"))); done; echo "$t"; }
best_mbps() { python3 -c "import sys; print(f'{int(sys.argv[1])*1048576/min(map(float, sys.argv[2:]))/1e6:.1f}')" "$@"; }

echo "== test data: $SIZE_MIB MiB" >&2
SRC="$WORK/source.bin"
head -c "$((SIZE_MIB * 1048576))" /dev/urandom >"$SRC"

# ------------------------------------------------------------------ servers
DS_PORT="$(free_port)"
mkdir -p "$WORK/dropspace"
# The load comes from one address and one account: abuse limits off.
DROPSPACE_LIMITS__API_CALLS_PER_ADDRESS=0 DROPSPACE_LIMITS__API_CALLS_PER_ACCOUNT=0 \
DROPSPACE_LIMITS__UPLOAD_STARTS_PER_MINUTE=0 DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ACCOUNT=0 \
DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ADDRESS=0 DROPSPACE_LIMITS__CONNECTIONS_PER_ADDRESS=0 \
DROPSPACE_DATA_DIR="$WORK/dropspace" DROPSPACE_LISTEN="127.0.0.1:$DS_PORT" DROPSPACE_LOG=warn \
    "$BIN" serve >"$WORK/dropspace.out" 2>"$WORK/dropspace.err" &
DS_PID=$!
PIDS+=("$DS_PID")
DS="http://127.0.0.1:$DS_PORT"
wait_http "$DS/healthz"
API_KEY="$(sed -n 's/^api key: //p' "$WORK/dropspace.out")"
DROPSPACE_DATA_DIR="$WORK/dropspace" "$BIN" admin user create --user-name bench \
    --email bench@example.com --password benchpass --membership max >/dev/null
md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }
xml_text() { sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p"; }
attr() { grep -o " $1=\"[^\"]*\"" | head -1 | cut -d'"' -f2; }
TOKEN="$(curl -s "$DS/rest/?method=auth.createToken&api_key=$API_KEY&api_version=1.0" | xml_text token)"
SESSION="$(curl -s "$DS/rest/?method=auth.login&token=$TOKEN&user_name=bench&tokened_password=$(md5 "$TOKEN$(md5 benchpass)")" | xml_text session_key)"
[ -n "$SESSION" ] || { echo "login failed" >&2; exit 1; }

NG_PORT="$(free_port)"
NG="$WORK/nginx"
mkdir -p "$NG/root/up" "$NG/tmp" "$NG/logs"
cat >"$NG/nginx.conf" <<EOF
user $(id -un);
worker_processes auto;
worker_rlimit_nofile 65536;
daemon off;
pid $NG/nginx.pid;
error_log $NG/logs/error.log crit;
events { worker_connections 8192; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_max_body_size 0;
    client_body_temp_path $NG/tmp;
    types { text/xml xml; }
    server {
        listen 127.0.0.1:$NG_PORT backlog=4096;
        root $NG/root;
        location /up/ { dav_methods PUT; create_full_put_path on; }
    }
}
EOF
cp "$SRC" "$NG/root/source.bin"
"$NGINX" -c "$NG/nginx.conf" -p "$NG" &
NG_MASTER=$!
PIDS+=("$NG_MASTER")
NGX="http://127.0.0.1:$NG_PORT"
wait_http "$NGX/"
NG_PIDS=("$NG_MASTER" $(pgrep -P "$NG_MASTER"))

RP_PORT="$(free_port)"
RP="$WORK/rustypaste"
mkdir -p "$RP/upload"
cat >"$RP/config.toml" <<EOF
[server]
address = "127.0.0.1:$RP_PORT"
max_content_length = "$((SIZE_MIB + 16))MiB"
upload_path = "$RP/upload"
timeout = "600s"

[paste]
random_url = { type = "alphanumeric", length = 12 }
default_extension = "bin"
duplicate_files = true
EOF
(cd "$RP" && CONFIG="$RP/config.toml" RUST_LOG=error exec "$RUSTYPASTE") >"$RP/out" 2>&1 &
RP_PID=$!
PIDS+=("$RP_PID")
RPX="http://127.0.0.1:$RP_PORT"
wait_http "$RPX/"

# ------------------------------------------------------- upload / download
# Each timed transfer starts after `sync`, so no earlier write-back competes.
ds_upload() { # file name -> prints "seconds file_id"
    local info url extra out
    info="$(curl -s "$DS/rest/?method=upload.getInfo&session_key=$SESSION")"
    url="$(echo "$info" | attr url)"; extra="$(echo "$info" | attr extra_info)"
    out="$(curl -s --max-time "$MAX_TIME" -F "extra_info=$extra" -F "userfile=@$1;filename=$2" -w '\n%{time_total}' "$url")"
    echo "$out" | grep -q '^upload_status=ok' || { echo "dropspace upload failed: $out" >&2; exit 1; }
    echo "$(echo "$out" | tail -1) $(echo "$out" | sed -n 's/^file_id=//p')"
}
ds_url() { curl -s "$DS/rest/?method=download.getInfo&session_key=$SESSION&file_id=$1" | attr url; }
rp_upload() { # file -> prints "seconds url"
    local out
    out="$(curl -s --max-time "$MAX_TIME" -F "file=@$1" -w '\n%{time_total}' "$RPX/")"
    echo "$out" | head -1 | grep -q '^http' || { echo "rustypaste upload failed: $out" >&2; exit 1; }
    echo "$(echo "$out" | tail -1) $(echo "$out" | head -1)"
}
get_secs() { curl -s --max-time "$MAX_TIME" -o /dev/null -w '%{time_total}' "$1"; }

measure() { # label pids... -- command: runs it after sync, records peak RSS growth
    local label=$1; shift
    local pids=()
    while [ "$1" != "--" ]; do pids+=("$1"); shift; done
    shift
    sync
    local base; base="$(sum_of rss_kib "${pids[@]}")"
    reset_peak "${pids[@]}"
    "$@"
    local peak; peak="$(sum_of hwm_kib "${pids[@]}")"
    put "${label}_rss_grow_mib" $(((peak - base) / 1024))
    put "${label}_rss_peak_mib" $((peak / 1024))
}

# The disk's own durable write speed, the reference for durable uploads:
# dd of the same bytes to the same file system, synced before it returns.
disk_secs() {
    sync
    local t0 t1
    t0="$(date +%s.%N)"
    dd if="$SRC" of="$WORK/disk.bin" bs=1M conv=fdatasync status=none
    t1="$(date +%s.%N)"
    rm -f "$WORK/disk.bin"
    python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$t1"
}
# Downloads are timed from a warm cache with no write-back pending (an
# upload just before leaves dirty pages that would slow whoever reads next):
# sync, one untimed GET, then the timed one.
warm() { sync; curl -s --max-time "$MAX_TIME" -o /dev/null "$1"; }

echo "== upload and download, $SIZE_MIB MiB, best of $RUNS" >&2
declare -a t_disk t_ds_up t_ng_up t_rp_up t_ds_dn t_ng_dn t_rp_dn
for run in $(seq 1 "$RUNS"); do
    t_disk+=("$(disk_secs)")
    measure ds_up "$DS_PID" -- eval 'r=$(ds_upload "$SRC" run$run.bin); t_ds_up+=("${r% *}"); DS_FILE="${r#* }"'
    DS_URL="$(ds_url "$DS_FILE")"
    warm "$DS_URL"
    measure ds_down "$DS_PID" -- eval 't_ds_dn+=("$(get_secs "$DS_URL")")'
    measure ng_up "${NG_PIDS[@]}" -- eval 't_ng_up+=("$(curl -s --max-time "$MAX_TIME" -o /dev/null -T "$SRC" -w "%{time_total}" "$NGX/up/run$run.bin")")'
    warm "$NGX/source.bin"
    measure ng_down "${NG_PIDS[@]}" -- eval 't_ng_dn+=("$(get_secs "$NGX/source.bin")")'
    measure rp_up "$RP_PID" -- eval 'r=$(rp_upload "$SRC"); t_rp_up+=("${r% *}"); RP_URL="${r#* }"'
    warm "$RP_URL"
    measure rp_down "$RP_PID" -- eval 't_rp_dn+=("$(get_secs "$RP_URL")")'
    log "run $run: disk ${t_disk[-1]} s; upload ds ${t_ds_up[-1]} s, nginx ${t_ng_up[-1]} s, rustypaste ${t_rp_up[-1]} s;" \
        "download ds ${t_ds_dn[-1]} s, nginx ${t_ng_dn[-1]} s, rustypaste ${t_rp_dn[-1]} s"
done
cmp <(curl -s "$DS_URL") "$SRC" || { echo "dropspace served different bytes" >&2; exit 1; }
cmp "$NG/root/up/run1.bin" "$SRC" || { echo "nginx stored different bytes" >&2; exit 1; }
cmp <(curl -s "$RP_URL") "$SRC" || { echo "rustypaste served different bytes" >&2; exit 1; }
put disk_mbps "$(best_mbps "$SIZE_MIB" "${t_disk[@]}")"
put ds_up_mbps "$(best_mbps "$SIZE_MIB" "${t_ds_up[@]}")"
put ng_up_mbps "$(best_mbps "$SIZE_MIB" "${t_ng_up[@]}")"
put rp_up_mbps "$(best_mbps "$SIZE_MIB" "${t_rp_up[@]}")"
put ds_down_mbps "$(best_mbps "$SIZE_MIB" "${t_ds_dn[@]}")"
put ng_down_mbps "$(best_mbps "$SIZE_MIB" "${t_ng_dn[@]}")"
put rp_down_mbps "$(best_mbps "$SIZE_MIB" "${t_rp_dn[@]}")"

echo "== 64 concurrent 1 MiB ranges" >&2
jnum() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
for who in ds ng rp; do
    case $who in ds) url="$DS_URL" ;; ng) url="$NGX/source.bin" ;; rp) url="$RP_URL" ;; esac
    sync
    out="$("$LOAD" ranges "$url" 64 1048576)"
    [ "$(jnum "$out" bytes)" = "$(jnum "$out" expected)" ] || { echo "$who ranges short: $out" >&2; exit 1; }
    put "${who}_ranges_mbps" "$(jnum "$out" mbps)"
    log "$who ranges: $out"
done

# -------------------------------------------------------------- slow uploads
echo "== $SLOW_N slow uploads (1 MiB at 64 KB/s each)" >&2
for who in ds ng rp; do
    case $who in
        ds) t="ds:$DS:$SESSION"; pids="$DS_PID" ;;
        ng) t="put:$NGX/up/slow-"; pids="$(IFS=,; echo "${NG_PIDS[*]}")" ;;
        rp) t="form:$RPX/:file"; pids="$RP_PID" ;;
    esac
    out="$(timeout 600 "$LOAD" slow "$t" "$SLOW_N" 1048576 65536 "$pids")"
    put "${who}_slow_ok" "$(jnum "$out" ok)"
    put "${who}_slow_rss_mib" "$(( $(jnum "$out" peak_rss_kib) / 1024 ))"
    put "${who}_slow_fds" "$(jnum "$out" peak_fds)"
    log "$who slow: $out"
done

# ---------------------------------------------------------------- API calls
wrk_run() { # conns url -> "req/s p50_ms p99_ms"
    local threads=2
    [ "$1" -lt 2 ] && threads=1
    wrk -t"$threads" -c"$1" -d"${API_SECS}s" --latency "$2" | python3 -c '
import re, sys
t = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def ms(p):
    m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", t, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
print(f"{rps:.0f} {ms(50):.2f} {ms(99):.2f}")'
}
SMALL_ID="$(printf 'hello' >"$WORK/h.txt"; ds_upload "$WORK/h.txt" h.txt | cut -d' ' -f2)"
GETINFO="$DS/rest/?method=files.getInfo&session_key=$SESSION&file_id=$SMALL_ID"
CHECK="$DS/rest/?method=auth.checkSession&session_key=$SESSION"
curl -s "$GETINFO" >"$NG/root/getinfo.xml"
echo "== small API calls, 64 connections, ${API_SECS} s each" >&2
read -r a b c <<<"$(wrk_run 64 "$GETINFO")"; put ds_getinfo_rps "$a"; put ds_getinfo_p50 "$b"; put ds_getinfo_p99 "$c"
read -r a b c <<<"$(wrk_run 64 "$CHECK")"; put ds_check_rps "$a"; put ds_check_p50 "$b"; put ds_check_p99 "$c"
read -r a b c <<<"$(wrk_run 64 "$NGX/getinfo.xml")"; put ng_static_rps "$a"; put ng_static_p50 "$b"; put ng_static_p99 "$c"

# ------------------------------------------------------------ small uploads
echo "== $SMALL_N uploads of 4 KiB from 16 clients" >&2
for who in ds rp ng; do
    case $who in ds) t="ds:$DS:$SESSION" ;; ng) t="put:$NGX/up/small-" ;; rp) t="form:$RPX/:file" ;; esac
    out="$("$LOAD" small "$t" "$SMALL_N" 16 4096)"
    put "${who}_small_ok" "$(jnum "$out" ok)"
    put "${who}_small_per_sec" "$(jnum "$out" per_sec)"
    log "$who small: $out"
done

# ------------------------------------------------------------------ scaling
echo "== scaling" >&2
for c in 1 16 64 256; do
    read -r a b c99 <<<"$(wrk_run "$c" "$GETINFO")"
    put "scale_api_${c}_rps" "$a"; put "scale_api_${c}_p99" "$c99"
    read -r a b c99 <<<"$(wrk_run "$c" "$NGX/getinfo.xml")"
    put "scale_ng_${c}_rps" "$a"
done
mib=1
while [ "$mib" -le "$SIZE_MIB" ]; do
    head -c "$((mib * 1048576))" "$SRC" >"$WORK/part.bin"
    measure "scale_up_${mib}" "$DS_PID" -- eval 'r=$(ds_upload "$WORK/part.bin" part.bin); put scale_up_'"$mib"'_secs "${r% *}"'
    mib=$((mib * 8))
done

# ------------------------------------------------------------------ results
python3 - "$RESULTS" "$SIZE_MIB" "$SLOW_N" "$SMALL_N" <<'EOF'
import json, sys
r = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 2:
        r[parts[0]] = float(parts[1])
size, slow_n, small_n = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows, checks = [], []
def row(name, ds, ng=None, rp=None, unit=""):
    rows.append((name, ds, ng, rp, unit))
def check(name, ok, detail):
    checks.append((name, ok, detail))
def ratio(a, b):
    return a / b if b else float("inf")

row(f"durable disk write {size} MiB (dd)", r["disk_mbps"], None, None, "MB/s")
row(f"upload {size} MiB", r["ds_up_mbps"], r["ng_up_mbps"], r["rp_up_mbps"], "MB/s")
row(f"download {size} MiB", r["ds_down_mbps"], r["ng_down_mbps"], r["rp_down_mbps"], "MB/s")
row("64 x 1 MiB ranges", r["ds_ranges_mbps"], r["ng_ranges_mbps"], r["rp_ranges_mbps"], "MB/s")
row("upload peak RSS", r["ds_up_rss_peak_mib"], r["ng_up_rss_peak_mib"], r["rp_up_rss_peak_mib"], "MiB")
row("download peak RSS", r["ds_down_rss_peak_mib"], r["ng_down_rss_peak_mib"], r["rp_down_rss_peak_mib"], "MiB")
row(f"{slow_n} slow uploads done", r["ds_slow_ok"], r["ng_slow_ok"], r["rp_slow_ok"], "")
row("  peak RSS", r["ds_slow_rss_mib"], r["ng_slow_rss_mib"], r["rp_slow_rss_mib"], "MiB")
row("  peak open fds", r["ds_slow_fds"], r["ng_slow_fds"], r["rp_slow_fds"], "")
row("files.getInfo (nginx: static)", r["ds_getinfo_rps"], r["ng_static_rps"], None, "req/s")
row("  p50 / p99", f'{r["ds_getinfo_p50"]:.2f}/{r["ds_getinfo_p99"]:.2f}', f'{r["ng_static_p50"]:.2f}/{r["ng_static_p99"]:.2f}', None, "ms")
row("auth.checkSession", r["ds_check_rps"], r["ng_static_rps"], None, "req/s")
row("  p50 / p99", f'{r["ds_check_p50"]:.2f}/{r["ds_check_p99"]:.2f}', None, None, "ms")
row(f"{small_n} x 4 KiB uploads, 16 clients", r["ds_small_per_sec"], r["ng_small_per_sec"], r["rp_small_per_sec"], "uploads/s")

up_disk, down_ng = ratio(r["ds_up_mbps"], r["disk_mbps"]), ratio(r["ds_down_mbps"], r["ng_down_mbps"])
check("upload >= 0.8 x durable disk", up_disk >= 0.8, f"{up_disk:.2f}")
check("download >= 0.95 x nginx", down_ng >= 0.95, f"{down_ng:.2f}")
for name, key in (("files.getInfo", "getinfo"), ("auth.checkSession", "check")):
    x = ratio(r[f"ds_{key}_rps"], r["ng_static_rps"])
    check(f"{name} >= 0.5 x nginx static", x >= 0.5, f"{x:.2f}")
    check(f"{name} p99 <= 5 ms", r[f"ds_{key}_p99"] <= 5, f'{r[f"ds_{key}_p99"]:.2f} ms')
small_rp = ratio(r["ds_small_per_sec"], r["rp_small_per_sec"])
check("small uploads >= 2 x rustypaste", small_rp >= 2, f"{small_rp:.2f}")
for name, key in (("upload", "up"), ("download", "down"), ("ranges", "ranges")):
    x = ratio(r[f"ds_{key}_mbps"], r[f"rp_{key}_mbps"])
    check(f"large {name} >= 1 x rustypaste", x >= 1, f"{x:.2f}")
check("peak RSS <= 32 MiB during a large transfer",
      max(r["ds_up_rss_peak_mib"], r["ds_down_rss_peak_mib"]) <= 32,
      f'{max(r["ds_up_rss_peak_mib"], r["ds_down_rss_peak_mib"]):.0f} MiB')
check(f"peak RSS <= 256 MiB with {slow_n} slow uploads, all done",
      r["ds_slow_rss_mib"] <= 256 and r["ds_slow_ok"] == slow_n,
      f'{r["ds_slow_rss_mib"]:.0f} MiB, {r["ds_slow_ok"]:.0f} done')

def fmt(v):
    if v is None: return "-"
    if isinstance(v, str): return v
    return f"{v:.0f}" if v >= 100 or v == int(v) else f"{v:.1f}"
print()
print(f"{'workload':<34}{'dropspace':>12}{'nginx':>12}{'rustypaste':>12}  {'unit':<10}{'ds/nginx':>9}{'ds/rp':>7}")
for name, ds, ng, rp, unit in rows:
    num = lambda v: isinstance(v, float)
    rn = f"{ratio(ds, ng):.2f}" if num(ds) and num(ng) else ""
    rr = f"{ratio(ds, rp):.2f}" if num(ds) and num(rp) else ""
    print(f"{name:<34}{fmt(ds):>12}{fmt(ng):>12}{fmt(rp):>12}  {unit:<10}{rn:>9}{rr:>7}")
print("\nscaling: files.getInfo req/s (p99 ms) by connections; nginx static req/s")
for c in (1, 16, 64, 256):
    print(f"  {c:>4} conns: dropspace {r[f'scale_api_{c}_rps']:>8.0f} ({r[f'scale_api_{c}_p99']:.2f})   nginx {r[f'scale_ng_{c}_rps']:>8.0f}")
print("scaling: upload MB/s and peak RSS by file size")
mib = 1
while f"scale_up_{mib}_secs" in r:
    secs = r[f"scale_up_{mib}_secs"]
    print(f"  {mib:>5} MiB: {mib*1048576/max(secs,1e-6)/1e6:>8.1f} MB/s   peak RSS {r[f'scale_up_{mib}_rss_peak_mib']:.0f} MiB (+{r[f'scale_up_{mib}_rss_grow_mib']:.0f})")
    mib *= 8
print("\ntargets")
for name, ok, detail in checks:
    print(f"  {'ok    ' if ok else 'MISSED'} {name:<52} {detail}")
print(json.dumps({"results": r, "targets": {n: {"met": ok, "value": d} for n, ok, d in checks}}))
EOF
