#!/usr/bin/env bash
# Load test of the enforcement layer over real HTTP on 127.0.0.1: the same axum route
# (three lawful Set-Cookie, a consent cookie in every request) bare, then behind
# `CHARTER.layer()`, each loaded by wrk for DURATION seconds (default 30).
# The server has one worker thread and wrk one thread, so the two cores are shared
# evenly. Needs wrk (Debian: apt-get install -y wrk).
#
#   bash benches/loadtest.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-30}"
port=3117
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
cargo build --release --features tower --example loadtest_server
server=target/release/examples/loadtest_server
cookie="$(PRINT_CONSENT=1 "$server")"

for mode in bare layer; do
    "$server" "$port" "$mode" &
    pid=$!
    trap 'kill "$pid" 2>/dev/null || true' EXIT
    for _ in $(seq 50); do
        curl -fs -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
        sleep 0.1
    done
    # Every response must carry its three cookies.
    cookies=$(curl -fsS -D - -o /dev/null -H "Cookie: $cookie" "http://127.0.0.1:$port/" | grep -ci '^set-cookie:')
    [ "$cookies" = 3 ] || { echo "$mode: expected 3 Set-Cookie, got $cookies" >&2; exit 1; }
    echo "== $mode"
    out=$(mktemp)
    wrk -t1 -c32 -d"${duration}s" --latency -H "Cookie: $cookie" "http://127.0.0.1:$port/" | tee "$out"
    # wrk prints these lines only when something went wrong: zero errors is the rule.
    if grep -Eq 'Socket errors|Non-2xx' "$out"; then
        echo "$mode: errors during the load test" >&2
        exit 1
    fi
    rm -f "$out"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    trap - EXIT
done
