#!/usr/bin/env bash
# Uncached vector tiles (MVT with 8×8 grid clusters per tile) of incidentmap against PostGIS
# ST_AsMVT over the same points with the same grid clustering written in SQL (the query one
# would give Martin or pg_tileserv as a function source), side by side in one run (issue #16).
#
#   bash scripts/bench/vector_postgis.sh [COUNT]     (default 1000000 incidents)
#
# What it does:
#  1. builds the release binary, writes COUNT synthetic incidents (synth --seed 7), imports
#     them and starts incidentmap on a loopback port;
#  2. starts a throwaway PostgreSQL 15 + PostGIS 3 cluster (Debian's packages, installed with
#     apt-get when missing, as scripts/ci/postgres.sh does; run as user postgres when we are
#     root) and loads the same CSV into a table with a Point geometry in EPSG:3857, a GiST
#     index, a btree on the time, CLUSTERed on the GiST index, VACUUM ANALYZEd, prewarmed
#     into shared_buffers (pg_prewarm);
#  3. draws TILES distinct tiles z0–14 that hold incidents (random incident, random zoom, the
#     tile around it; seeded) and times each tile once per side, interleaved tile by tile,
#     one request at a time from one Python client (scripts/bench/vector_postgis.py, in a
#     virtualenv with psycopg under the temporary directory):
#       incidentmap: GET /collections/incidents/tiles/WebMercatorQuad/{z}/{y}/{x} over one
#                    keep-alive HTTP connection (gzip accepted), never the same URL twice, so
#                    never from its tile cache;
#       PostGIS:     EXECUTE of a prepared ST_TileEnvelope / GROUP BY cell / ST_AsMVTGeom /
#                    ST_AsMVT statement over one connection (layers incidents and clusters,
#                    the same properties, expansion_zoom included);
#     unfiltered, then filtered (a datetime window of 1–365 days in 2023 and 1–4 random
#     categories, a different one per tile, the same on both sides);
#  4. decodes every tile of both sides and checks they agree (features, sum of counts, sum of
#     fatalities, expansion zooms), printing disagreements; prints median / p90 / mean per
#     tile and the ratios, per zoom band, with the machine, versions and settings: "client"
#     figures (what the client waited, the comparison that counts) and "server" figures (what
#     each server says it spent on the tile, read between requests: incidentmap's render
#     histogram on /metrics, pg_stat_statements' planning + execution time);
#  5. removes everything on exit (server, cluster, temporary directory).
#
# Knobs (environment): TILES (300), SEED (16), IM_PORT (18095), SHARED_BUFFERS (1GB),
# WORK_MEM (64MB: with the default 4MB the planner sorts the points of a low-zoom tile, on
# disk, instead of hashing them into the cells), PLAN_CACHE_MODE (force_custom_plan: the
# prepared statement is planned for each tile's own z/x/y and filter; PostgreSQL's default,
# auto, switches to one generic plan after five executions, which cannot choose between the
# GiST and the time index per filter and was 1.5-2× slower on filtered tiles in a probe),
# PYTHON (python3, >= 3.8, with venv), KEEP (a file to write the per-tile timings to, TSV).
# PostgreSQL also runs with jit=off (the usual
# advice for tile queries: JIT compiles for longer than these run) and fsync off (the load
# only; nothing timed writes), otherwise defaults (max_parallel_workers_per_gather=2:
# low-zoom tiles use both cores, incidentmap renders a tile on one).
#
# Caveats: the SQL side is timed from a client straight to PostgreSQL (no tile server's HTTP
# layer, no gzip), with its data prewarmed; incidentmap's includes HTTP and gzip. Both get
# one client and one request at a time. The machine is shared: compare the ratio within a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-1000000}"
TILES="${TILES:-300}"
SEED="${SEED:-16}"
IM_PORT="${IM_PORT:-18095}"
SHARED_BUFFERS="${SHARED_BUFFERS:-1GB}"
WORK_MEM="${WORK_MEM:-64MB}"
PLAN_CACHE_MODE="${PLAN_CACHE_MODE:-force_custom_plan}"
PYTHON="${PYTHON:-python3}"
PGBIN=/usr/lib/postgresql/15/bin
T0=$(date +%s)

# PostgreSQL 15 + PostGIS 3 (Debian), as scripts/ci/postgres.sh installs them.
if [ ! -x "$PGBIN/initdb" ] || [ ! -e /usr/share/postgresql/15/extension/postgis.control ]; then
  [ "$(id -u)" = 0 ] || { echo "needs postgresql-15 and postgresql-15-postgis-3 (run scripts/ci/postgres.sh as root)" >&2; exit 1; }
  bash scripts/ci/postgres.sh
fi
if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$IM_PORT/"; then echo "port $IM_PORT is in use" >&2; exit 1; fi

WORK="$(mktemp -d)"
PGDIR="$WORK/pg"
mkdir "$PGDIR"
IM_PID=""
if [ "$(id -u)" = 0 ]; then
  chmod 711 "$WORK"  # the server's user passes through to its own directory
  chown postgres: "$PGDIR"
  pg() { runuser -u postgres -- "$@"; }
else
  pg() { "$@"; }
fi
cleanup() {
  [ -z "$IM_PID" ] || { kill "$IM_PID" 2>/dev/null || true; wait "$IM_PID" 2>/dev/null || true; }
  [ ! -e "$PGDIR/data/postmaster.pid" ] || pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DSN="host=127.0.0.1 port=$PG_PORT user=postgres dbname=bench"

echo "== build, data, servers"
cargo build --release --quiet
BIN=target/release/incidentmap
"$BIN" synth --count "$COUNT" --seed 7 --out "$WORK/synth.csv" >/dev/null
t=$(date +%s.%N)
"$BIN" import --data "$WORK/data" "$WORK/synth.csv" >"$WORK/import.log" 2>&1
echo "incidentmap: $COUNT incidents imported in $(python3 -c "print(f'{$(date +%s.%N) - $t:.1f}')") s"
"$BIN" serve --data "$WORK/data" --bind "127.0.0.1:$IM_PORT" >"$WORK/server.log" 2>&1 &
IM_PID=$!

pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
PG_OPTS=(
  -p "$PG_PORT" -k "$PGDIR" -c listen_addresses=127.0.0.1
  -c shared_buffers="$SHARED_BUFFERS" -c work_mem="$WORK_MEM" -c plan_cache_mode="$PLAN_CACHE_MODE" -c jit=off
  # each tile's own planning and execution time, read between requests
  -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on
  # the load only (nothing timed writes)
  -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB
)
pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 -o "${PG_OPTS[*]}" start >/dev/null
pg "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c "CREATE DATABASE bench"

"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check psycopg >/dev/null
"$WORK/venv/bin/python" scripts/bench/vector_postgis.py load "$DSN" "$WORK/synth.csv"

for _ in $(seq 300); do
  curl -sf -o /dev/null "http://127.0.0.1:$IM_PORT/health" && break
  kill -0 "$IM_PID" 2>/dev/null || { echo "incidentmap died:" >&2; tail -20 "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done

echo "== machine"
echo "$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ {print $2}') GB RAM; load average before the timed pass: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "incidentmap $(git rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -z "$(git --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null)" ] || echo ' (work tree modified)'); COUNT=$COUNT TILES=$TILES SEED=$SEED"
"$WORK/venv/bin/python" scripts/bench/vector_postgis.py bench "$DSN" "http://127.0.0.1:$IM_PORT" "$WORK/synth.csv" "$TILES" "$SEED" "${KEEP:-}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); script took $(($(date +%s) - T0)) s"
