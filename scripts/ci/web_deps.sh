#!/usr/bin/env bash
# Installs the map page's pinned libraries and the browser test's driver (playwright-core)
# into web/node_modules (npm ci), unless the installed copy already matches
# web/package-lock.json. The build embeds the libraries from there when present (build.rs;
# without them it fetches its own copy), so re-installing for nothing would also force a
# rebuild.
set -euo pipefail
cd "$(dirname "$0")/../.."
STAMP=web/node_modules/.incidentmap-lock.sha256
WANT=$(sha256sum web/package-lock.json | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  echo "web/node_modules is up to date"
  exit 0
fi
npm ci --prefix web --no-audit --no-fund --loglevel=error
echo "$WANT" >"$STAMP"
