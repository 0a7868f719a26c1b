"""Schemathesis hooks: constraints the OpenAPI schema cannot express.

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


@schemathesis.hook
def map_query(context, query):
    if query and "bbox" in query:
        query["bbox"] = _fix(query["bbox"])
    return query
