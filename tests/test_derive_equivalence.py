"""Reposts and rollups computed through Polars equal their plain definitions.

On the crawled fixtures and on a small synthetic set (with reposts, non-ASCII and
bracketed titles, odd company spellings): ``jobs.dup_of`` equals :func:`find_reposts`
over every row (the pure function, blocking in Python); an incremental run equals a
full one; every rollup table equals the SQL ``GROUP BY`` that defines it.
"""

from __future__ import annotations

from datetime import date

import pytest

from analysis.synth import REALISTIC, generate
from crawler.db import connect, save_raw, start_run
from crawler.normalize.bulk import normalize_db
from crawler.normalize.reposts import find_reposts, mark_reposts
from crawler.rollups import ROLLUP_TABLES, quantile_sorted, refresh_rollups

# Rows added to the synthetic set: block keys that leave the ASCII fast path (non-ASCII,
# brackets, a \x1f separator that str.split() knows and a regex \s does not).
ODD_ROWS = [
    ("odd:1", "  ÉLAN\x1fDesign  ", "[Urgent] Café menu translator", "2023-03-01"),
    ("odd:2", "élan design", "Café menu translator!", "2023-03-05"),
    ("odd:3", "Acme\tCorp", "Logo (v2) for ACME", "2023-03-02"),
    ("odd:4", "ACME CORP", "logo for acme", "2023-03-09"),
    ("odd:5", None, "Ｆｕｌｌ-width　title – über", "2023-03-03"),
    ("odd:6", None, "ｆｕｌｌ width title über", "2023-03-04"),
    ("odd:7", "", "Data entry &amp; cleanup", "2023-03-06"),
    ("odd:8", " ", "data entry amp cleanup", "2023-03-07"),
]
ODD_TEXT = "Need the same menu in English &amp; Deutsch — 40 Gerichte, Preise in €."


def _add_odd_rows(conn) -> None:
    conn.executemany(
        "INSERT INTO jobs (job_id, source, source_id, company, title, description,"
        " posted_at, month, category, pay_type, hourly_usd_mid, has_ai_skill)"
        " VALUES (?, 'odd', ?, ?, ?, ?, ?, ?, NULL, 'hourly', 30.5, NULL)",
        [
            (jid, jid, company, title, ODD_TEXT, f"{day}T10:00:00Z", day[:7])
            for jid, company, title, day in ODD_ROWS
        ],
    )
    conn.commit()


def _stored_synth(path, seed: int):
    """A database holding 3,000 synthetic raw listings, 15 % of them reposts."""
    conn = connect(path)
    run_id = start_run(conn, "synth", kind="synth", args={})
    raws = generate(
        date(2023, 1, 1),
        date(2023, 6, 30),
        rows=3000,
        seed=seed,
        repost_rate=0.15,
        noise=REALISTIC,
    )
    save_raw(conn, list(raws), run_id=run_id, seen_at="2023-07-01T00:00:00Z")
    return conn


@pytest.fixture(scope="module")
def synth_db(tmp_path_factory):
    conn = _stored_synth(tmp_path_factory.mktemp("derive") / "synth.db", seed=11)
    normalize_db(conn, progress=False, workers=1, derive=False)
    _add_odd_rows(conn)
    return conn


def _jobs(conn) -> list[dict]:
    cursor = conn.execute(
        "SELECT job_id, company, title, description, posted_at FROM jobs"
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor]


def _dups(conn) -> dict[str, str]:
    return dict(
        conn.execute("SELECT job_id, dup_of FROM jobs WHERE dup_of IS NOT NULL")
    )


def _check_reposts(conn, part_rows: int = 20_000) -> None:
    found = mark_reposts(conn, part_rows=part_rows)
    expected = find_reposts(_jobs(conn))
    assert found == len(expected) > 0
    assert _dups(conn) == expected
    # From a date: the rows before it are read, not recomputed; same result.
    since = conn.execute(
        "SELECT substr(posted_at, 1, 10) FROM jobs ORDER BY posted_at"
        " LIMIT 1 OFFSET (SELECT count(*) / 2 FROM jobs)"
    ).fetchone()[0]
    conn.execute("UPDATE jobs SET dup_of = 'stale' WHERE posted_at >= ?", (since,))
    conn.commit()
    mark_reposts(conn, since=since, part_rows=part_rows)
    assert _dups(conn) == expected


def _reference_rollups(conn) -> dict[str, list]:
    """The rollups by their SQL definitions (GROUP BY over jobs and job_skills)."""
    cat = "coalesce(category, 'other')"
    categories = {}
    for row in conn.execute(
        f"SELECT month, source, {cat}, count(*), sum(dup_of IS NULL),"
        " sum(dup_of IS NULL AND pay_type = 'hourly' AND hourly_usd_mid IS NOT NULL),"
        " sum(dup_of IS NULL AND coalesce(has_ai_skill, 0) = 1)"
        f" FROM jobs WHERE month IS NOT NULL GROUP BY 1, 2, 3"
    ):
        month, source, category, postings, unique, hourly_n, ai = tuple(row)
        pay = [
            v
            for (v,) in conn.execute(
                f"SELECT hourly_usd_mid FROM jobs WHERE month = ? AND source = ?"
                f" AND {cat} = ? AND dup_of IS NULL AND pay_type = 'hourly'"
                " AND hourly_usd_mid IS NOT NULL ORDER BY 1",
                (month, source, category),
            )
        ]
        quantiles = [quantile_sorted(pay, q) for q in (0.5, 0.25, 0.75)]
        categories[(month, source, category)] = (
            month,
            source,
            category,
            postings,
            unique,
            hourly_n,
            *quantiles,
            ai,
        )
    skills = conn.execute(
        "SELECT j.month, j.source, s.skill, max(s.is_ai), count(*), sum(j.dup_of IS NULL)"
        " FROM job_skills s JOIN jobs j ON j.job_id = s.job_id"
        " WHERE j.month IS NOT NULL GROUP BY 1, 2, 3"
    ).fetchall()
    facets = conn.execute(
        "SELECT month, source, category, pay_type, country, remote, count(*)"
        " FROM jobs GROUP BY 1, 2, 3, 4, 5, 6"
    ).fetchall()
    return {
        "category_month": sorted(categories.values(), key=repr),
        "skill_month": sorted(map(tuple, skills), key=repr),
        "jobs_facet_counts": sorted(map(tuple, facets), key=repr),
    }


def _rollups(conn) -> dict[str, list]:
    return {
        table: sorted(map(tuple, conn.execute(f"SELECT * FROM {table}")), key=repr)
        for table in ("category_month", "skill_month", "jobs_facet_counts")
    }


def _check_rollups(conn) -> None:
    refresh_rollups(conn)
    expected = _reference_rollups(conn)
    assert all(expected.values())
    assert _rollups(conn) == expected
    # One month refreshed after its postings changed: the same as a full rebuild.
    month = conn.execute("SELECT max(month) FROM jobs").fetchone()[0]
    conn.execute(
        "UPDATE jobs SET dup_of = NULL, category = NULL WHERE month = ?", (month,)
    )
    conn.commit()
    refresh_rollups(conn, [month])
    assert _rollups(conn) == _reference_rollups(conn)
    totals = conn.execute(
        "SELECT facet, value, n FROM jobs_facet_totals WHERE facet = 'source'"
    ).fetchall()
    assert (
        sum(n for _, _, n in totals)
        == conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    )
    # The counts summed over months, after the partial refresh too.
    combos = conn.execute(
        "SELECT source, category, pay_type, country, remote, n FROM jobs_facet_combos"
    )
    assert sorted(map(tuple, combos), key=repr) == sorted(
        map(
            tuple,
            conn.execute(
                "SELECT source, category, pay_type, country, remote, count(*) FROM jobs"
                " GROUP BY 1, 2, 3, 4, 5"
            ),
        ),
        key=repr,
    )


def test_synthetic_reposts_equal_the_pure_function(synth_db):
    # In parts of ~40 postings (whole blocks each), as a large table is read.
    _check_reposts(synth_db, part_rows=40)
    odd = {k: v for k, v in _dups(synth_db).items() if k.startswith("odd:")}
    # Same company key and title key after folding; without a company (a blank one
    # counts as none), the same text.
    assert odd == {
        "odd:2": "odd:1",
        "odd:4": "odd:3",
        "odd:6": "odd:5",
        "odd:8": "odd:7",
    }


def test_synthetic_rollups_equal_their_sql_definition(synth_db):
    mark_reposts(synth_db)
    _check_rollups(synth_db)


def test_fixture_crawl_reposts_and_rollups(crawl, fixture_server):
    _, db = crawl("upwork", fixture_server)
    crawl("freelancer", fixture_server)
    conn = connect(db)
    _check_reposts(conn)
    _check_rollups(conn)


def _tables(conn) -> dict[str, list]:
    """Every rollup row in the order it was written."""
    return {
        table: list(map(tuple, conn.execute(f"SELECT * FROM {table} ORDER BY rowid")))
        for table in ROLLUP_TABLES
    }


def _check_batch_rollups(conn, reposts: str) -> None:
    """A full normalize takes its rollups from the rows it wrote (BatchRollups), and
    into empty tables its reposts' block keys too (BlockKeys): the reposts must be the
    pure function's, and a rescan of `jobs` must write the same rollup rows in the
    same order."""
    stats = normalize_db(conn, progress=False, workers=1)
    assert stats.timings["rollups"] == "batch"
    assert stats.timings["reposts"] == reposts
    assert _dups(conn) == find_reposts(_jobs(conn))
    assert _dups(conn)  # reposts were taken out of the unique counts
    batch = _tables(conn)
    assert all(batch.values())
    refresh_rollups(conn)
    assert _tables(conn) == batch
    assert _rollups(conn) == _reference_rollups(conn)


def test_bulk_normalize_rollups_from_its_rows_equal_a_rescan(tmp_path):
    conn = _stored_synth(tmp_path / "batch.db", seed=12)
    _check_batch_rollups(conn, reposts="batch")
    # Again, every job rewritten: the batch still holds every row of `jobs` (the
    # tables were not empty: reposts read the table).
    _check_batch_rollups(conn, reposts="scan")
    # Jobs the run does not write (no raw listing): the rollups rescan `jobs`.
    _add_odd_rows(conn)
    assert normalize_db(conn, progress=False, workers=1).timings["rollups"] == "scan"
    assert _rollups(conn) == _reference_rollups(conn)


def test_fixture_bulk_normalize_rollups_equal_a_rescan(crawl, fixture_server):
    _, db = crawl("upwork", fixture_server)
    crawl("freelancer", fixture_server)
    conn = connect(db)
    with conn:
        for table in ("jobs", "job_skill_ids", "normalize_issues"):
            conn.execute(f"DELETE FROM {table}")
    _check_batch_rollups(conn, reposts="batch")
