#!/usr/bin/env python3
"""Generate the corpus (.txt + .tsv pairs, MANIFEST.tsv) from the hand-marked
sources in markup/<split>/<name>.src.

Markup: [[surface|Place name|note]]  -> label place (coordinates and kind
        looked up in places.tsv by the English place name)
        [[surface|-|note]]           -> label not_place
Everything else is copied verbatim. Offsets are Unicode code points (Python
str indices), end exclusive. The first line of a .src is a header
"# lang=ar region=Libya" and is not part of the text.
"""
import os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = re.compile(r"\[\[([^\[\]|]+)\|([^\[\]|]+)(?:\|([^\[\]|]*))?\]\]")
HEADER = "start\tend\ttext\tlabel\tplace\tlon\tlat\tkind\tnote"


def load_places():
    places = {}
    with open(os.path.join(HERE, "places.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            name, lon, lat, kind = line.rstrip("\n").split("\t")
            places[name] = (lon, lat, kind)
    return places


def build_one(src, places):
    with open(src, encoding="utf-8") as f:
        head, body = f.read().split("\n", 1)
    meta = dict(kv.split("=", 1) for kv in head.lstrip("# ").split(";"))
    body = body.strip("\n") + "\n"
    out, rows, pos = [], [], 0
    n = 0
    for m in MARK.finditer(body):
        out.append(body[pos:m.start()])
        n += len(body[pos:m.start()])
        surface, target, note = m.group(1), m.group(2), (m.group(3) or "").strip()
        start, end = n, n + len(surface)
        out.append(surface)
        n = end
        if target == "-":
            rows.append((start, end, surface, "not_place", "", "", "", "", note))
        else:
            if target not in places:
                sys.exit(f"{src}: unknown place {target!r}")
            lon, lat, kind = places[target]
            rows.append((start, end, surface, "place", target, lon, lat, kind, note))
        pos = m.end()
    out.append(body[pos:])
    text = "".join(out)
    if "[[" in text or "]]" in text:
        sys.exit(f"{src}: unparsed markup left: {text[text.find('[['):][:80]!r}")
    return meta, text, rows


def main():
    places = load_places()
    manifest = []
    for split in ("dev", "heldout"):
        d = os.path.join(HERE, "markup", split)
        for fn in sorted(os.listdir(d)):
            if not fn.endswith(".src"):
                continue
            name = fn[:-4]
            meta, text, rows = build_one(os.path.join(d, fn), places)
            with open(os.path.join(HERE, split, name + ".txt"), "w", encoding="utf-8") as f:
                f.write(text)
            with open(os.path.join(HERE, split, name + ".tsv"), "w", encoding="utf-8") as f:
                f.write(HEADER + "\n")
                for r in rows:
                    f.write("\t".join(str(x) for x in r) + "\n")
            np = sum(1 for r in rows if r[3] == "place")
            manifest.append((f"{split}/{name}.txt", meta["lang"], split, meta["region"],
                             len(text.split()), np, len(rows) - np))
    with open(os.path.join(HERE, "MANIFEST.tsv"), "w", encoding="utf-8") as f:
        f.write("file\tlanguage\tsplit\tregion\twords\tplaces\tnot_places\n")
        for r in manifest:
            f.write("\t".join(str(x) for x in r) + "\n")
    for r in manifest:
        print("\t".join(str(x) for x in r))


if __name__ == "__main__":
    main()
