#!/usr/bin/env bash
# The same heat tile rendered by incidentmap and by datashader (PyPI), side by side in one
# run: same points, tile, kernel, normalization and ramp. Prints both medians and the ratio.
#
#   bash scripts/bench/datashader_compare.sh [COUNT] [Z X Y]
#
# Defaults: 1,000,000 synthetic incidents, tile 6/45/23 (Almaty and its region). Installs
# datashader, scipy and pillow into a virtualenv under ${BENCH_VENV:-~/.cache/incidentmap-bench}.
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT="${1:-1000000}"
Z="${2:-6}"; X="${3:-45}"; Y="${4:-23}"
VENV="${BENCH_VENV:-$HOME/.cache/incidentmap-bench}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet "datashader==0.19.1" "scipy==1.16.3" "pillow==11.3.0" "pandas==2.3.3"

cargo build --release --quiet --example render_tile
cargo build --release --quiet
target/release/incidentmap synth --count "$COUNT" --seed 7 --out "$WORK/synth.csv" >/dev/null
RUST=$(target/release/examples/render_tile "$WORK/synth.csv" heat "$Z" "$X" "$Y" "$WORK/incidentmap.png" 50)
SIGMA=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['sigma_px'])" "$RUST")
TOP=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['top'])" "$RUST")
DS=$("$VENV/bin/python" scripts/bench/datashader_compare.py "$WORK/synth.csv" styles/heat.toml "$Z" "$X" "$Y" "$SIGMA" "$TOP" "$WORK/datashader.png" 20)
echo "incidentmap: $RUST"
echo "datashader:  $DS"
python3 - "$RUST" "$DS" "$WORK/incidentmap.png" "$WORK/datashader.png" <<'PY'
import json, sys
r, d = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"tile render, median: incidentmap {r['median_ms']:.3f} ms, datashader {d['median_ms']:.1f} ms: datashader / incidentmap = {d['median_ms'] / r['median_ms']:.0f}x")
try:
    from PIL import Image, ImageChops
except ImportError:
    sys.exit(0)
def on_white(path):
    im = Image.open(path).convert("RGBA")
    bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
    bg.alpha_composite(im)
    return bg.convert("RGB")
a, b = on_white(sys.argv[3]), on_white(sys.argv[4])
d = ImageChops.difference(a, b)
px = sum(1 for p in d.getdata() if max(p) > 8)
print(f"same picture? pixels differing by more than 8 levels (of 255) on white: {px} of 65536")
PY
if [ -n "${KEEP_IMAGES:-}" ]; then cp "$WORK/incidentmap.png" "$WORK/datashader.png" "$KEEP_IMAGES/"; fi
