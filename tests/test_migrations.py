"""Databases made by earlier versions open, migrate and crawl with today's code.

tests/data/schemas/*.sql hold the DDL earlier versions ran (written from the git history
by make_schemas.py).  A database built from each, with a run recorded the old way, is
opened by `jobtrends` commands: it ends at the current ``PRAGMA user_version`` with exactly
the tables and columns of a new database, its old rows intact, and a crawl into it closes
its run record (the first schema had no ``crawl_runs.duplicates``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler import db as dbmod
from crawler.errors import UserError
from tests.conftest import FAST, rows, run_cli

SCHEMAS = Path(__file__).parent / "data" / "schemas"
OLD = sorted(SCHEMAS.glob("*.sql"))


def shape(path: Path) -> dict[str, list[tuple]]:
    """{table: [(column, type, notnull, default, pk)...]} of every table and view."""
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
            )
        ]
        return {
            n: [tuple(r)[1:] for r in conn.execute(f'PRAGMA table_info("{n}")')]
            for n in names
        }
    finally:
        conn.close()


def indexes(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger')"
                " AND sql IS NOT NULL"
            )
        }
    finally:
        conn.close()


def old_database(path: Path, schema: Path) -> None:
    """A database as that version left it: its DDL, one listing and one finished run."""
    conn = sqlite3.connect(path)
    conn.executescript(schema.read_text(encoding="utf-8"))
    conn.execute(
        "INSERT INTO raw_listings (source, source_id, payload, payload_format, payload_sha256,"
        " fetched_at, first_seen_at, last_seen_at) VALUES ('freelancer', 'old-1', '{}', 'json',"
        " 'x', '2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z', '2023-01-01T00:00:00Z')"
    )
    conn.execute(
        "INSERT INTO crawl_runs (spider, started_at, status, new) VALUES"
        " ('freelancer', '2023-01-01T00:00:00Z', 'finished', 1)"
    )
    conn.commit()
    conn.close()


def test_the_old_schemas_are_there():
    assert {p.stem for p in OLD} >= {"first", "before-migrations"}
    assert "duplicates" not in (SCHEMAS / "first.sql").read_text()


def test_a_new_database_is_at_the_latest_version(tmp_path):
    conn = dbmod.connect(tmp_path / "new.db")
    assert (
        dbmod.schema_version(conn)
        == dbmod.SCHEMA_VERSION
        == dbmod.MIGRATIONS[-1].version
    )
    conn.close()
    versions = [m.version for m in dbmod.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))


@pytest.mark.parametrize("schema", OLD, ids=[p.stem for p in OLD])
def test_an_old_database_migrates_to_the_shape_of_a_new_one(tmp_path, schema):
    new, old = tmp_path / "new.db", tmp_path / "old.db"
    dbmod.connect(new).close()
    old_database(old, schema)
    conn = dbmod.connect(old)
    assert dbmod.schema_version(conn) == dbmod.SCHEMA_VERSION
    conn.close()
    migrated, fresh = shape(old), shape(new)
    assert set(migrated) == set(fresh)
    for table, columns in fresh.items():
        # same columns, types, defaults and keys; a migrated table may order them differently
        assert sorted(migrated[table]) == sorted(columns), table
    assert indexes(old) == indexes(new)
    assert rows(old, "SELECT source_id FROM raw_listings")[0][0] == "old-1"
    assert rows(old, "SELECT duplicates, status FROM crawl_runs")[0][:] == (
        0,
        "finished",
    )
    # opening again changes nothing
    dbmod.connect(old).close()
    assert shape(old) == migrated


def test_a_database_from_the_first_schema_opens_and_crawls(tmp_path, fixture_server):
    db = tmp_path / "jobs.db"
    old_database(db, SCHEMAS / "first.sql")
    proc = run_cli(
        "crawl",
        "freelancer",
        "--db",
        str(db),
        "--base-url",
        fixture_server.base_url("freelancer"),
        "-a",
        "max_pages=1",
        "--log-file",
        str(tmp_path / "crawl.log"),
        *FAST,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = rows(db, "SELECT * FROM crawl_runs ORDER BY run_id DESC LIMIT 1")[0]
    assert (
        run["status"] == "finished" and run["new"] > 0 and run["duplicates"] is not None
    )
    assert (
        rows(db, "SELECT count(*) FROM jobs WHERE source = 'freelancer'")[0][0]
        == run["new"]
    )
    listing = run_cli("runs", "--db", str(db))
    assert listing.returncode == 0 and "finished" in listing.stdout


def test_a_database_from_a_newer_version_is_refused(tmp_path):
    db = tmp_path / "future.db"
    dbmod.connect(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {dbmod.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(UserError, match="newer than this jobtrends knows"):
        dbmod.connect(db)
    proc = run_cli("runs", "--db", str(db))
    assert proc.returncode == 2 and "upgrade jobtrends" in proc.stderr
    assert (
        len([line for line in proc.stderr.splitlines() if line.startswith("Error:")])
        == 1
    )
