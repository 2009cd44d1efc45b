#!/usr/bin/env bash
# Installs the package scripts/package.sh built and checks it as an operator
# would meet it: `dpkg -i`, the unit passes `systemd-analyze verify`, the
# `dropspace` user and the file modes exist, and the installed binary with
# the packaged configuration answers /healthz. Needs root (CI runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
deb="$(ls -t target/debian/dropspace_*.deb | head -1)"
export DEBIAN_FRONTEND=noninteractive
if ! command -v systemd-analyze >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq systemd >/dev/null
fi
dpkg -i "$deb"
unit=""
for u in /usr/lib/systemd/system/dropspace.service /lib/systemd/system/dropspace.service; do
    [ -f "$u" ] && unit="$u" && break
done
[ -n "$unit" ] || { echo "the unit was not installed" >&2; exit 1; }
systemd-analyze verify "$unit"
getent passwd dropspace >/dev/null
[ "$(stat -c '%a %U %G' /etc/dropspace/dropspace.toml)" = "640 root dropspace" ]
[ "$(stat -c '%a %U' /var/lib/dropspace)" = "700 dropspace" ]
[ -f /usr/share/man/man1/dropspace.1.gz ] && [ -f /usr/share/man/man1/dropspace-serve.1.gz ]
[ -f /usr/share/bash-completion/completions/dropspace ]
/usr/bin/dropspace config check --config /etc/dropspace/dropspace.toml >/dev/null

# The installed binary, as the service's user, with the packaged file; its
# own port and data directory, so a service systemd may have started keeps
# its own.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
data="$(mktemp -d)"
chown dropspace:dropspace "$data"
log="$(mktemp)"
runuser -u dropspace -- /usr/bin/dropspace serve --config /etc/dropspace/dropspace.toml \
    --listen "127.0.0.1:$port" --data-dir "$data/d" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$data" "$log"' EXIT
for _ in $(seq 1 100); do
    if [ "$(curl -fs "http://127.0.0.1:$port/healthz" 2>/dev/null)" = ok ]; then
        grep -q '^api key: ' "$log" || { echo "no api key line" >&2; cat "$log" >&2; exit 1; }
        echo "package: installed, unit verified, /healthz ok on 127.0.0.1:$port"
        exit 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
done
echo "the installed server did not answer /healthz:" >&2
cat "$log" >&2
exit 1
