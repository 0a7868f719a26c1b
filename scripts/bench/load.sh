#!/usr/bin/env bash
# Load and soak tests (issue #8): wrk against a server holding COUNT synthetic incidents with a
# mixed workload — cached tiles, uncached tiles, bbox queries and geocoding — for a fixed time.
# Reports throughput, latency percentiles and errors; the soak variant runs longer and reports
# the server's resident memory before and after, which must stay within the tile cache bound.
#
#   bash scripts/bench/load.sh [COUNT] [DURATION]            e.g. 1000000 30s
#   SOAK=1 bash scripts/bench/load.sh 1000000 10m
#
# Needs wrk (apt-get install -y wrk). Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-1000000}"
DURATION="${2:-30s}"
CACHE_BYTES="${CACHE_BYTES:-67108864}"   # 64 MiB of tiles
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
cargo build --release --quiet
BIN=target/release/incidentmap
WORK="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$BIN" synth --count "$COUNT" --seed 7 --out "$WORK/synth.csv" >/dev/null
"$BIN" import --data "$WORK/data" "$WORK/synth.csv" >/dev/null
"$BIN" serve --data "$WORK/data" --bind 127.0.0.1:0 --tile-cache-bytes "$CACHE_BYTES" >"$WORK/server.log" 2>&1 &
SERVER=$!
until grep -q "listening on" "$WORK/server.log"; do sleep 0.2; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/server.log" | head -1)
rss() { awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"; }

# The mix, by weight: 50% cached tiles (a small working set), 15% uncached tiles (random
# tiles over Kazakhstan at zoom 3-14, a new one almost every time), 25% bbox queries of
# ~100-1000 incidents, 10% geocoding in several scripts.
cat >"$WORK/mix.lua" <<'LUA'
math.randomseed(7)
local function tile(lon, lat, z)
  local n = 2 ^ z
  local x = math.floor((lon + 180) / 360 * n)
  local r = math.rad(lat)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return z, x, y
end
local cities = {{76.91, 43.25}, {71.45, 51.17}, {69.60, 42.32}, {73.10, 49.80}, {57.21, 50.28}, {51.20, 43.65}}
local hot = {}
for _, c in ipairs(cities) do
  for z = 5, 8 do
    local z, x, y = tile(c[1], c[2], z)
    hot[#hot + 1] = string.format("/tiles/heat/%d/%d/%d.png", z, x, y)
  end
end
local names = {"Almaty", "%D8%A3%D9%84%D9%85%D8%A7%20%D8%A2%D8%AA%D8%A7", "Qyzylorda", "%D0%90%D0%BB%D0%BC%D0%B0-%D0%90%D1%82%D0%B0", "Shymkemt", "Aktau", "Dzhambul"}
request = function()
  local r = math.random(100)
  local path
  if r <= 50 then
    path = hot[math.random(#hot)]
  elseif r <= 65 then
    local z = math.random(3, 14)
    local z, x, y = tile(46.5 + math.random() * 40.8, 40.6 + math.random() * 14.8, z)
    path = string.format("/tiles/heat/%d/%d/%d.png", z, x, y)
  elseif r <= 90 then
    local c = cities[math.random(#cities)]
    local d = 0.02 + math.random() * 0.1
    path = string.format("/collections/incidents/items?bbox=%.4f,%.4f,%.4f,%.4f&limit=1000",
      c[1] + 0.03 - d, c[2] + 0.03 - d, c[1] + 0.03 + d, c[2] + 0.03 + d)
  else
    path = "/geocode?q=" .. names[math.random(#names)]
  end
  return wrk.format("GET", path)
end
LUA
# Build the pyramid and ramp tops before measuring (the first tile after a change does).
curl -sf "$URL/tiles/heat/5/22/11.png" -o /dev/null
BEFORE=$(rss)
echo "== $COUNT incidents; RSS after start ${BEFORE} kB; tile cache bound $((CACHE_BYTES / 1024)) kB"
wrk -t2 -c32 -d"$DURATION" --latency -s "$WORK/mix.lua" "$URL" | grep -E "Requests/sec|Latency|50%|90%|99%|Non-2xx|Socket errors|requests in"
AFTER=$(rss)
echo "RSS after the run: ${AFTER} kB (growth $((AFTER - BEFORE)) kB)"
curl -s "$URL/metrics" | grep -E "^incidentmap_tile_cache_(bytes|tiles|hits_total|misses_total) " || true
if [ -n "${SOAK:-}" ]; then
  # Within bounds: growth no more than the tile cache bound plus 64 MiB of slack for the
  # allocator, the per-version pyramids and the ramp tops.
  LIMIT=$(( CACHE_BYTES / 1024 + 65536 ))
  if [ $((AFTER - BEFORE)) -gt "$LIMIT" ]; then
    echo "FAIL: RSS grew by $((AFTER - BEFORE)) kB, more than $LIMIT kB" >&2
    exit 1
  fi
  echo "soak: RSS growth within the bound ($LIMIT kB)"
fi
