"""A free-text job location -> the one country it names, or None (pure).

Posters write locations as "San Francisco, CA", "NYC or Remote (US)", "Berlin, Germany",
"London": ``place_country`` splits the text into places and reads each as a US state or
Canadian province after a comma ("Austin, TX"), a city from the small table below, a
country name or code (:mod:`crawler.normalize.countries`), or a region ("EU",
"Worldwide").  It answers only when every place it recognises is in the same country
and no region is named; words it does not know ("Remote", "Hybrid", a small town) are
passed over.  It never guesses: ``place_country("London, ON")`` -> None (GB and CA).

``place_country("SF or Remote (US)")`` -> ``"US"``; ``place_country("Remote (EU)")`` ->
None.
"""

from __future__ import annotations

import re
from functools import lru_cache

from crawler.normalize.countries import country_detail

US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
)
CA_PROVINCES = frozenset(
    ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]
)

# Cities and metro areas job posts name without their country.  A name shared by two
# well-known places ("Cambridge", "Portland" is fine: both US) is left out.
CITIES = {
    **dict.fromkeys(
        [
            "nyc",
            "new york",
            "new york city",
            "manhattan",
            "brooklyn",
            "sf",
            "sfba",
            "san francisco",
            "bay area",
            "sf bay area",
            "silicon valley",
            "palo alto",
            "mountain view",
            "menlo park",
            "sunnyvale",
            "san jose",
            "oakland",
            "berkeley",
            "la",
            "los angeles",
            "san diego",
            "seattle",
            "bellevue",
            "portland",
            "boston",
            "austin",
            "dallas",
            "houston",
            "chicago",
            "denver",
            "boulder",
            "atlanta",
            "miami",
            "dc",
            "washington dc",
            "philadelphia",
            "pittsburgh",
            "salt lake city",
            "minneapolis",
            "detroit",
            "phoenix",
            "raleigh",
            "nashville",
        ],
        "US",
    ),
    **dict.fromkeys(["toronto", "vancouver", "montreal", "montréal", "ottawa"], "CA"),
    **dict.fromkeys(["london", "manchester", "edinburgh", "bristol", "leeds"], "GB"),
    **dict.fromkeys(["berlin", "munich", "münchen", "hamburg", "frankfurt"], "DE"),
    **dict.fromkeys(["amsterdam", "rotterdam", "utrecht"], "NL"),
    **dict.fromkeys(["paris", "lyon"], "FR"),
    **dict.fromkeys(["madrid", "barcelona"], "ES"),
    "lisbon": "PT",
    "dublin": "IE",
    "zurich": "CH",
    "zürich": "CH",
    "geneva": "CH",
    "stockholm": "SE",
    "copenhagen": "DK",
    "oslo": "NO",
    "helsinki": "FI",
    "vienna": "AT",
    "warsaw": "PL",
    "prague": "CZ",
    "tel aviv": "IL",
    "bangalore": "IN",
    "bengaluru": "IN",
    "sydney": "AU",
    "melbourne": "AU",
    "auckland": "NZ",
    "tokyo": "JP",
    "singapore": "SG",
}
# Two-letter codes read on their own: most others are also US states ("CA", "DE", "IN").
_LONE_CODES = {"US": "US", "UK": "GB"}
_SPLIT_RE = re.compile(r"\s*(?:[/()&;+|·]|\bor\b|\band\b|\s-\s)\s*", re.IGNORECASE)


def _countries(part: str) -> tuple[set[str], bool]:
    """(countries, names a region) of one place-list item such as "Austin, TX"."""
    found: set[str] = set()
    for i, word in enumerate(w.strip() for w in part.split(",")):
        if not word.strip("."):
            continue
        if i and word.rstrip(".") in US_STATES:  # "Austin, TX": a state after a comma
            found.add("US")
            continue
        if i and word.rstrip(".") in CA_PROVINCES:
            found.add("CA")
            continue
        key = word.casefold()
        if key in CITIES:
            found.add(CITIES[key])
            continue
        if len(word) == 2 and word.isupper():
            if word in _LONE_CODES:
                found.add(_LONE_CODES[word])
            continue  # "CA" alone: California or Canada
        code, reason = country_detail(word)
        if code:
            found.add(code)
        elif reason == "a region, not one country" and key not in (
            "remote",
            "anywhere",
        ):
            return found, True
    return found, False


@lru_cache(maxsize=4096)
def place_country(location: str | None) -> str | None:
    """The ISO alpha-2 code of the one country ``location`` names, else None:
    ``place_country("San Francisco, CA")`` -> ``"US"``; ``place_country("NYC or
    London")`` -> None."""
    if not isinstance(location, str) or not location.strip():
        return None
    found: set[str] = set()
    for part in _SPLIT_RE.split(location.strip()):
        if not part:
            continue
        countries, region = _countries(part)
        if region:
            return None
        found |= countries
    return found.pop() if len(found) == 1 else None
