#!/usr/bin/env bash
# Cached heat-tile throughput over HTTP against a fixed byte string on a route beside it
# (GET /ping), on the same server, same connections, same run. Figures go to stdout.
#
#   bash scripts/bench/tiles_http.sh [COUNT]        (default 1000000 incidents)
#
# Needs wrk (Debian: apt-get install -y wrk). Builds the release binary, writes a synthetic
# dataset, imports it into a temporary data directory, starts the server on a loopback port,
# warms the tile cache and runs wrk for 15 s on each route with 2 threads and 32 connections.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-1000000}"
PORT="${PORT:-18080}"
DURATION="${DURATION:-15s}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }

cargo build --release --quiet
BIN=target/release/incidentmap
WORK="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN" synth --count "$COUNT" --seed 7 --out "$WORK/synth.csv"
"$BIN" import --data "$WORK/data" "$WORK/synth.csv"
"$BIN" serve --data "$WORK/data" --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done

# Uncached renders over HTTP (issue #15), before anything is cached: the distinct tiles of
# zoom 3 to 7 over Kazakhstan (about 100) that 2,000 random draws hit, each fetched once with a random filter (a window of 1 to 365
# days in 2023 and, half the time, two categories; never the same twice, so never cached) and
# once without, one request at a time. The client's own time per request is included in
# both; the ratio is what matters.
python3 - "$PORT" <<'PY'
import math, random, statistics, sys, time, urllib.request
port = sys.argv[1]
rng = random.Random(15)
def tile(lon, lat, z):
    n = 2 ** z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
tiles = set()
for _ in range(2000):
    z = rng.randint(3, 7)
    x, y = tile(rng.uniform(50, 85), rng.uniform(41, 54), z)
    tiles.add((z, x, y))
cats = ["protest", "riot", "armed_clash", "arrests", "deployment", "shortage"]
def get(path):
    t = time.perf_counter()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as r:
        r.read()
        assert r.status == 200
    return (time.perf_counter() - t) * 1e3
filtered, plain = [], []
for (z, x, y) in sorted(tiles):
    days = max(1, round(365 ** rng.random()))
    start = rng.randint(0, 365 - days)
    a = time.strftime("%Y-%m-%d", time.gmtime(1672531200 + start * 86400))
    b = time.strftime("%Y-%m-%d", time.gmtime(1672531200 + (start + days - 1) * 86400))
    q = f"datetime={a}/{b}"
    if rng.random() < 0.5:
        q += "&category=" + ",".join(rng.sample(cats, 2))
    filtered.append(get(f"/tiles/heat/{z}/{x}/{y}.png?{q}"))
    plain.append(get(f"/tiles/heat/{z}/{x}/{y}.png"))
mf, mp = statistics.median(filtered), statistics.median(plain)
p90 = sorted(filtered)[int(0.9 * (len(filtered) - 1))]
print(f"uncached tiles z3-7 over HTTP, {len(tiles)} tiles: unfiltered median {mp:.2f} ms, filtered median {mf:.2f} ms (p90 {p90:.2f} ms), filtered / unfiltered = {mf / mp:.2f}")
PY

# The tiles: every tile of zoom 5 to 8 that covers Kazakhstan's main cities (a client's
# working set), warmed into the cache first.
python3 - "$PORT" >"$WORK/paths.txt" <<'PY'
import math, sys
def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
cities = [(76.91, 43.25), (71.45, 51.17), (69.60, 42.32), (51.20, 43.65), (65.51, 44.85), (73.10, 49.80), (71.37, 42.90)]
seen = set()
for z in range(5, 9):
    for lon, lat in cities:
        x, y = tile(lon, lat, z)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                seen.add(f"/tiles/heat/{z}/{x+dx}/{y+dy}.png")
for p in sorted(seen):
    print(p)
PY
while read -r p; do curl -sf -o /dev/null "http://127.0.0.1:$PORT$p"; done <"$WORK/paths.txt"

cat >"$WORK/tiles.lua" <<LUA
local paths = {}
for line in io.lines("$WORK/paths.txt") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA

run() { wrk -t2 -c32 -d"$DURATION" --latency "$@" 2>&1; }
rps() { awk '/Requests\/sec/ {print $2}'; }
echo "== $COUNT incidents, $(wc -l <"$WORK/paths.txt") cached tiles, wrk -t2 -c32 -d$DURATION"
# Two fixed byte strings beside the tiles: GET /ping (5 bytes) and the map page, a fixed
# string of a few kilobytes like a tile. Measured alternately, twice, to spread the noise.
for round in 1 2; do
  PING=$(run "http://127.0.0.1:$PORT/ping")
  PAGE=$(run -H "Accept: text/html" "http://127.0.0.1:$PORT/")
  TILES=$(run -s "$WORK/tiles.lua" "http://127.0.0.1:$PORT")
  echo "-- round $round: /ping (fixed 5 bytes)"; echo "$PING" | grep -E "Requests/sec|50%|99%|Non-2xx"
  echo "-- round $round: / as text/html (fixed $(curl -s -H 'Accept: text/html' "http://127.0.0.1:$PORT/" | wc -c) bytes)"; echo "$PAGE" | grep -E "Requests/sec|50%|99%|Non-2xx"
  echo "-- round $round: cached tiles"; echo "$TILES" | grep -E "Requests/sec|50%|99%|Non-2xx|Transfer/sec"
  P=$(echo "$PING" | rps); H=$(echo "$PAGE" | rps); T=$(echo "$TILES" | rps)
  python3 -c "print(f'round $round: cached tiles / ping = {float(\"$T\") / float(\"$P\"):.2f}; cached tiles / page = {float(\"$T\") / float(\"$H\"):.2f}')"
done
