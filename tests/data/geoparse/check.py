#!/usr/bin/env python3
"""Verify the geoparse evaluation corpus. Run: python3 tests/data/geoparse/check.py

Checks every dev/ and heldout/ .txt/.tsv pair: header, column count, code-point
offsets (text[start:end] == text column), labels, coordinates and kinds
(consistent with places.tsv), no overlapping spans, spans on word boundaries,
MANIFEST.tsv agreeing with the files, the split rule, and that the files are
exactly what build.py generates from markup/ (so nobody edits one side only).
Exit status 0 and "OK" when everything passes.
"""
import os, sys, unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import build  # noqa: E402

HEADER = ["start", "end", "text", "label", "place", "lon", "lat", "kind", "note"]
KINDS = {"city", "region", "district", "country", "water", "other"}
LANGS = {"ar", "ru", "kk", "en"}
errors = []


def err(msg):
    errors.append(msg)


def is_word_char(c):
    return unicodedata.category(c)[0] in ("L", "M", "N")


def check_pair(split, name, places):
    txt_path = os.path.join(HERE, split, name + ".txt")
    tsv_path = os.path.join(HERE, split, name + ".tsv")
    with open(txt_path, encoding="utf-8") as f:
        text = f.read()
    if "[[" in text or "]]" in text:
        err(f"{txt_path}: markup left in text")
    if unicodedata.normalize("NFC", text) != text:
        err(f"{txt_path}: text is not NFC")
    with open(tsv_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != HEADER:
        err(f"{tsv_path}: bad header {lines[:1]!r}")
        return None
    rows, prev_end = [], -1
    n_place = n_not = 0
    for i, line in enumerate(lines[1:], start=2):
        cols = line.split("\t")
        where = f"{tsv_path}:{i}"
        if len(cols) != 9:
            err(f"{where}: {len(cols)} columns, want 9")
            continue
        s, e, span, label, place, lon, lat, kind, note = cols
        try:
            s, e = int(s), int(e)
        except ValueError:
            err(f"{where}: start/end not integers")
            continue
        if not (0 <= s < e <= len(text)):
            err(f"{where}: offsets {s}..{e} out of range (len {len(text)})")
            continue
        if text[s:e] != span:
            err(f"{where}: text[{s}:{e}] = {text[s:e]!r} != {span!r}")
        if span != span.strip():
            err(f"{where}: span has surrounding whitespace")
        if s < prev_end:
            err(f"{where}: span overlaps or is out of order")
        prev_end = e
        if s > 0 and is_word_char(text[s - 1]):
            err(f"{where}: span starts inside a word ({text[s-1:e]!r})")
        if e < len(text) and is_word_char(text[e]):
            err(f"{where}: span ends inside a word ({text[s:e+1]!r})")
        if label == "place":
            n_place += 1
            if not place:
                err(f"{where}: place without a place name")
            try:
                x, y = float(lon), float(lat)
                if not (-180 <= x <= 180 and -90 <= y <= 90):
                    err(f"{where}: lon/lat out of range")
            except ValueError:
                err(f"{where}: lon/lat not numbers")
            if kind not in KINDS:
                err(f"{where}: kind {kind!r} not in {sorted(KINDS)}")
            if place in places and places[place] != (lon, lat, kind):
                err(f"{where}: {place} disagrees with places.tsv {places[place]}")
            if place not in places:
                err(f"{where}: {place} not in places.tsv")
        elif label == "not_place":
            n_not += 1
            if place or lon or lat or kind:
                err(f"{where}: not_place row with place/lon/lat/kind filled")
            if not note:
                err(f"{where}: not_place row without a note")
        else:
            err(f"{where}: label {label!r}")
    return text, n_place, n_not


def main():
    places = build.load_places()
    found = {}
    for split in ("dev", "heldout"):
        d = os.path.join(HERE, split)
        names = {os.path.splitext(f)[0] for f in os.listdir(d) if f.endswith((".txt", ".tsv"))}
        for name in sorted(names):
            for ext in (".txt", ".tsv"):
                if not os.path.exists(os.path.join(d, name + ext)):
                    err(f"{split}/{name}: missing {ext}")
            if not all(os.path.exists(os.path.join(d, name + ext)) for ext in (".txt", ".tsv")):
                continue
            lang, num = name[:2], name[2:4]
            if lang not in LANGS:
                err(f"{split}/{name}: unknown language prefix")
            if (int(num) % 3 == 0) != (split == "heldout"):
                err(f"{split}/{name}: violates split rule (report number divisible by 3 <=> heldout)")
            res = check_pair(split, name, places)
            if res:
                found[f"{split}/{name}.txt"] = (lang, split) + res
            src = os.path.join(HERE, "markup", split, name + ".src")
            if not os.path.exists(src):
                err(f"{split}/{name}: no markup source {src}")
            elif res:
                meta, text, rows = build.build_one(src, places)
                with open(os.path.join(d, name + ".tsv"), encoding="utf-8") as f:
                    tsv = f.read()
                want = build.HEADER + "\n" + "".join("\t".join(map(str, r)) + "\n" for r in rows)
                if text != res[0] or tsv != want:
                    err(f"{split}/{name}: files differ from build.py output of {src}; rerun build.py")
    # manifest
    with open(os.path.join(HERE, "MANIFEST.tsv"), encoding="utf-8") as f:
        lines = [l for l in f.read().split("\n") if l]
    if lines[0].split("\t") != ["file", "language", "split", "region", "words", "places", "not_places"]:
        err("MANIFEST.tsv: bad header")
    listed = set()
    for i, line in enumerate(lines[1:], start=2):
        c = line.split("\t")
        if len(c) != 7 or c[0] not in found:
            err(f"MANIFEST.tsv:{i}: bad row or unknown file {c[0]!r}")
            continue
        listed.add(c[0])
        lang, split, text, n_place, n_not = found[c[0]]
        if c[1] != lang or c[2] != split:
            err(f"MANIFEST.tsv:{i}: language/split mismatch")
        if c[4] != str(len(text.split())) or c[5] != str(n_place) or c[6] != str(n_not):
            err(f"MANIFEST.tsv:{i}: counts disagree with files")
        if not 120 <= len(text.split()) <= 300:
            err(f"MANIFEST.tsv:{i}: {len(text.split())} words, want 120-300")
    for f_ in set(found) - listed:
        err(f"MANIFEST.tsv: {f_} not listed")
    if errors:
        print("\n".join(errors))
        print(f"FAILED: {len(errors)} problem(s)")
        sys.exit(1)
    tot_p = sum(v[3] for v in found.values())
    tot_n = sum(v[4] for v in found.values())
    print(f"OK: {len(found)} reports, {tot_p} place spans, {tot_n} not_place spans")


if __name__ == "__main__":
    main()
