#!/usr/bin/env bash
# Where the time of a bulk import into PostgreSQL goes (issue #9): imports COUNT synthetic
# incidents into an empty database of a throwaway local cluster (no TLS, nothing else
# running) and prints the wall time and every statement PostgreSQL logged as taking 200 ms
# or more, with its duration.
#
#   bash scripts/bench/pg_import.sh [COUNT]      (default 1000000)
#
# Needs root and Debian's postgresql-15 + postgresql-15-postgis-3 (scripts/ci/postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-1000000}"
BIN=/usr/lib/postgresql/15/bin
WORK="$(mktemp -d)"
chown postgres "$WORK"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg() { runuser -u postgres -- "$@"; }
trap 'pg "$BIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
cargo build --release --quiet
pg "$BIN/initdb" -D "$WORK/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
pg "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -o \
  "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c log_min_duration_statement=200" start >/dev/null
pg psql -h 127.0.0.1 -p "$PORT" -qc "CREATE DATABASE im"
pg psql -h 127.0.0.1 -p "$PORT" -d im -qc "CREATE EXTENSION postgis"
target/release/incidentmap synth --count "$COUNT" --seed 7 --out "$WORK/synth.csv" >/dev/null
start_line=$(wc -l <"$WORK/server.log")
t0=$(date +%s.%N)
target/release/incidentmap import --store "postgres://postgres@127.0.0.1:$PORT/im" "$WORK/synth.csv"
t1=$(date +%s.%N)
echo "import of $COUNT incidents: $(python3 -c "print(f'{$t1 - $t0:.1f}')") s wall"
tail -n +"$((start_line + 1))" "$WORK/server.log" \
  | sed -n 's/.*duration: \([0-9.]*\) ms  \(statement\|execute [^:]*\): *\(.\{0,70\}\).*/\1 ms  \3/p'
