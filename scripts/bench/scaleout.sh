#!/usr/bin/env bash
# Scale-out figures (issue #9), on the deployment docs/DEPLOYMENT.md describes (set up by
# scripts/ci/deployment.sh, torn down at the end):
#
#   1. import of COUNT synthetic incidents into PostgreSQL, and how long the running instances
#      take to pick it up;
#   2. start-up of an instance from PostGIS holding COUNT incidents (RUNS times);
#   3. throughput of tiles and of bbox queries: one instance directly, one behind nginx, two
#      behind nginx (wrk, DURATION each);
#   4. the same bbox query answered by PostGIS directly (ST_AsGeoJSON over the GiST index,
#      pgbench) and by incidentmap's in-memory index (wrk), two clients each.
#
#   bash scripts/bench/scaleout.sh [COUNT] [RUNS] [DURATION]      (default 1000000 5 20s)
#
# Needs root, wrk (apt-get install -y wrk) and ports 5432, 8080-8082, 8090, 8093.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-1000000}"
RUNS="${2:-5}"
DURATION="${3:-20s}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
KEEP=1 bash scripts/ci/deployment.sh >/tmp/incidentmap-deployment.log 2>&1 \
  || { tail -30 /tmp/incidentmap-deployment.log; exit 1; }
teardown() {
  [ -n "${EXTRA:-}" ] && kill "$EXTRA" 2>/dev/null
  pkill -TERM -f "incidentmap serve --config /etc/incidentmap/incidentmap.toml" 2>/dev/null || true
  nginx -s stop 2>/dev/null || true
  rm -f /etc/nginx/conf.d/incidentmap.conf /etc/nginx/conf.d/incidentmap-one.conf
  runuser -u postgres -- dropdb --force --if-exists incidentmap || true
  pg_ctlcluster 15 main stop || true
  rm -rf "$WORK"
}
WORK="$(mktemp -d)"
chmod 755 "$WORK"
trap teardown EXIT
BIN=/usr/local/bin/incidentmap
URL=$(sed -n 's/^store = "\(.*\)"$/\1/p' /etc/incidentmap/incidentmap.toml)
version() { curl -sf "http://127.0.0.1:$1/health" | python3 -c "import json,sys; print(json.load(sys.stdin)['data_version'])"; }
count() { curl -sf "http://127.0.0.1:$1/health" | python3 -c "import json,sys; print(json.load(sys.stdin)['incidents'])"; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

echo "== 1. import of $COUNT synthetic incidents into PostgreSQL"
"$BIN" synth --count "$COUNT" --seed 7 --out "$WORK/synth.csv" >/dev/null
t0=$(now)
"$BIN" import --store "$URL" "$WORK/synth.csv"
t1=$(now)
echo "import: $(secs "$t0" "$t1") s wall"
target=$(runuser -u postgres -- psql -Atqd incidentmap -c "SELECT value FROM im_meta WHERE key = 'data_version'")
for port in 8081 8082; do
  until [ "$(version "$port")" -ge "$target" ]; do sleep 0.05; done
  echo "instance $port serves version $target ($(count "$port") incidents) $(secs "$t1" "$(now)") s after the import command returned"
done
runuser -u postgres -- psql -Atqd incidentmap -c "VACUUM ANALYZE"
runuser -u postgres -- psql -Atqd incidentmap \
  -c "SELECT 'database size: ' || pg_size_pretty(pg_database_size('incidentmap'))"

echo "== 2. start-up from PostGIS with $COUNT incidents ($RUNS runs)"
for i in $(seq "$RUNS"); do
  "$BIN" serve --store "$URL" --bind 127.0.0.1:8093 >"$WORK/start.log" 2>&1 &
  EXTRA=$!
  until grep -q "ready in" "$WORK/start.log"; do sleep 0.05; done
  grep -o "ready in [0-9.]*[a-z]*" "$WORK/start.log"
  kill "$EXTRA"; wait "$EXTRA" 2>/dev/null || true
  EXTRA=""
done

echo "== 3. throughput: one instance, one behind nginx, two behind nginx"
cat >/etc/nginx/conf.d/incidentmap-one.conf <<'EOF'
upstream incidentmap_one { server 127.0.0.1:8081; keepalive 64; }
server {
    listen 8090;
    location / {
        proxy_pass http://incidentmap_one;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
    }
}
EOF
nginx -s reload
sleep 1
cat >"$WORK/tiles.lua" <<'LUA'
-- A working set of heat tiles over six cities, zoom 5-9: cached after the first pass.
local function tile(lon, lat, z)
  local n = 2 ^ z
  local x = math.floor((lon + 180) / 360 * n)
  local r = math.rad(lat)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return z, x, y
end
local paths = {}
for _, c in ipairs({{76.91, 43.25}, {71.45, 51.17}, {69.60, 42.32}, {73.10, 49.80}, {57.21, 50.28}, {51.20, 43.65}}) do
  for z = 5, 9 do
    local z, x, y = tile(c[1], c[2], z)
    paths[#paths + 1] = string.format("/tiles/heat/%d/%d/%d.png", z, x, y)
  end
end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
cat >"$WORK/items.lua" <<'LUA'
-- Bounding-box queries of up to 100 incidents around six cities.
math.randomseed(9)
local cities = {{76.91, 43.25}, {71.45, 51.17}, {69.60, 42.32}, {73.10, 49.80}, {57.21, 50.28}, {51.20, 43.65}}
request = function()
  local c = cities[math.random(#cities)]
  local d = 0.02 + math.random() * 0.1
  return wrk.format("GET", string.format(
    "/collections/incidents/items?bbox=%.4f,%.4f,%.4f,%.4f&limit=100",
    c[1] - d, c[2] - d, c[1] + d, c[2] + d))
end
LUA
rate() { # URL SCRIPT CONNECTIONS
  wrk -t2 -c"$3" -d"$DURATION" -s "$2" "$1" | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx: " $NF > "/dev/stderr"}'
}
for what in tiles items; do
  # Warm every instance's cache and pyramid first.
  for port in 8081 8082; do wrk -t1 -c2 -d3s -s "$WORK/$what.lua" "http://127.0.0.1:$port" >/dev/null; done
  direct=$(rate http://127.0.0.1:8081 "$WORK/$what.lua" 32)
  one=$(rate http://127.0.0.1:8090 "$WORK/$what.lua" 32)
  two=$(rate http://127.0.0.1:8080 "$WORK/$what.lua" 32)
  echo "$what req/s: one instance direct $direct; nginx -> one $one; nginx -> two $two; two/one behind nginx $(python3 -c "print(f'{$two / $one:.2f}')")"
done

echo "== 4. one bbox query: PostGIS directly vs incidentmap's index (2 clients each)"
cat >"$WORK/one.lua" <<'LUA'
request = function() return wrk.format("GET", "/collections/incidents/items?bbox=" .. os.getenv("BBOX") .. "&limit=10000") end
LUA
# An editor's view away from a city centre, and a dense city centre (synthetic incidents of
# city precision sit on the city's point): both answer every match up to 10,000, as GeoJSON.
for BBOX in "76.96,43.31,76.99,43.34" "76.88,43.22,76.94,43.28"; do
  IFS=, read -r W S E N <<<"$BBOX"
  matches=$(runuser -u postgres -- psql -Atqd incidentmap \
    -c "SELECT count(*) FROM incidents WHERE geom && ST_MakeEnvelope($W, $S, $E, $N, 4326)")
  cat >"$WORK/bbox.sql" <<SQL
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(ST_AsGeoJSON(t.*, 'geom', 9)::json), '[]'::json))
FROM (SELECT id, geom, occurred_at, category, fatalities, injured, arrested, place, place_id, precision, source, notes
      FROM incidents WHERE geom && ST_MakeEnvelope($W, $S, $E, $N, 4326) LIMIT 10000) t;
SQL
  runuser -u postgres -- psql -Atqd incidentmap -c "EXPLAIN (COSTS OFF) $(cat "$WORK/bbox.sql")" \
    | grep -qi "index scan on incidents_geom" || echo "warning: PostGIS does not use the GiST index" >&2
  pg=$(runuser -u postgres -- pgbench -n -c 2 -j 2 -T "${DURATION%s}" -f "$WORK/bbox.sql" incidentmap 2>/dev/null \
    | awk '/^tps/ {print $3}')
  im=$(BBOX=$BBOX rate http://127.0.0.1:8081 "$WORK/one.lua" 2)
  echo "bbox $BBOX ($matches incidents, answers $(( matches < 10000 ? matches : 10000 ))): queries/s PostGIS $pg, incidentmap $im, ratio $(python3 -c "print(f'{$im / $pg:.1f}')")x"
done
