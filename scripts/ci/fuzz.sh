#!/usr/bin/env bash
# A short fuzzing run of every cargo-fuzz target (issue #8): the GeoJSON and CSV import
# parsers, name normalization, tile path and query parsing, geoparsing and CQL2 filters.
# Installs cargo-fuzz if needed.
#
#   bash scripts/ci/fuzz.sh [SECONDS_PER_TARGET]      (default 20)
#
# On stable Rust cargo-fuzz runs without a sanitizer (-s none): libFuzzer's coverage guidance
# still works, and Rust's own checks (bounds, overflow in debug assertions, our asserts) are
# what a crash is. To fuzz longer: cargo fuzz run TARGET -s none -- -max_total_time=3600
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET="${1:-20}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi
TARGETS="geojson_import csv_import normalize tile_request geoparse cql"
# Build every target first: a target that no longer compiles is named as such, not as a crash.
if ! cargo fuzz build -s none --debug-assertions >fuzz/build.log 2>&1; then
  grep -E "^(error|warning: unused)" -A12 fuzz/build.log >&2 || tail -40 fuzz/build.log >&2
  echo "FAIL: the fuzz targets do not build (fuzz/build.log)" >&2
  exit 1
fi
for target in $TARGETS; do
  echo "== fuzzing $target for ${SECONDS_PER_TARGET}s"
  status=0
  cargo fuzz run "$target" -s none --debug-assertions -- \
    -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=4096 -print_final_stats=1 \
    >"fuzz/$target.log" 2>&1 || status=$?
  grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "fuzz/$target.log" || true
  if [ "$status" -ne 0 ] || ls "fuzz/artifacts/$target"/crash-* >/dev/null 2>&1; then
    tail -40 "fuzz/$target.log" >&2
    echo "FAIL: $target crashed (exit $status); inputs in fuzz/artifacts/$target" >&2
    exit 1
  fi
done
echo "no fuzz target found a crash"
