#!/usr/bin/env python3
"""Write gazetteer/common_words.tsv and gazetteer/demonyms.tsv from wordfreq (issue #14).

common_words.tsv -- how often a word that is also (part of) a place name is used as a word.
    Columns: lang, word, zipf (wordfreq's log10 frequency per billion words; 3 = once per
    million). Only words of zipf >= 3 that could meet a gazetteer name are kept: the word
    itself, the word without Arabic proclitics, or the word without up to three final letters
    (Russian case endings) folded like a name. Arabic keeps every word of zipf >= 3: any of
    them may meet a Latin name by its consonant skeleton. The geoparser folds them again at load with the
    project's own folding (src/gazetteer/normalize.rs); the folding here is only a filter.

demonyms.tsv -- words for a country's people or things (Russian, Kazakh, ليبي, الروسية).
    Columns: lang, word, country (ISO 3166-1 alpha-2). Candidates are generated from the
    country names in names.tsv by each language's rules (English -n/-an/-ian/-i/-ese/-ish and
    -stan dropped; Arabic nisba -ي/-ية/-يون/-يين; Russian -ский/-ская/...), plus a few
    irregular English forms, and kept only when wordfreq attests them (zipf >= 2), so
    invented forms never enter.

Usage: words.py --gazetteer DIR --out DIR   (run by scripts/gazetteer/build.sh in its venv)
"""
import argparse
import csv
import os
import re
import sys
import unicodedata

from wordfreq import iter_wordlist, zipf_frequency

LANGS = ("ar", "ru", "en")
# Each list keeps only words in its own script (wordfreq's Arabic list has some English).
SCRIPT = {
    "ar": re.compile(r"^[\u0600-\u06FF]+$"),
    "ru": re.compile(r"^[\u0400-\u04FF]+$"),
    "en": re.compile(r"^[a-z]+$"),
}
MIN_ZIPF = 3.0
MIN_DEMONYM_ZIPF = 2.0

ARABIC_MAP = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ة": "ه", "ک": "ك",
                            "ـ": None})
CLITICS = ["وبال", "وكال", "ولل", "فبال", "فال", "وال", "بال", "كال", "لل", "ال", "وب", "ول", "وك",
           "فب", "فل", "و", "ف", "ب", "ل", "ك"]


def fold(s):
    s = s.translate(ARABIC_MAP).lower()
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if c.isalnum() and not unicodedata.combining(c))


def read_names(gaz):
    """Folded compact keys of every name, and of every word of a name."""
    keys = set()
    for f in ("names.tsv", "aliases.tsv"):
        with open(os.path.join(gaz, f), encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#") or line.startswith("id\t"):
                    continue
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 3:
                    continue
                name = parts[2]
                keys.add(fold(name))
                for w in re.split(r"[\s\-]+", name):
                    keys.add(fold(w))
    keys.discard("")
    return keys


def forms(word, lang):
    f = fold(word)
    yield f
    if lang == "ar":
        for c in CLITICS:
            if f.startswith(c) and len(f) - len(c) >= 2:
                yield f[len(c):]
    else:
        for k in (1, 2, 3):
            if len(f) - k >= 2:
                yield f[:-k]


def common_words(names):
    rows = []
    for lang in LANGS:
        for w in iter_wordlist(lang, "large"):
            z = zipf_frequency(w, lang, "large")
            if z < MIN_ZIPF:
                break
            # Any Arabic word may meet a name by its consonant skeleton
            # (src/gazetteer/skeleton.rs), so Arabic keeps every frequent word.
            if SCRIPT[lang].match(w) and (lang == "ar" or any(k in names for k in forms(w, lang))):
                rows.append((lang, w, z))
    return rows


def countries(gaz):
    """country code -> {lang: {names}} for en, ar, ru (main names, short forms, aliases)."""
    ids, out = {}, {}
    with open(os.path.join(gaz, "places.tsv"), encoding="utf-8") as fh:
        r = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(r)
        for row in r:
            if row[1] == "country":
                ids[row[0]] = row[3]
                out.setdefault(row[3], {}).setdefault("en", set()).add(row[2])
    for f in ("names.tsv", "aliases.tsv"):
        with open(os.path.join(gaz, f), encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 3 or parts[0] not in ids:
                    continue
                if parts[1] in ("en", "ar", "ru"):
                    out.setdefault(ids[parts[0]], {}).setdefault(parts[1], set()).add(parts[2])
    return out


# English forms no rule makes (checked against wordfreq like the rest).
ENGLISH_IRREGULAR = {
    "GB": ["British", "Briton", "Britons"], "FR": ["French"], "NL": ["Dutch"], "CH": ["Swiss"],
    "GR": ["Greek", "Greeks"], "TR": ["Turkish", "Turk", "Turks"], "PL": ["Polish", "Pole", "Poles"],
    "ES": ["Spanish", "Spaniard", "Spaniards"], "DK": ["Danish", "Dane", "Danes"],
    "SE": ["Swedish", "Swede", "Swedes"], "FI": ["Finnish", "Finn", "Finns"], "IE": ["Irish"],
    "US": ["American", "Americans"], "PH": ["Filipino", "Filipinos"], "TH": ["Thai"],
    "AE": ["Emirati", "Emiratis"], "SA": ["Saudi", "Saudis"], "NE": ["Nigerien", "Nigeriens"],
    "BF": ["Burkinabe"], "CI": ["Ivorian", "Ivorians"], "CD": ["Congolese"], "CG": ["Congolese"],
    "NZ": ["Kiwi"], "IL": ["Israeli", "Israelis"], "PK": ["Pakistani", "Pakistanis"],
    "BD": ["Bangladeshi"], "AF": ["Afghan", "Afghans"], "KG": ["Kyrgyz"], "TJ": ["Tajik", "Tajiks"],
    "UZ": ["Uzbek", "Uzbeks"], "TM": ["Turkmen"], "KZ": ["Kazakh", "Kazakhs", "Kazakhstani"],
    "PS": ["Palestinian", "Palestinians"], "YE": ["Yemeni", "Yemenis"], "IQ": ["Iraqi", "Iraqis"],
    "KW": ["Kuwaiti"], "QA": ["Qatari"], "OM": ["Omani"], "BH": ["Bahraini"],
    "CN": ["Chinese"], "VN": ["Vietnamese"], "PT": ["Portuguese"], "MT": ["Maltese"],
    "SD": ["Sudanese"], "SS": ["South Sudanese"], "LB": ["Lebanese"], "SO": ["Somali", "Somalis"],
    "DE": ["German", "Germans"], "BY": ["Belarusian", "Belarusians"],
}


# Arabic broken plurals and other forms no rule makes (checked against wordfreq too).
ARABIC_IRREGULAR = {
    "RU": ["الروس", "روس"], "TR": ["الأتراك", "أتراك"], "AF": ["الأفغان", "أفغان"],
    "GB": ["البريطانيون", "الإنجليز"], "US": ["الأمريكيون", "الأميركيون", "الأميركي", "الأميركية"],
}


def english_candidates(name):
    last = name.split()[-1]
    base = last
    c = {base + "n", base + "an", base + "ian", base + "i", base + "ese", base + "ish"}
    if base.endswith(("a", "e", "o", "y")):
        c |= {base[:-1] + "an", base[:-1] + "ian", base[:-1] + "ese", base[:-1] + "i"}
    if base.endswith("stan"):
        c |= {base[:-4], base[:-4] + "s", base + "i"}
    plural = {x + "s" for x in c if x.endswith(("an", "i"))}
    return c | plural


def arabic_candidates(name):
    n = name.replace("ـ", "")
    if n.startswith("ال"):
        n = n[2:]
    bases = {n}
    for suf in ("يا", "ا", "ة", "ه"):
        if n.endswith(suf) and len(n) - len(suf) >= 2:
            bases.add(n[: -len(suf)] + ("ي" if suf == "يا" else ""))
            bases.add(n[: -len(suf)])
    out = set()
    for b in bases:
        b = b[:-1] if b.endswith("ي") else b
        for s in ("ي", "ية", "يه", "يون", "يين", "يان", "يتين", "ين"):
            out.add(b + s)
    return {p + w for w in out for p in ("", "ال")}


RU_ADJ_ENDINGS = ["ий", "ая", "ое", "ие", "ого", "ой", "ому", "ом", "ую", "им", "их", "ими"]


def russian_candidates(name):
    n = name.lower()
    if " " in n or "-" in n:
        return set()
    bases = {n}
    for suf in ("ия", "ья", "а", "я", "ь", "истан", "стан"):
        if n.endswith(suf) and len(n) - len(suf) >= 3:
            bases.add(n[: -len(suf)])
    out = set()
    for b in bases:
        for mid in ("ск", "ийск", "инск", "енск"):
            for e in RU_ADJ_ENDINGS:
                out.add(b + mid + e)
        for e in ("цы", "цев", "цам", "ец", "цами"):
            out.add(b + e)
    return out


def demonyms(gaz):
    rows = set()
    for cc, by_lang in countries(gaz).items():
        for lang, names in by_lang.items():
            for name in names:
                if lang == "en":
                    cands = english_candidates(name) | set(ENGLISH_IRREGULAR.get(cc, []))
                elif lang == "ar":
                    cands = arabic_candidates(name) | set(ARABIC_IRREGULAR.get(cc, []))
                else:
                    cands = russian_candidates(name)
                for w in cands:
                    if fold(w) in {fold(x) for x in names}:
                        continue  # the country's own name is not its demonym
                    if zipf_frequency(w, lang, "large") >= MIN_DEMONYM_ZIPF:
                        rows.add((lang, w, cc))
    return sorted(rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gazetteer", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    names = read_names(a.gazetteer)
    cw = common_words(names)
    with open(os.path.join(a.out, "common_words.tsv"), "w", encoding="utf-8") as fh:
        fh.write("lang\tword\tzipf\n")
        for lang, w, z in cw:
            fh.write(f"{lang}\t{w}\t{z:.2f}\n")
    dm = demonyms(a.gazetteer)
    with open(os.path.join(a.out, "demonyms.tsv"), "w", encoding="utf-8") as fh:
        fh.write("lang\tword\tcountry\n")
        for lang, w, cc in dm:
            fh.write(f"{lang}\t{w}\t{cc}\n")
    print(f"common_words.tsv: {len(cw)} words; demonyms.tsv: {len(dm)} forms", file=sys.stderr)


if __name__ == "__main__":
    main()
