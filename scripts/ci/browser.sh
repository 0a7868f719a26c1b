#!/usr/bin/env bash
# Browser test of the map page: Debian's Chromium, driven by playwright-core
# (scripts/ci/browser.mjs), against the real server with the demo data and a write token.
# Leaves ci-artifacts/map.png (and server.log, failure-*.png on failure) at the repo root.
#
# The page must start with no Content-Security-Policy violation (browser.mjs).
#
#   bash scripts/ci/browser.sh          (from any directory)
#   DOCS_SCREENSHOT=docs/screenshot.png bash scripts/ci/browser.sh   also writes that screenshot
#   INCIDENTMAP_BIN=path/to/incidentmap SERVER_DIR=dir bash scripts/ci/browser.sh
#       tests that binary, run from SERVER_DIR, instead of building this tree's
#       (scripts/ci/fresh_checkout.sh: a fresh clone's build)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
START=$(date +%s)
log() { printf '[browser.sh %3ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }

if [ ! -x /usr/bin/chromium ]; then
  log "installing Debian's chromium"
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
log "$(/usr/bin/chromium --version 2>/dev/null || echo chromium)"

# The web libraries first: playwright-core for browser.mjs, and the build embeds
# web/node_modules' MapLibre.
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
rm -f "$ART"/map.png "$ART"/failure-*.png
DATA="$(mktemp -d)"
SERVER_LOG="$ART/server.log"
TOKEN="browser-test-$(date +%s)-$RANDOM$RANDOM"
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
cd "${SERVER_DIR:-$ROOT}"
env -u INCIDENTMAP_TOKENS -u INCIDENTMAP_STYLES -u INCIDENTMAP_GAZETTEER -u INCIDENTMAP_BASEMAP_URL \
  -u INCIDENTMAP_PUBLIC_URL -u INCIDENTMAP_CORS_ORIGINS \
  INCIDENTMAP_WRITE_TOKEN="$TOKEN" \
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
INCIDENTMAP_WRITE_TOKEN="$TOKEN" node "$ROOT/scripts/ci/browser.mjs" "$URL" "$ART" || STATUS=$?
log "done (exit $STATUS); screenshot: $ART/map.png"
exit "$STATUS"
