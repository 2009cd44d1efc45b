#!/usr/bin/env bash
# The test command: every unit and integration test, each integration test
# against SQLite and PostgreSQL (127.0.0.1:5432, database `test`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --all-targets -- --test-threads "${TEST_THREADS:-4}"
