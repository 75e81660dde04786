"""Generate country_names.json: country names in every CLDR locale -> ISO alpha-2.

    python crawler/normalize/data/make_country_names.py

Babel ships the Unicode CLDR's territory names in every locale ("Россия", "Norge",
"México", "香港", "Kongo - Kinshasa").  Names that two locales give to different
countries ("Конго") are left out; regions and CLDR's special codes (EU, QO, ZZ ...) too:
only the countries pycountry knows, and Kosovo's XK.  ``countries.country_detail`` reads
the table when its own aliases and pycountry's names fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import babel
import pycountry
from babel import Locale, localedata

OUT = Path(__file__).with_name("country_names.json")


def _key(name: str) -> str:
    return " ".join(name.replace("’", "'").split()).casefold()


def build() -> dict:
    known = {c.alpha_2 for c in pycountry.countries} | {"XK"}
    names: dict[str, str] = {}
    clashes: set[str] = set()
    for ident in localedata.locale_identifiers():
        for code, name in Locale.parse(ident).territories.items():
            if code not in known:
                continue
            key = _key(name)
            if names.setdefault(key, code) != code:
                clashes.add(key)
    table = {k: v for k, v in sorted(names.items()) if k not in clashes}
    return {
        "_source": f"Unicode CLDR territory names via Babel {babel.__version__}",
        "names": table,
    }


if __name__ == "__main__":
    data = build()
    OUT.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    print(f"{len(data['names'])} names -> {OUT}")
