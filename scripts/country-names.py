#!/usr/bin/env python3
"""Writes data/country-names.tsv: every name of every region (ISO 3166-1 alpha-2 territory) in
every language CLDR has, plus English short forms, for `region::parse`.

Source: the CLDR data Babel carries (Babel 2.17.0 carries CLDR 46):

    pip install babel==2.17.0
    python3 scripts/country-names.py   # from the repository; dropped names and counts on stderr

Output: comment lines (`#`), then one line per distinct folded name, `CODE<TAB>name<TAB>key`,
sorted by code then name: the name is one spelling of those that fold to the key (`fold`, the
same as src/region/fold.rs, which a test checks on every line). The key is written so that
`region::parse` reads the file without folding 32,000 names at start.

A folded name that means different regions in different languages is dropped (printed on
stderr), except that an English name (from an `en` locale or the English forms below) wins over
other languages' meanings. Names folding to another region's alpha-2 or alpha-3 code are dropped
too (codes win in `region::parse`).

Last run (CLDR 46, Babel 2.17.0): 1066 locales, 257 regions, 31,948 names; 18 names dropped
(15 meaning different regions in different languages, such as Kongo; 3 folding to another
region's code: Vietnamese Áo, Bỉ and Nga, Austria, Belgium and Russia, fold to ao, bi and nga,
Angola's, Burundi's and Nigeria's); 1 where the English meaning won (Malawi, not Latvia in one
language).
"""

import re
import sys
import unicodedata

import babel
import babel.core
from babel import localedata
from babel.core import get_global

OUTPUT = "data/country-names.tsv"
# Babel 2.17.0 carries CLDR 46 (its changelog); later versions tell theirs.
CLDR_VERSION = getattr(babel.core, "get_cldr_version", lambda: "46")()

# Territory codes that are not regions: EU, Eurozone, UN, Outlying Oceania, unknown, pseudo.
NOT_REGIONS = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}

# English forms: CLDR's alt="short" and alt="variant" English names (Babel does not carry the
# alt forms), ISO's formal names, and the forms CRM exports write.
ENGLISH = {
    "AE": ["UAE", "U.A.E."],
    "AX": ["Aland Islands"],
    "BA": ["Bosnia", "Bosnia and Herzegovina", "Herzegovina"],
    "BF": ["Burkina"],
    "BN": ["Brunei Darussalam"],
    "BO": ["Plurinational State of Bolivia", "Bolivia, Plurinational State of",
           "Bolivia (Plurinational State of)"],
    "BS": ["The Bahamas", "Bahamas, The"],
    "CC": ["Cocos Islands"],
    "CD": ["Congo (DRC)", "DR Congo", "D.R. Congo", "DRC", "Democratic Republic of the Congo",
           "Democratic Republic of Congo", "Congo, Democratic Republic of the",
           "Congo (Kinshasa)", "Congo-Kinshasa"],
    "CG": ["Congo (Republic)", "Republic of the Congo", "Congo, Republic of the",
           "Congo (Brazzaville)", "Congo-Brazzaville"],
    "CI": ["Ivory Coast", "Cote d'Ivoire"],
    "CN": ["People's Republic of China", "PRC", "Mainland China", "China mainland"],
    "CV": ["Cabo Verde"],
    "CZ": ["Czech Republic"],
    "FK": ["Falkland Islands (Islas Malvinas)", "Falkland Islands (Malvinas)", "Malvinas"],
    "FM": ["Federated States of Micronesia", "Micronesia, Federated States of",
           "Micronesia (Federated States of)"],
    "GB": ["UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales",
           "Northern Ireland", "United Kingdom of Great Britain and Northern Ireland",
           "United Kingdom of Great Britain"],
    "GM": ["The Gambia", "Gambia, The"],
    "HK": ["Hong Kong", "Hong Kong SAR", "Hong Kong, China"],
    "IE": ["Republic of Ireland"],
    "IO": ["Chagos Archipelago"],
    "IR": ["Islamic Republic of Iran", "Iran, Islamic Republic of", "Iran (Islamic Republic of)"],
    "KG": ["Kyrgyz Republic"],
    "KN": ["St. Kitts"],
    "KP": ["DPRK", "Democratic People's Republic of Korea",
           "Korea, Democratic People's Republic of", "Korea (North)"],
    "KR": ["Korea", "Republic of Korea", "Korea, Republic of", "Korea (South)", "S. Korea"],
    "LA": ["Lao", "Lao PDR", "Lao People's Democratic Republic"],
    "MD": ["Republic of Moldova", "Moldova, Republic of"],
    "MF": ["Saint Martin (French part)"],
    "MK": ["Macedonia", "Republic of North Macedonia", "FYROM",
           "The former Yugoslav Republic of Macedonia"],
    "MM": ["Burma", "Myanmar"],
    "MO": ["Macao", "Macau", "Macao SAR", "Macau SAR"],
    "NL": ["Holland", "The Netherlands", "Kingdom of the Netherlands"],
    "NZ": ["Aotearoa New Zealand", "Aotearoa"],
    "PM": ["St. Pierre"],
    "PN": ["Pitcairn"],
    "PS": ["Palestine", "State of Palestine", "Palestine, State of", "Palestinian Territory",
           "Occupied Palestinian Territory"],
    "RU": ["Russian Federation"],
    "SA": ["KSA", "Kingdom of Saudi Arabia"],
    "SH": ["Saint Helena, Ascension and Tristan da Cunha"],
    "SK": ["Slovak Republic"],
    "ST": ["Sao Tome"],
    "SX": ["Sint Maarten (Dutch part)", "St. Maarten"],
    "SY": ["Syrian Arab Republic"],
    "SZ": ["Swaziland"],
    "TL": ["East Timor", "Timor Leste"],
    "TR": ["Turkey"],
    "TT": ["Trinidad", "Tobago"],
    "TW": ["Taiwan, Province of China", "Taiwan (Province of China)"],
    "TZ": ["United Republic of Tanzania", "Tanzania, United Republic of"],
    "US": ["US", "U.S.", "USA", "U.S.A.", "United States of America", "America"],
    "VA": ["Vatican", "Vatican City State", "Holy See", "Holy See (Vatican City State)"],
    "VC": ["St. Vincent"],
    "VE": ["Bolivarian Republic of Venezuela", "Venezuela, Bolivarian Republic of",
           "Venezuela (Bolivarian Republic of)"],
    "VG": ["Virgin Islands, British", "Virgin Islands (British)", "BVI"],
    "VI": ["Virgin Islands, U.S.", "Virgin Islands (U.S.)", "US Virgin Islands", "USVI"],
    "VN": ["Viet Nam"],
}


# The marks `fold` drops: the combining diacritics of the Latin, Greek and Cyrillic letters
# (what NFD splits off an accented letter), Hebrew points and Arabic vowel marks. Not the vowel
# signs of Indic, Thai or Tibetan scripts, which are letters' parts (without them Hindi's
# Ghana and Guinea, गाना and गिनी, would read the same).
DIACRITICS = [
    (0x0300, 0x036F),
    (0x0591, 0x05C7),
    (0x064B, 0x065F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
]


def is_diacritic(c):
    return any(lo <= ord(c) <= hi for lo, hi in DIACRITICS)


def fold(name):
    """Lower case, accents dropped (NFD, then no diacritics), `&` read as `and`, final sigma as
    sigma, and only letters, digits and (other) marks: the key of src/region/names.rs."""
    out = []
    for ch in name:
        for low in ch.lower():
            for c in unicodedata.normalize("NFD", low):
                if is_diacritic(c):
                    continue
                if c == "&":
                    out.append("and")
                elif c == "\u03c2":
                    out.append("\u03c3")
                elif c.isalnum() or unicodedata.category(c).startswith("M"):
                    out.append(c)
    return "".join(out)


def english_forms(code, name):
    """The English name, and "Saint X" for CLDR's "St. X"."""
    yield name
    if name.startswith("St. "):
        yield "Saint " + name[4:]


def main():
    ids = sorted(localedata.locale_identifiers())
    # folded name -> {code: first spelling}; and the codes English names give it.
    meanings = {}
    english = {}

    def add(key_name, code, is_english):
        key = fold(key_name)
        if not key:
            return
        meanings.setdefault(key, {}).setdefault(code, key_name)
        if is_english:
            english.setdefault(key, set()).add(code)

    # The regions: English's territories with two letters (not the deprecated codes some
    # locales still name, such as BU for Burma).
    codes = {
        code
        for code in localedata.load("en")["territories"]
        if re.fullmatch(r"[A-Z]{2}", code) and code not in NOT_REGIONS
    }
    # English first: the spelling kept for a name is the first seen.
    english_ids = [i for i in ids if i == "en" or i.startswith("en_")]
    for locale in english_ids:
        for code, name in localedata.load(locale).get("territories", {}).items():
            if code in codes:
                for form in english_forms(code, name):
                    add(form, code, True)
    for code, names in ENGLISH.items():
        assert code in codes, code
        for name in names:
            for form in english_forms(code, name):
                add(form, code, True)
    for locale in ids:
        if locale in english_ids:
            continue
        for code, name in localedata.load(locale).get("territories", {}).items():
            if code in codes:
                add(name, code, False)

    # Alpha-3 codes: CLDR's territory aliases (DEU -> DE) hold them.
    alpha3 = {
        alias: set(targets)
        for alias, targets in get_global("territory_aliases").items()
        if re.fullmatch(r"[A-Z]{3}", alias)
    }

    keep = {}
    dropped = []
    overridden = []
    for key, by_code in meanings.items():
        if len(key) == 2 and key.isascii() and key.upper() in codes:
            if key.upper() not in by_code or len(by_code) > 1:
                dropped.append((key, by_code, "a region's two-letter code"))
                continue
        if len(key) == 3 and key.isascii() and key.upper() in alpha3:
            if not set(by_code) <= alpha3[key.upper()]:
                dropped.append((key, by_code, "the alpha-3 code of " + "/".join(sorted(alpha3[key.upper()]))))
                continue
        winners = english.get(key, set())
        if len(winners) == 1:
            (code,) = winners
            if len(by_code) > 1:
                overridden.append((key, by_code, code))
            keep[key] = (code, by_code[code])
        elif len(winners) > 1 or len(by_code) > 1:
            dropped.append((key, by_code, "different regions"))
        else:
            ((code, name),) = by_code.items()
            keep[key] = (code, name)

    for key, by_code, why in sorted(dropped):
        means = ", ".join(f"{c} ({n})" for c, n in sorted(by_code.items()))
        print(f"dropped {key!r}: {why}: {means}", file=sys.stderr)
    for key, by_code, code in sorted(overridden):
        others = ", ".join(f"{c} ({n})" for c, n in sorted(by_code.items()) if c != code)
        print(f"English wins {key!r}: {code}, not {others}", file=sys.stderr)
    print(
        f"CLDR {CLDR_VERSION} via Babel {babel.__version__}: {len(ids)} locales, "
        f"{len(codes)} regions, {len(keep)} names, {len(dropped)} dropped, "
        f"{len(overridden)} where English won",
        file=sys.stderr,
    )

    rows = sorted((code, name, key) for key, (code, name) in keep.items())
    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as out:
        out.write(
            f"# Region names for region::parse, written by scripts/country-names.py from CLDR "
            f"{CLDR_VERSION} (Babel {babel.__version__}), {len(ids)} locales.\n"
            f"# {len(keep)} names of {len(codes)} regions; {len(dropped)} names dropped (meaning "
            f"different regions, or reading as a code), {len(overridden)} where the English "
            f"meaning won.\n"
            "# CLDR data: Unicode License v3, https://www.unicode.org/license.txt\n"
        )
        for code, name, key in rows:
            assert "\t" not in name and "\n" not in name, name
            out.write(f"{code}\t{name}\t{key}\n")


if __name__ == "__main__":
    main()
