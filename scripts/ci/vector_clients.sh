#!/usr/bin/env bash
# Real clients of the vector tiles, the OGC API - Tiles tilesets and /style.json (issue #16):
# MapLibre GL JS and OpenLayers, as pinned in web/package-lock.json and served by the binary
# under /vendor/, in Debian's Chromium (WebGL through SwiftShader), driven by playwright-core
# (scripts/ci/vector_clients.mjs) against the real server with the demo data.
# Leaves ci-artifacts/maplibre.png and ci-artifacts/openlayers.png (and vector-clients-server.log,
# vector-failure-*.png on failure) at the repo root.
#
# The client pages are not part of the product: the driver serves them itself
# (page.route) at <server>/__clients/*.html, same origin as the server.
#
#   bash scripts/ci/vector_clients.sh          (from any directory)
#   INCIDENTMAP_BIN=path/to/incidentmap bash scripts/ci/vector_clients.sh
#       tests that binary instead of building this tree's (it must embed the libraries)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
START=$(date +%s)
log() { printf '[vector_clients.sh %3ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }

if [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's chromium"
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
log "$(/usr/bin/chromium --version 2>/dev/null || echo chromium)"

# playwright-core for the driver; the build embeds web/node_modules' MapLibre and OpenLayers.
log "web libraries"
bash scripts/ci/web_deps.sh
if [ -n "${INCIDENTMAP_BIN:-}" ]; then
  BIN="$(realpath "$INCIDENTMAP_BIN")"
  log "testing $BIN"
else
  log "cargo build --release"
  cargo build --release
  BIN="$ROOT/target/release/incidentmap"
fi

ART="$ROOT/ci-artifacts"
mkdir -p "$ART"
rm -f "$ART"/maplibre.png "$ART"/openlayers.png "$ART"/vector-failure-*.png
DATA="$(mktemp -d)"
SERVER_LOG="$ART/vector-clients-server.log"
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT

log "starting the server"
env -u INCIDENTMAP_TOKENS -u INCIDENTMAP_STYLES -u INCIDENTMAP_GAZETTEER -u INCIDENTMAP_BASEMAP_URL \
  -u INCIDENTMAP_PUBLIC_URL -u INCIDENTMAP_CORS_ORIGINS -u INCIDENTMAP_WRITE_TOKEN -u INCIDENTMAP_CONFIG \
  -u INCIDENTMAP_STORE -u INCIDENTMAP_TRUST_PROXY \
  "$BIN" serve --demo --data "$DATA" --bind 127.0.0.1:0 \
  >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

URL=""
for _ in $(seq 1 600); do
  URL="$(sed 's/\x1b\[[0-9;]*m//g' "$SERVER_LOG" | grep -o 'listening on http://[0-9.:]*' | head -n1 | sed 's/^listening on //' || true)"
  [ -n "$URL" ] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server exited before listening:" >&2
    cat "$SERVER_LOG" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$URL" ]; then
  echo "the server did not say where it listens within 60 s:" >&2
  cat "$SERVER_LOG" >&2
  exit 1
fi
for i in $(seq 1 300); do
  if curl -fsS -o /dev/null "$URL/health"; then break; fi
  if [ "$i" = 300 ]; then echo "$URL/health did not answer within 30 s" >&2; cat "$SERVER_LOG" >&2; exit 1; fi
  sleep 0.1
done
log "server ready at $URL"

STATUS=0
T0=$(date +%s)
node "$ROOT/scripts/ci/vector_clients.mjs" "$URL" "$ART" || STATUS=$?
log "clients done in $(( $(date +%s) - T0 )) s (exit $STATUS); screenshots: $ART/maplibre.png $ART/openlayers.png"
exit "$STATUS"
