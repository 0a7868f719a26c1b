#!/usr/bin/env python3
"""Validate the report → incidents evaluation set. Run: python3 tests/data/reports/check.py

Checks every dev/*.json and heldout/*.json (see README.md): JSON shape, file name
and split rule (01-05, 10-19 and 30-39 dev, 06-09 and 20-29 heldout), language, dates, categories, precisions, counts and qualifiers,
evidence being an exact substring of the text, gazetteer ids existing with the
right kind and coordinates within 0.05 degrees, text length, no duplicate
place x day x category within a report, and the per-language totals.
Prints a summary table and "OK" (exit 0), or the errors (exit 1).

Standard library only. --gazetteer PATH overrides the default
<repo>/gazetteer/places.tsv.
"""
import argparse
import datetime
import json
import os
import re
import sys
import unicodedata
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))

LANGS = ("ar", "ru", "kk", "en")
SPLITS = ("dev", "heldout")
CATEGORIES = {
    "protest", "riot", "armed_clash", "violence_against_civilians", "explosion",
    "arrests", "deployment", "shortage", "other",
}
QUALIFIERS = {None, "at_least", "more_than", "about"}
PRECISIONS = {"city", "region", "country"}
TOP_KEYS = ["language", "published_at", "source", "text", "incidents", "not_incidents"]
INCIDENT_KEYS = [
    "place", "place_id", "lon", "lat", "precision", "date", "category",
    "fatalities", "fatalities_qualifier", "injured", "injured_qualifier",
    "arrested", "arrested_qualifier", "evidence", "note",
]
COUNTS = ("fatalities", "injured", "arrested")
MAX_DEG = 0.05
MIN_WORDS, MAX_WORDS = 80, 250
PER_LANG = {"dev": 5, "heldout": 4}
NAME_RE = re.compile(r"^(ar|ru|kk|en)(\d\d)\.json$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ARABIC_INDIC = set("٠١٢٣٤٥٦٧٨٩")

errors = []


def err(msg):
    errors.append(msg)


def split_of(nn):
    """Split rule, fixed before the texts were written: 01-05 dev, 06-09 heldout.
    Extended on 2026-12-07: 10-19 are dev as well (reports added later).
    Extended on 2026-12-07 (later), before any of them was written: 20-29 are held out.
    Extended on 2026-12-07 (a later session), before any of them was written: 30-39 are dev,
    used once a language's 10-19 are all written."""
    if 1 <= nn <= 5 or 10 <= nn <= 19 or 30 <= nn <= 39:
        return "dev"
    return "heldout" if 6 <= nn <= 9 or 20 <= nn <= 29 else None


def load_gazetteer(path):
    places = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = {h: i for i, h in enumerate(header)}
        for line in f:
            row = line.rstrip("\n").split("\t")
            try:
                places[int(row[col["id"]])] = (
                    row[col["kind"]], row[col["name"]], row[col["country"]],
                    float(row[col["lon"]]), float(row[col["lat"]]),
                )
            except (ValueError, IndexError):
                continue
    return places


def parse_date(s, where):
    if not isinstance(s, str) or not DATE_RE.match(s):
        err(f"{where}: date {s!r} is not YYYY-MM-DD")
        return None
    try:
        return datetime.date.fromisoformat(s)
    except ValueError:
        err(f"{where}: date {s!r} does not exist")
        return None


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def script_ok(lang, text):
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    if not letters:
        return False

    def share(pred):
        return sum(1 for c in letters if pred(c)) / len(letters)

    if lang == "ar":
        return share(lambda c: "\u0600" <= c <= "\u06ff") > 0.8
    if lang in ("ru", "kk"):
        return share(lambda c: "\u0400" <= c <= "\u04ff") > 0.8
    return share(lambda c: c.isascii()) > 0.9


def check_incident(where, inc, text, published, places, seen):
    if not isinstance(inc, dict):
        err(f"{where}: not an object")
        return
    keys = list(inc.keys())
    if sorted(keys) != sorted(INCIDENT_KEYS):
        missing = sorted(set(INCIDENT_KEYS) - set(keys))
        extra = sorted(set(keys) - set(INCIDENT_KEYS))
        err(f"{where}: keys differ (missing {missing}, extra {extra})")
        return
    if not isinstance(inc["place"], str) or not inc["place"].strip():
        err(f"{where}: place must be a non-empty string")
    if inc["precision"] not in PRECISIONS:
        err(f"{where}: precision {inc['precision']!r} not in {sorted(PRECISIONS)}")
    if inc["category"] not in CATEGORIES:
        err(f"{where}: category {inc['category']!r} not in {sorted(CATEGORIES)}")
    d = parse_date(inc["date"], where)
    if d and published and d > published:
        err(f"{where}: date {d} after published_at {published}")
    if d and published and (published - d).days > 31:
        err(f"{where}: date {d} more than a month before published_at (background?)")
    for c in COUNTS:
        v, q = inc[c], inc[c + "_qualifier"]
        if v is not None and not (is_int(v) and v >= 0):
            err(f"{where}: {c} must be a non-negative integer or null, got {v!r}")
        if q not in QUALIFIERS:
            err(f"{where}: {c}_qualifier {q!r} not in {sorted(x for x in QUALIFIERS if x)} or null")
        if q is not None and v is None:
            err(f"{where}: {c}_qualifier set but {c} is null")
    ev = inc["evidence"]
    if not isinstance(ev, str) or not ev.strip():
        err(f"{where}: evidence must be a non-empty string")
    elif ev not in text:
        err(f"{where}: evidence {ev!r} is not a substring of the text")
    if inc["note"] is not None and not isinstance(inc["note"], str):
        err(f"{where}: note must be a string or null")
    pid = inc["place_id"]
    if not is_int(pid):
        err(f"{where}: place_id must be an integer")
        return
    if not (is_num(inc["lon"]) and is_num(inc["lat"])):
        err(f"{where}: lon/lat must be numbers")
        return
    if pid not in places:
        err(f"{where}: place_id {pid} not in the gazetteer")
        return
    kind, name, _country, glon, glat = places[pid]
    if abs(glon - inc["lon"]) > MAX_DEG or abs(glat - inc["lat"]) > MAX_DEG:
        err(f"{where}: lon/lat {inc['lon']},{inc['lat']} more than {MAX_DEG} deg from "
            f"gazetteer {pid} {name} ({glon},{glat})")
    if inc["precision"] in PRECISIONS and kind != inc["precision"]:
        err(f"{where}: precision {inc['precision']} but gazetteer {pid} {name} is a {kind}")
    key = (pid, inc["date"], inc["category"])
    if key in seen:
        err(f"{where}: duplicate place x day x category {key} (one incident per triple)")
    seen.add(key)


def check_file(path, split, lang, places, stats):
    where0 = os.path.relpath(path, REPO)
    try:
        with open(path, encoding="utf-8") as f:
            raw = f.read()
        doc = json.loads(raw)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        err(f"{where0}: cannot read JSON: {e}")
        return
    if not isinstance(doc, dict):
        err(f"{where0}: top level is not an object")
        return
    if sorted(doc.keys()) != sorted(TOP_KEYS):
        err(f"{where0}: top-level keys {sorted(doc.keys())}, expected {sorted(TOP_KEYS)}")
        return
    if doc["language"] != lang:
        err(f"{where0}: language {doc['language']!r} does not match file name ({lang})")
    published = parse_date(doc["published_at"], f"{where0} published_at")
    if not isinstance(doc["source"], str) or not doc["source"].strip():
        err(f"{where0}: source must be a non-empty string")
    text = doc["text"]
    if not isinstance(text, str) or not text.strip():
        err(f"{where0}: text must be a non-empty string")
        return
    if unicodedata.normalize("NFC", text) != text:
        err(f"{where0}: text is not NFC")
    words = len(text.split())
    if not (MIN_WORDS <= words <= MAX_WORDS):
        err(f"{where0}: {words} words, expected {MIN_WORDS}-{MAX_WORDS}")
    if not script_ok(lang, text):
        err(f"{where0}: text is not mainly in the script of {lang}")
    if lang == "ar":
        stats["ar_digits"]["arabic-indic" if ARABIC_INDIC & set(text) else "western"] += 1
    incs = doc["incidents"]
    if not isinstance(incs, list) or not incs:
        err(f"{where0}: incidents must be a non-empty list")
        incs = []
    seen = set()
    for i, inc in enumerate(incs):
        check_incident(f"{where0} incidents[{i}]", inc, text, published, places, seen)
    ni = doc["not_incidents"]
    if not isinstance(ni, list) or not all(isinstance(x, str) and x.strip() for x in ni):
        err(f"{where0}: not_incidents must be a list of non-empty strings")
    stats["reports"][(lang, split)] += 1
    stats["incidents"][(lang, split)] += len(incs)
    stats["words"][(lang, split)].append(words)
    for inc in incs:
        if isinstance(inc, dict):
            stats["categories"][inc.get("category")] += 1
            stats["precisions"][inc.get("precision")] += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gazetteer", default=os.path.join(REPO, "gazetteer", "places.tsv"))
    args = ap.parse_args()
    places = load_gazetteer(args.gazetteer)
    if not places:
        print(f"cannot load gazetteer {args.gazetteer}", file=sys.stderr)
        return 1
    stats = {
        "reports": Counter(), "incidents": Counter(), "words": defaultdict(list),
        "categories": Counter(), "precisions": Counter(), "ar_digits": Counter(),
    }
    numbers = defaultdict(list)
    for split in SPLITS:
        d = os.path.join(HERE, split)
        if not os.path.isdir(d):
            err(f"missing directory {split}/")
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            m = NAME_RE.match(name)
            if not m:
                err(f"{split}/{name}: file name is not <lang><NN>.json")
                continue
            lang, nn = m.group(1), int(m.group(2))
            numbers[lang].append(nn)
            if split_of(nn) != split:
                err(f"{split}/{name}: number {nn:02d} belongs in {split_of(nn)}/ (01-05, 10-19 and 30-39 dev, 06-09 and 20-29 heldout)")
            check_file(path, split, lang, places, stats)
    for lang in LANGS:
        nums = sorted(numbers[lang])
        extra = [n for n in nums if 10 <= n <= 19 or 30 <= n <= 39]
        late = [n for n in nums if 20 <= n <= 29]
        if len(nums) != len(set(nums)):
            err(f"{lang}: a report number occurs twice: {nums}")
        if [n for n in nums if n < 10] != list(range(1, 10)):
            err(f"{lang}: report numbers {nums}, expected 01..09 (plus optional 10..19)")
        if extra != [*range(10, 10 + min(len(extra), 10)), *range(30, 30 + max(len(extra) - 10, 0))]:
            err(f"{lang}: added report numbers {extra} should run 10, 11, ..., 19, 30, 31, ... without gaps")
        if late != list(range(20, 20 + len(late))):
            err(f"{lang}: added held-out numbers {late} should run 20, 21, ... without gaps")
        for split, n in PER_LANG.items():
            n += len(extra) if split == "dev" else len(late)
            if stats["reports"][(lang, split)] != n:
                err(f"{lang}/{split}: {stats['reports'][(lang, split)]} reports, expected {n}")
    if stats["ar_digits"]["arabic-indic"] == 0 or stats["ar_digits"]["western"] == 0:
        err(f"Arabic reports should mix Arabic-Indic and Western digits: {dict(stats['ar_digits'])}")

    print("lang  split    reports  incidents  words(min-max)")
    for lang in LANGS:
        for split in SPLITS:
            w = stats["words"][(lang, split)] or [0]
            print(f"{lang:5} {split:8} {stats['reports'][(lang, split)]:7} "
                  f"{stats['incidents'][(lang, split)]:10}  {min(w)}-{max(w)}")
    print("total", sum(stats["reports"].values()), "reports,",
          sum(stats["incidents"].values()), "incidents")
    print("categories:", dict(sorted(stats["categories"].items(), key=lambda x: str(x[0]))))
    print("precisions:", dict(stats["precisions"]))
    print("arabic digits:", dict(stats["ar_digits"]))
    if errors:
        print(f"\n{len(errors)} error(s):", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
