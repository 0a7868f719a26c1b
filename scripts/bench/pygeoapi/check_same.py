"""Check that incidentmap and pygeoapi answer the benchmark's bbox queries alike.

    python3 check_same.py INCIDENTMAP_URL PYGEOAPI_URL BOXES_FILE LIMIT

For every box: incidentmap's numberMatched against pygeoapi's (resulttype=hits: its
SQLite provider reports no numberMatched on a results page), the number of features on
a page of LIMIT from each, and, where the whole match fits on the page, the same set of
feature ids. Prints the mean body size of the pages of each server (what wrk fetches,
the boxes being cycled evenly). Exits 1 on any difference.
"""
import json
import sys
import urllib.request

IM, PG, BOXES, LIMIT = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
HDR = {"Accept": "application/geo+json"}


def get(url):
    with urllib.request.urlopen(urllib.request.Request(url, headers=HDR), timeout=120) as r:
        if r.status != 200:
            raise SystemExit(f"{url}: HTTP {r.status}")
        body = r.read()
    return body, json.loads(body)


bad = 0
sizes = {"incidentmap": [], "pygeoapi": []}
returned = {"incidentmap": 0, "pygeoapi": 0}
boxes = [l.strip() for l in open(BOXES) if l.strip()]
for b in boxes:
    q = f"/collections/incidents/items?bbox={b}&limit={LIMIT}"
    ib, ij = get(IM + q)
    pb, pj = get(PG + q)
    _, ph = get(PG + f"/collections/incidents/items?bbox={b}&resulttype=hits")
    sizes["incidentmap"].append(len(ib))
    sizes["pygeoapi"].append(len(pb))
    im_n, pg_n = ij["numberMatched"], ph["numberMatched"]
    im_r, pg_r = len(ij["features"]), len(pj["features"])
    returned["incidentmap"] += im_r
    returned["pygeoapi"] += pg_r
    same_ids = ""
    if im_n <= LIMIT:
        same = {f["id"] for f in ij["features"]} == {f["id"] for f in pj["features"]}
        same_ids = " same ids" if same else " DIFFERENT ids"
        bad += not same
    ok = im_n == pg_n and im_r == pg_r == min(im_n, LIMIT)
    bad += not ok
    print(f"  bbox={b}: numberMatched incidentmap {im_n} pygeoapi {pg_n}; "
          f"returned {im_r} / {pg_r}{same_ids}{'' if ok else '  MISMATCH'}")
for k, v in sizes.items():
    print(f"mean response body, {k}: {sum(v) / len(v):.0f} bytes "
          f"({sum(v) / len(v) / 1024:.1f} KiB; {sum(v) / returned[k]:.0f} bytes a feature; "
          f"{returned[k] / len(v):.0f} features a page)")
if bad:
    raise SystemExit(f"{bad} differences between the two servers")
print(f"all {len(boxes)} boxes: same numberMatched and page sizes on both servers")
