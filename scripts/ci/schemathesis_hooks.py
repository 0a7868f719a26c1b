"""Schemathesis hooks: constraints the OpenAPI schema cannot express.

A CQL2 `filter` is a string to JSON Schema but must follow the CQL2 grammar (in the language
`filter-lang` names), and `filter-lang` / `filter-crs` mean something only with a filter; a
`sortby` must name sortables. Generated values of these are mapped onto valid ones, chosen by
the generated value, so schema-valid requests are valid requests; what makes them invalid is
tested in the integration tests (tests/integration/cql.rs), where each mistake must be named.

A bbox is four (or six) numbers, but its latitudes must lie in -90..90 with south <= north;
JSON Schema can bound each number but cannot relate two of them. This maps every generated
bbox of four or six numbers onto a valid one (latitudes clamped and ordered), so schema-valid
requests are valid requests. Boxes of other lengths, and non-numbers, pass through untouched
and stay negative cases.
"""
import schemathesis


def _fix(v):
    if isinstance(v, str):
        parts = v.split(",")
        try:
            nums = [float(p) for p in parts]
        except ValueError:
            return v
        fixed = _fix(nums)
        return ",".join(repr(x) for x in fixed) if fixed is not nums else v
    numbers = isinstance(v, list) and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v)
    if numbers and len(v) in (4, 6):
        # latitudes are at 1 and 3 (2-D), or 1 and 4 (3-D: w, s, zmin, e, n, zmax)
        i, j = (1, 3) if len(v) == 4 else (1, 4)
        out = list(v)
        s, n = (max(-90.0, min(90.0, float(v[i]))), max(-90.0, min(90.0, float(v[j]))))
        out[i], out[j] = (s, n) if s <= n else (n, s)
        v = out
    if isinstance(v, list):
        # The parameter is declared `style: form, explode: false` (a comma list), but for a
        # `oneOf` schema schemathesis sends it exploded (bbox=1&bbox=2…); send it as declared.
        return ",".join(repr(x) if isinstance(x, float) else str(x) for x in v)
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
        query["bbox"] = _fix(query["bbox"])
    return query


@schemathesis.hook
def before_call(context, case, kwargs):
    # Every phase calls this one (the coverage phase does not map queries): CQL2 and sortby
    # values are made grammatical just before the request leaves.
    if case.query:
        _grammatical(case.query)
