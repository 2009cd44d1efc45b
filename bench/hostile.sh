#!/usr/bin/env bash
# The hostile-input run's connection attack against a release build:
# 64 hostile connections at once from 127.0.0.1 (upload forms without a
# boundary, endless part heads, forms trickling a byte per 100 ms, silent
# sockets, HTTP/2 prefaces alone, idle keep-alive: `tests/common/attack.rs`,
# the same code tests/hostile.rs runs) while /healthz is polled every 20 ms
# from 127.0.0.2. Twice: with every limit at its default (part of the attack
# is refused at once) and with the per-address and per-account caps off (the
# server carries every connection until its timeout). Timeouts stay at their
# defaults, so a run lasts up to `form_head_secs` (30 s).
#
#   bash bench/hostile.sh                 # BENCH_HOSTILE_CONNS=64
#
# Prints peak RSS growth and /healthz p50/p99 next to the targets
# (growth <= 64 MiB, p99 <= 50 ms), then one JSON line per run.
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077

CONNS="${BENCH_HOSTILE_CONNS:-64}"

echo "== building dropspace and the attack client (release)" >&2
cargo build --release --quiet --bin dropspace --example hostile
BIN="$PWD/target/release/dropspace"
ATTACK="$PWD/target/release/examples/hostile"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

WORK="$(mktemp -d "${BENCH_DIR:-/var/tmp}/dropspace-hostile.XXXXXX")"
PID=""
cleanup() {
    [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }
md5() { printf '%s' "$1" | md5sum | cut -d' ' -f1; }
xml_text() { sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p"; }
json() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# run NAME [VAR=VALUE ...]: a fresh server with these settings, the attack.
run() {
    local name="$1"
    shift
    local dir="$WORK/$name" port
    port="$(free_port)"
    mkdir -p "$dir"
    env "$@" DROPSPACE_DATA_DIR="$dir" DROPSPACE_LISTEN="127.0.0.1:$port" DROPSPACE_LOG=warn \
        "$BIN" serve >"$dir/out" 2>"$dir/err" &
    PID=$!
    local base="http://127.0.0.1:$port"
    wait_http "$base/healthz"
    local key token session
    key="$(sed -n 's/^api key: //p' "$dir/out")"
    DROPSPACE_DATA_DIR="$dir" "$BIN" admin user create --user-name bench \
        --email bench@example.com --password benchpass --membership max >/dev/null
    token="$(curl -s "$base/rest/?method=auth.createToken&api_key=$key&api_version=1.0" | xml_text token)"
    session="$(curl -s "$base/rest/?method=auth.login&token=$token&user_name=bench&tokened_password=$(md5 "$token$(md5 benchpass)")" | xml_text session_key)"
    [ -n "$session" ] || { echo "login failed" >&2; exit 1; }
    echo "== $name: $CONNS hostile connections" >&2
    local line
    line="$("$ATTACK" "$base" "$session" "$PID" "$CONNS" 127.0.0.2)"
    kill -0 "$PID" || { echo "the server died" >&2; exit 1; }
    grep -q panicked "$dir/err" && { echo "the server panicked" >&2; exit 1; }
    kill "$PID"
    wait "$PID" 2>/dev/null || true
    PID=""
    echo "$name $line" >>"$WORK/results"
}

run defaults
run caps-off \
    DROPSPACE_LIMITS__CONNECTIONS_PER_ADDRESS=0 \
    DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ACCOUNT=0 DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ADDRESS=0 \
    DROPSPACE_LIMITS__UPLOAD_STARTS_PER_MINUTE=0 \
    DROPSPACE_LIMITS__API_CALLS_PER_ADDRESS=0 DROPSPACE_LIMITS__API_CALLS_PER_ACCOUNT=0

echo
printf '%-9s %11s %7s %14s %14s %12s %12s %7s\n' run connections closed "forms refused" "RSS growth" "healthz p50" "healthz p99" probes
while read -r name line; do
    printf '%-9s %11s %7s %14s %10s MiB %9s ms %9s ms %7s\n' "$name" \
        "$(json "$line" connections)" "$(json "$line" closed)" \
        "$(( $(json "$line" refused_16) + $(json "$line" refused_13) ))" \
        "$(json "$line" rss_growth_mib)" "$(json "$line" healthz_p50_ms)" \
        "$(json "$line" healthz_p99_ms)" "$(json "$line" probes)"
done <"$WORK/results"
echo "targets: peak RSS growth <= 64 MiB with 64 hostile connections, /healthz p99 <= 50 ms"
echo
cat "$WORK/results"
