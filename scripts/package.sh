#!/usr/bin/env bash
# Builds the Debian package target/debian/dropspace_VERSION_ARCH.deb with
# cargo-deb: the release binary, the systemd unit, /etc/dropspace/dropspace.toml,
# the man page and shell completions (docs/deployment.md, "Debian package").
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo-deb >/dev/null 2>&1; then
    cargo install --locked --quiet cargo-deb
fi
cargo build --release --bin dropspace
bin=target/release/dropspace
rm -rf target/package
mkdir -p target/package
"$bin" man --dir target/package/man
gzip -9n target/package/man/*.1
"$bin" completions bash >target/package/dropspace.bash
"$bin" completions zsh >target/package/_dropspace
"$bin" completions fish >target/package/dropspace.fish
cargo deb --no-build --output target/debian/
ls -1 target/debian/*.deb
