"""parse_pay on the failure classes that price-parser's public suite showed (issue #21),
each tested with strings written here: same class, different text."""

import pytest

from crawler.normalize import parse_pay, parse_pay_detail

# text, country, (min, max, currency)
READ = [
    # A capital Cyrillic Er standing for the ruble sign; the lowercase letter is no sign.
    ("от 45 000 Р в месяц", None, (45_000, None, "RUB")),
    ("Цена: 12 990 Р", None, (12_990, 12_990, "RUB")),
    # The forint only as "Ft"/"FT": "ft" is feet.
    ("Ebéd menü 2 490 Ft", None, (2490, 2490, "HUF")),
    ("Bruttó 650 000 FT / hó", None, (650_000, 650_000, "HUF")),
    # A sign labelling the amount with a colon.
    ("CHF: 95.50 / Stunde", None, (95.5, 95.5, "CHF")),
    ("Gehalt EUR:4.200 brutto", None, (4200, 4200, "EUR")),
    # Cents after a comma and a space, when a currency sign follows them.
    ("249, 90 €", None, (249.9, 249.9, "EUR")),
    ("Cena 1.299, 50 zł", None, (1299.5, 1299.5, "PLN")),
    ("Fiyat 74, 95 TL", None, (74.95, 74.95, "TRY")),
    # Fullwidth currency signs, as their ordinary forms.
    ("￡45 per hour", None, (45, 45, "GBP")),
    ("時給￥1,250", "JP", (1250, 1250, "JPY")),
    # Local signs CLDR lacks, in daily use.
    ("₵ 1,200 per month", None, (1200, 1200, "GHS")),
    ("Зарплата 18 000 hrn", None, (18_000, 18_000, "UAH")),
    ("£2,000 stg per month", None, (2000, 2000, "GBP")),
    ("Lương 350 000 Ks", None, (350_000, 350_000, "MMK")),
    ("Karama 600 000 Ar", None, (600_000, 600_000, "MGA")),
    ("Salaire 25 000 UM", None, (25_000, 25_000, "MRU")),
    ("ZK 4,800 monthly", None, (4800, 4800, "ZMW")),
    ("Db 1 500", None, (1500, 1500, "STN")),
    ("﷼ 150,000,000", "IR", (150_000_000, 150_000_000, "IRR")),
    ("ƒ 2.450", "AW", (2450, 2450, "AWG")),
    ("ரூ 85,000", "LK", (85_000, 85_000, "LKR")),
    # An Arabic abbreviation whose final dot was typed first (visual order).
    ("350 .د.ك", None, (350, 350, "KWD")),
]


@pytest.mark.parametrize("text,country,expected", READ, ids=[r[0] for r in READ])
def test_reads(text, country, expected):
    pay = parse_pay(text, country=country)
    assert pay is not None, text
    assert (pay.min, pay.max, pay.currency) == expected


# Ambiguous signs still take no currency without a country, after the new readings.
@pytest.mark.parametrize("text", ["￥3,980", "﷼ 90,000", "ƒ 25", "ரூ 5,000"])
def test_ambiguous_stays_empty(text):
    pay = parse_pay(text)
    assert pay is not None and pay.currency is None
    assert pay.currency_rule.startswith("ambiguous:")


# With no currency sign anywhere, figures that are not money give no pay.
@pytest.mark.parametrize(
    "text",
    [
        "Posted March 3, 2023",
        "Dezember 2024",
        "publié en juillet 2019",
        "Deadline 30-06",
        "Since 2021-07",
        "Min. order: 50 pcs",
        "Qty 3",
        "Минимальный заказ: 10 шт",
        "Desk 30 ft",
        "Ceiling 9 feet",
        "Weight 12 kg",
        "256 GB",
    ],
)
def test_not_money(text):
    assert parse_pay_detail(text) == (None, "not_money")


@pytest.mark.parametrize(
    "text,expected",
    [
        # No sign after the cents: a list of two numbers stays the first number.
        ("Sizes 10, 12", (10, None)),
        # "5 ks" (pieces), "10 um": the new capitals-only signs are no signs in lowercase.
        ("5 ks", (5, None)),
        ("10 um", (10, None)),
        # A sign on the page keeps a month's year out of the not-money rule's way.
        ("Budget March 2025: 4 000 €", (4000, "EUR")),
        # "approx." is no month.
        ("approx. 2000", (2000, None)),
    ],
)
def test_left_as_before(text, expected):
    pay = parse_pay(text)
    assert pay is not None and (pay.min, pay.currency) == expected
