#!/usr/bin/env bash
# The test command: every unit and integration test, each integration test
# against SQLite and PostgreSQL (127.0.0.1:5432, database `test`); then the
# storage-related tests again with blobs in S3 (a local moto server, started
# here when `moto_server` is installed: `pip install 'moto[server]'`).
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${TEST_THREADS:-4}"

# The tus project's own clients for tests/tus_clients.rs: tuspy (PyPI) and
# tus-js-client (npm, pinned in tests/clients/package-lock.json), axe-core
# (same lock) for tests/browser.rs and oidc-provider for tests/oidc.rs. Without python3/pip or npm their tests
# are skipped, except in CI.
if ! python3 -c 'import tusclient' >/dev/null 2>&1; then
    python3 -m pip install --quiet tuspy || echo "(tuspy not installed: its tests skip)"
fi
if { [ ! -d tests/clients/node_modules/tus-js-client ] || [ ! -d tests/clients/node_modules/axe-core ] \
    || [ ! -d tests/clients/node_modules/oidc-provider ]; } \
    && command -v npm >/dev/null 2>&1; then
    (cd tests/clients && npm ci --no-audit --no-fund --silent) || echo "(tus-js-client/axe-core not installed: their tests skip)"
fi

cargo test -p dropspace -p dropspace-client -p dropspace-proto --all-targets -- --test-threads "$threads"

if command -v moto_server >/dev/null 2>&1; then
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    log="$(mktemp)"
    moto_server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
    moto_pid=$!
    trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 1 50); do
        curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
        sleep 0.2
    done
    echo "== storage tests against S3 (moto on 127.0.0.1:$port)"
    s3_tests=()
    for t in blobs upload download nodes faults tus scan preview zip requests; do
        [ -f "tests/$t.rs" ] && s3_tests+=(--test "$t")
    done
    DROPSPACE_TEST_S3_ENDPOINT="http://127.0.0.1:$port" cargo test "${s3_tests[@]}" -- --test-threads "$threads"
elif [ "${CI:-}" = "true" ]; then
    echo "moto_server is missing: .ci/run installs it" >&2
    exit 1
else
    echo "(skipping the S3 pass: install moto_server with pip install 'moto[server]')"
fi
