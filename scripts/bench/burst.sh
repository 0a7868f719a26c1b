#!/usr/bin/env bash
# A bounded burst (issue #13): against a release server holding the demo and COUNT synthetic
# incidents, at once: 4 geoparse requests of the largest text allowed, 4 imports of the
# largest size allowed sent without a token, and 200 idle sockets. Reports resident memory
# idle / peak / after, and /health latency during the burst, as JSON; checks the goals
# (peak < 2x idle, after within 10% of idle, /health p99 < 50 ms) unless CHECK=0.
#
#   bash scripts/bench/burst.sh [COUNT]        e.g. 200000
#
# Loopback only; every request and the whole run have time limits. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-200000}"
cargo build --release --quiet
BIN=target/release/incidentmap
WORK="$(mktemp -d)"
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
"$BIN" synth --count "$COUNT" --seed 7 --out "$WORK/synth.csv" >/dev/null
"$BIN" import --data "$WORK/data" "$WORK/synth.csv" >/dev/null
# A write token is configured, so imports are possible, just not without it.
INCIDENTMAP_WRITE_TOKEN=burst-test-token-0123456789 \
  "$BIN" serve --data "$WORK/data" --demo --bind 127.0.0.1:0 >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do grep -q "listening on" "$WORK/server.log" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/server.log" | head -1)
[ -n "$URL" ] || { cat "$WORK/server.log" >&2; exit 1; }
CONFIG=$("$BIN" config check 2>/dev/null || true)
limit() { echo "$CONFIG" | awk -F' = ' -v k="$1" '$1 == k {print $2}'; }
GEOPARSE_MAX=$(limit geoparse_max_bytes); GEOPARSE_MAX=${GEOPARSE_MAX:-262144}
IMPORT_MAX=$(limit max_import_bytes); IMPORT_MAX=${IMPORT_MAX:-268435456}
# Warm up what a normal client touches, so "idle" is the server as it runs, not as it starts.
for p in /health /collections/incidents/items?limit=100 /tiles/heat/4/11/5.png; do
  curl -s -o /dev/null "$URL$p"
done
curl -s -o /dev/null -X POST --data-binary "Protests in Almaty and Aktau" "$URL/geoparse"
sleep 1
uname -srm; nproc; git rev-parse --short HEAD
echo "incidents: $COUNT synthetic + demo; geoparse_max_bytes=$GEOPARSE_MAX max_import_bytes=$IMPORT_MAX"
python3 scripts/bench/burst.py "$URL" "$SERVER" "$GEOPARSE_MAX" "$IMPORT_MAX" | tee "$WORK/burst.json"
if [ "${CHECK:-1}" = 1 ]; then
  python3 - "$WORK/burst.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
fails = []
if r["peak_over_idle"] >= 2.0: fails.append(f"peak RSS {r['peak_over_idle']}x idle (goal < 2x)")
if r["after_over_idle"] > 1.10: fails.append(f"RSS after {r['after_over_idle']}x idle (goal within 10%)")
if r["health"]["p99_ms"] >= 50: fails.append(f"/health p99 {r['health']['p99_ms']} ms (goal < 50)")
if r["health"]["errors"]: fails.append(f"{r['health']['errors']} /health errors")
if any(i["status"] not in (401, 403) for i in r["imports"]): fails.append("an unauthenticated import was not refused")
print("burst goals:", "FAILED: " + "; ".join(fails) if fails else "met")
sys.exit(1 if fails else 0)
PY
fi
