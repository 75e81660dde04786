"""Clean fields: ISO 3166 country codes with the name kept, mojibake repaired, title
entities decoded; an older database gains the new column; the report groups them."""

from __future__ import annotations

import json
import sqlite3

import pytest

from analysis.report import country_group
from crawler.db import JOB_COLUMNS, SCHEMA, connect, job_rows, write_job_rows
from crawler.normalize.countries import country_detail, parse_country
from crawler.normalize.listing import normalize_listing
from crawler.normalize.text import clean_title, repair_mojibake


@pytest.mark.parametrize(
    "text, code",
    [
        ("United States", "US"),
        ("USA", "US"),
        ("US", "US"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("  united   states ", "US"),
        ("Estados Unidos", "US"),
        ("États-Unis", "US"),
        ("Vereinigte Staaten", "US"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("England", "GB"),
        ("Deutschland", "DE"),
        ("DEU", "DE"),
        ("Brasil", "BR"),
        ("España", "ES"),
        ("Russia", "RU"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Viet Nam", "VN"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("Cote d'Ivoire", "CI"),
        ("Côte d’Ivoire", "CI"),
        ("Palestinian Territories", "PS"),
        ("Macedonia", "MK"),
        ("Swaziland", "SZ"),
        ("Hong Kong", "HK"),
        ("India", "IN"),
        ("Philippines", "PH"),
    ],
)
def test_country_names_and_codes_become_alpha2(text, code):
    assert parse_country(text) == code
    assert country_detail(text) == (code, None)


@pytest.mark.parametrize(
    "text, reason",
    [
        (None, "missing"),
        ("", "missing"),
        ("Europe", "a region, not one country"),
        ("Worldwide", "a region, not one country"),
        ("USA, Canada", "several places, not one country"),
        ("US or UK", "several places, not one country"),
        ("Narnia", "unknown country name"),
        ("in", "unknown country name"),  # a code only as written in capitals
    ],
)
def test_unknown_countries_are_null_with_a_reason(text, reason):
    assert country_detail(text) == (None, reason)


@pytest.mark.parametrize(
    "text, fixed",
    [
        ("donâ€™t miss it", "don’t miss it"),
        ("CafÃ© menu design", "Café menu design"),
        ("Price: Â£50 per hour", "Price: £50 per hour"),
        ("â€œQuotedâ€\x9d text", "“Quoted” text"),
        # correct text is left alone
        ("Déjà vu — naïve café in São Paulo", "Déjà vu — naïve café in São Paulo"),
        ("Crème brûlée über Niño", "Crème brûlée über Niño"),
        ("plain ASCII", "plain ASCII"),
    ],
)
def test_mojibake_is_repaired(text, fixed):
    assert repair_mojibake(text) == fixed


@pytest.mark.parametrize(
    "title, clean",
    [
        ("R&amp;D Engineer", "R&D Engineer"),
        (
            "Writer for &quot;Tech &amp; Life&quot; blog",
            'Writer for "Tech & Life" blog',
        ),
        ("Designer&#x27;s assistant", "Designer's assistant"),
        ("AT&T data  analyst", "AT&T data analyst"),
        ("Senior Engineer â€“ Berlin", "Senior Engineer – Berlin"),
    ],
)
def test_titles_are_decoded(title, clean):
    assert clean_title(title) == clean


def imported(**fields) -> str:
    return json.dumps({"_raw": {}, **fields})


def test_listing_stores_the_code_and_keeps_the_name():
    row, issues = normalize_listing(
        "imported",
        "1",
        imported(
            title="Logo for a cafÃ© &amp; bakery",
            description="Weâ€™re a small bakery.",
            country="United States",
        ),
        fetched_at="2024-05-01T00:00:00Z",
    )
    assert (row["country"], row["country_raw"]) == ("US", "United States")
    assert row["title"] == "Logo for a café & bakery"
    assert row["description"] == "We’re a small bakery."
    assert not [i for i in issues if i[1] == "country"]


def test_listing_with_an_unknown_country_records_why():
    row, issues = normalize_listing(
        "imported",
        "2",
        imported(title="Data entry", country="Atlantis"),
        fetched_at="2024-05-01T00:00:00Z",
    )
    assert (row["country"], row["country_raw"]) == (None, "Atlantis")
    assert ("imported:2", "country", "Atlantis", "unknown country name") in [
        i[:4] for i in issues
    ]


def test_an_older_database_gains_country_raw_and_takes_new_rows(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    declared = [line for line in SCHEMA.splitlines() if "country_raw" in line]
    assert len(declared) == 1
    old.executescript(SCHEMA.replace(declared[0] + "\n", ""))  # the shape before
    old.execute(
        "INSERT INTO jobs (job_id, source, source_id, title, country)"
        " VALUES ('x:1', 'x', '1', 'Old row', 'United States')"
    )
    old.commit()
    with pytest.raises(sqlite3.OperationalError):
        old.execute("SELECT country_raw FROM jobs").fetchall()
    old.close()
    conn = connect(path)
    connect(path).close()  # idempotent: a second run adds nothing and does not fail
    assert tuple(conn.execute("SELECT country, country_raw FROM jobs").fetchone()) == (
        "United States",
        None,
    )
    row, issues = normalize_listing(
        "imported", "4", imported(title="Translator", country="France"), fetched_at=None
    )
    jobs, skills = job_rows(row)
    write_job_rows(conn, [jobs], skills, issues)
    stored = conn.execute(
        "SELECT country, country_raw FROM jobs WHERE job_id = ?", ("imported:4",)
    ).fetchone()
    assert tuple(stored) == ("FR", "France")


def test_new_rows_round_trip_through_the_database(tmp_path):
    conn = connect(tmp_path / "t.db")
    row, issues = normalize_listing(
        "imported",
        "3",
        imported(title="Python scripts", country="Deutschland"),
        fetched_at="2024-05-01T00:00:00Z",
    )
    jobs, skills = job_rows(row)
    write_job_rows(conn, [jobs], skills, issues)
    stored = conn.execute("SELECT country, country_raw FROM jobs").fetchone()
    assert tuple(stored) == ("DE", "Deutschland")
    assert "country_raw" in JOB_COLUMNS


@pytest.mark.parametrize(
    "country, group",
    [
        ("US", "north america"),
        ("GB", "europe"),
        ("IN", "south & east asia"),
        ("PH", "south & east asia"),
        # rows normalized before codes: names are read through the parser
        ("United States", "north america"),
        ("Germany", "europe"),
        ("Atlantis", "other"),
        (None, "unknown"),
    ],
)
def test_report_country_groups(country, group):
    assert country_group(country) == group


def test_upwork_rows_land_in_country_groups():
    """The composition control groups Upwork listings, whose feed names countries."""
    from crawler.fixture_server import FIXTURES
    from crawler.payloads import rss_items

    groups = []
    for path in sorted((FIXTURES / "upwork").rglob("*.xml"))[:3]:
        for n, item in enumerate(rss_items(path.read_bytes())):
            row, _ = normalize_listing(
                "upwork", f"{path.stem}-{n}", item, fetched_at="2024-07-20T00:00:00Z"
            )
            if row["country_raw"]:
                assert row["country"] and len(row["country"]) == 2, row["country_raw"]
                groups.append(country_group(row["country"]))
    assert "unknown" not in groups
    assert {"north america", "europe", "south & east asia"} <= set(groups)
    # before codes, every Upwork name fell through to "other" in the old lookup
    assert groups.count("other") < len(groups) / 4


@pytest.mark.parametrize(
    "name,code",
    [
        ("Россия", "RU"),
        ("Norge", "NO"),
        ("México", "MX"),
        ("Hong Kong", "HK"),
        ("DR Congo", "CD"),
        ("Sverige", "SE"),
        ("Україна", "UA"),
        ("日本", "JP"),
        ("香港", "HK"),
        ("Magyarország", "HU"),
        ("Türkiye", "TR"),
        ("مصر", "EG"),
    ],
)
def test_cldr_names_of_every_locale(name, code):
    """Endonyms and names in other languages come from CLDR's territory names."""
    assert parse_country(name) == code


def test_cldr_names_leave_regions_and_words_alone():
    assert country_detail("Europe") == (None, "a region, not one country")
    assert parse_country("Backend") is None
    assert parse_country("Narnia") is None
