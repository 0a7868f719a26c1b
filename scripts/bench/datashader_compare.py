"""Render the same heat tile as incidentmap with datashader, and time it.

Same points (the synthetic CSV), same Web Mercator tile, same kernel (a Gaussian of the
style's sigma at that zoom, applied with scipy to datashader's per-pixel aggregate), same
normalization (the ramp top incidentmap reports) and the same colour ramp (from the style
file). Prints one JSON line with the median time over REPEATS runs.

python datashader_compare.py FILE.csv STYLE.toml Z X Y SIGMA TOP OUT.png [REPEATS]
"""
import io, json, math, sys, time, tomllib

import datashader as ds
import numpy as np
import pandas as pd
from PIL import Image
from scipy.ndimage import gaussian_filter

path, style_path, z, x, y, sigma, top, out = sys.argv[1:9]
repeats = int(sys.argv[9]) if len(sys.argv) > 9 else 20
z, x, y, sigma, top = int(z), int(x), int(y), float(sigma), float(top)

style = tomllib.load(open(style_path, "rb"))
df = pd.read_csv(path, usecols=["lon", "lat", "precision"])
df = df[~df["precision"].isin(["region", "country"])]
R = 6378137.0
df["mx"] = np.radians(df["lon"]) * R
df["my"] = np.log(np.tan(np.pi / 4 + np.radians(df["lat"]) / 2)) * R
df = df[["mx", "my"]]

world = 2 * math.pi * R
size = world / 2 ** z
pad = int(math.ceil(3 * sigma))  # the kernel's reach beyond the tile, as incidentmap does
px = size / 256
x0 = -world / 2 + x * size - pad * px
x1 = -world / 2 + (x + 1) * size + pad * px
y1 = world / 2 - y * size + pad * px
y0 = world / 2 - (y + 1) * size - pad * px
n = 256 + 2 * pad

# The ramp as a 256-entry palette, as incidentmap builds it (index 0 transparent).
stops = [(float(t), c) for t, c in style["ramp"]]
def rgba(c):
    c = c.lstrip("#")
    v = [int(c[i:i + 2], 16) for i in range(0, len(c), 2)]
    return v + [255] if len(v) == 3 else v
palette = []
for i in range(256):
    t = i / 255
    for (a, ca), (b, cb) in zip(stops, stops[1:]):
        if t <= b:
            f = (t - a) / (b - a) if b > a else 1
            palette.append([round(p + (q - p) * f) for p, q in zip(rgba(ca), rgba(cb))])
            break
    else:
        palette.append(rgba(stops[-1][1]))
palette = np.array(palette, dtype=np.uint8)
palette[0, 3] = 0
curve = style.get("normalize", {}).get("curve", "linear")
apply = {"linear": lambda d: d, "sqrt": np.sqrt, "log": np.log1p}[curve]

def render():
    cvs = ds.Canvas(plot_width=n, plot_height=n, x_range=(x0, x1), y_range=(y0, y1))
    agg = cvs.points(df, "mx", "my", agg=ds.count()).values.astype(np.float32)
    dens = gaussian_filter(agg, sigma, mode="constant", truncate=3.0) * (2 * math.pi * sigma * sigma)
    dens = dens[pad:pad + 256, pad:pad + 256][::-1]  # datashader's rows run south to north
    idx = np.clip(np.round(apply(dens) / apply(np.float32(top)) * 255), 0, 255).astype(np.uint8)
    img = palette[idx]
    # encode the PNG too, as incidentmap's render does
    buf = io.BytesIO()
    Image.fromarray(img, "RGBA").save(buf, "PNG", compress_level=1)
    return img

render()  # warm up numba's compilation
times = []
for _ in range(repeats):
    t = time.perf_counter()
    img = render()
    times.append((time.perf_counter() - t) * 1e3)
times.sort()
Image.fromarray(img, "RGBA").save(out)
print(json.dumps({"median_ms": round(times[len(times) // 2], 3), "min_ms": round(times[0], 3), "points": len(df)}))
