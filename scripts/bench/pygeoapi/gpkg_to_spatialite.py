"""Copy incidentmap's GeoPackage into a SpatiaLite database for pygeoapi's SQLite provider.

    python gpkg_to_spatialite.py INCIDENTS.gpkg OUT.sqlite

Needs a Python whose sqlite3 can load extensions and mod_spatialite (Debian:
libsqlite3-mod-spatialite). Same rows, same columns, same point geometries (EPSG:4326).

Why not the GeoPackage itself: on a GeoPackage, pygeoapi 0.21's SQLiteGPKGProvider runs
`SELECT AutoGPKGStart()` for every request, which drops and re-creates the virtual
table vgpkg_incidents *in the file*: a schema write per request. With more than one
gunicorn worker these writes collide and the provider answers HTTP 500
(InvalidPluginError: AutoGPKGStart() returned 0) for a fraction of requests; the writes
also cost time (fsyncs). On a SpatiaLite database the same provider only reads.
"""
import os
import sqlite3
import sys

src, out = sys.argv[1], sys.argv[2]
if os.path.exists(out):
    os.remove(out)
c = sqlite3.connect(out)
c.enable_load_extension(True)
c.load_extension(os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite"))
c.execute("SELECT InitSpatialMetadata(1)")
c.execute("ATTACH DATABASE ? AS g", (src,))
cols = [r[1] for r in c.execute("PRAGMA g.table_info(incidents)") if r[1] not in ("fid", "geom")]
decl = {r[1]: r[2] for r in c.execute("PRAGMA g.table_info(incidents)")}
c.execute("CREATE TABLE incidents (fid INTEGER PRIMARY KEY, "
          + ", ".join(f'"{k}" {decl[k]}' for k in cols) + ")")
c.execute("SELECT AddGeometryColumn('incidents', 'geom', 4326, 'POINT', 'XY')")
c.execute(f"INSERT INTO incidents (fid, {', '.join(cols)}, geom) "
          f"SELECT fid, {', '.join(cols)}, CastToPoint(GeomFromGPB(geom)) FROM g.incidents")
c.commit()
n, bad = c.execute("SELECT count(*), sum(geom IS NULL) FROM incidents").fetchone()
c.execute("DETACH DATABASE g")
c.execute("VACUUM")
c.close()
if n == 0 or bad:
    raise SystemExit(f"{out}: {n} rows, {bad} without geometry")
print(f"{out}: {n} incidents as a SpatiaLite database")
