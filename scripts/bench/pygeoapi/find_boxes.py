"""Bbox queries around Kazakh cities that each match about 1,000 incidents on incidentmap.

    python3 find_boxes.py BASE_URL OUT_FILE [COUNT [LOW HIGH]]

For each city in turn (until COUNT boxes, default 20), a box is grown or shrunk (bisection on its size) until incidentmap's
numberMatched is near 1,000, and kept when it lies in [LOW, HIGH] (default 800..1500).
The three largest cities hold a stack of more than 1,000 city-precision incidents on
their centre point, so no box around the centre can match ~1,000: their boxes are
quadrants that start just beside the centre (NE, SW, ...), which leave the stack out.
Box edges get a 7th decimal of 5 so no point (6 decimals) ever lies on an edge, where
servers may disagree about "within". Writes one `minLon,minLat,maxLon,maxLat` a line.
"""
import json
import math
import sys
import urllib.request

BASE, OUT = sys.argv[1], sys.argv[2]
COUNT = int(sys.argv[3]) if len(sys.argv) > 3 else 20
LOW, HIGH = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else (800, 1500)
TARGET = 1000

# (name, lon, lat, kinds): the centres are the gazetteer's points (where city-precision
# incidents sit); "c" is a box centred on the city, the others quadrants beside it.
CITIES = [
    ("Almaty", 76.91150, 43.25249, ["ne", "nw", "se", "sw"]),
    ("Astana", 71.44598, 51.18010, ["ne", "sw"]),
    ("Shymkent", 69.60042, 42.30988, ["ne"]),
    ("Aktobe", 57.20718, 50.27969, ["c"]),
    ("Karaganda", 73.10211, 49.80187, ["c"]),
    ("Taraz", 71.37334, 42.89799, ["c"]),
    ("Kyzylorda", 65.50917, 44.85278, ["c"]),
    ("Pavlodar", 76.96881, 52.27601, ["c"]),
    ("Oral", 51.42558, 51.24601, ["c"]),
    ("Oskemen", 82.60586, 49.97143, ["c"]),
    ("Semey", 80.25025, 50.42064, ["c"]),
    ("Atyrau", 51.88427, 47.10480, ["c"]),
    ("Turkistan", 68.25685, 43.29458, ["c"]),
    ("Kostanay", 63.62463, 53.21435, ["c"]),
    ("Petropavl", 69.15065, 54.87343, ["c"]),
    ("Temirtau", 72.95497, 50.05197, ["c"]),
    ("Aktau", 51.17392, 43.66105, ["c"]),
    ("Kokshetau", 69.39364, 53.28414, ["c"]),
    ("Rudny", 63.11055, 52.97244, ["c"]),
    ("Shymkent", 69.60042, 42.30988, ["sw"]),
    ("Astana", 71.44598, 51.18010, ["nw"]),
]
GAP = 0.002  # degrees between a quadrant and the centre point


def edge(v):
    return f"{round(v, 6):.6f}5"


def box(lon, lat, kind, h):
    # h: half-height in degrees of latitude; longitude scaled so the box is about square.
    w = h / max(0.2, math.cos(math.radians(lat)))
    if kind == "c":
        b = (lon - w, lat - h, lon + w, lat + h)
    else:
        x0 = lon + GAP if "e" in kind else lon - GAP - 2 * w
        y0 = lat + GAP if "n" in kind else lat - GAP - 2 * h
        b = (x0, y0, x0 + 2 * w, y0 + 2 * h)
    return ",".join(edge(v) for v in b)


def matched(bbox):
    with urllib.request.urlopen(f"{BASE}/collections/incidents/items?bbox={bbox}&limit=1") as r:
        return json.load(r)["numberMatched"]


boxes = []
for name, lon, lat, kinds in CITIES:
    for kind in kinds:
        if len(boxes) == COUNT:
            break
        lo, hi = 0.0005, 2.0  # half-size bounds, degrees
        best = None
        for _ in range(40):
            h = math.sqrt(lo * hi)
            b = box(lon, lat, kind, h)
            n = matched(b)
            if best is None or abs(n - TARGET) < abs(best[1] - TARGET):
                best = (b, n)
            if abs(n - TARGET) <= 50 or hi / lo < 1.0001:
                break
            if n < TARGET:
                lo = h
            else:
                hi = h
        b, n = best
        ok = LOW <= n <= HIGH
        print(f"  {name:10} {kind:2} bbox={b} numberMatched={n}{'' if ok else '  (out of range, dropped)'}",
              file=sys.stderr)
        if ok:
            boxes.append(b)

with open(OUT, "w") as f:
    f.write("".join(b + "\n" for b in boxes))
print(f"{len(boxes)} boxes written to {OUT}", file=sys.stderr)
