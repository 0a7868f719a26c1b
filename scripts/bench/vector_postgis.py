"""Helper of vector_postgis.sh: loads the synthetic CSV into PostGIS, draws the tiles, times
incidentmap (HTTP) and PostGIS (a prepared ST_AsMVT query) tile by tile, checks that both
answer the same question and prints the figures. Run by vector_postgis.sh in a virtualenv
with psycopg 3; see the header of that script.

    python vector_postgis.py load  DSN CSV
    python vector_postgis.py bench DSN HTTP_BASE CSV TILES SEED [PER_TILE_TSV]
"""

import csv
import gzip
import http.client
import math
import random
import statistics
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

import psycopg
from psycopg.types.numeric import Int4

CATEGORIES = ["protest", "riot", "armed_clash", "violence_against_civilians", "explosion",
              "arrests", "deployment", "shortage", "other"]
AREA = "('region', 'country')"

# ---------------------------------------------------------------------------------------------
# Loading: the CSV as is into a staging table, then one table with a Web Mercator point, a
# GiST index on it, a btree on the time, clustered on the GiST index, analysed, prewarmed.

LOAD = """
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_prewarm;
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
DROP TABLE IF EXISTS staging, incidents;
CREATE UNLOGGED TABLE staging (
  id text, occurred_at text, category text, lon float8, lat float8, place text,
  place_id text, precision text, fatalities int, injured int, arrested int, source text,
  notes text);
"""

BUILD = """
CREATE TABLE incidents AS
SELECT row_number() OVER ()::int AS gid, id, occurred_at::timestamptz AS occurred_at,
       category, fatalities, injured, arrested, precision, place,
       ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 3857)::geometry(Point, 3857) AS geom
FROM staging;
DROP TABLE staging;
ALTER TABLE incidents ADD PRIMARY KEY (gid);
CREATE INDEX incidents_geom ON incidents USING gist (geom);
CREATE INDEX incidents_time ON incidents (occurred_at);
CLUSTER incidents USING incidents_geom;
VACUUM ANALYZE incidents;
"""

PREWARM = """
SELECT pg_prewarm('incidents'), pg_prewarm('incidents_geom'), pg_prewarm('incidents_time'),
       pg_prewarm('incidents_pkey')
"""


def load(dsn, path):
    with psycopg.connect(dsn, autocommit=True) as db:
        t0 = time.perf_counter()
        db.execute(LOAD)
        with db.cursor() as cur, open(path, "rb") as f:
            with cur.copy("COPY staging FROM STDIN (FORMAT csv, HEADER true)") as cp:
                while chunk := f.read(1 << 20):
                    cp.write(chunk)
        t1 = time.perf_counter()
        for stmt in BUILD.split(";"):
            if stmt.strip():
                db.execute(stmt)
        t2 = time.perf_counter()
        n = db.execute("SELECT count(*) FROM incidents").fetchone()[0]
        size = db.execute("SELECT pg_size_pretty(pg_total_relation_size('incidents'))").fetchone()[0]
        print(f"PostGIS: {n} rows loaded (COPY {t1 - t0:.1f} s; table, indexes, CLUSTER, "
              f"VACUUM ANALYZE {t2 - t1:.1f} s; {size} with indexes)")


# ---------------------------------------------------------------------------------------------
# The tile query, as one would write it for Martin or pg_tileserv (a function source taking
# z, x, y and query parameters): points in ST_TileEnvelope, grouped into 8×8 cells per tile by
# the floor of their tile-relative coordinates; a cell of one gives the incident with its
# properties (layer `incidents`), a cell of more gives a point at the members' mean position
# with count, sums, per-category counts and expansion_zoom (layer `clusters`).
#
# To ask exactly incidentmap's question: the tile is half-open like its pixel grid (a point on
# the right or bottom edge belongs to the next tile) and tested exactly (`&&` alone compares
# float4 boxes, which admit points up to a metre or so outside the tile); sums of absent
# counts are 0; expansion_zoom is computed from the members' extreme world pixels at zoom 16
# (2^24 pixels per side): the first zoom at which they fall into two cells is read off the
# highest bit in which the smallest and largest pixel coordinates differ.

H = 20037508.342789244
CATEGORY_COUNTS = ",\n    ".join(
    f"count(*) FILTER (WHERE category = '{c}') AS {c}" for c in CATEGORIES)
CATEGORY_COLUMNS = ", ".join(CATEGORIES)


def tile_sql(where):
    # The tile's size and corners in EPSG:3857 metres, from z, x, y by arithmetic
    # (float8 throughout: a bare literal such as 40075016.68 is numeric in SQL, slow per row
    # in a generic plan).
    size = f"({2 * H}::float8 / (1 << $1))"
    x0, y0 = f"(-{H}::float8 + $2 * {size})", f"({H}::float8 - $3 * {size})"
    # World pixel at zoom 16 (256-px tiles) of a coordinate; floor is monotonic, so that of the
    # extreme coordinates is the extreme pixel (y grows downwards)
    px = lambda v: f"floor(({v} + {H}::float8) / {2 * H}::float8 * 16777216)::int"  # noqa: E731
    py = lambda v: f"floor(({H}::float8 - {v}) / {2 * H}::float8 * 16777216)::int"  # noqa: E731
    return f"""
WITH p AS (
  SELECT i.gid, i.category, i.fatalities, i.injured, i.arrested, i.precision,
         ST_X(i.geom) AS gx, ST_Y(i.geom) AS gy
  FROM incidents i
  WHERE i.geom && ST_TileEnvelope($1, $2, $3)
    AND ST_X(i.geom) >= {x0} AND ST_X(i.geom) < {x0} + {size}
    AND ST_Y(i.geom) <= {y0} AND ST_Y(i.geom) > {y0} - {size} {where}
),
c AS (
  SELECT count(*) AS n, min(gid) AS gid,
    coalesce(sum(fatalities), 0) AS fatalities, coalesce(sum(injured), 0) AS injured,
    coalesce(sum(arrested), 0) AS arrested,
    count(*) FILTER (WHERE precision IN {AREA}) AS area_count,
    {CATEGORY_COUNTS},
    avg(gx) AS mx, avg(gy) AS my,
    min(gx) AS x_min, max(gx) AS x_max, min(gy) AS y_min, max(gy) AS y_max
  FROM p
  GROUP BY floor((gx - {x0}) / ({size} / 8)), floor(({y0} - gy) / ({size} / 8))
),
singles AS (
  SELECT i.id, to_char(i.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS occurred_at,
         i.category, i.fatalities, i.injured, i.arrested, i.precision,
         i.precision IN {AREA} AS area, i.place,
         ST_AsMVTGeom(i.geom, ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
  FROM c JOIN incidents i ON i.gid = c.gid
  WHERE c.n = 1
),
clusters AS (
  SELECT *, greatest({px("x_max")} # {px("x_min")}, {py("y_min")} # {py("y_max")}) AS d
  FROM c
  WHERE c.n > 1
),
clusters_mvt AS (
  SELECT n AS count,
         CASE WHEN d = 0 OR 21 - floor(log(2, d::numeric)) > 16 THEN NULL
              ELSE greatest(21 - floor(log(2, d::numeric))::int, $1 + 1) END AS expansion_zoom,
         fatalities, injured, arrested, area_count, {CATEGORY_COLUMNS},
         ST_AsMVTGeom(ST_SetSRID(ST_MakePoint(mx, my), 3857), ST_TileEnvelope($1, $2, $3),
                      4096, 64, true) AS geom
  FROM clusters
)
SELECT coalesce((SELECT ST_AsMVT(singles.*, 'incidents', 4096, 'geom') FROM singles), '')
    || coalesce((SELECT ST_AsMVT(clusters_mvt.*, 'clusters', 4096, 'geom') FROM clusters_mvt), '')
"""


SQL_ALL = tile_sql("")
SQL_FILTERED = tile_sql("AND i.occurred_at >= $4 AND i.occurred_at < $5 AND i.category = ANY($6)")


# ---------------------------------------------------------------------------------------------
# A minimal MVT reader (protobuf by hand): per layer, the features' properties. Enough to sum
# the counts of a tile from either side's bytes.

def varint(b, i):
    shift = v = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def fields(b):
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wt}")
        yield num, v


def value(b):
    for num, v in fields(b):
        if num == 1:
            return bytes(v).decode()
        if num in (4, 5):
            return v
        if num == 6:
            return (v >> 1) ^ -(v & 1)
        if num == 7:
            return bool(v)
        return v  # float/double: not used here


def packed(b):
    out, i = [], 0
    while i < len(b):
        v, i = varint(b, i)
        out.append(v)
    return out


def read_mvt(data):
    """{layer name: [properties of each feature]}"""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    layers = {}
    for num, layer in fields(data):
        if num != 3:
            continue
        name, keys, values, feats = None, [], [], []
        for n, v in fields(layer):
            if n == 1:
                name = bytes(v).decode()
            elif n == 2:
                feats.append(v)
            elif n == 3:
                keys.append(bytes(v).decode())
            elif n == 4:
                values.append(value(v))
        props = []
        for f in feats:
            tags = next((packed(v) for n, v in fields(f) if n == 2), [])
            props.append({keys[tags[k]]: values[tags[k + 1]] for k in range(0, len(tags), 2)})
        layers[name] = props
    return layers


def summary(data):
    """(features, incidents counted, fatalities summed, expansion zooms of clusters)"""
    layers = read_mvt(data)
    inc, cl = layers.get("incidents", []), layers.get("clusters", [])
    count = len(inc) + sum(p["count"] for p in cl)
    fat = sum(p.get("fatalities", 0) for p in inc) + sum(p["fatalities"] for p in cl)
    ez = sorted(p.get("expansion_zoom", -1) for p in cl)
    return len(inc) + len(cl), count, fat, ez


# ---------------------------------------------------------------------------------------------
# Tiles: random incidents (seeded), a random zoom 0–14, the tile holding the incident; distinct.

def tile_of(lon, lat, z):
    n = 2 ** z
    lat = max(min(lat, 85.0511287798), -85.0511287798)
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(x, n - 1), min(y, n - 1)


def draw_tiles(csv_path, count, rng):
    points = []
    with open(csv_path, newline="") as f:
        for r in csv.DictReader(f):
            points.append((float(r["lon"]), float(r["lat"])))
    tiles, seen, tries = [], set(), 0
    while len(tiles) < count and tries < 100 * count:
        tries += 1
        lon, lat = rng.choice(points)
        z = rng.randint(0, 14)
        t = (z, *tile_of(lon, lat, z))
        if t not in seen:
            seen.add(t)
            tiles.append(t)
    return tiles, len(points)


def filter_of(rng):
    """A window of 1–365 days in 2023 (log-uniform length) and 1–4 random categories."""
    days = max(1, round(365 ** rng.random()))
    start = datetime(2023, 1, 1, tzinfo=timezone.utc) + timedelta(days=rng.randint(0, 365 - days))
    end = start + timedelta(days=days)  # exclusive: the end date is start + days - 1
    cats = rng.sample(CATEGORIES, rng.randint(1, 4))
    query = urllib.parse.urlencode({
        "datetime": f"{start:%Y-%m-%d}/{end - timedelta(days=1):%Y-%m-%d}",
        "category": ",".join(cats),
    })
    return query, (start, end, cats)


# ---------------------------------------------------------------------------------------------

class Http:
    """One keep-alive connection, as psycopg's one connection on the other side."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port)

    def tile(self, z, x, y, query=""):
        path = f"/collections/incidents/tiles/WebMercatorQuad/{z}/{y}/{x}"
        if query:
            path += "?" + query
        t = time.perf_counter()
        self.conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        r = self.conn.getresponse()
        body = r.read()
        ms = (time.perf_counter() - t) * 1e3
        if r.status != 200:
            raise RuntimeError(f"{path}: HTTP {r.status} {body[:200]!r}")
        return ms, body

    def renders(self):
        """(seconds, count) of vector tiles rendered so far, from /metrics: the render (cluster
        sums, MVT encoding, gzip) without HTTP; a count that does not grow means a cache hit."""
        self.conn.request("GET", "/metrics")
        text = self.conn.getresponse().read().decode()
        val = {}
        for line in text.splitlines():
            for k in ("sum", "count"):
                if line.startswith(f"incidentmap_vector_tile_seconds_{k} "):
                    val[k] = float(line.split()[1])
        return val.get("sum", 0.0), val.get("count", 0.0)


class Sql:
    def __init__(self, dsn):
        # RawCursor: $1-style parameters, as in a Martin function source
        self.db = psycopg.connect(dsn, autocommit=True, cursor_factory=psycopg.RawCursor)
        # Server-side prepared statements from the first execution on (psycopg prepares a
        # statement after prepare_threshold executions; 0: at once).
        self.db.prepare_threshold = 0

    def tile(self, z, x, y, f=None):
        z, x, y = Int4(z), Int4(x), Int4(y)  # one type signature: one prepared statement
        t = time.perf_counter()
        if f is None:
            row = self.db.execute(SQL_ALL, (z, x, y), prepare=True).fetchone()
        else:
            start, end, cats = f
            row = self.db.execute(SQL_FILTERED, (z, x, y, start, end, cats), prepare=True).fetchone()
        ms = (time.perf_counter() - t) * 1e3
        return ms, bytes(row[0])

    def server_ms(self):
        """Planning and execution time of the tile statements so far (pg_stat_statements)."""
        return self.db.execute(
            "SELECT coalesce(sum(total_plan_time + total_exec_time), 0) FROM pg_stat_statements"
            " WHERE query LIKE '%ST_AsMVT(singles.*%' AND query NOT LIKE '%pg_stat_statements%'"
        ).fetchone()[0]


def pct(v, p):
    s = sorted(v)
    return s[min(len(s) - 1, int(round(p * (len(s) - 1))))]


def bench(dsn, base, csv_path, n_tiles, seed, keep=""):
    rng = random.Random(seed)
    tiles, n_points = draw_tiles(csv_path, n_tiles, rng)
    filters = [filter_of(rng) for _ in tiles]
    im, pg = Http(base), Sql(dsn)
    db = pg.db
    print(f"PostgreSQL: {db.execute('SHOW server_version').fetchone()[0]}, PostGIS "
          f"{db.execute('SELECT postgis_lib_version()').fetchone()[0]} "
          f"(GEOS {db.execute('SELECT postgis_geos_version()').fetchone()[0]}); "
          + ", ".join(f"{k}={db.execute(f'SHOW {k}').fetchone()[0]}" for k in
                      ("shared_buffers", "work_mem", "jit", "max_parallel_workers_per_gather",
                       "plan_cache_mode")))
    db.execute(PREWARM)

    # Warm-up, on tiles outside the timed set (zoom 15 and 16): incidentmap builds its cluster
    # index on the first vector tile; PostgreSQL plans and caches the prepared statements.
    for _ in range(30):
        z = rng.choice([15, 16])
        q, f = filter_of(rng)
        # a corner tile of a drawn one, at a zoom the timed set never has
        zt, xt, yt = tiles[rng.randrange(len(tiles))]
        x, y = xt << (z - zt), yt << (z - zt)
        im.tile(z, x, y)
        im.tile(z, x, y, q)
        pg.tile(z, x, y)
        pg.tile(z, x, y, f)

    # The timed pass: every tile once per side and variant, interleaved tile by tile (so that
    # noise from other processes falls on both sides alike). incidentmap never sees a request
    # twice: each (tile, filter) is new to its cache (checked: its render count grows by one
    # per request). Between requests, outside the timing, each side's own account of the time
    # it spent (incidentmap's render histogram, pg_stat_statements) is read.
    order = list(range(len(tiles)))
    rng.shuffle(order)
    res = {k: {} for k in ("im_all", "pg_all", "im_f", "pg_f")}
    sizes = {k: 0 for k in res}
    cached = 0
    im_sum, im_count = im.renders()
    pg_sum = pg.server_ms()
    t_start = time.perf_counter()
    for k in order:
        z, x, y = tiles[k]
        q, f = filters[k]
        for key, call in (("im_all", lambda: im.tile(z, x, y)),
                          ("pg_all", lambda: pg.tile(z, x, y)),
                          ("im_f", lambda: im.tile(z, x, y, q)),
                          ("pg_f", lambda: pg.tile(z, x, y, f))):
            ms, body = call()
            if key.startswith("im"):
                s, n = im.renders()
                server, cached = (s - im_sum) * 1e3, cached + (n != im_count + 1)
                im_sum, im_count = s, n
            else:
                s = pg.server_ms()
                server, pg_sum = s - pg_sum, s
            res[key][k] = (ms, body, server)
            sizes[key] += len(body)
    wall = time.perf_counter() - t_start
    if cached:
        print(f"  WARNING: {cached} incidentmap requests were not rendered (cache hits?)")

    # Same question? Decode both sides' tiles and compare features, counts, sums of fatalities
    # and expansion zooms, on every tile timed.
    bad = 0
    for k in range(len(tiles)):
        for side_im, side_pg, label in (("im_all", "pg_all", "unfiltered"), ("im_f", "pg_f", "filtered")):
            a = summary(res[side_im][k][1])
            b = summary(res[side_pg][k][1])
            if a != b:
                bad += 1
                if bad <= 10:
                    z, x, y = tiles[k]
                    print(f"  DISAGREE {label} z{z}/{x}/{y}: incidentmap features={a[0]} count={a[1]} "
                          f"fatalities={a[2]}; PostGIS features={b[0]} count={b[1]} fatalities={b[2]}"
                          + ("" if a[:3] != b[:3] else f"; expansion zooms differ: {a[3]} vs {b[3]}"))
    total_all = sum(summary(res["im_all"][k][1])[1] for k in range(len(tiles)))
    print(f"check: {2 * len(tiles)} tile answers decoded on both sides (features, sum of counts, "
          f"sum of fatalities, expansion zooms): {2 * len(tiles) - bad} agree, {bad} disagree; "
          f"unfiltered counts sum to {total_all}")

    zooms = [tiles[k][0] for k in range(len(tiles))]
    print(f"\n== {len(tiles)} distinct tiles z0–14 (per zoom: "
          + " ".join(f"{z}:{zooms.count(z)}" for z in range(15))
          + f") over {n_points} incidents; timed pass {wall:.1f} s wall, one client, one request "
          "at a time, the two sides interleaved tile by tile")
    print("   incidentmap: GET over HTTP/1.1 keep-alive, Accept-Encoding: gzip, uncached;"
          " PostGIS: EXECUTE of a prepared statement over one connection.\n"
          "   'client' rows: the time the client waited (request to last byte); 'server' rows: the time\n"
          "   each server reports (incidentmap: render + gzip, no HTTP; PostGIS: plan + execute, no protocol)")

    def row(name, ms):
        return (f"  {name:<30} median {statistics.median(ms):8.2f} ms   p90 {pct(ms, 0.9):8.2f} ms"
                f"   mean {statistics.fmean(ms):8.2f} ms   max {max(ms):8.1f} ms")

    bands = [("all tiles", range(0, 15)), ("z0-5", range(0, 6)), ("z6-10", range(6, 11)),
             ("z11-14", range(11, 15))]
    for variant, a, b in (("unfiltered", "im_all", "pg_all"),
                          ("filtered (datetime 1-365 d in 2023 + 1-4 categories)", "im_f", "pg_f")):
        print(f"\n-- {variant}")
        for band, zs in bands:
            ks = [k for k in range(len(tiles)) if tiles[k][0] in zs]
            if not ks:
                continue
            print(f" {band} ({len(ks)} tiles)")
            for what, col in (("client", 0), ("server", 2)):
                im_ms = [res[a][k][col] for k in ks]
                pg_ms = [res[b][k][col] for k in ks]
                per_tile = [p / max(i, 1e-3) for p, i in zip(pg_ms, im_ms)]
                print(row(f"incidentmap {what}", im_ms))
                print(row(f"PostGIS {what}", pg_ms))
                print(f"  {'PostGIS / incidentmap ' + what:<30} median {statistics.median(pg_ms) / statistics.median(im_ms):8.1f} ×"
                      f"    p90 {pct(pg_ms, 0.9) / pct(im_ms, 0.9):8.1f} ×"
                      f"    sum {sum(pg_ms) / sum(im_ms):8.1f} ×"
                      f"   per-tile ratio: median {statistics.median(per_tile):.1f} ×, min {min(per_tile):.1f} ×")
    if keep:
        with open(keep, "w") as out:
            out.write("z\tx\ty\tcount\tcount_filtered\tim_ms\tpg_ms\tim_filtered_ms\tpg_filtered_ms"
                      "\tim_server_ms\tpg_server_ms\tim_filtered_server_ms\tpg_filtered_server_ms\n")
            for k, (z, x, y) in enumerate(tiles):
                out.write(f"{z}\t{x}\t{y}\t{summary(res['im_all'][k][1])[1]}\t{summary(res['im_f'][k][1])[1]}\t"
                          + "\t".join(f"{res[s][k][c]:.3f}" for c in (0, 2) for s in ("im_all", "pg_all", "im_f", "pg_f")) + "\n")
    print(f"\nbytes: incidentmap {sizes['im_all'] / len(tiles):.0f} B/tile gzipped (unfiltered), "
          f"PostGIS {sizes['pg_all'] / len(tiles):.0f} B/tile raw MVT (unfiltered)")


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "bench":
        bench(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), *sys.argv[7:8])
    else:
        sys.exit(__doc__)
