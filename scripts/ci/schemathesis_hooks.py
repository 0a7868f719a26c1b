"""Schemathesis hooks: constraints the OpenAPI schema cannot express.

A CQL2 `filter` is a string to JSON Schema but must follow the CQL2 grammar (in the language
`filter-lang` names), and `filter-lang` / `filter-crs` mean something only with a filter; a
`sortby` must name sortables. Generated values of these are mapped onto valid ones, chosen by
the generated value, so schema-valid requests are valid requests; what makes them invalid is
tested in the integration tests (tests/integration/cql.rs), where each mistake must be named.

A bbox is four (or six) numbers, but its latitudes must lie in -90..90 with south <= north
(longitude first, or latitude first when `bbox-crs` is EPSG:4326);
JSON Schema can bound each number but cannot relate two of them. This maps every generated
bbox of four or six numbers onto a valid one (latitudes clamped and ordered), so schema-valid
requests are valid requests. Boxes of other lengths, and non-numbers, pass through untouched
and stay negative cases.
"""
import schemathesis


def _fix(v, lat_first=False):
    if isinstance(v, str):
        parts = v.split(",")
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            return v
        fixed = _fix(nums, lat_first)
        return ",".join(repr(x) for x in fixed) if fixed is not nums else v
    numbers = isinstance(v, list) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
    if numbers and len(v) in (4, 6):
        # latitudes are at 1 and 3 (2-D), or 1 and 4 (3-D: w, s, zmin, e, n, zmax); with
        # bbox-crs EPSG:4326 (latitude first) at 0 and 2, or 0 and 3
        if lat_first:
            i, j = (0, 2) if len(v) == 4 else (0, 3)
        else:
            i, j = (1, 3) if len(v) == 4 else (1, 4)
        out = list(v)
        s, n = (max(-90.0, min(90.0, float(v[i]))), max(-90.0, min(90.0, float(v[j]))))
        out[i], out[j] = (s, n) if s <= n else (n, s)
        v = out
    # A list stays a list: the parameter is declared an array with `style: form, explode:
    # false`, and schemathesis writes it as the comma list it is declared to be (joining it
    # here would have it split the joined text into characters).
    return v


CQL2_TEXT = [
    "category = 'riot'",
    "fatalities > 2 AND category IN ('riot', 'protest')",
    "S_INTERSECTS(geometry, BBOX(76, 43, 78, 44))",
    "T_INTERSECTS(occurred_at, INTERVAL('2022-01-01', '..'))",
    "place LIKE 'A%' OR place IS NULL",
    "NOT (arrested BETWEEN 1 AND 10)",
    "true",
]
CQL2_JSON = [
    '{"op":"=","args":[{"property":"category"},"riot"]}',
    '{"op":">","args":[{"property":"fatalities"},2]}',
    '{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[76,43,78,44]}]}',
    '{"op":"t_after","args":[{"property":"occurred_at"},{"date":"2022-01-04"}]}',
]
SORTBY = ["-occurred_at", "fatalities", "-fatalities,occurred_at", "+category,-id", "place_id"]


def _pick(options, generated):
    return options[sum(str(generated).encode()) % len(options)]


def _grammatical(query):
    if "filter" in query or "filter-lang" in query or "filter-crs" in query:
        lang = query.get("filter-lang", "cql2-text")
        options = CQL2_JSON if lang == "cql2-json" else CQL2_TEXT
        query["filter"] = _pick(options, query.get("filter", ""))
    if "sortby" in query:
        query["sortby"] = _pick(SORTBY, query["sortby"])


@schemathesis.hook
def map_query(context, query):
    if query and "bbox" in query:
        lat_first = query.get("bbox-crs") == "http://www.opengis.net/def/crs/EPSG/0/4326"
        query["bbox"] = _fix(query["bbox"], lat_first)
    return query


@schemathesis.hook
def before_call(context, case, kwargs):
    # Every phase calls this one (the coverage phase does not map queries): CQL2 and sortby
    # values are made grammatical just before the request leaves.
    if case.query:
        _grammatical(case.query)
