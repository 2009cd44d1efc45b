#!/usr/bin/env bash
# Side-by-side benchmark: dropspace (on SQLite, and a second server on
# PostgreSQL for the database-bound workloads), nginx (Debian's package) and
# the Rust peer rustypaste (`cargo install rustypaste`), each on a loopback
# port with its data on the same disk, every workload against all of them in
# one run. Prints a table of figures with the ratios dropspace/nginx and
# dropspace/rustypaste, the scaling curves as tables, the target checks and a
# JSON line; keeps the results in BENCH_CHARTS_DIR and draws the charts there
# (bench/plot.sh).
#
#   bash bench/run.sh                       # everything: ~12 min on 2 shared cores
#   BENCH_SIZE_MIB=64 BENCH_RUNS=1 BENCH_SLOW=100 BENCH_SMALL=500 BENCH_API_SECS=2 bash bench/run.sh
#
# Knobs (environment): BENCH_SIZE_MIB (1024), BENCH_RUNS (3), BENCH_SLOW
# (1000), BENCH_SMALL (10000), BENCH_API_SECS (10), BENCH_MAX_TIME (300 s per
# curl transfer), BENCH_DIR (/var/tmp, scratch), BENCH_KEEP (keep scratch),
# BENCH_PG_URL (postgres://postgres@127.0.0.1:5432: a server where the run
# may create and drop a database), BENCH_API_CONNS ("1 16 64 256 1024"),
# BENCH_SLOW_SCALE ("10 100 1000", points above BENCH_SLOW are skipped),
# BENCH_SMALL_CLIENTS ("1 4 16 64"), BENCH_SCALE_SECS (BENCH_API_SECS: the
# time bound of a small-upload scaling point), BENCH_CHARTS_DIR
# (docs/performance; empty: no results kept, no charts).
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
#   slow       10, 100 and 1,000 uploads at once, 1 MiB each sent at 64 KB/s:
#              how many complete, peak RSS and open descriptors of the server.
#   api        files.getInfo and auth.checkSession, 64 connections for 10 s
#              (wrk), dropspace on SQLite and on PostgreSQL; nginx serves a
#              static file of the same XML. req/s, p50, p99. files.getInfo
#              and nginx also at 1, 16, 256 and 1,024 connections.
#   small      10,000 uploads of 4 KiB from 16 clients (dropspace: getInfo +
#              form each), SQLite and PostgreSQL; uploads/s. Also at 1, 4, 16
#              and 64 clients, each point bounded to 10 s. rustypaste starts
#              each from an empty upload directory (see small_run).
#   sizes      one upload of 1 MiB, 8 MiB … SIZE: throughput and memory.
# Load comes from curl, wrk and the small Rust client examples/load.rs. All
# of it runs on 127.0.0.1, is bounded in time and stopped by PID; the
# PostgreSQL database is dropped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
STARTED_AT="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

SIZE_MIB="${BENCH_SIZE_MIB:-1024}"
RUNS="${BENCH_RUNS:-3}"
SLOW_N="${BENCH_SLOW:-1000}"
SMALL_N="${BENCH_SMALL:-10000}"
API_SECS="${BENCH_API_SECS:-10}"
MAX_TIME="${BENCH_MAX_TIME:-300}"
PG_BASE="${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}"
CHARTS_DIR="${BENCH_CHARTS_DIR-docs/performance}"
SCALE_SECS="${BENCH_SCALE_SECS:-$API_SECS}"
# The headline points (64 connections, BENCH_SLOW uploads) are always on
# the curves: they are measured once and serve both.
points() { printf '%s\n' $1 "${2:-}" | awk -v max="${3:-0}" 'NF && (max == 0 || $1 <= max)' | sort -nu | paste -sd' '; }
API_CONNS="$(points "${BENCH_API_CONNS:-1 16 64 256 1024}" 64)"
SLOW_POINTS="$(points "${BENCH_SLOW_SCALE:-10 100 1000}" "$SLOW_N" "$SLOW_N")"
SMALL_CLIENTS="$(points "${BENCH_SMALL_CLIENTS:-1 4 16 64}")"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need nginx || ! need curl || ! need wrk || ! need md5sum || ! need createdb \
    || { [ -n "$CHARTS_DIR" ] && ! need gnuplot; }; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nginx curl wrk coreutils postgresql-client gnuplot-nox >/dev/null
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
PG_DB=""
cleanup() {
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && kill "$p" 2>/dev/null || true
    done
    for p in "${PIDS[@]:-}"; do
        [ -n "$p" ] && wait "$p" 2>/dev/null || true
    done
    # --force: a server that did not stop in time must not keep the database.
    [ -z "$PG_DB" ] || dropdb --force --if-exists --maintenance-db="$PG_BASE/postgres" "$PG_DB" || true
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
put() { echo "$1 $2" >>"$RESULTS"; }
log() { echo "   $*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }

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
md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }
xml_text() { sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p"; }
attr() { grep -o " $1=\"[^\"]*\"" | head -1 | cut -d'"' -f2; }
# Starts a dropspace server with its own data dir and logs in an account:
# sets ${TAG}_PID, ${TAG} (its base URL) and ${TAG}_SESSION. Database: the
# given URL, or SQLite in the data dir when empty. The load comes from one
# address and one account: abuse limits off.
start_ds() { # TAG DIR_NAME DATABASE_URL
    local tag=$1 dir="$WORK/$2" port base token session
    port="$(free_port)"
    mkdir -p -m 700 "$dir"
    local vars=(DROPSPACE_DATA_DIR="$dir" DROPSPACE_LOG=warn)
    [ -z "$3" ] || vars+=(DROPSPACE_DATABASE_URL="$3")
    env "${vars[@]}" DROPSPACE_LISTEN="127.0.0.1:$port" \
        DROPSPACE_LIMITS__API_CALLS_PER_ADDRESS=0 DROPSPACE_LIMITS__API_CALLS_PER_ACCOUNT=0 \
        DROPSPACE_LIMITS__UPLOAD_STARTS_PER_MINUTE=0 DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ACCOUNT=0 \
        DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ADDRESS=0 DROPSPACE_LIMITS__CONNECTIONS_PER_ADDRESS=0 \
        "$BIN" serve >"$dir.out" 2>"$dir.err" &
    PIDS+=("$!")
    printf -v "${tag}_PID" '%s' "$!"
    base="http://127.0.0.1:$port"
    wait_http "$base/healthz" || { echo "$2 did not start: $(cat "$dir.err")" >&2; exit 1; }
    env "${vars[@]}" "$BIN" admin user create --user-name bench \
        --email bench@example.com --password benchpass --membership max >/dev/null
    token="$(curl -s "$base/rest/?method=auth.createToken&api_key=$(sed -n 's/^api key: //p' "$dir.out")&api_version=1.0" | xml_text token)"
    session="$(curl -s "$base/rest/?method=auth.login&token=$token&user_name=bench&tokened_password=$(md5 "$token$(md5 benchpass)")" | xml_text session_key)"
    [ -n "$session" ] || { echo "$2: login failed" >&2; exit 1; }
    printf -v "$tag" '%s' "$base"
    printf -v "${tag}_SESSION" '%s' "$session"
}
start_ds DS dropspace ""
PG_DB="dropspace_bench_$$"
createdb --maintenance-db="$PG_BASE/postgres" "$PG_DB"
start_ds PG dropspace-pg "$PG_BASE/$PG_DB"

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
ds_upload() { # file name [base session] -> prints "seconds file_id"
    local info url extra out
    info="$(curl -s "${3:-$DS}/rest/?method=upload.getInfo&session_key=${4:-$DS_SESSION}")"
    url="$(echo "$info" | attr url)"; extra="$(echo "$info" | attr extra_info)"
    out="$(curl -s --max-time "$MAX_TIME" -F "extra_info=$extra" -F "userfile=@$1;filename=$2" -w '\n%{time_total}' "$url")"
    echo "$out" | grep -q '^upload_status=ok' || { echo "dropspace upload failed: $out" >&2; exit 1; }
    echo "$(echo "$out" | tail -1) $(echo "$out" | sed -n 's/^file_id=//p')"
}
ds_url() { curl -s "$DS/rest/?method=download.getInfo&session_key=$DS_SESSION&file_id=$1" | attr url; }
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
# Fewest first: an allocator keeps memory a larger point took, which would
# show in a smaller point's peak.
echo "== slow uploads (1 MiB at 64 KB/s each): $SLOW_POINTS at once" >&2
for n in $SLOW_POINTS; do
    for who in ds ng rp; do
        case $who in
            ds) t="ds:$DS:$DS_SESSION"; pids="$DS_PID" ;;
            ng) t="put:$NGX/up/slow-"; pids="$(IFS=,; echo "${NG_PIDS[*]}")" ;;
            rp) t="form:$RPX/:file"; pids="$RP_PID" ;;
        esac
        out="$(timeout 600 "$LOAD" slow "$t" "$n" 1048576 65536 "$pids")"
        keys=("scale_slow_${n}_${who}")
        [ "$n" != "$SLOW_N" ] || keys+=("${who}_slow")
        for k in "${keys[@]}"; do
            put "${k}_ok" "$(jnum "$out" ok)"
            put "${k}_rss_mib" "$(( $(jnum "$out" peak_rss_kib) / 1024 ))"
            put "${k}_fds" "$(jnum "$out" peak_fds)"
            put "${k}_base_mib" "$(( $(jnum "$out" base_rss_kib) / 1024 ))"
        done
        log "$who $n slow: $out"
    done
done

# ---------------------------------------------------------------- API calls
# wrk's own timeout (2 s by default) would drop the slowest answers from the
# latency figures at 1,024 connections; errors are counted and kept.
wrk_run() { # conns url -> "req/s p50_ms p99_ms errors"
    local threads=2
    [ "$1" -lt 2 ] && threads=1
    wrk -t"$threads" -c"$1" -d"${API_SECS}s" --timeout 10s --latency "$2" | python3 -c '
import re, sys
t = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def ms(p):
    m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", t, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
errors = sum(map(int, m.groups())) if m else 0
m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
errors += int(m.group(1)) if m else 0
print(f"{rps:.0f} {ms(50):.2f} {ms(99):.2f} {errors}")'
}
api() { # conns url key_prefix... : req/s, p50, p99 and errors under each prefix
    local a b c e conns=$1 url=$2
    shift 2
    # The uploads before leave gigabytes being written back: a database
    # commit (a session's last use) would wait behind them.
    sync
    read -r a b c e <<<"$(wrk_run "$conns" "$url")"
    for k in "$@"; do put "${k}_rps" "$a"; put "${k}_p50" "$b"; put "${k}_p99" "$c"; put "${k}_err" "$e"; done
    log "$1 at $conns connections: $a req/s, p50 $b ms, p99 $c ms, $e errors"
}
printf 'hello' >"$WORK/h.txt"
SMALL_ID="$(ds_upload "$WORK/h.txt" h.txt | cut -d' ' -f2)"
PG_SMALL_ID="$(ds_upload "$WORK/h.txt" h.txt "$PG" "$PG_SESSION" | cut -d' ' -f2)"
GETINFO="$DS/rest/?method=files.getInfo&session_key=$DS_SESSION&file_id=$SMALL_ID"
CHECK="$DS/rest/?method=auth.checkSession&session_key=$DS_SESSION"
PG_GETINFO="$PG/rest/?method=files.getInfo&session_key=$PG_SESSION&file_id=$PG_SMALL_ID"
PG_CHECK="$PG/rest/?method=auth.checkSession&session_key=$PG_SESSION"
for u in "$GETINFO" "$CHECK" "$PG_GETINFO" "$PG_CHECK"; do
    curl -s "$u" | grep -q 'status="ok"' || { echo "not ok: $u: $(curl -s "$u")" >&2; exit 1; }
done
curl -s "$GETINFO" >"$NG/root/getinfo.xml"
echo "== small API calls, 64 connections, ${API_SECS} s each" >&2
api 64 "$GETINFO" ds_getinfo scale_api_64_ds
api 64 "$CHECK" ds_check
api 64 "$NGX/getinfo.xml" ng_static scale_api_64_ng
api 64 "$PG_GETINFO" pg_getinfo scale_api_64_pg
api 64 "$PG_CHECK" pg_check
echo "== files.getInfo and nginx static at $API_CONNS connections" >&2
for c in $API_CONNS; do
    [ "$c" != 64 ] || continue
    api "$c" "$GETINFO" "scale_api_${c}_ds"
    api "$c" "$NGX/getinfo.xml" "scale_api_${c}_ng"
    api "$c" "$PG_GETINFO" "scale_api_${c}_pg"
done

# ------------------------------------------------------------ small uploads
small_target() {
    case $1 in
        ds) echo "ds:$DS:$DS_SESSION" ;;
        pg) echo "ds:$PG:$PG_SESSION" ;;
        ng) echo "put:$NGX/up/small-" ;;
        rp) echo "form:$RPX/:file" ;;
    esac
}
# rustypaste globs its upload directory on every upload, so its rate falls
# with the files it holds: each of its measurements starts from an empty
# directory (its best case), whatever ran before.
small_run() { # who count clients [secs] -> the load client's JSON line
    [ "$1" != rp ] || find "$RP/upload" -maxdepth 1 -type f -delete
    "$LOAD" small "$(small_target "$1")" "$2" "$3" 4096 "${4:-0}"
}
echo "== $SMALL_N uploads of 4 KiB from 16 clients" >&2
for who in ds pg rp ng; do
    out="$(small_run "$who" "$SMALL_N" 16)"
    put "${who}_small_ok" "$(jnum "$out" ok)"
    put "${who}_small_per_sec" "$(jnum "$out" per_sec)"
    log "$who small: $out"
done
echo "== 4 KiB uploads from $SMALL_CLIENTS clients, at most $SCALE_SECS s each" >&2
# Every point bounded in time, the 16-client one too: a count-bound point
# would hold rustypaste to a fuller directory than the others.
for c in $SMALL_CLIENTS; do
    for who in ds pg rp; do
        out="$(small_run "$who" "$SMALL_N" "$c" "$SCALE_SECS")"
        put "scale_small_${c}_${who}_ok" "$(jnum "$out" ok)"
        put "scale_small_${c}_${who}_per_sec" "$(jnum "$out" per_sec)"
        log "$who small, $c clients: $out"
    done
done

# -------------------------------------------------------------------- sizes
echo "== upload by size" >&2
mib=1
while [ "$mib" -le "$SIZE_MIB" ]; do
    head -c "$((mib * 1048576))" "$SRC" >"$WORK/part.bin"
    measure "scale_up_${mib}" "$DS_PID" -- eval 'r=$(ds_upload "$WORK/part.bin" part.bin); put scale_up_'"$mib"'_secs "${r% *}"'
    mib=$((mib * 8))
done

# ------------------------------------------------------------------ results
OUT_DIR=""
if [ -n "$CHARTS_DIR" ]; then
    mkdir -p "$CHARTS_DIR"
    OUT_DIR="$CHARTS_DIR"
fi
META="$(python3 -c 'import json, sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' \
    started "$STARTED_AT" seconds "$SECONDS" commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" \
    size_mib "$SIZE_MIB" runs "$RUNS" slow "$SLOW_N" small "$SMALL_N" api_secs "$API_SECS" \
    api_conns "$API_CONNS" slow_points "$SLOW_POINTS" small_clients "$SMALL_CLIENTS" scale_secs "$SCALE_SECS")"
python3 - "$RESULTS" "$META" "$OUT_DIR" <<'EOF'
import io, json, os, sys
r = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 2:
        r[parts[0]] = float(parts[1])
meta, out_dir = json.loads(sys.argv[2]), sys.argv[3]
size, slow_n, small_n = int(meta["size_mib"]), int(meta["slow"]), int(meta["small"])
api_conns, slow_points, small_clients = ([int(x) for x in meta[k].split()] for k in ("api_conns", "slow_points", "small_clients"))
rows, checks = [], []
def row(name, ds, ng=None, rp=None, unit=""):
    rows.append((name, ds, ng, rp, unit))
def check(name, ok, detail, x=None, goal=None, kind=None):
    checks.append((name, ok, detail, x, goal, kind))
def ratio(a, b):
    return a / b if b else float("inf")
def lat(k):
    return f'{r[f"{k}_p50"]:.2f}/{r[f"{k}_p99"]:.2f}'

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
row("  p50 / p99", lat("ds_getinfo"), lat("ng_static"), None, "ms")
row("auth.checkSession", r["ds_check_rps"], r["ng_static_rps"], None, "req/s")
row("  p50 / p99", lat("ds_check"), None, None, "ms")
row("files.getInfo, PostgreSQL", r["pg_getinfo_rps"], r["ng_static_rps"], None, "req/s")
row("  p50 / p99", lat("pg_getinfo"), None, None, "ms")
row("auth.checkSession, PostgreSQL", r["pg_check_rps"], r["ng_static_rps"], None, "req/s")
row("  p50 / p99", lat("pg_check"), None, None, "ms")
row(f"{small_n} x 4 KiB uploads, 16 clients", r["ds_small_per_sec"], r["ng_small_per_sec"], r["rp_small_per_sec"], "uploads/s")
row("  the same, PostgreSQL", r["pg_small_per_sec"], r["ng_small_per_sec"], r["rp_small_per_sec"], "uploads/s")

up_disk, down_ng = ratio(r["ds_up_mbps"], r["disk_mbps"]), ratio(r["ds_down_mbps"], r["ng_down_mbps"])
check("upload >= 0.8 x durable disk", up_disk >= 0.8, f"{up_disk:.2f}", up_disk, 0.8, "ratio")
check("download >= 0.95 x nginx", down_ng >= 0.95, f"{down_ng:.2f}", down_ng, 0.95, "ratio")
for db, goal, p99 in (("ds", 0.5, 5), ("pg", 0.3, 10)):
    suffix = "" if db == "ds" else " (PostgreSQL)"
    for name, key in (("files.getInfo", "getinfo"), ("auth.checkSession", "check")):
        x = ratio(r[f"{db}_{key}_rps"], r["ng_static_rps"])
        check(f"{name}{suffix} >= {goal} x nginx static", x >= goal, f"{x:.2f}", x, goal, "ratio")
        v = r[f"{db}_{key}_p99"]
        check(f"{name}{suffix} p99 <= {p99} ms", v <= p99, f"{v:.2f} ms", v, p99, "ms")
small_rp = ratio(r["ds_small_per_sec"], r["rp_small_per_sec"])
check("small uploads >= 2 x rustypaste", small_rp >= 2, f"{small_rp:.2f}", small_rp, 2, "ratio")
for name, key in (("upload", "up"), ("download", "down"), ("ranges", "ranges")):
    x = ratio(r[f"ds_{key}_mbps"], r[f"rp_{key}_mbps"])
    check(f"large {name} >= 1 x rustypaste", x >= 1, f"{x:.2f}", x, 1, "ratio")
big = max(r["ds_up_rss_peak_mib"], r["ds_down_rss_peak_mib"])
check("peak RSS <= 32 MiB during a large transfer", big <= 32, f"{big:.0f} MiB", big, 32, "MiB")
check(f"peak RSS <= 256 MiB with {slow_n} slow uploads, all done",
      r["ds_slow_rss_mib"] <= 256 and r["ds_slow_ok"] == slow_n,
      f'{r["ds_slow_rss_mib"]:.0f} MiB, {r["ds_slow_ok"]:.0f} done', r["ds_slow_rss_mib"], 256, "MiB")

out = io.StringIO()
def say(*a):
    print(*a, file=out)
def fmt(v):
    if v is None: return "-"
    if isinstance(v, str): return v
    return f"{v:.0f}" if v >= 100 or v == int(v) else f"{v:.1f}"
say()
say(f"{'workload':<44}{'dropspace':>12}{'nginx':>12}{'rustypaste':>12}  {'unit':<10}{'ds/nginx':>9}{'ds/rp':>7}")
for name, ds, ng, rp, unit in rows:
    num = lambda v: isinstance(v, float)
    rn = f"{ratio(ds, ng):.2f}" if num(ds) and num(ng) else ""
    rr = f"{ratio(ds, rp):.2f}" if num(ds) and num(rp) else ""
    say(f"{name:<44}{fmt(ds):>12}{fmt(ng):>12}{fmt(rp):>12}  {unit:<10}{rn:>9}{rr:>7}")
def cell(k):
    e = r[f"{k}_err"]
    return f"{r[f'{k}_rps']:>8.0f} ({r[f'{k}_p99']:>6.2f})" + (f" {e:.0f} err" if e else "")
say("\nscaling: files.getInfo req/s (p99 ms) by connections; nginx: the same XML, static")
say(f"  {'conns':>5}  {'dropspace SQLite':>22}  {'dropspace PostgreSQL':>22}  {'nginx static':>22}")
for c in api_conns:
    say(f"  {c:>5}  {cell(f'scale_api_{c}_ds'):>22}  {cell(f'scale_api_{c}_pg'):>22}  {cell(f'scale_api_{c}_ng'):>22}")
say("scaling: slow uploads at once (1 MiB at 64 KB/s): peak RSS MiB / RSS just before, completed")
say(f"  {'at once':>7}  {'dropspace':>18}  {'nginx':>18}  {'rustypaste':>18}")
for n in slow_points:
    c = lambda w: f"{r[f'scale_slow_{n}_{w}_rss_mib']:.0f} / {r[f'scale_slow_{n}_{w}_base_mib']:.0f}, {r[f'scale_slow_{n}_{w}_ok']:.0f}"
    say(f"  {n:>7}  {c('ds'):>18}  {c('ng'):>18}  {c('rp'):>18}")
say(f"scaling: 4 KiB uploads/s by clients (at most {meta['scale_secs']} s each)")
say(f"  {'clients':>7}  {'dropspace SQLite':>18}  {'dropspace PostgreSQL':>20}  {'rustypaste':>12}")
for c in small_clients:
    v = lambda w: f"{r[f'scale_small_{c}_{w}_per_sec']:.0f}"
    say(f"  {c:>7}  {v('ds'):>18}  {v('pg'):>20}  {v('rp'):>12}")
say("scaling: upload MB/s and peak RSS by file size (dropspace SQLite)")
mib = 1
while f"scale_up_{mib}_secs" in r:
    secs = r[f"scale_up_{mib}_secs"]
    say(f"  {mib:>5} MiB: {mib*1048576/max(secs,1e-6)/1e6:>8.1f} MB/s   peak RSS {r[f'scale_up_{mib}_rss_peak_mib']:.0f} MiB (+{r[f'scale_up_{mib}_rss_grow_mib']:.0f})")
    mib *= 8
say("\ntargets")
for name, ok, detail, *_ in checks:
    say(f"  {'ok    ' if ok else 'MISSED'} {name:<58} {detail}")
say(f"\nrun took {int(meta['seconds']) // 60} min {int(meta['seconds']) % 60} s ({meta['started']}, {meta['commit']})")
targets = {n: {"met": ok, "value": d, "x": x, "goal": g, "kind": k} for n, ok, d, x, g, k in checks}
line = json.dumps({"results": r, "targets": targets, "meta": meta})
print(out.getvalue(), end="")
print(line)
if out_dir:
    with open(os.path.join(out_dir, "table.txt"), "w") as f:
        f.write(out.getvalue().lstrip("\n"))
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        f.write(line + "\n")
EOF
if [ -n "$OUT_DIR" ]; then
    echo "== charts into $OUT_DIR" >&2
    bash bench/plot.sh "$OUT_DIR"
fi
