#!/usr/bin/env bash
# Items throughput of incidentmap against pygeoapi (PyPI), side by side in one run: the
# same 100,000 synthetic incidents, the same ~20 bbox queries of ~1,000 features each
# (limit=1000), the same wrk settings, one server after the other, in alternating rounds.
# Prints req/s, the ratio, latency p50/p99, the mean response size of each, and the CPU
# that other processes took meanwhile (a build beside the benchmark skews it).
#
#   bash scripts/bench/pygeoapi_compare.sh
#
# Knobs (environment): COUNT (100000), DURATION (20s), ROUNDS (2), THREADS (2), CONNS (16),
# WORKERS (gunicorn workers, 2), QUIET_WAIT (seconds to wait, before each wrk run, for other
# processes to leave the CPU idle: 120), IM_PORT (18093), PG_PORT (18094), PG_DB (spatialite |
# gpkg), BENCH_VENV (~/.cache/incidentmap-bench-pygeoapi), BENCH_PYTHON, KEEP (a folder
# to copy the boxes, the pygeoapi config and the wrk outputs into).
#
# pygeoapi 0.21.0 runs under gunicorn 27.0.1, WORKERS sync workers (its production set-up,
# one process per core here), with its SQLite/GeoPackage provider (SQLiteGPKG), every
# Python package pinned in scripts/bench/pygeoapi/requirements.txt and installed into a
# virtualenv outside the repo. That provider needs Python's sqlite3 with extension
# loading and mod_spatialite: Debian's /usr/bin/python3 and libsqlite3-mod-spatialite
# (pyenv's builds lack extension loading). PG_DB picks what it reads:
#   spatialite (default): a SpatiaLite copy of incidentmap's GeoPackage (same rows);
#   gpkg: a copy of the GeoPackage itself (WAL). There pygeoapi re-creates a virtual
#     table in the file on every request (AutoGPKGStart), the two workers' writes
#     collide and some requests fail with HTTP 500; the script then exits 1.
# Needs wrk and libsqlite3-mod-spatialite (installed with apt-get when missing and root).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=scripts/bench/pygeoapi
COUNT="${COUNT:-100000}"
DURATION="${DURATION:-20s}"
THREADS="${THREADS:-2}"
CONNS="${CONNS:-16}"
WORKERS="${WORKERS:-2}"
IM_PORT="${IM_PORT:-18093}"
PG_PORT="${PG_PORT:-18094}"
PG_DB="${PG_DB:-spatialite}"
ROUNDS="${ROUNDS:-2}"
export QUIET_WAIT="${QUIET_WAIT:-120}"
LIMIT=1000
VENV="${BENCH_VENV:-$HOME/.cache/incidentmap-bench-pygeoapi}"
case "$PG_DB" in spatialite | gpkg) ;; *) echo "PG_DB must be spatialite or gpkg" >&2; exit 2 ;; esac

apt_install() {
  if [ "$(id -u)" != 0 ]; then echo "missing: $* (apt-get install -y $*)" >&2; exit 1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}
command -v wrk >/dev/null || apt_install wrk
ldconfig -p | grep 'mod_spatialite\.so' >/dev/null || apt_install libsqlite3-mod-spatialite

# A Python 3 whose sqlite3 can load extensions (pygeoapi's provider loads mod_spatialite).
can_load() { "$1" -c 'import sqlite3, sys; assert sys.version_info >= (3, 10); sqlite3.connect(":memory:").enable_load_extension(True)' 2>/dev/null; }
PY=""
for p in ${BENCH_PYTHON:-} /usr/bin/python3 python3.11 python3; do
  if command -v "$p" >/dev/null && can_load "$p"; then PY="$p"; break; fi
done
[ -n "$PY" ] || { echo "no Python >= 3.10 with sqlite3 extension loading (Debian: apt-get install python3 python3-venv)" >&2; exit 1; }
if [ -x "$VENV/bin/python" ] && ! can_load "$VENV/bin/python"; then rm -rf "$VENV"; fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"

for port in "$IM_PORT" "$PG_PORT"; do
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then echo "port $port is in use" >&2; exit 1; fi
done

WORK="$(mktemp -d)"
IM_PID=""; PG_PID=""
cleanup() {
  for pid in $IM_PID $PG_PID; do kill "$pid" 2>/dev/null || true; done
  for pid in $IM_PID $PG_PID; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
wait_for() { # url seconds pid log
  for _ in $(seq $(($2 * 5))); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$3" 2>/dev/null || { echo "server died; log:" >&2; tail -30 "$4" >&2; exit 1; }
    sleep 0.2
  done
  echo "no answer from $1 after $2 s; log:" >&2; tail -30 "$4" >&2; exit 1
}

# incidentmap
cargo build --release --quiet
BIN=target/release/incidentmap
"$BIN" synth --count "$COUNT" --seed 7 --out "$WORK/synth.csv" >/dev/null
"$BIN" import --data "$WORK/data" "$WORK/synth.csv" >"$WORK/import.log" 2>&1
"$BIN" serve --data "$WORK/data" --bind "127.0.0.1:$IM_PORT" >"$WORK/incidentmap.log" 2>&1 &
IM_PID=$!
wait_for "http://127.0.0.1:$IM_PORT/health" 60 "$IM_PID" "$WORK/incidentmap.log"

# pygeoapi: its own copy of the same incidents (taken from incidentmap's GeoPackage).
mkdir "$WORK/pygeoapi"
if [ "$PG_DB" = spatialite ]; then
  DB="$WORK/pygeoapi/incidents.sqlite"
  "$VENV/bin/python" "$HERE/gpkg_to_spatialite.py" "$WORK/data/incidents.gpkg" "$DB" >/dev/null
else
  DB="$WORK/pygeoapi/incidents.gpkg"
  "$VENV/bin/python" - "$WORK/data/incidents.gpkg" "$DB" <<'PY'
import sqlite3, sys
sqlite3.connect(sys.argv[1]).execute("VACUUM INTO ?", (sys.argv[2],))
sqlite3.connect(sys.argv[2]).execute("PRAGMA journal_mode=WAL")
PY
fi
sed -e "s#@PORT@#$PG_PORT#g" -e "s#@DATA@#$DB#g" "$HERE/pygeoapi-config.yml.in" >"$WORK/pygeoapi/config.yml"
export PYGEOAPI_CONFIG="$WORK/pygeoapi/config.yml" PYGEOAPI_OPENAPI="$WORK/pygeoapi/openapi.yml"
"$VENV/bin/pygeoapi" config validate -c "$PYGEOAPI_CONFIG" >/dev/null
"$VENV/bin/pygeoapi" openapi generate "$PYGEOAPI_CONFIG" --output-file "$PYGEOAPI_OPENAPI" >/dev/null
"$VENV/bin/gunicorn" --workers "$WORKERS" --worker-class sync --bind "127.0.0.1:$PG_PORT" \
  --no-control-socket pygeoapi.flask_app:APP >"$WORK/gunicorn.log" 2>&1 &
PG_PID=$!
wait_for "http://127.0.0.1:$PG_PORT/collections/incidents?f=json" 60 "$PG_PID" "$WORK/gunicorn.log"

IM="http://127.0.0.1:$IM_PORT"; PG="http://127.0.0.1:$PG_PORT"
echo "== versions"
echo "incidentmap $(git rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -z "$(git --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null)" ] || echo ' (work tree modified)'), $("$BIN" --version 2>/dev/null | head -1 || true)"
"$VENV/bin/python" - <<'PY'
import importlib.metadata as m, sqlite3, sys
c = sqlite3.connect(":memory:"); c.enable_load_extension(True); c.load_extension("mod_spatialite")
print(f"pygeoapi {m.version('pygeoapi')}, gunicorn {m.version('gunicorn')}, Flask {m.version('Flask')}, "
      f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, "
      f"SpatiaLite {c.execute('SELECT spatialite_version()').fetchone()[0]}")
PY
echo "$(wrk -v 2>&1 | head -1)"
echo "pygeoapi: gunicorn, $WORKERS sync workers; provider SQLiteGPKG on a $PG_DB copy ($(basename "$DB"))"

echo "== bbox queries (incidentmap's numberMatched in 800..1500)"
python3 "$HERE/find_boxes.py" "$IM" "$WORK/boxes.txt" 20 800 1500
[ "$(wc -l <"$WORK/boxes.txt")" -ge 15 ] || { echo "too few boxes" >&2; exit 1; }
echo "== same answers on both servers (limit=$LIMIT)"
python3 "$HERE/check_same.py" "$IM" "$PG" "$WORK/boxes.txt" "$LIMIT"

cat >"$WORK/items.lua" <<LUA
local paths = {}
for line in io.lines("$WORK/boxes.txt") do
  paths[#paths + 1] = "/collections/incidents/items?bbox=" .. line .. "&limit=$LIMIT"
end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
# --timeout: pygeoapi's queueing latency at 16 connections is near wrk's default 2 s.
run() { # server-name pid url duration out
  python3 "$HERE/run_wrk.py" "$2" "$5" -- wrk -t"$THREADS" -c"$CONNS" -d"$4" --latency --timeout 60s \
    -H "Accept: application/geo+json" -s "$WORK/items.lua" "$3"
}
echo "== wrk -t$THREADS -c$CONNS -d$DURATION --latency, $(wc -l <"$WORK/boxes.txt") bbox URLs cycled," \
  "one server at a time, $ROUNDS rounds (after a 3 s warm-up of each)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run incidentmap "$IM_PID" "$IM" 3s "$WORK/warm.txt"
run pygeoapi "$PG_PID" "$PG" 3s "$WORK/warm.txt"
RESULTS=()
for round in $(seq "$ROUNDS"); do
  for s in incidentmap pygeoapi; do
    if [ "$s" = incidentmap ]; then pid=$IM_PID; url=$IM; else pid=$PG_PID; url=$PG; fi
    out="$WORK/wrk-$s-$round.txt"
    run "$s" "$pid" "$url" "$DURATION" "$out"
    echo "-- round $round, $s"
    grep -E "requests in|Requests/sec|Non-2xx|Socket errors|^cpu:|  50%|  99%" "$out"
    RESULTS+=("$s=$out")
  done
done

ERRS=$(grep -c "ERROR - Exception" "$WORK/gunicorn.log" || true)
if [ "$ERRS" != 0 ]; then
  echo "pygeoapi logged $ERRS exceptions, last: $(grep -E '^[a-zA-Z_.]+(Error|Exception)' "$WORK/gunicorn.log" | tail -1)"
fi
if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP"; cp "$WORK/boxes.txt" "$WORK"/wrk-*.txt "$PYGEOAPI_CONFIG" "$WORK/gunicorn.log" "$KEEP/"
fi
echo "== summary"
python3 - "${RESULTS[@]}" <<'PY'
import re, sys
UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
def ms(v):
    n, u = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v).groups()
    return float(n) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[u]
def parse(path):
    t = open(path).read()
    req, read, unit = re.search(r"(\d+) requests in [\d.]+\w+, ([\d.]+)(\w+) read", t).groups()
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    other = float(re.search(r"other processes ([\d.]+) s", t).group(1))
    server = float(re.search(r"cpu: server ([\d.]+) s", t).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)),
        "p50": ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1)),
        "p99": ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1)),
        "n": int(req),
        "mean": float(read) * UNITS[unit] / int(req),
        "bad": int(non2xx.group(1)) if non2xx else 0,
        "sock": sum(map(int, sock.groups())) if sock else 0,
        "other": other,
        "cpu_ms": 1000 * server / int(req),
    }
runs = {}
for a in sys.argv[1:]:
    k, path = a.split("=", 1)
    runs.setdefault(k, []).append(parse(path))
best = {}
for k, rs in runs.items():
    for i, v in enumerate(rs, 1):
        print(f"round {i} {k:12} {v['rps']:8.1f} req/s  p50 {v['p50']:7.1f} ms  p99 {v['p99']:7.1f} ms  "
              f"{v['n']:6} requests  mean response {v['mean'] / 1024:.0f} KiB (wrk, headers included)  "
              f"non-2xx {v['bad']}  socket errors {v['sock']}  server CPU {v['cpu_ms']:.2f} ms/request  "
              f"other processes' CPU {v['other']:.1f} s")
    best[k] = max(rs, key=lambda v: v["rps"])
im, pg = best["incidentmap"], best["pygeoapi"]
print(f"best round: incidentmap {im['rps']:.1f} req/s (p50 {im['p50']:.1f} ms, p99 {im['p99']:.1f} ms), "
      f"pygeoapi {pg['rps']:.1f} req/s (p50 {pg['p50']:.0f} ms, p99 {pg['p99']:.0f} ms)")
per_round = ", ".join("%.0fx" % (a["rps"] / b["rps"]) for a, b in zip(runs["incidentmap"], runs["pygeoapi"]))
print(f"ratio incidentmap / pygeoapi: {im['rps'] / pg['rps']:.0f}x req/s (best against best; per round: {per_round})")
cpu = {k: sorted(v["cpu_ms"] for v in rs)[len(rs) // 2] for k, rs in runs.items()}
print(f"server CPU per request (less sensitive to other load): incidentmap {cpu['incidentmap']:.2f} ms, "
      f"pygeoapi {cpu['pygeoapi']:.1f} ms: ratio {cpu['pygeoapi'] / cpu['incidentmap']:.0f}x")
if any(v["other"] > 2.0 for rs in runs.values() for v in rs):
    print("WARNING: other processes used CPU during the runs (see 'other processes' CPU'): figures are low and noisy")
bad = sorted({k for k, rs in runs.items() for v in rs if v["bad"] or v["sock"]})
if bad:
    sys.exit(f"NOT ALL RESPONSES 200: {', '.join(bad)} (see above)")
print("all responses 200 on both servers")
PY
