# Shared by the benchmarks that run dropspace alone (bench/tus.sh,
# bench/encryption.sh, bench/zip.sh): a release build, a scratch directory
# (WORK) removed at exit with every server in PIDS, `start NAME [ENV…]`,
# which starts a server (anonymous uploads of any size, abuse limits off)
# and sets BASE, KEY and DIR, and `make_source`. Sourced from the
# repository's root.
cargo build --release --quiet
BIN="$PWD/target/release/dropspace"
WORK="$(mktemp -d "${BENCH_DIR:-/var/tmp}/dropspace-bench.XXXXXX")"
PIDS=()
# A command the server runs under (`taskset -c 0`, say); empty: none.
SERVER_PREFIX=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 1 300); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }
attr() { grep -o " $1=\"[^\"]*\"" | head -1 | cut -d'"' -f2; }
now() { date +%s.%N; }
best_mbps() { python3 -c "import sys; print(f'{int(sys.argv[1])*1048576/min(map(float, sys.argv[2:]))/1e6:.1f}')" "$@"; }

# SRC: a file of SIZE_MIB random MiB.
make_source() {
    echo "== test data: $SIZE_MIB MiB" >&2
    SRC="$WORK/source.bin"
    head -c "$((SIZE_MIB * 1048576))" /dev/urandom >"$SRC"
}

# Starts a server on a store (extra env: its storage settings); sets BASE,
# KEY and DIR. Anonymous uploads of any size, abuse limits off.
start() { # name env...
    local name=$1 port dir
    shift
    port="$(free_port)"
    dir="$WORK/$name"
    DIR="$dir"
    mkdir -p -m 700 "$dir"
    env DROPSPACE_DATA_DIR="$dir" DROPSPACE_LOG=warn DROPSPACE_LISTEN="127.0.0.1:$port" \
        DROPSPACE_TIERS__ANONYMOUS__MAX_FILE_SIZE=-1 \
        DROPSPACE_LIMITS__API_CALLS_PER_ADDRESS=0 DROPSPACE_LIMITS__UPLOAD_STARTS_PER_MINUTE=0 \
        DROPSPACE_LIMITS__OPEN_UPLOADS_PER_ADDRESS=0 DROPSPACE_LIMITS__CONNECTIONS_PER_ADDRESS=0 \
        "$@" "${SERVER_PREFIX[@]}" "$BIN" serve >"$dir.out" 2>"$dir.err" &
    PIDS+=("$!")
    BASE="http://127.0.0.1:$port"
    wait_http "$BASE/healthz" || { echo "$name did not start: $(cat "$dir.err")" >&2; exit 1; }
    KEY="$(sed -n 's/^api key: //p' "$dir.out")"
}

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }
