"""find_reposts / mark_reposts: same company, same title, near-identical text, 60 days."""

import sqlite3

import pytest

from crawler.errors import UserError
from crawler.normalize import find_reposts, mark_reposts, normalize_title

DESC = (
    "We are looking for an experienced Python developer to build a data pipeline that "
    "reads CSV files, cleans them and loads them into PostgreSQL. Must know pandas and SQL. "
    "Long term work for the right person, about 20 hours per week."
)


def row(job_id, posted_at, company="acme", title="Python developer", description=DESC):
    return {
        "job_id": job_id,
        "company": company,
        "title": title,
        "description": description,
        "posted_at": posted_at,
    }


def test_repost_points_to_first():
    rows = [
        row("u:1", "2024-01-01T00:00:00Z"),
        row("u:2", "2024-01-20T00:00:00Z"),
        row("u:3", "2024-02-10T00:00:00Z"),
    ]
    assert find_reposts(rows) == {"u:2": "u:1", "u:3": "u:1"}


def test_order_of_input_does_not_matter():
    rows = [
        row("u:3", "2024-02-10T00:00:00Z"),
        row("u:1", "2024-01-01T00:00:00Z"),
        row("u:2", "2024-01-20T00:00:00Z"),
    ]
    assert find_reposts(rows) == {"u:2": "u:1", "u:3": "u:1"}


def test_beyond_60_days_is_a_new_posting():
    rows = [row("u:1", "2024-01-01T00:00:00Z"), row("u:2", "2024-03-15T00:00:00Z")]
    assert find_reposts(rows) == {}


def test_near_identical_text_counts():
    edited = DESC.replace("about 20 hours", "around 20 hours")
    rows = [
        row("u:1", "2024-01-01T00:00:00Z"),
        row("u:2", "2024-01-05T00:00:00Z", description=edited),
    ]
    assert find_reposts(rows) == {"u:2": "u:1"}


def test_different_text_is_not_a_repost():
    other = "Design a logo for our bakery. Warm colours, a croissant, and a modern font please."
    rows = [
        row("u:1", "2024-01-01T00:00:00Z"),
        row("u:2", "2024-01-05T00:00:00Z", description=other),
    ]
    assert find_reposts(rows) == {}


def test_different_company_or_title_is_not_a_repost():
    rows = [
        row("u:1", "2024-01-01T00:00:00Z"),
        row("u:2", "2024-01-05T00:00:00Z", company="globex"),
        row("u:3", "2024-01-06T00:00:00Z", title="Data engineer"),
    ]
    assert find_reposts(rows) == {}


def test_title_normalization_and_company_case():
    assert normalize_title("[URGENT] Python  Developer!") == "python developer"
    rows = [
        row("u:1", "2024-01-01T00:00:00Z"),
        row(
            "u:2", "2024-01-05T00:00:00Z", company=" ACME ", title="Python Developer!!"
        ),
    ]
    assert find_reposts(rows) == {"u:2": "u:1"}


def test_without_company_only_identical_text():
    near = DESC.replace("about 20 hours", "around 20 hours")
    rows = [
        row("u:1", "2024-01-01T00:00:00Z", company=None),
        row("u:2", "2024-01-05T00:00:00Z", company=None),
        row("u:3", "2024-01-06T00:00:00Z", company=None, description=near),
    ]
    assert find_reposts(rows) == {"u:2": "u:1"}


def test_garbage_rows_are_skipped():
    assert find_reposts([{}, None, {"job_id": "x"}, row("u:1", None)]) == {}  # type: ignore[list-item]


def _db(rows):
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(
        "CREATE TABLE jobs (job_id TEXT PRIMARY KEY, company TEXT, title TEXT, description TEXT,"
        " posted_at TEXT, dup_of TEXT)"
    )
    conn.executemany(
        "INSERT INTO jobs VALUES (?,?,?,?,?,NULL)",
        [
            (r["job_id"], r["company"], r["title"], r["description"], r["posted_at"])
            for r in rows
        ],
    )
    return conn


def _dups(conn):
    return dict(
        conn.execute(
            "SELECT job_id, dup_of FROM jobs WHERE dup_of IS NOT NULL ORDER BY job_id"
        ).fetchall()
    )


def test_mark_reposts_matches_find_reposts():
    rows = [
        row("u:1", "2024-01-01T00:00:00Z"),
        row("u:2", "2024-01-20T00:00:00Z"),
        row("u:3", "2024-01-21T00:00:00Z", company="globex"),
        row("u:4", "2024-01-22T00:00:00Z", company="globex"),
        row("u:5", "2024-06-01T00:00:00Z"),
    ]
    conn = _db(rows)
    assert mark_reposts(conn) == 2
    assert _dups(conn) == find_reposts(rows) == {"u:2": "u:1", "u:4": "u:3"}
    # Idempotent, and a stale dup_of is cleared.
    conn.execute("UPDATE jobs SET dup_of = 'bogus' WHERE job_id = 'u:5'")
    assert mark_reposts(conn) == 2
    assert _dups(conn) == {"u:2": "u:1", "u:4": "u:3"}


def test_mark_reposts_since_agrees_with_a_full_run():
    # A at day 0, B repost at day 50, C similar at day 100: C is 100 days after the chain's
    # first, so it is a new posting - also when only days >= 90 are recomputed.
    rows = [
        row("u:a", "2024-01-01T00:00:00Z"),
        row("u:b", "2024-02-20T00:00:00Z"),
        row("u:c", "2024-04-10T00:00:00Z"),
        row("u:d", "2024-04-12T00:00:00Z"),
    ]
    full = _db(rows)
    mark_reposts(full)
    partial = _db(rows)
    mark_reposts(partial)
    partial.execute("UPDATE jobs SET dup_of = NULL WHERE posted_at >= '2024-03-31'")
    mark_reposts(partial, since="2024-03-31")
    assert _dups(partial) == _dups(full) == {"u:b": "u:a", "u:d": "u:c"}


def test_mark_reposts_bad_since():
    with pytest.raises(UserError):
        mark_reposts(_db([]), since="yesterday-ish")


def test_mark_reposts_rolls_back_on_error():
    conn = _db([row("u:1", "2024-01-01T00:00:00Z"), row("u:2", "2024-01-02T00:00:00Z")])
    conn.execute("UPDATE jobs SET dup_of = 'keep' WHERE job_id = 'u:1'")
    conn.execute(
        "CREATE TRIGGER boom BEFORE UPDATE OF dup_of ON jobs WHEN new.dup_of = 'u:1' "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    with pytest.raises(sqlite3.DatabaseError):
        mark_reposts(conn)
    assert (
        conn.execute("SELECT dup_of FROM jobs WHERE job_id='u:1'").fetchone()[0]
        == "keep"
    )
