#!/usr/bin/env bash
# Import and start-up at scale (issue #6): imports COUNT synthetic incidents, then starts the
# server RUNS times on that data directory and reports how long until it answers /health,
# as logged by the server ("ready in …": store read, gazetteer loaded, R-tree built).
#
#   bash scripts/bench/startup.sh [COUNT] [RUNS]        (default 1000000 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-1000000}"
RUNS="${2:-5}"
cargo build --release --quiet
BIN=target/release/incidentmap
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$BIN" synth --count "$COUNT" --seed 7 --out "$WORK/synth.csv" >/dev/null
START=$(date +%s.%N)
"$BIN" import --data "$WORK/data" "$WORK/synth.csv"
END=$(date +%s.%N)
python3 -c "print(f'import of $COUNT rows: {$END - $START:.2f} s wall')"
ls -l "$WORK/data/incidents.gpkg" | awk '{printf "GeoPackage: %.0f MB\n", $5 / 1e6}'
for i in $(seq "$RUNS"); do
  "$BIN" serve --data "$WORK/data" --bind 127.0.0.1:0 >"$WORK/log" 2>&1 &
  PID=$!
  until grep -q "ready in" "$WORK/log"; do sleep 0.05; done
  grep -o "ready in [0-9.]*[a-z]*" "$WORK/log"
  kill "$PID"; wait "$PID" 2>/dev/null || true
done
