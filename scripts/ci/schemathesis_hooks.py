"""Schemathesis hooks: constraints the OpenAPI schema cannot express.

A bbox is four numbers, but its latitudes must lie in -90..90 with south <= north; JSON
Schema can bound each number but cannot relate two of them. This maps every generated bbox
of four numbers onto a valid one (latitudes clamped and ordered), so schema-valid requests
are valid requests. Boxes of other lengths, and non-numbers, pass through untouched and stay
negative cases.
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
    if isinstance(v, list) and len(v) == 4 and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
        w, s, e, n = v
        s, n = (max(-90.0, min(90.0, float(s))), max(-90.0, min(90.0, float(n))))
        if s > n:
            s, n = n, s
        return [w, s, e, n]
    return v


@schemathesis.hook
def map_query(context, query):
    if query and "bbox" in query:
        query["bbox"] = _fix(query["bbox"])
    return query
