"""normalize_listing's row: every `jobs` column, pay columns where they belong.

The row is assembled in one dict after the parsers ran (no incremental stores), the pay
and USD columns from a tuple: these tests hold each column to what the public parsers
say about the same listing, on the real-shaped fixtures (entities, non-ASCII text,
other currencies, missing pay) and on payloads no mapping can read.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.db import JOB_COLUMNS
from crawler.normalize import Pay, usd_figures
from crawler.normalize.listing import EMPTY_PAY, normalize_listing
from crawler.payloads import json_payload, rss_items

ROOT = Path(__file__).resolve().parent.parent
FETCHED = "2024-07-20T12:00:00Z"
USD_COLUMNS = (
    "hourly_usd_min",
    "hourly_usd_max",
    "hourly_usd_mid",
    "budget_usd",
    "salary_usd_year",
)


def fixture_listings() -> list[tuple[str, str, str]]:
    out = []
    for path in sorted((ROOT / "fixtures" / "upwork").rglob("*.xml"))[:12]:
        for i, item in enumerate(rss_items(path.read_bytes())):
            out.append(("upwork", f"{path.stem}-{i}", item))
    for path in sorted((ROOT / "fixtures" / "freelancer" / "api").glob("*.json")):
        for project in json.loads(path.read_text())["result"]["projects"]:
            out.append(("freelancer", str(project["id"]), json_payload(project)))
    return out + WRITTEN


# Written here: non-ASCII text, entities left by a feed that escaped twice, mojibake
# ("\u00c3\u00a9" is "é" read as Latin-1),
# a budget in another currency, a posting with no pay at all.
UPWORK_ITEM = """<item><title><![CDATA[Traducción &amp; revisión – Zürich café menu - Upwork]]></title>
<link>https://www.upwork.com/jobs/Traduccion_%7E01aa22bb33cc44dd55?source=rss</link>
<description><![CDATA[Necesitamos traducir el menú del café (¡urgente!). Don&#39;t use
ChatGPT, we check. Caf\u00c3\u00a9 owners since 1998.<br /><br /><b>Hourly Range</b>:
$12.50-$30.00\n<br /><b>Posted On</b>: July 19, 2024 04:41 UTC<br /><b>Category</b>:
Translation<br /><b>Skills</b>:Spanish,  German ,Copywriting<br /><b>Country</b>:
Switzerland<br /><a href="https://www.upwork.com/jobs/x">click to apply</a>]]></description>
<pubDate>Fri, 19 Jul 2024 04:41:00 +0000</pubDate></item>"""
WRITTEN = [
    ("upwork", "written-1", UPWORK_ITEM),
    (
        "upwork",
        "written-2",
        UPWORK_ITEM.split("<br /><b>Hourly Range")[0] + "]]></description></item>",
    ),
    (
        "freelancer",
        "9001",
        json_payload(
            {
                "id": 9001,
                "title": "Logo für eine Bäckerei in Köln",
                "description": "Wir brauchen ein Logo &amp; Visitenkarten. Keine KI!",
                "currency": {"code": "EUR"},
                "type": "fixed",
                "budget": {"minimum": 250, "maximum": 750},
                "jobs": [{"name": "Logo Design", "category": {"name": "Design"}}],
                "time_submitted": 1721363000,
            }
        ),
    ),
]


LISTINGS = fixture_listings()


def test_the_fixtures_have_the_variety_these_tests_need():
    rows = [normalize_listing(s, i, p, fetched_at=FETCHED)[0] for s, i, p in LISTINGS]
    assert any(r["pay_type"] == "unknown" for r in rows)
    assert {r["pay_currency"] for r in rows} - {"USD", None}  # other currencies
    assert any(r["budget_usd"] is not None for r in rows)
    assert any(r["hourly_usd_mid"] is not None for r in rows)
    assert any(not (r["description"] or "").isascii() for r in rows)


@pytest.mark.parametrize(("source", "source_id", "payload"), LISTINGS)
def test_row_columns_agree_with_the_parsers(source, source_id, payload):
    row, issues = normalize_listing(source, source_id, payload, fetched_at=FETCHED)
    assert set(JOB_COLUMNS) <= set(row)
    reasons = {field for _, field, _, _, _ in issues}
    if row["pay_type"] == "unknown":
        assert "pay" in reasons
        assert {k: row[k] for k in EMPTY_PAY} == EMPTY_PAY
        return
    assert "pay" not in reasons
    pay = Pay(
        row["pay_type"],
        row["pay_min"],
        row["pay_max"],
        row["pay_currency"],
        row["pay_period"],
        row["pay_raw"] or "",
        row["currency_rule"],
    )
    on = (
        datetime.fromisoformat(row["posted_at"][:-1])
        if row["posted_at"]
        else datetime(2024, 7, 20, tzinfo=UTC)
    ).date()
    figures = usd_figures(pay, on)
    assert {c: row[c] for c in USD_COLUMNS} == {c: figures[c] for c in USD_COLUMNS}
    assert ("pay_usd" in reasons) == bool(figures["fx_note"])


@pytest.mark.parametrize(
    ("source", "payload"),
    [("upwork", "<item><title>"), ("freelancer", "[1, 2"), ("greenhouse", "")],
)
def test_an_unreadable_payload_still_gives_a_whole_row(source, payload):
    row, issues = normalize_listing(source, "x1", payload, fetched_at=FETCHED)
    assert {k: row[k] for k in EMPTY_PAY} == EMPTY_PAY
    assert row["category"] == "other" and row["skills"] == []
    assert [field for _, field, _, _, _ in issues] == ["payload"]
