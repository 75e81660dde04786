"""Writes pay.jsonl and dates.jsonl: labeled cases built from the sources' documented
formats.  The expected value of each case comes from the numbers and datetimes the case
is built from - never from the parser.  Re-run only to extend the set:
``python tests/labeled/make_pay_dates.py`` (seeded, so the output is stable).
"""

import json
import random
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).parent
rng = random.Random(20261125)
UTC = UTC


def money(x, style="plain"):
    if style == "cents":
        return f"{x:,.2f}"
    if style == "comma":
        return f"{x:,.0f}"
    if style == "euro":  # 1.200,50
        s = f"{x:,.2f}"
        return s.replace(",", "X").replace(".", ",").replace("X", ".")
    if style == "space":
        return f"{x:,.0f}".replace(",", " ")
    return f"{x:g}"


def pay_cases():
    out = []

    def add(text, pay_type, lo, hi, cur, period, hint=None, note=""):
        # A bare "$" names no one currency: Upwork's mapping passes its USD hint, and
        # without a hint the expected currency is None (reported as ambiguous).
        bare_dollar = "$" in text and not re.search(r"[A-Za-z]\$|USD", text)
        if hint is None and cur == "USD" and bare_dollar:
            if note.startswith("upwork"):
                hint = "USD"
            else:
                cur = None
        out.append(
            {
                "text": text,
                "hint": hint,
                "expected": None
                if pay_type is None
                else {
                    "pay_type": pay_type,
                    "min": lo,
                    "max": hi,
                    "currency": cur,
                    "period": period,
                },
                "form": note,
            }
        )

    # Upwork RSS description lines (<b>Hourly Range</b>: $30.00-$54.00 / <b>Budget</b>: $500)
    for _ in range(45):
        lo = rng.choice([3, 5, 8, 10, 12, 15, 18, 20, 25, 30, 35, 40, 45, 50, 60, 75])
        hi = lo + rng.choice([5, 10, 15, 20, 25, 40])
        add(
            f"Hourly Range: ${lo:.2f}-${hi:.2f}",
            "hourly",
            lo,
            hi,
            "USD",
            "hour",
            note="upwork_hourly",
        )
    for _ in range(10):
        x = rng.choice([10, 15, 25, 40])
        add(
            f"Hourly Rate: ${x:.2f}",
            "hourly",
            x,
            x,
            "USD",
            "hour",
            note="upwork_hourly_single",
        )
    for _ in range(40):
        b = rng.choice(
            [
                5,
                10,
                25,
                50,
                75,
                100,
                150,
                200,
                250,
                300,
                500,
                750,
                1000,
                1500,
                2000,
                3000,
                5000,
                10000,
                25000,
            ]
        )
        style = "comma" if b >= 1000 and rng.random() < 0.7 else "plain"
        add(
            f"Budget: ${money(b, style)}",
            "fixed",
            b,
            b,
            "USD",
            "project",
            note="upwork_budget",
        )
    # Remotive / WWR / Greenhouse salary strings
    for _ in range(35):
        lo = rng.choice([40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 150])
        hi = lo + rng.choice([10, 20, 30, 40, 50])
        tpl = rng.choice(
            [
                "${lo}k - ${hi}k",
                "${lo}k – ${hi}k",
                "${lo}K-${hi}K",
                "${lo},000 - ${hi},000",
                "${lo},000—${hi},000 USD",
                "USD {lo},000 - {hi},000",
                "${lo}k-${hi}k/year",
                "${lo},000 – ${hi},000 per year",
                "{lo},000-{hi},000 USD a year",
                "${lo}k to ${hi}k annually",
            ]
        )
        add(
            tpl.format(lo=lo, hi=hi),
            "salary",
            lo * 1000,
            hi * 1000,
            "USD",
            "year",
            note="salary_usd",
        )
    for cur, sym in (("EUR", "€"), ("GBP", "£")):
        for _ in range(10):
            lo = rng.choice([35, 40, 45, 50, 55, 60, 70, 80])
            hi = lo + rng.choice([10, 15, 20])
            tpl = rng.choice(
                [
                    "{s}{lo}k - {s}{hi}k",
                    "{s}{lo},000 - {s}{hi},000",
                    "{lo}-{hi}k {c}",
                    "{c} {lo},000–{hi},000 per annum",
                    "{s}{lo}k–{hi}k p.a.",
                ]
            )
            add(
                tpl.format(s=sym, lo=lo, hi=hi, c=cur),
                "salary",
                lo * 1000,
                hi * 1000,
                cur,
                "year",
                note="salary_eu",
            )
    for text, cur in (
        ("CA${a}k", "CAD"),
        ("A${a},000 p.a.", "AUD"),
        ("NZ${a}k", "NZD"),
        ("C${a},000 per year", "CAD"),
        ("AU${a}k - AU${b}k", "AUD"),
        ("CHF {a},000 - {b},000", "CHF"),
        ("SGD {a}k-{b}k", "SGD"),
    ):
        for a in (70, 95, 120):
            b = a + 20
            hi = b * 1000 if "{b}" in text else a * 1000
            add(
                text.format(a=a, b=b),
                "salary",
                a * 1000,
                hi,
                cur,
                "year",
                note="salary_other",
            )
    # Hourly strings with explicit units, several currencies
    units = [
        ("/hr", "hour"),
        ("/hour", "hour"),
        (" per hour", "hour"),
        (" an hour", "hour"),
        ("/h", "hour"),
        (" hourly", "hour"),
        ("/day", "day"),
        (" per day", "day"),
        (" a day", "day"),
        ("/week", "week"),
        (" per week", "week"),
        ("/mo", "month"),
        ("/month", "month"),
        (" per month", "month"),
        (" monthly", "month"),
    ]
    syms = [
        ("$", "USD"),
        ("€", "EUR"),
        ("£", "GBP"),
        ("₹", "INR"),
        ("USD ", "USD"),
        ("EUR ", "EUR"),
    ]
    kind = {"hour": "hourly", "day": "hourly", "week": "hourly", "month": "salary"}
    for _ in range(60):
        unit, period = rng.choice(units)
        sym, cur = rng.choice(syms)
        base = {
            "hour": [15, 20, 25, 30, 40, 50, 65, 80],
            "day": [150, 250, 300, 400, 500, 650],
            "week": [500, 800, 1200, 1500],
            "month": [1500, 2500, 3000, 4000, 6000, 8000],
        }[period]
        lo = rng.choice(base)
        if cur == "INR":
            lo *= 40
        ranged = rng.random() < 0.5
        hi = lo + (lo // 2 if ranged else 0)
        fmt = "comma" if lo >= 1000 else "plain"
        if ranged:
            sep = rng.choice(["-", " - ", "–", " to "])
            second = (
                money(hi, fmt)
                if sym.strip() in ("USD", "EUR") or rng.random() < 0.5
                else sym + money(hi, fmt)
            )
            text = f"{sym}{money(lo, fmt)}{sep}{second}{unit}"
        else:
            text = f"{sym}{money(lo, fmt)}{unit}"
        add(text, kind[period], lo, hi, cur, period, note="unit")
    # Open ranges
    for x in (20, 35, 60, 90):
        add(f"Up to ${x}/hr", "hourly", None, x, "USD", "hour", note="up_to")
        add(f"From ${x}/hour", "hourly", x, None, "USD", "hour", note="from")
        add(f"${x}+ per hour", "hourly", x, None, "USD", "hour", note="plus")
    for x in (80, 120, 150):
        add(
            f"Up to ${x}k", "salary", None, x * 1000, "USD", "year", note="up_to_salary"
        )
        add(f"${x}k+", "salary", x * 1000, None, "USD", "year", note="plus_salary")
    # Swapped bounds, European separators, bare numbers with hints
    for lo, hi in ((15, 35), (40, 60), (25, 30)):
        add(f"${hi}-${lo}/hr", "hourly", lo, hi, "USD", "hour", note="swapped")
    for x in (1200.5, 2500.0, 15000.0, 850.0):
        add(
            f"{money(x, 'euro')} €",
            "fixed" if x < 10000 else "salary",
            x,
            x,
            "EUR",
            "project" if x < 10000 else "year",
            note="euro_separators",
        )
    for hint in ("CAD", "AUD", "EUR", "GBP"):
        cur = hint if hint in ("CAD", "AUD") else None  # "$" is not EUR or GBP
        rule_cur = cur
        add(
            "$45/hr",
            "hourly",
            45,
            45,
            rule_cur,
            "hour",
            hint=hint,
            note="bare_dollar_hint",
        )
        add(
            "60 per hour",
            "hourly",
            60,
            60,
            hint,
            "hour",
            hint=hint,
            note="no_marker_hint",
        )
    # No figure
    for w in (
        "DOE",
        "Competitive",
        "Negotiable",
        "Competitive salary",
        "Salary: DOE",
        "Depends on experience",
        "TBD",
        "Not specified",
        "",
        "   ",
        "N/A",
        "Market rate",
        "Hourly",
        "Fixed-price",
        "$0",
        "0",
        "Budget: $0",
        "Competitive + equity",
    ):
        add(w, None, None, None, None, None, note="no_figure")
    return out


def date_cases():
    out = []
    now = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)

    def add(text, expected, note, now_=now):
        out.append(
            {
                "text": text,
                "now": now_.isoformat(),
                "expected": expected.strftime("%Y-%m-%dT%H:%M:%SZ")
                if expected
                else None,
                "form": note,
            }
        )

    start = datetime(2014, 1, 1, tzinfo=UTC).timestamp()
    span = datetime(2026, 10, 1, tzinfo=UTC).timestamp() - start
    for _ in range(230):
        dt = datetime.fromtimestamp(int(start + rng.random() * span), tz=UTC)
        form = rng.choice(
            [
                "rfc822",
                "rfc822_gmt",
                "rfc822_offset",
                "iso_z",
                "iso_naive",
                "iso_offset",
                "iso_ms",
                "epoch",
                "epoch_ms",
                "long",
                "long_short",
                "iso_space",
                "date_only",
                "rfc822_noday",
            ]
        )
        if form == "rfc822":
            text = dt.strftime("%a, %d %b %Y %H:%M:%S +0000")
        elif form == "rfc822_gmt":
            text = dt.strftime("%a, %d %b %Y %H:%M:%S GMT")
        elif form == "rfc822_noday":
            text = dt.strftime("%d %b %Y %H:%M:%S +0000")
        elif form == "rfc822_offset":
            off = rng.choice([-7, -5, -4, 1, 2, 5.5, 9])
            tz = timezone(timedelta(hours=off))
            local = dt.astimezone(tz)
            sign = "+" if off >= 0 else "-"
            h, m = divmod(int(abs(off) * 60), 60)
            text = local.strftime("%a, %d %b %Y %H:%M:%S ") + f"{sign}{h:02d}{m:02d}"
        elif form == "iso_z":
            text = dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        elif form == "iso_naive":
            text = dt.strftime("%Y-%m-%dT%H:%M:%S")
        elif form == "iso_space":
            text = dt.strftime("%Y-%m-%d %H:%M:%S")
        elif form == "iso_offset":
            off = rng.choice([-8, -4, 0, 2, 3])
            text = dt.astimezone(timezone(timedelta(hours=off))).isoformat()
        elif form == "iso_ms":
            text = dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        elif form == "epoch":
            text = str(int(dt.timestamp()))
        elif form == "epoch_ms":
            text = str(int(dt.timestamp()) * 1000)
        elif form == "long":
            text = dt.strftime("%B %d, %Y %H:%M UTC")
            dt = dt.replace(second=0)
        elif form == "long_short":
            text = dt.strftime("%b %d, %Y")
            dt = dt.replace(hour=0, minute=0, second=0)
        else:  # date_only
            text = dt.strftime("%Y-%m-%d")
            dt = dt.replace(hour=0, minute=0, second=0)
        add(text, dt, form)
    rel = [
        ("just now", 0),
        ("today", 0),
        ("yesterday", 86400),
        ("Posted yesterday", 86400),
        ("1 minute ago", 60),
        ("an hour ago", 3600),
        ("a day ago", 86400),
        ("30+ days ago", 30 * 86400),
        ("a week ago", 7 * 86400),
        ("a month ago", 30 * 86400),
    ]
    for n in (2, 3, 5, 10, 17, 23, 45):
        rel += [
            (f"{n} minutes ago", n * 60),
            (f"{n} hours ago", n * 3600),
            (f"{n} days ago", n * 86400),
            (f"{n}d", n * 86400),
            (f"{n}h", n * 3600),
            (f"Posted {n} hours ago", n * 3600),
        ]
    for n in (2, 3, 6):
        rel += [(f"{n} weeks ago", n * 7 * 86400), (f"{n} months ago", n * 30 * 86400)]
    for text, secs in rel:
        add(text, now - timedelta(seconds=secs), "relative")
    for text in (
        "",
        "   ",
        "not a date",
        "N/A",
        "soon",
        "0",
        "-5",
        "yesterday-ish later",
    ):
        add(text, None, "garbage")
    return out


def write(name, rows):
    with open(HERE / name, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write("pay.jsonl", pay_cases())
    write("dates.jsonl", date_cases())
