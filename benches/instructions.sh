#!/usr/bin/env bash
# Instructions per exchange, counted by callgrind: each part of the engine's work on the
# router benchmark's exchange (a consent cookie in, three lawful Set-Cookie out), run N
# times, minus the empty loop, divided by N; then each of the router benchmark's four
# routers per request (N/10 + 1,000 requests minus 1,000 requests, divided by N/10:
# start-up cancels out), and the ratios the issue sets goals for. Deterministic where
# wall time is noisy.
# Needs valgrind (Debian: apt-get install -y valgrind).
#
#   bash benches/instructions.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind" >&2; exit 1; }
cargo build --release --example engine_instructions
cargo build --release --features tower --example router_instructions
driver=target/release/examples/engine_instructions
router_driver=target/release/examples/router_instructions
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

count() {
    valgrind --tool=callgrind --callgrind-out-file="$out/$1.out" "$driver" "$1" "$n" \
        2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}

baseline=$(count baseline)
echo "| part | instructions |"
echo "|---|---|"
for part in clock read_request set_cookie_0 set_cookie_1 set_cookie_2 lifetime_0 lifetime_1 lifetime_2 prefix_rule lookup exchange; do
    total=$(count "$part")
    echo "| $part | $(( (total - baseline) / n )) |"
done

# The routers: the same request through each, as in `cargo bench --bench router`.
requests=$(( n / 10 ))
[ "$requests" -gt 1000 ] || requests=2000
routed() {
    valgrind --tool=callgrind --callgrind-out-file="$out/router.out" "$router_driver" "$1" "$2" \
        2>&1 >/dev/null | sed -n 's/.*Collected : //p'
}
echo
echo "| router | instructions per request |"
echo "|---|---|"
declare -A per_request
for router in bare noop_layer charte_layer hand_written_middleware; do
    few=$(routed "$router" 1000)
    many=$(routed "$router" $(( requests + 1000 )))
    per_request[$router]=$(( (many - few) / requests ))
    echo "| $router | ${per_request[$router]} |"
done
# The same layer, the request's consent value in format 1 (no id): what the id costs.
few=$(CHARTE_BENCH_CONSENT_FORMAT=1 routed charte_layer 1000)
many=$(CHARTE_BENCH_CONSENT_FORMAT=1 routed charte_layer $(( requests + 1000 )))
format1=$(( (many - few) / requests ))
echo "| charte_layer, consent value of format 1 | $format1 |"
python3 - "${per_request[noop_layer]}" "${per_request[charte_layer]}" "${per_request[hand_written_middleware]}" "$format1" <<'RATIOS'
import sys
noop, layer, hand, format1 = map(int, sys.argv[1:])
print(f"\nlayer / no-op layer: {layer / noop:.3f}; layer / hand-written: {layer / hand:.3f}")
print(f"format 2 against format 1: {layer / noop:.3f} / {format1 / noop:.3f} = +{(layer / format1 - 1) * 100:.1f} %")
RATIOS
