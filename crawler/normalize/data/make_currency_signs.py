"""Writes currency_signs.json: every way CLDR writes a current currency, -> ISO code(s).

    python crawler/normalize/data/make_currency_signs.py

The source is the Unicode CLDR as Babel ships it (``babel.Locale``): for all ~1,100
locales, each current currency's standard symbol, display name and plural names
("€", "Kč", "zł", "₽", "US$", "euro", "euros", "złotych", "рубля" ...).  Each sign is
counted once per locale that writes it; a sign whose most frequent currency has at least
``DOMINANT`` of the count reads as that currency ("£": GBP in 996 of 1,003 locales),
any other sign keeps its candidates, most frequent first, and is ambiguous ("$": USD,
LRD, XCD, AUD ...; "kr": NOK, SEK, DKK; "¥": JPY, CNY), to be settled by the source's
hint or the posting's country.  ``EXTRAS`` adds the common abbreviations CLDR lacks
("руб.", "грн", "KD", "TL", "Dhs" ...); ``STOP`` drops signs that are ordinary words
next to a number ("ft", "am").  Re-run after a Babel upgrade; the output is sorted, so a
diff shows what changed.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import babel
from babel import Locale, localedata
from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies

OUT = Path(__file__).with_name("currency_signs.json")
ON = date(2025, 1, 1)  # "current" currencies: legal tender somewhere on this day
DOMINANT = 0.95
MIN_WORD = 5  # a single word of a multi-word name counts from this length

# Abbreviations and local words in daily use that CLDR does not list as a symbol or name.
# A list value is an ambiguous sign (settled by hint or country like "$").
EXTRAS: dict[str, str | list[str]] = {
    "руб": "RUB",
    "руб.": "RUB",
    "р.": "RUB",
    "р": "RUB",  # "1 500 р/час"
    "рублей": "RUB",
    "грн": "UAH",
    "грн.": "UAH",
    "лв": "BGN",
    "лева": "BGN",
    "тг": "KZT",
    "сум": "UZS",
    "ден": "MKD",
    "ден.": "MKD",
    "din": "RSD",
    "дин": "RSD",
    "kč": "CZK",
    "kc": "CZK",
    "zl": "PLN",
    "lei": "RON",
    "ron": "RON",
    "tl": "TRY",
    "ytl": "TRY",
    "kd": "KWD",
    "bd": "BHD",
    "omr": "OMR",
    "r.o.": "OMR",
    "qr": "QAR",
    "sr": "SAR",
    "dhs": "AED",
    "dhs.": "AED",
    "dh": "MAD",
    "درهم": ["AED", "MAD"],
    "ريال": ["SAR", "QAR", "OMR", "YER", "IRR"],
    "دينار": ["KWD", "BHD", "JOD", "IQD", "LYD", "TND", "DZD", "RSD"],
    "円": "JPY",
    "万円": "JPY",
    "元": "CNY",
    "人民币": "CNY",
    "원": "KRW",
    "만원": "KRW",
    "บาท": "THB",
    "ريال سعودي": "SAR",
    "sfr": "CHF",
    "sfr.": "CHF",
    "fr.": "CHF",
    "chf": "CHF",
    "c$": "CAD",
    "cdn$": "CAD",
    "au$": "AUD",
    "nz$": "NZD",
    "s$": "SGD",
    "rm": "MYR",
    "php": "PHP",
    "ksh": "KES",
    "kshs": "KES",
    "tsh": "TZS",
    "ush": "UGX",
    "ghc": "GHS",
    "gh¢": "GHS",
    "dollars": "$",
    "dollar": "$",
    "dólares": "$",
    "pesos": "$",
    "rmb": "CNY",
    "tk": "BDT",
    "đ": "VND",
    "vnđ": "VND",
    "pounds": "£",
    "pound": "£",
    "rs": ["INR", "PKR", "LKR", "NPR", "MUR", "SCR"],
    "rs.": ["INR", "PKR", "LKR", "NPR", "MUR", "SCR"],
    "rupees": "rs",
    "rupee": "rs",
    "inr": "INR",
    "usd": "USD",
    "eur": "EUR",
    "gbp": "GBP",
    "e£": "EGP",
    "$u": "UYU",
    "jd": "JOD",
    "rwf": "RWF",
    "frw": "RWF",
    "so'm": "UZS",
    "soʻm": "UZS",
    "сўм": "UZS",
    "ლარი": "GEL",
    "ကျပ်": "MMK",
    "бел. руб.": "BYN",
    "бел. руб": "BYN",
    "бел.руб.": "BYN",
    # The CFA franc is written the same in West (XOF) and Central Africa (XAF).
    "fcfa": ["XOF", "XAF"],
    "f cfa": ["XOF", "XAF"],
    "cfa": ["XOF", "XAF"],
    "रु": ["NPR", "INR"],
    "रू": ["NPR", "INR"],
    "korun": "CZK",  # an unqualified koruna is the Czech one ("dánských korun")
    "koruna": "CZK",
    "koruny": "CZK",
    "bs": ["BOB", "VES"],  # the boliviano and the Venezuelan bolívar
    "bs.": ["BOB", "VES"],
    ":-": "SEK",  # Swedish "1 495:-": kronor, no öre
    "kronor": "SEK",  # the Swedish plural; Danes and Norwegians write "kroner"
    "col$": "COP",
    "j$": "JMD",
    "tt$": "TTD",
    "n$": "NAD",
    "دج": "DZD",
    "ש״ח": "ILS",
    'ש"ח': "ILS",
    "שח": "ILS",
    "դրամ": "AMD",
    "جنيه": ["EGP", "SDG", "SSP"],
    "جنيه مصري": "EGP",
    "روپے": ["PKR", "INR"],
    "টাকা": "BDT",
    "ກີບ": "LAK",
    "₨": ["PKR", "INR", "LKR", "NPR", "MUR", "SCR"],
    # "年薪30-50万": ten-thousands with no sign are yuan, yen, NT or HK dollars.
    "万": ["CNY", "JPY", "TWD", "HKD"],
    "₵": "GHS",  # the cedi sign alone (CLDR: "GH₵")
    "﷼": ["IRR", "SAR", "OMR", "QAR", "YER"],  # the rial sign, as "ريال"
    "ƒ": ["AWG", "ANG"],  # the florin of Aruba and Curaçao
    "hrn": "UAH",  # the hryvnia in Latin letters
    "stg": "GBP",  # "£100 stg": sterling
    "ரூ": ["LKR", "INR"],  # the rupee in Tamil
}
# Signs read as one currency that a few countries use for their own: "元" is the yuan,
# but in Taiwan the new Taiwan dollar; "lei" the Romanian leu, in Moldova the Moldovan
# one.  The posting's country settles them; without one the main reading stands.
ALSO: dict[str, list[str]] = {
    "元": ["TWD", "HKD", "MOP"],
    "lei": ["MDL"],
    "c$": ["NIO"],
}
# Signs that count only in the case written: in capitals "KM" is the Bosnian mark and
# "DA" the Algerian dinar, in small letters they are kilometres and a preposition; a
# one-letter "L" is the lempira or the lek, settled by the country.
CASED: dict[str, str | list[str]] = {
    "KM": "BAM",
    "DA": "DZD",
    "L": ["HNL", "ALL"],
    "Lps": "HNL",
    "Lps.": "HNL",
    "RO": "OMR",  # rial Omani; "ro" is a word
    "LE": "EGP",  # livre égyptienne; "le" is an article
    "L.E.": "EGP",
    "Nu.": "BTN",  # the ngultrum; Danish "Nu" is "now"
    "Ft": "HUF",  # the forint; "16 ft" is feet
    "FT": "HUF",
    "Р": "RUB",  # a capital Cyrillic Er stands for the ruble sign on many shops
    "Ks": "MMK",  # the kyat; "ks" is a Czech/Slovak piece count
    "Ar": "MGA",  # the ariary; "ar" is a word
    "UM": "MRU",  # the ouguiya; "um" is a word
    "Db": "STN",  # the dobra; "dB" decibels
    "ZK": "ZMW",  # the Zambian kwacha
}
# Signs that are also ordinary words or units next to a number.
STOP = {"am", "ar", "le", "to", "in", "da", "km", "um", "cf", "gt", "db", "ls", "som"}
STOP |= {"nu", "nu.", "ft", "ft."}
STOP |= set("klmptsdfeg")


def _key(sign: str) -> str | None:
    sign = "".join(ch for ch in sign if unicodedata.category(ch) != "Cf").strip()
    if not sign or any(ch.isdigit() for ch in sign) or len(sign.split()) > 3:
        return None
    # One letter is matched with its case ("R" is the rand, "r" is not); the rest
    # case-folded ("KČ", "kč").
    return sign if len(sign) == 1 and sign.isalpha() else sign.casefold()


def _writes_decimal_comma(code: str, territory_currency: dict[str, str]) -> bool:
    territory_languages = get_global("territory_languages")
    symbols = []
    for territory, currency in territory_currency.items():
        if currency != code:
            continue
        for lang in territory_languages.get(territory, {}):
            try:
                locale = Locale.parse(f"{lang}_{territory}")
            except (ValueError, babel.UnknownLocaleError):
                continue  # a language CLDR has no locale for in this territory
            symbols.append(locale.number_symbols.get("latn", {}).get("decimal"))
    return bool(symbols) and all(sym == "," for sym in symbols)


def build() -> dict:
    current: set[str] = set()
    territory_currency: dict[str, str] = {}
    for territory in sorted(get_global("territory_currencies")):
        codes = get_territory_currencies(territory, ON, tender=True)
        current.update(codes)
        if codes and len(territory) == 2 and territory.isalpha():
            territory_currency[territory] = codes[0]
    counts: dict[str, Counter] = defaultdict(Counter)
    for ident in localedata.locale_identifiers():
        loc = Locale.parse(ident)
        seen: set[tuple[str, str]] = set()
        plural = loc._data.get("currency_names_plural", {})
        for code in current:
            signs = [loc.currency_symbols.get(code), loc.currencies.get(code)]
            signs += list(plural.get(code, {}).values())
            for sign in signs:
                key = _key(sign) if sign else None
                if key and key != code.casefold() and (key, code) not in seen:
                    seen.add((key, code))
                    counts[key][code] += 1
                # Each long word of a name too: "500 złotych" ("złotych polskich"),
                # "500 korun" ("korun českých"); shared words ("dollars") stay ambiguous.
                for word in (key or "").split()[:-1] + (key or "").split()[1:]:
                    if (
                        len(word) >= MIN_WORD
                        and " " in key
                        and (word, code) not in seen
                    ):
                        seen.add((word, code))
                        counts[word][code] += 1
    signs: dict[str, str | list[str]] = {}
    for key, counter in counts.items():
        if key.casefold() in STOP:
            continue
        top, n = counter.most_common(1)[0]
        total = sum(counter.values())
        if n / total >= DOMINANT:
            signs[key] = top
        else:
            signs[key] = [
                c for c, _ in sorted(counter.items(), key=lambda x: (-x[1], x[0]))
            ]
    # A bare "$" where the country's own currency is a dollar CLDR writes otherwise
    # ("HK$"): "$60/小時" in Hong Kong is the Hong Kong dollar, not a dollar from abroad.
    english = Locale.parse("en").currencies
    signs["$"] += sorted(
        code
        for code in current
        if "dollar" in english.get(code, "").casefold() and code not in signs["$"]
    )
    for key, value in EXTRAS.items():
        if isinstance(value, str) and (value.islower() or value in ("$", "£")):
            value = signs[value]  # an alias of another sign ("dollars" -> "$")
        signs[key] = value
    decimals = {
        code: get_currency_precision(code)
        for code in sorted(current)
        if get_currency_precision(code) != 2
    }
    # Three-decimal currencies whose countries write a decimal comma ("TND 89,000" is
    # 89 dinars): every locale of every territory using the currency has "," as decimal.
    decimal_comma = sorted(
        code
        for code, places in decimals.items()
        if places == 3 and _writes_decimal_comma(code, territory_currency)
    )
    return {
        "_source": f"Unicode CLDR via Babel {babel.__version__}; {__doc__.splitlines()[2]}",
        "codes": sorted(current),
        "signs": dict(sorted(signs.items())),
        "decimals": decimals,
        "decimal_comma": decimal_comma,
        "cased": CASED,
        "also": ALSO,
        "territory_currency": dict(sorted(territory_currency.items())),
    }


if __name__ == "__main__":
    data = build()
    OUT.write_text(
        json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8"
    )
    print(f"{OUT}: {len(data['signs'])} signs, {len(data['codes'])} currencies")
