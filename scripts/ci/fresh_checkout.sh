#!/usr/bin/env bash
# A fresh checkout builds once and its map page works (issue #13, items 13, 14 and 11):
# clones the committed HEAD (so there is no web/node_modules) and, in the clone, as the README's
# first command does it:
#   1. `cargo build --release` embeds the map page's libraries (build.rs fetches the pinned
#      versions with npm into OUT_DIR);
#   2. a second `cargo build --release` with no change is Fresh: no build script run, nothing
#      compiled, under a second;
#   3. the clone's `serve --demo` serves /vendor/maplibre-gl/maplibre-gl.mjs and /config.json says
#      "vendored": true;
#   4. the browser test (scripts/ci/browser.sh: headless Chromium, no internet needed, no
#      Content-Security-Policy violation) runs against the clone's server.
#
#   bash scripts/ci/fresh_checkout.sh [REF]     (default HEAD; REF=an older commit shows the
#                                                 check failing there)
#   NO_BROWSER=1 bash scripts/ci/fresh_checkout.sh    skips step 4
#
# The clone's intermediate files go to this tree's target directory (cargo's build-dir), so
# the dependencies built there are reused and only the incidentmap crate itself compiles; its
# path is fixed, so reruns overwrite one set of artifacts instead of piling them up. Its
# binary goes to target/fresh-checkout/. A build of this tree that holds the target directory's
# lock makes the clone's builds wait (the timing check then only reports).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REF="${1:-HEAD}"
START=$(date +%s)
log() { printf '[fresh_checkout.sh %3ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

MAIN_TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="$MAIN_TARGET/fresh-checkout"
CLONE="${TMPDIR:-/tmp}/incidentmap-fresh-checkout"
mkdir -p "$WORK"
export CARGO_BUILD_BUILD_DIR="$MAIN_TARGET"
export CARGO_TARGET_DIR="$WORK/target"
# Whatever this shell has set, the clone builds as a newcomer's would.
unset INCIDENTMAP_NO_NPM

DATA=""
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  [ -z "$DATA" ] || rm -rf "$DATA"
}
trap cleanup EXIT

log "cloning $REF of $ROOT into $CLONE"
rm -rf "$CLONE"
git clone --quiet "$ROOT" "$CLONE"
git -C "$CLONE" checkout --quiet --detach "$(git -C "$ROOT" rev-parse "$REF")"
[ ! -e "$CLONE/web/node_modules" ] || fail "the clone has web/node_modules"
log "commit $(git -C "$CLONE" log -1 --format='%h %s')"

# The build script's output of an earlier run of this script (same clone path, same
# directory): removed, so that step 1 fetches the libraries as a first build does.
if [ -f "$WORK/out_dirs" ]; then
  while read -r d; do
    case "$d" in "$MAIN_TARGET"/*/build/incidentmap-*/out) rm -rf "$d" ;; esac
  done <"$WORK/out_dirs"
fi

log "1. first build: cargo build --release"
t0=$(date +%s%N)
(cd "$CLONE" && cargo build --release --message-format=json-render-diagnostics) \
  >"$WORK/build1.json" 2>"$WORK/build1.log" || { cat "$WORK/build1.log" >&2; fail "the first build failed"; }
t1=$(date +%s%N)
grep '"reason":"build-script-executed"' "$WORK/build1.json" | grep -F "$CLONE" \
  | grep -o '"out_dir":"[^"]*"' | cut -d'"' -f4 >"$WORK/out_dirs" || true
OUT_DIR="$(head -n1 "$WORK/out_dirs")"
[ -n "$OUT_DIR" ] || fail "no build script output for the clone in $WORK/build1.json"
if grep -q 'warning: incidentmap' "$WORK/build1.log"; then
  grep 'warning: incidentmap' "$WORK/build1.log" >&2
  fail "the first build warned (see above)"
fi
[ -f "$OUT_DIR/web/node_modules/maplibre-gl/dist/maplibre-gl.mjs" ] \
  || fail "the build did not fetch MapLibre into $OUT_DIR/web/node_modules"
for f in maplibre-gl/maplibre-gl.mjs maplibre-gl/maplibre-gl-worker.mjs maplibre-gl/maplibre-gl.css ol/dist/ol.js; do
  grep -q "\"$f\"" "$OUT_DIR/vendor.rs" || fail "vendor.rs does not embed $f"
done
log "   built in $(( (t1 - t0) / 1000000000 )) s; the libraries were fetched into $OUT_DIR"

log "2. second build, nothing changed: cargo build --release -v"
t0=$(date +%s%N)
(cd "$CLONE" && cargo build --release -v) >"$WORK/build2.log" 2>&1 || { cat "$WORK/build2.log" >&2; fail "the second build failed"; }
t1=$(date +%s%N)
MS=$(( (t1 - t0) / 1000000 ))
SECOND="$((MS / 1000)).$(printf '%03d' $((MS % 1000)))"
if grep -E 'Running `[^`]*build-script-build`|Compiling incidentmap' "$WORK/build2.log"; then
  fail "the second build was not Fresh ($SECOND s): it reran the build script or recompiled (above; log: $WORK/build2.log)"
fi
grep -q 'Fresh incidentmap' "$WORK/build2.log" || { cat "$WORK/build2.log" >&2; fail "cargo did not report incidentmap Fresh"; }
if grep -q 'Blocking waiting for file lock' "$WORK/build2.log"; then
  log "   Fresh; $SECOND s, most of it waiting for another build's lock"
elif [ "$MS" -ge 1000 ]; then
  fail "the second build took $SECOND s (at most 1 s)"
else
  log "   Fresh in $SECOND s"
fi

BIN="$CARGO_TARGET_DIR/release/incidentmap"
[ -x "$BIN" ] || fail "no binary at $BIN"

log "3. the clone's serve --demo serves the libraries itself"
DATA="$(mktemp -d)"
(cd "$CLONE" && exec env -u INCIDENTMAP_BASEMAP_URL -u INCIDENTMAP_STYLES -u INCIDENTMAP_GAZETTEER \
  "$BIN" serve --demo --data "$DATA/data" --bind 127.0.0.1:0) >"$DATA/server.log" 2>&1 &
SERVER_PID=$!
URL=""
for _ in $(seq 1 600); do
  URL="$(sed 's/\x1b\[[0-9;]*m//g' "$DATA/server.log" | grep -o 'listening on http://[0-9.:]*' | head -n1 | sed 's/^listening on //' || true)"
  [ -n "$URL" ] && curl -fsS -o /dev/null "$URL/health" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA/server.log" >&2; fail "the server exited"; }
  sleep 0.1
done
[ -n "$URL" ] || { cat "$DATA/server.log" >&2; fail "the server did not start within 60 s"; }
curl -fsS "$URL/config.json" | grep -q '"vendored":true' || fail "/config.json: $(curl -s "$URL/config.json")"
for f in maplibre-gl.mjs maplibre-gl-worker.mjs; do
  ct=$(curl -fsS -o "$DATA/$f" -w '%{content_type}' "$URL/vendor/maplibre-gl/$f") \
    || fail "GET /vendor/maplibre-gl/$f: $(curl -s "$URL/vendor/maplibre-gl/$f" | head -c 300)"
  case "$ct" in text/javascript*) ;; *) fail "/vendor/maplibre-gl/$f is $ct (an ES module needs a JavaScript type)" ;; esac
done
grep -q 'v6.20.0' "$DATA/maplibre-gl.mjs" || fail "/vendor/maplibre-gl/maplibre-gl.mjs is not MapLibre 6.20.0"
log "   $URL serves MapLibre 6.20.0 (its module and worker) itself; config.json says vendored"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""

if [ -n "${NO_BROWSER:-}" ]; then
  log "4. browser test skipped (NO_BROWSER)"
else
  log "4. the browser test against the clone's binary"
  INCIDENTMAP_BIN="$BIN" SERVER_DIR="$CLONE" bash "$ROOT/scripts/ci/browser.sh"
fi
log "a fresh checkout builds once and serves a working map page"
