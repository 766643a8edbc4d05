#!/usr/bin/env bash
# Decisions per second of the proof of consent over real HTTP on 127.0.0.1: the same
# axum route (every answer is a decision) without a log, then with a SQLite log, then
# with a PostgreSQL log (a throwaway cluster, as the tests make it), each loaded by
# CLIENTS concurrent clients for DURATION seconds (defaults 60 and 64). After each run
# with a log, every consent cookie received must have its record (zero lost).
#
#   bash benches/proof.sh [DURATION] [CLIENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-60}"
clients="${2:-64}"
port=3127
cargo build --release --features tower,proof-sqlite,proof-postgres --example proof_load
bin="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/examples/proof_load"

work="$(mktemp -d)"
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
as_pg=()
if [ "$(id -u)" = 0 ]; then chown postgres: "$work"; as_pg=(runuser -u postgres --); fi
pg_port=$((port + 1))
"${as_pg[@]}" "$pg_bin/initdb" -N -D "$work/pg" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$work" start >/dev/null
cleanup() {
    kill "${server:-}" 2>/dev/null || true
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
"${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres proof

for url in none "sqlite://$work/proof.sqlite" "postgres://postgres@127.0.0.1:$pg_port/proof"; do
    "$bin" serve "$port" "$url" &
    server=$!
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null && break
        sleep 0.1
    done
    "$bin" load "$port" "$duration" "$clients" "$url"
    kill "$server"
    wait "$server" 2>/dev/null || true
done
