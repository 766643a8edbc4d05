#!/usr/bin/env bash
# Instructions per exchange, counted by callgrind: each part of the engine's work on the
# router benchmark's exchange (a consent cookie in, three lawful Set-Cookie out), run N
# times, minus the empty loop, divided by N. Deterministic where wall time is noisy.
# Needs valgrind (Debian: apt-get install -y valgrind).
#
#   bash benches/instructions.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind" >&2; exit 1; }
cargo build --release --example engine_instructions
driver=target/release/examples/engine_instructions
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

count() {
    valgrind --tool=callgrind --callgrind-out-file="$out/$1.out" "$driver" "$1" "$n" \
        2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}

baseline=$(count baseline)
echo "| part | instructions |"
echo "|---|---|"
for part in clock read_request set_cookie_0 set_cookie_1 set_cookie_2 lookup exchange; do
    total=$(count "$part")
    echo "| $part | $(( (total - baseline) / n )) |"
done
