"""Country names and codes -> ISO 3166-1 alpha-2 codes (pure), with pycountry.

Sources write countries as names ("United States", Upwork's English names), common
short forms ("USA", "UK", "Russia"), codes ("US", "DEU") or in other languages
("Deutschland", "Estados Unidos").  ``country_detail`` returns the alpha-2 code, or
None and the reason (a region, a list, an unknown name), so the normalizer can keep the
original in ``country_raw`` and record why ``country`` is empty.

Lookup order: the alias table below (common names ISO and pycountry do not use), then
pycountry's names, official and common names and alpha-2/alpha-3 codes, then, only when
those fail, the country names of a few languages from pycountry's own translations and
the names every CLDR locale gives (``data/country_names.json``: "Россия", "Norge",
"México", "香港"; regenerate with ``python crawler/normalize/data/make_country_names.py``),
each loaded once, on first need.
"""

from __future__ import annotations

import gettext
import json
import re
from functools import cache, lru_cache
from pathlib import Path

_CLDR_NAMES = Path(__file__).parent / "data" / "country_names.json"


@cache
def _pycountry():
    """pycountry, imported on first need (0.06 s; cached names never need it)."""
    import pycountry

    return pycountry


# Names in common use that pycountry does not resolve (and Kosovo's user-assigned XK,
# the code Upwork, the EU and most data sets use).
ALIASES = {
    "us": "US",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "u.s.a": "US",
    "america": "US",
    "united states of america": "US",
    "the united states": "US",
    "the us": "US",
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "the uk": "GB",
    "the netherlands": "NL",
    "holland": "NL",
    "uae": "AE",
    "u.a.e.": "AE",
    "ksa": "SA",
    "russia": "RU",
    "turkey": "TR",
    "turkiye": "TR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "cote divoire": "CI",
    "cape verde": "CV",
    "swaziland": "SZ",
    "macedonia": "MK",
    "burma": "MM",
    "macau": "MO",
    "macao": "MO",
    "brunei": "BN",
    "micronesia": "FM",
    "palestine": "PS",
    "palestinian territories": "PS",
    "palestinian territory": "PS",
    "curacao": "CW",
    "reunion": "RE",
    "st. lucia": "LC",
    "st lucia": "LC",
    "st. kitts and nevis": "KN",
    "st. vincent and the grenadines": "VC",
    "the bahamas": "BS",
    "the gambia": "GM",
    "vatican": "VA",
    "vatican city": "VA",
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "drc": "CD",
    "republic of the congo": "CG",
    "east timor": "TL",
    "kosovo": "XK",
    "czech": "CZ",
    "slovak republic": "SK",
    "hong kong sar": "HK",
    # CLDR names these two only in full ("中國香港特別行政區"); the short names in use:
    "香港": "HK",
    "澳門": "MO",
    "澳门": "MO",
    "us virgin islands": "VI",
    "u.s. virgin islands": "VI",
    "british virgin islands": "VG",
    "falkland islands": "FK",
}
# Names that are regions or several countries: None, with this reason.
REGIONS = frozenset(
    [
        "worldwide",
        "anywhere",
        "global",
        "international",
        "remote",
        "europe",
        "eu",
        "emea",
        "apac",
        "latam",
        "asia",
        "africa",
        "americas",
        "north",
        "america",
        "south",
        "america",
        "latin",
        "america",
        "middle",
        "east",
        "oceania",
        "nordics",
        "scandinavia",
        "benelux",
        "dach",
    ]
) | {"north america", "south america", "latin america", "middle east"}

# Languages whose country names are looked up when English fails.
LANGUAGES = ("de", "fr", "es", "pt", "it", "nl", "pl")

_SPACES_RE = re.compile(r"\s+")
_CODE_RE = re.compile(r"[A-Z]{2,3}")


def _key(name: str) -> str:
    return _SPACES_RE.sub(" ", name.strip().strip(".,;:()").replace("’", "'")).lower()


@cache
def _translated() -> dict[str, str]:
    """Country names in LANGUAGES (pycountry's gettext catalogues) -> alpha-2."""
    out: dict[str, str] = {}
    for language in LANGUAGES:
        try:
            catalogue = gettext.translation(
                "iso3166-1", _pycountry().LOCALES_DIR, languages=[language]
            )
        except OSError:  # a pycountry build without this catalogue
            continue
        for country in _pycountry().countries:
            for attr in ("name", "common_name", "official_name"):
                english = getattr(country, attr, None)
                if english:
                    local = catalogue.gettext(english)
                    if local != english:
                        out.setdefault(_key(local), country.alpha_2)
    return out


@cache
def _cldr_names() -> dict[str, str]:
    """Country names in every CLDR locale (names two locales give to different countries
    left out) -> alpha-2."""
    return json.loads(_CLDR_NAMES.read_text(encoding="utf-8"))["names"]


@lru_cache(maxsize=4096)  # a source repeats a few hundred country names
def country_detail(text: str | None) -> tuple[str | None, str | None]:
    """``(alpha-2 code, None)`` or ``(None, reason)``:
    ``country_detail("United States")`` -> ``("US", None)``;
    ``country_detail("Europe")`` -> ``(None, "a region, not one country")``."""
    if text is None or not text.strip():
        return None, "missing"
    raw = text.strip()
    key = _key(raw)
    if key in ALIASES:
        return ALIASES[key], None
    if key in REGIONS:
        return None, "a region, not one country"
    if _CODE_RE.fullmatch(raw):  # a code only as written in capitals ("US", not "us")
        countries = _pycountry().countries
        country = countries.get(alpha_2=raw) or countries.get(alpha_3=raw)
        if country:
            return country.alpha_2, None
    elif len(key) > 3:
        try:
            return _pycountry().countries.lookup(key).alpha_2, None
        except LookupError:
            pass
        if key in _translated():
            return _translated()[key], None
        if key in _cldr_names():
            return _cldr_names()[key], None
        # pycountry's "Korea, Republic of" order, written the other way round.
        if "," not in key and key.startswith("republic of "):
            return country_detail(key[len("republic of ") :].title())
    elif not key.isascii() and key in _cldr_names():  # "日本", "香港", "Чад"
        return _cldr_names()[key], None
    if re.search(r"[,/;&]|\band\b|\bor\b", key):
        return None, "several places, not one country"
    return None, "unknown country name"


def parse_country(text: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country name or code, else None:
    ``parse_country("USA")`` -> ``"US"``; ``parse_country("Deutschland")`` -> ``"DE"``."""
    return country_detail(text)[0]
