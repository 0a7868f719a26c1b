#!/usr/bin/env bash
# Lints and type-checks the map page's ES modules (web/js/*.js), with the versions pinned in
# web/package.json (devDependencies, installed by scripts/ci/web_deps.sh):
#   - ESLint (web/eslint.config.js): the recommended rules, and no HTML from strings
#     (innerHTML, outerHTML, insertAdjacentHTML, document.write, a MapLibre popup's setHTML);
#   - TypeScript's checker on the JavaScript (web/tsconfig.json: checkJs, strict; MapLibre's
#     types from the pinned maplibre-gl package), emitting nothing.
# Exits non-zero on any finding.
#
#   bash scripts/ci/lint_web.sh          (from any directory)
set -euo pipefail
cd "$(dirname "$0")/../.."
START=$(date +%s)
log() { printf '[lint_web.sh %3ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }

bash scripts/ci/web_deps.sh
BIN=web/node_modules/.bin
MODULES=$(cd web && ls js/*.js)
log "checking $(echo "$MODULES" | wc -l) modules: $(echo $MODULES | tr '\n' ' ')"

STATUS=0
log "eslint $("$BIN/eslint" --version) (web/eslint.config.js)"
if (cd web && node_modules/.bin/eslint --max-warnings 0 .); then
  log "eslint: no findings"
else
  STATUS=1
  log "eslint: FAILED (above)"
fi

log "tsc $("$BIN/tsc" --version | sed 's/^Version //') --noEmit -p web/tsconfig.json (allowJs, checkJs, strict)"
if "$BIN/tsc" --noEmit -p web/tsconfig.json; then
  log "tsc: no findings"
else
  STATUS=1
  log "tsc: FAILED (above)"
fi

log "done (exit $STATUS)"
exit "$STATUS"
