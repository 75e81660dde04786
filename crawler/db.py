"""The database shape, declared in one place, and its numbered migrations.

Every command calls :func:`connect`, which opens the SQLite file in WAL mode and runs
:func:`ensure_db`: the migrations a database has not had yet (``PRAGMA user_version``
counts them), then ``SCHEMA``, which creates whatever table, index or trigger is
missing.  ``SCHEMA`` is today's shape (a new database gets it whole); ``MIGRATIONS``
bring an older database to it.  Changing the schema:

- a new table or index: declare it in ``SCHEMA`` (``IF NOT EXISTS``); nothing else;
- a new column: declare it in its ``CREATE TABLE`` and append one
  ``Migration(N, "...", add_column(table, column, declaration))`` to ``MIGRATIONS``;
- anything else (a backfill, a rebuilt table): a ``Migration`` with a function of its own.

tests/test_migrations.py opens databases made by earlier versions (tests/data/schemas/)
and checks they end with exactly the columns of a new one.  Writes on hot paths use plain
``sqlite3`` ``executemany`` inside one transaction (5-10x faster than sqlite-utils' batch
helpers); sqlite-utils is used for convenience elsewhere (``database(conn)``).
"""

from __future__ import annotations

import hashlib
import json
import operator
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from crawler import raw_codec
from crawler.errors import UserError

DEFAULT_DB = os.environ.get("JOBTRENDS_DB", "data/jobs.db")

# Columns of `jobs`, in order.  The normalizer returns dicts with exactly these keys.
JOB_COLUMNS: tuple[str, ...] = (
    "job_id",
    "source",
    "source_id",
    "title",
    "description",
    "url",
    "company",
    "country",
    "country_raw",
    "location",
    "remote",
    "posted_at",
    "posted_at_raw",
    "posted_flag",
    "month",
    "category",
    "source_category",
    "category_method",
    "category_confidence",
    "pay_type",
    "pay_min",
    "pay_max",
    "pay_currency",
    "pay_period",
    "pay_raw",
    "currency_rule",
    "hourly_usd_min",
    "hourly_usd_max",
    "hourly_usd_mid",
    "budget_usd",
    "salary_usd_year",
    "skills",
    "has_ai_skill",
    "dup_of",
    "fetched_at",
    "normalizer_version",
    "raw_sha256",
)

# The zstd dictionaries raw payloads are compressed with, one per source
# (crawler/raw_codec.py); dict NULL: training failed (note says why), payloads stay text.
PAYLOAD_DICTS = """
CREATE TABLE IF NOT EXISTS payload_dicts (
    dict_id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    samples INTEGER NOT NULL,
    level INTEGER NOT NULL,
    sha256 TEXT,
    dict BLOB,
    note TEXT,
    created_at TEXT NOT NULL
);
"""

# Each posting's skills, compact: a skill is stored once in skill_names and each
# posting-skill pair as two integers and the month, WITHOUT ROWID (no second copy of the
# key).  Readers use the view `job_skills` (job_id, skill, is_ai, family, month); its
# INSTEAD OF triggers let SQL insert, update and delete through it as through a table.
JOB_SKILL_TABLES = """
CREATE TABLE IF NOT EXISTS skill_names (
    skill_id INTEGER PRIMARY KEY,
    skill TEXT NOT NULL,
    is_ai INTEGER NOT NULL DEFAULT 0,
    family TEXT
);
CREATE INDEX IF NOT EXISTS skill_names_skill ON skill_names(skill);
CREATE TABLE IF NOT EXISTS job_skill_ids (
    job_id TEXT NOT NULL,
    skill_id INTEGER NOT NULL,
    month TEXT,
    PRIMARY KEY (job_id, skill_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS job_skill_ids_skill_month ON job_skill_ids(skill_id, month)
"""
# The trigger statements adding one view row (new.*) and removing one (old.*).
_SKILL_ROW_ADD = """
    INSERT INTO skill_names (skill, is_ai, family)
    SELECT new.skill, coalesce(new.is_ai, 0), new.family WHERE NOT EXISTS (
        SELECT 1 FROM skill_names WHERE skill = new.skill
        AND is_ai = coalesce(new.is_ai, 0) AND family IS new.family);
    INSERT OR IGNORE INTO job_skill_ids (job_id, skill_id, month)
    SELECT new.job_id, skill_id, new.month FROM skill_names WHERE skill = new.skill
        AND is_ai = coalesce(new.is_ai, 0) AND family IS new.family;"""
_SKILL_ROW_REMOVE = """
    DELETE FROM job_skill_ids WHERE job_id = old.job_id AND skill_id IN (
        SELECT skill_id FROM skill_names WHERE skill = old.skill
        AND is_ai = old.is_ai AND family IS old.family);"""
JOB_SKILLS = f"""{JOB_SKILL_TABLES};
CREATE VIEW IF NOT EXISTS job_skills AS
    SELECT s.job_id, k.skill, k.is_ai, k.family, s.month
    FROM job_skill_ids s JOIN skill_names k ON k.skill_id = s.skill_id;
CREATE TRIGGER IF NOT EXISTS job_skills_insert INSTEAD OF INSERT ON job_skills BEGIN
    {_SKILL_ROW_ADD}
END;
CREATE TRIGGER IF NOT EXISTS job_skills_delete INSTEAD OF DELETE ON job_skills BEGIN
    {_SKILL_ROW_REMOVE}
END;
CREATE TRIGGER IF NOT EXISTS job_skills_update INSTEAD OF UPDATE ON job_skills BEGIN
    {_SKILL_ROW_REMOVE}{_SKILL_ROW_ADD}
END;
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS raw_listings (
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    url TEXT,
    payload TEXT NOT NULL,
    payload_format TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    seen_count INTEGER NOT NULL DEFAULT 1,
    first_run_id INTEGER,
    last_run_id INTEGER,
    origin TEXT,
    -- NULL: payload is the text; else payload is a zstd frame made with this
    -- payload_dicts dictionary (crawler/raw_codec.py; read it as payload_text(...))
    payload_dict INTEGER,
    PRIMARY KEY (source, source_id)
);
CREATE INDEX IF NOT EXISTS raw_listings_last_run ON raw_listings(last_run_id);
{PAYLOAD_DICTS}

CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    title TEXT,
    description TEXT,
    url TEXT,
    company TEXT,
    country TEXT,  -- ISO 3166-1 alpha-2 ("US"), or NULL (reason in normalize_issues)
    country_raw TEXT,  -- the country as the source wrote it ("United States", "USA")
    location TEXT,
    remote INTEGER,
    posted_at TEXT,
    posted_at_raw TEXT,
    posted_flag TEXT,
    month TEXT,
    category TEXT,
    source_category TEXT,
    category_method TEXT,
    pay_type TEXT,
    pay_min REAL,
    pay_max REAL,
    pay_currency TEXT,
    pay_period TEXT,
    pay_raw TEXT,
    currency_rule TEXT,
    hourly_usd_min REAL,
    hourly_usd_max REAL,
    hourly_usd_mid REAL,
    budget_usd REAL,
    salary_usd_year REAL,
    skills TEXT,
    has_ai_skill INTEGER,
    dup_of TEXT,
    fetched_at TEXT,
    normalizer_version TEXT,
    raw_sha256 TEXT,
    category_confidence REAL,
    -- the browser's NOT NULL sort key (see POSTED_COLUMN)
    posted TEXT GENERATED ALWAYS AS (coalesce(posted_at, '')) VIRTUAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_month_category ON jobs(month, category);
CREATE INDEX IF NOT EXISTS jobs_posted_at ON jobs(posted_at);
CREATE INDEX IF NOT EXISTS jobs_source ON jobs(source);
-- Covering index for analysis windows (report/compare): a posted_at range is answered
-- from the index alone, 3-4x faster than jobs_posted_at + table lookups at 1M rows.
CREATE INDEX IF NOT EXISTS jobs_window ON jobs(posted_at, category, dup_of, pay_type,
    hourly_usd_mid, hourly_usd_min, hourly_usd_max, source, country);
-- Unique postings whose pay has amounts but no settled currency (those with a
-- pay_currency issue, ~2 % of postings): the browser's pay_left_out query and chart
-- join the issues to these few entries instead of reading each posting's row (1.8 s
-- at 5 M postings).
CREATE INDEX IF NOT EXISTS jobs_pay_left_out ON jobs(job_id, source, posted_at)
    WHERE pay_currency IS NULL AND pay_type <> 'unknown' AND dup_of IS NULL;

-- What `jobtrends report` estimated, one row per period pair, source, measure and item
-- (analysis/report_store.py); the browser's study dashboard reads it instead of redoing
-- the statistics in SQL.  value_* are per-day rates (volume), medians in USD/hour (pay)
-- or shares in % (skill); change_pct with its interval lo_pct..hi_pct.
CREATE TABLE IF NOT EXISTS report_estimates (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    measure TEXT NOT NULL,
    item TEXT NOT NULL,
    window_a TEXT NOT NULL,
    window_b TEXT NOT NULL,
    mode TEXT,
    n_a INTEGER,
    n_b INTEGER,
    value_a REAL,
    value_b REAL,
    change_pct REAL,
    lo_pct REAL,
    hi_pct REAL,
    base_rate_pct REAL,
    is_control INTEGER NOT NULL DEFAULT 0,
    suppressed INTEGER NOT NULL DEFAULT 0,
    min_count INTEGER,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (a, b, source, measure, item)
);

{JOB_SKILLS}

CREATE TABLE IF NOT EXISTS crawl_runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    spider TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'crawl',
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    finish_reason TEXT,
    pages INTEGER DEFAULT 0,
    items INTEGER DEFAULT 0,
    new INTEGER DEFAULT 0,
    updated INTEGER DEFAULT 0,
    unchanged INTEGER DEFAULT 0,
    duplicates INTEGER DEFAULT 0,
    skipped INTEGER DEFAULT 0,
    retries INTEGER DEFAULT 0,
    errors INTEGER DEFAULT 0,
    args TEXT,
    log_path TEXT,
    stats TEXT
);

CREATE TABLE IF NOT EXISTS skipped_listings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER,
    source TEXT,
    url TEXT,
    reason TEXT NOT NULL,
    detail TEXT,
    excerpt TEXT,
    at TEXT
);

CREATE TABLE IF NOT EXISTS normalize_issues (
    job_id TEXT NOT NULL,
    field TEXT NOT NULL,
    raw_value TEXT,
    reason TEXT NOT NULL,
    normalizer_version TEXT,
    PRIMARY KEY (job_id, field)
);

CREATE TABLE IF NOT EXISTS category_month (
    month TEXT NOT NULL,
    source TEXT NOT NULL,
    category TEXT NOT NULL,
    postings INTEGER NOT NULL,
    unique_postings INTEGER NOT NULL,
    hourly_n INTEGER NOT NULL,
    hourly_median REAL,
    hourly_p25 REAL,
    hourly_p75 REAL,
    ai_postings INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, source, category)
);

CREATE TABLE IF NOT EXISTS skill_month (
    month TEXT NOT NULL,
    source TEXT NOT NULL,
    skill TEXT NOT NULL,
    is_ai INTEGER NOT NULL DEFAULT 0,
    postings INTEGER NOT NULL,
    unique_postings INTEGER NOT NULL,
    PRIMARY KEY (month, source, skill)
);

CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT
);

-- Postings per month and default-facet value (crawler/rollups.py): Datasette's facets of
-- the jobs table (source, category, pay_type, country, remote) are sums over these rows
-- instead of a GROUP BY over every posting (analysis/datasette/plugin.py).  Same column
-- types as jobs, so a filter value compares the same way in both tables.
CREATE TABLE IF NOT EXISTS jobs_facet_counts (
    month TEXT,
    source TEXT,
    category TEXT,
    pay_type TEXT,
    country TEXT,
    remote INTEGER,
    n INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_facet_counts_month ON jobs_facet_counts(month);
-- Their totals per facet value (no month): the unfiltered table page reads ~100 rows.
-- value has no declared type, so remote stays an integer and the others text.
CREATE TABLE IF NOT EXISTS jobs_facet_totals (
    facet TEXT NOT NULL,
    value,
    n INTEGER NOT NULL
);
-- The counts summed over months (a few thousand rows against tens of thousands): the
-- facets and row count of a filter without month (a facet click: ?remote=1, ?country=US)
-- group these instead of every month's counts.
CREATE TABLE IF NOT EXISTS jobs_facet_combos (
    source TEXT,
    category TEXT,
    pay_type TEXT,
    country TEXT,
    remote INTEGER,
    n INTEGER NOT NULL
);

-- Monitors' verdict on each run (crawler/monitors.py); a failed check degrades the run.
CREATE TABLE IF NOT EXISTS run_checks (
    run_id INTEGER NOT NULL,
    "check" TEXT NOT NULL,
    passed INTEGER NOT NULL,
    value REAL,
    threshold REAL,
    detail TEXT,
    checked_at TEXT,
    PRIMARY KEY (run_id, "check")
);

-- The scheduler's memory: when each [[schedule]] entry last fired (crawler/schedule.py).
CREATE TABLE IF NOT EXISTS schedule_state (
    entry TEXT PRIMARY KEY,
    spider TEXT NOT NULL,
    last_fire_at TEXT,
    last_run_id INTEGER,
    last_exit INTEGER
);

-- Listings stored but not normalized yet (crawler/normalize/bulk.py): a crawl queues what
-- it added or changed in the same transaction; its close (or `normalize`) empties it.
CREATE TABLE IF NOT EXISTS normalize_queue (
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    run_id INTEGER,
    PRIMARY KEY (source, source_id)
) WITHOUT ROWID;

-- Which process writes each run (crawler/run_record.py), so a later look can tell it died.
CREATE TABLE IF NOT EXISTS run_owners (
    run_id INTEGER PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL);
""".replace("{PAYLOAD_DICTS}", PAYLOAD_DICTS).replace("{JOB_SKILLS}", JOB_SKILLS)

# A resumable crawl's own SQLite file of pending and done requests (crawler/resume.py),
# next to the database, not in it.
FRONTIER_SCHEMA = """
CREATE TABLE IF NOT EXISTS frontier (fp TEXT PRIMARY KEY, state TEXT NOT NULL,
    url TEXT, request BLOB)
"""

FTS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS jobs_fts USING fts5(
    title, description, content='jobs', content_rowid='rowid'
);
CREATE TRIGGER IF NOT EXISTS jobs_fts_ai AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts(rowid, title, description)
    VALUES (new.rowid, new.title, new.description);
END;
CREATE TRIGGER IF NOT EXISTS jobs_fts_ad AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, title, description)
    VALUES ('delete', old.rowid, old.title, old.description);
END;
CREATE TRIGGER IF NOT EXISTS jobs_fts_au AFTER UPDATE OF title, description ON jobs BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, title, description)
    VALUES ('delete', old.rowid, old.title, old.description);
    INSERT INTO jobs_fts(rowid, title, description)
    VALUES (new.rowid, new.title, new.description);
END;
"""


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """UTC ISO 8601 with seconds and a Z: ``2024-02-01T12:00:00Z``."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DatabaseUnusable(UserError):
    """``--db`` names something that cannot be used as the database (one line, exit 2)."""


def connect(
    path: str | os.PathLike = DEFAULT_DB,
    *,
    create: bool = True,
    read_only: bool = False,
) -> sqlite3.Connection:
    """Open the database (creating its folder and tables) in WAL mode.

    ``read_only=True``: the caller only reads; a database it cannot write (a read-only
    file or folder) is opened read-only instead of failing.  Every problem with the
    path itself (not SQLite, a file where a folder should be, no permission) raises
    :class:`DatabaseUnusable` with one line saying what is wrong.
    """
    path = Path(path)
    check_db_path(path)
    if not create and not path.exists():
        raise UserError(
            f"database {path} does not exist - run `jobtrends demo` or `jobtrends crawl` first"
        )
    if read_only and path.is_file() and not _writable(path):
        return open_read_only(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseUnusable(
            f"--db {path}: cannot create the folder {exc.filename or path.parent}"
            f" ({exc.strerror or exc})"
        ) from None
    try:
        conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
    except sqlite3.Error as exc:
        raise _unusable(path, exc) from None
    try:
        conn.row_factory = sqlite3.Row
        raw_codec.register(conn)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=60000")
        ensure_db(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _unusable(path, exc) from None
    return conn


def check_db_path(path: str | os.PathLike) -> None:
    """DatabaseUnusable when ``path`` is a folder or lies under a file used as a folder."""
    path = Path(path)
    if path.is_dir():
        raise DatabaseUnusable(f"--db {path} is a folder, not a database file")
    blocker = _file_in(path.parent)
    if blocker.exists() and not blocker.is_dir():
        raise DatabaseUnusable(f"--db {path}: {blocker} is a file, not a folder")


def _writable(path: Path) -> bool:
    """True when SQLite could write the file and its WAL files next to it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _file_in(folder: Path) -> Path:
    """The first part of ``folder`` that exists and is not a folder."""
    for part in (*reversed(folder.parents), folder):
        if part.exists() and not part.is_dir():
            return part
    return folder


def _unusable(path: Path, exc: sqlite3.Error) -> DatabaseUnusable:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return DatabaseUnusable(f"--db {path} is not a SQLite database ({text})")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        where = "folder" if not os.access(path.parent, os.W_OK | os.X_OK) else "file"
        return DatabaseUnusable(
            f"--db {path}: cannot write the database ({text}); its {where} is read-only"
            " - give a writable --db, or copy the file somewhere writable"
        )
    return DatabaseUnusable(f"--db {path}: {text}")


class ReadOnlyConnection(sqlite3.Connection):
    """What :func:`open_read_only` returns (``conn.read_only`` says so to callers)."""

    read_only = True


def is_read_only(conn: sqlite3.Connection) -> bool:
    return getattr(conn, "read_only", False)


def open_read_only(path: str | os.PathLike) -> sqlite3.Connection:
    """A read-only connection, no schema changes (``mode=ro``; ``immutable=1`` in a folder
    where SQLite cannot make its WAL files).  DatabaseUnusable when it cannot be read."""
    from urllib.parse import quote

    path = Path(path)
    flags = "mode=ro" if os.access(path.parent, os.W_OK | os.X_OK) else "immutable=1"
    try:
        conn = sqlite3.connect(
            f"file:{quote(str(path.resolve()))}?{flags}",
            uri=True,
            timeout=60,
            isolation_level=None,
            factory=ReadOnlyConnection,
        )
        conn.row_factory = sqlite3.Row
        raw_codec.register(conn)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise _unusable(path, exc) from None
    return conn


def database(conn: sqlite3.Connection):
    """A sqlite-utils view over an open connection."""
    import sqlite_utils  # imported here: it costs most of the CLI's start-up time

    return sqlite_utils.Database(conn)


# The browser's sort key: `posted`, posted_at with '' for an unknown date, never NULL.
# Datasette's next-page SQL adds "or posted_at is null" for a nullable sort column,
# which makes SQLite sort every row for page 2 on (seconds at 5 M postings); a NOT NULL
# column lets it drop that branch and walk an index.  A virtual generated column costs
# no storage; only its indexes do.  Migration 4 adds it to older databases.
POSTED_COLUMN = "TEXT GENERATED ALWAYS AS (coalesce(posted_at, '')) VIRTUAL NOT NULL"
# Newest first (the default) and every facet link (?category=..., ?source=...) walk one
# of these backwards: page 1, page N and a CSV stream of all rows read only their rows.
SORT_INDEXES = """
CREATE INDEX IF NOT EXISTS jobs_posted_key ON jobs(posted DESC, job_id);
CREATE INDEX IF NOT EXISTS jobs_source_posted_key ON jobs(source, posted);
CREATE INDEX IF NOT EXISTS jobs_category_posted_key ON jobs(category, posted);
CREATE INDEX IF NOT EXISTS jobs_pay_type_posted_key ON jobs(pay_type, posted);
CREATE INDEX IF NOT EXISTS jobs_country_posted_key ON jobs(country, posted);
CREATE INDEX IF NOT EXISTS jobs_remote_posted_key ON jobs(remote, posted);
"""
# Indexes the ones above replace (same columns on the nullable posted_at).
_REPLACED_INDEXES = (
    "jobs_category_posted",
    "jobs_pay_type_posted",
    "jobs_country_posted",
    "jobs_remote_posted",
)


@dataclass(frozen=True)
class Migration:
    """Step ``version`` of the schema: ``apply(conn)`` inside the migrating transaction.

    It must also be safe on a database that already has the change: databases made
    before migrations existed (user_version 0) may have any earlier shape.
    """

    version: int
    summary: str
    apply: Callable[[sqlite3.Connection], None]


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    # table_xinfo: generated columns (jobs.posted) are listed too.
    return [r[1] for r in conn.execute(f'PRAGMA table_xinfo("{table}")')]


def add_column(
    table: str, column: str, declaration: str
) -> Callable[[sqlite3.Connection], None]:
    """A migration step adding ``column`` to ``table`` where the table lacks it (a table
    not created yet gets it from ``SCHEMA``)."""

    def apply(conn: sqlite3.Connection) -> None:
        have = _columns(conn, table)
        if have and column not in have:
            conn.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {declaration}')

    return apply


def _drop_replaced_indexes(conn: sqlite3.Connection) -> None:
    for name in _REPLACED_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def _compress_payloads(conn: sqlite3.Connection) -> None:
    add_column("raw_listings", "payload_dict", "INTEGER")(conn)
    conn.execute(PAYLOAD_DICTS)  # one statement (executescript would COMMIT)
    if _columns(conn, "raw_listings"):
        raw_codec.compress_all(conn)


def _compact_job_skills(conn: sqlite3.Connection) -> None:
    kind = conn.execute(
        "SELECT type FROM sqlite_master WHERE name = 'job_skills'"
    ).fetchone()
    if kind is None or kind[0] != "table":
        return
    for statement in JOB_SKILL_TABLES.split(";"):  # no executescript: it would COMMIT
        conn.execute(statement)
    conn.execute(
        "INSERT INTO skill_names (skill, is_ai, family)"
        " SELECT DISTINCT skill, is_ai, family FROM job_skills"
    )
    conn.execute(
        "INSERT OR IGNORE INTO job_skill_ids (job_id, skill_id, month)"
        " SELECT s.job_id, k.skill_id, s.month FROM job_skills s JOIN skill_names k"
        " ON k.skill = s.skill AND k.is_ai = s.is_ai AND k.family IS s.family"
    )
    conn.execute("DROP TABLE job_skills")  # SCHEMA makes it the view


MIGRATIONS: list[Migration] = [
    Migration(
        1,
        "crawl_runs.duplicates: listings repeated within one run",
        add_column("crawl_runs", "duplicates", "INTEGER DEFAULT 0"),
    ),
    Migration(
        2,
        "jobs.category_confidence: the category's calibrated probability",
        add_column("jobs", "category_confidence", "REAL"),
    ),
    Migration(
        3,
        "jobs.country_raw: the country as the source wrote it (country is ISO)",
        add_column("jobs", "country_raw", "TEXT"),
    ),
    Migration(
        4,
        "jobs.posted: the browser's NOT NULL sort key (virtual, no storage)",
        add_column("jobs", "posted", POSTED_COLUMN),
    ),
    Migration(
        5,
        "drop the posted_at indexes the posted sort-key indexes replace",
        _drop_replaced_indexes,
    ),
    Migration(
        6,
        "raw payloads zstd-compressed with a dictionary per source (payload_dicts)",
        _compress_payloads,
    ),
    Migration(
        7,
        "job_skills compact: skill_names + job_skill_ids (WITHOUT ROWID), job_skills a view",
        _compact_job_skills,
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1].version  # what PRAGMA user_version says once migrated


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection) -> list[Migration]:
    """Apply the migrations this database has not had, in one transaction; returns them.

    A brand-new (empty) database skips them: ``SCHEMA`` creates today's shape directly.
    A database newer than this code (a downgrade) is a user error: it would be misread.
    """
    version = schema_version(conn)
    if version == SCHEMA_VERSION:
        return []
    if version > SCHEMA_VERSION:
        raise UserError(
            f"this database has schema version {version}, newer than this jobtrends knows"
            f" ({SCHEMA_VERSION}): upgrade jobtrends to open it"
        )
    with transaction(conn):
        version = schema_version(conn)  # another process may have migrated meanwhile
        empty = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        done = [] if empty else [m for m in MIGRATIONS if m.version > version]
        for step in done:
            step.apply(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return done


def ensure_db(conn: sqlite3.Connection) -> None:
    """Migrate, then create every table, index and trigger that is missing.  Safe on
    every run."""
    migrate(conn)
    conn.executescript(SCHEMA)
    conn.executescript(FTS_SCHEMA)
    conn.executescript(SORT_INDEXES)
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('schema_version', ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        " WHERE value IS NOT excluded.value",
        (str(SCHEMA_VERSION),),
    )
    dirty = conn.execute("SELECT value FROM meta WHERE key = 'fts_dirty'").fetchone()
    if dirty and dirty[0] == "1":
        rebuild_fts(conn)  # a bulk write was interrupted before it rebuilt the index


_FTS_TRIGGERS = ("jobs_fts_ai", "jobs_fts_ad", "jobs_fts_au")


def rebuild_fts(conn: sqlite3.Connection) -> None:
    """Rebuild the full-text index from `jobs` and clear the dirty mark."""
    with transaction(conn):
        conn.execute("INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild')")
        conn.execute("DELETE FROM meta WHERE key = 'fts_dirty'")


def fts_add_rows(conn: sqlite3.Connection, after_rowid: int) -> None:
    """Index the `jobs` rows above rowid ``after_rowid`` in one statement (for a writer
    that knows they are new and unindexed, its triggers dropped).  The caller holds
    the transaction."""
    conn.execute(
        "INSERT INTO jobs_fts(rowid, title, description)"
        " SELECT rowid, title, description FROM jobs WHERE rowid > ?",
        (after_rowid,),
    )


class deferred_fts:
    """``with deferred_fts(conn):`` bulk-write `jobs` without per-row FTS updates.

    The triggers cost about half of a job row's write time; a bulk write drops them and
    rebuilds the index once at the end (faster than row by row).  A ``fts_dirty`` mark
    in ``meta`` makes ``ensure_db`` rebuild the index if the process dies in between.
    A writer that indexed every row it wrote itself (``fts_add_rows``, in the same
    transactions) sets ``rebuild = False``: the triggers come back, no rebuild.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.rebuild = True

    def __enter__(self):
        with transaction(self.conn):
            self.conn.execute(
                "INSERT INTO meta(key, value) VALUES ('fts_dirty', '1')"
                " ON CONFLICT(key) DO UPDATE SET value = '1'"
            )
            for name in _FTS_TRIGGERS:
                self.conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.executescript(FTS_SCHEMA)  # triggers back first: later writes index
        if self.rebuild or exc_type is not None:
            rebuild_fts(self.conn)
        else:
            with transaction(self.conn):
                self.conn.execute("DELETE FROM meta WHERE key = 'fts_dirty'")
        return False


class transaction:
    """``with transaction(conn):`` - BEGIN IMMEDIATE ... COMMIT / ROLLBACK."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:
            # SQLite has already rolled back after some errors ("database or disk is
            # full"): a second ROLLBACK would raise and hide the real error.
            self.conn.execute("ROLLBACK")
        return False


class RawRow(NamedTuple):
    """One listing exactly as the source wrote it: what every writer stores.

    ``RawRow("upwork", "~01ab", xml, "xml", url=link, fetched_at=when)``.  A crawl's row
    has no ``seen_at`` (it is seen when it is saved); an import's row carries the time
    its file says it was seen (a dated sighting).  ``sha256`` is the payload's hash when
    the reader already computed it (bulk imports hash in the reading process).  A
    NamedTuple: bulk imports build millions and send them between processes.
    """

    source: str
    source_id: str
    payload: str
    payload_format: str  # xml | json | html | text | csv-row
    url: str | None = None
    fetched_at: str | None = None  # None: when it is saved
    origin: str | None = None  # page URL, or file:line for imports
    seen_at: str | None = None  # a dated sighting; None: seen when saved
    sha256: str | None = None


@dataclass
class SaveCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # seen again within the same run (e.g. repeated across pages)
    changed_keys: list[tuple[str, str]] = field(default_factory=list)
    # dated sightings only:
    widened: int = 0  # stored listings whose first/last seen moved out
    older_versions: int = 0  # a different payload older than the stored one (kept)

    def add(self, other: SaveCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.duplicates += other.duplicates
        self.changed_keys.extend(other.changed_keys)
        self.widened += other.widened
        self.older_versions += other.older_versions


_SEEN_LOOKUP = 2_000  # keys per SELECT ... IN (SQLite >= 3.32 allows 32766 parameters)


def _stored(
    conn: sqlite3.Connection, keys: Iterable[tuple[str, str]], columns: str
) -> dict[tuple[str, str], tuple]:
    """{(source, source_id): (columns...)} of the keys already in raw_listings.

    One ``source = ? AND source_id IN (...)`` per source and chunk: SQLite plans it once
    and probes the key index in order (a chain of ORs costs far more).
    """
    by_source: dict[str, list[str]] = {}
    for source, source_id in keys:
        by_source.setdefault(source, []).append(source_id)
    found: dict[tuple[str, str], tuple] = {}
    for source, ids in by_source.items():
        for i in range(0, len(ids), _SEEN_LOOKUP):
            chunk = ids[i : i + _SEEN_LOOKUP]
            for row in conn.execute(
                f"SELECT source_id, {columns} FROM raw_listings"
                f" WHERE source = ? AND source_id IN ({','.join('?' * len(chunk))})",
                [source, *chunk],
            ):
                found[(source, row[0])] = tuple(row[1:])
    return found


_RAW_INSERT = (
    "INSERT INTO raw_listings (source, source_id, url, payload, payload_dict,"
    " payload_format, payload_sha256, fetched_at, first_seen_at, last_seen_at,"
    " seen_count, first_run_id, last_run_id, origin)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def save_raw(
    conn: sqlite3.Connection,
    rows: Sequence[RawRow],
    *,
    run_id: int | None,
    seen_at: str | None = None,
    in_transaction: bool = False,
) -> SaveCounts:
    """Upsert raw listings on (source, source_id): the one way listings are stored.

    ``changed_keys`` lists the (source, source_id) pairs that are new or updated, the
    ones that need normalizing.  Payloads are stored compressed once their source has a
    dictionary (crawler/raw_codec.py); a source reaching ``raw_codec.TRAIN_ROWS``
    payloads with this batch gets one first, in the same transaction.

    Rows without ``seen_at`` (a crawl) are seen at ``seen_at`` (default now): a new
    listing is inserted; one seen before advances ``last_seen_at`` (never back) and
    ``seen_count``; its payload is replaced when it changed (``updated``).  A listing
    already stored by the same run counts as a ``duplicate``; within one batch a
    repeated key counts once (the last occurrence wins).

    Rows with ``seen_at`` (dated sightings, from imports of dated archives) keep
    min(first) and max(last) seen: the stored payload is the most recently seen version
    (an older different one counts in ``older_versions``); ``seen_count`` adds the
    distinct seen times outside the stored [first_seen_at, last_seen_at] range, so
    importing the same files again changes no payload, date or count (only
    ``last_run_id``).  Keys repeated in the batch count as ``duplicates``.
    """
    counts = SaveCounts()
    if not rows:
        return counts
    dated = sum(1 for r in rows if r.seen_at is not None)

    def write() -> None:
        raw_codec.train_where_due(conn, rows)
        packer = raw_codec.Packer(conn)
        if dated < len(rows):
            live = rows if not dated else [r for r in rows if r.seen_at is None]
            _save_live(conn, live, run_id, seen_at or iso(utcnow()), counts, packer)
        if dated:
            sightings = rows if dated == len(rows) else [r for r in rows if r.seen_at]
            _save_dated(conn, sightings, run_id, counts, packer)

    if in_transaction:
        write()
    else:
        with transaction(conn):
            write()
    return counts


def _stored_payload(
    row: RawRow, digest: str, packer: raw_codec.Packer, seen_at: str
) -> tuple:
    """(url, payload, payload_dict, payload_format, payload_sha256, fetched_at) as
    raw_listings stores them (the payload compressed when its source has a dictionary)."""
    payload, dict_id = packer.pack(row.source, row.payload)
    return (
        row.url,
        payload,
        dict_id,
        row.payload_format,
        digest,
        row.fetched_at or seen_at,
    )


def _new_row(
    row: RawRow,
    digest: str,
    packer: raw_codec.Packer,
    fetched_at: str,
    seen: tuple[str, str, int],
    run_id: int | None,
) -> tuple:
    """A new listing's ``_RAW_INSERT`` values; ``seen``: (first, last, seen_count)."""
    return (
        row.source,
        row.source_id,
        *_stored_payload(row, digest, packer, fetched_at),
        *seen,
        run_id,
        run_id,
        row.origin,
    )


def _save_live(
    conn: sqlite3.Connection,
    rows: Sequence[RawRow],
    run_id: int | None,
    seen_at: str,
    counts: SaveCounts,
    packer: raw_codec.Packer,
) -> None:
    """save_raw's rows seen now (see there)."""
    batch: dict[tuple[str, str], RawRow] = {}
    for item in rows:
        batch[(item.source, item.source_id)] = item
    existing = _stored(conn, batch, "payload_sha256, last_run_id")
    inserts, updates, touches = [], [], []
    for key, item in batch.items():
        digest = item.sha256 or sha256(item.payload)
        old, old_run = existing.get(key, (None, None))
        if old is None:
            counts.new += 1
            counts.changed_keys.append(key)
            inserts.append(
                _new_row(item, digest, packer, seen_at, (seen_at, seen_at, 1), run_id)
            )
        elif old != digest:
            counts.updated += 1
            counts.changed_keys.append(key)
            updates.append(
                (
                    *_stored_payload(item, digest, packer, seen_at),
                    seen_at,
                    run_id,
                    item.origin,
                    item.source,
                    item.source_id,
                )
            )
        else:
            if run_id is not None and old_run == run_id:
                counts.duplicates += 1
            else:
                counts.unchanged += 1
            touches.append((seen_at, run_id, item.source, item.source_id))
    inserts.sort()  # key order: each page of the key index is written once per batch
    conn.executemany(_RAW_INSERT, inserts)
    conn.executemany(
        "UPDATE raw_listings SET url=?, payload=?, payload_dict=?, payload_format=?,"
        " payload_sha256=?, fetched_at=?, last_seen_at=max(last_seen_at, ?),"
        " seen_count=seen_count+1, last_run_id=?, origin=? WHERE source=? AND source_id=?",
        updates,
    )
    conn.executemany(
        "UPDATE raw_listings SET last_seen_at=max(last_seen_at, ?),"
        " seen_count=seen_count+1, last_run_id=? WHERE source=? AND source_id=?",
        touches,
    )


def _save_dated(
    conn: sqlite3.Connection,
    rows: Sequence[RawRow],
    run_id: int | None,
    counts: SaveCounts,
    packer: raw_codec.Packer,
) -> None:
    """save_raw's dated sightings (see there).  New listings are inserted in key order,
    so each index page is written once per batch instead of once per row landing on it."""
    # Per key: the latest sighting (its payload wins); [first, last, distinct times]
    # only for the few keys read more than once in this batch.
    latest: dict[tuple[str, str], RawRow] = {}
    spans: dict[tuple[str, str], list] = {}
    for row in rows:
        key = (row.source, row.source_id)
        got = latest.setdefault(key, row)
        if got is row:
            continue
        counts.duplicates += 1
        seen = row.seen_at
        span = spans.get(key)
        if span is None:
            spans[key] = span = [got.seen_at, got.seen_at, {got.seen_at}]
        span[0] = min(span[0], seen)
        span[1] = max(span[1], seen)
        span[2].add(seen)
        if seen >= got.seen_at:
            latest[key] = row

    existing = _stored(
        conn, latest, "payload_sha256, first_seen_at, last_seen_at, last_run_id"
    )
    inserts, updates, touches = [], [], []
    for key, row in latest.items():
        digest = row.sha256 or sha256(row.payload)
        span = spans.get(key)
        if span is None:
            first = last = row.seen_at
            times = (first,)
        else:
            first, last, times = span
        old = existing.get(key) if existing else None
        if old is None:
            counts.new += 1
            counts.changed_keys.append(key)
            seen = (first, last, len(times))
            inserts.append(_new_row(row, digest, packer, row.seen_at, seen, run_id))
            continue
        old_digest, old_first, old_last, old_run = old
        outside = sum(1 for t in times if t < old_first or t > old_last)
        if outside:
            counts.widened += 1
        new_first, new_last = min(first, old_first), max(last, old_last)
        if old_digest != digest and last >= old_last:
            counts.updated += 1
            counts.changed_keys.append(key)
            updates.append(
                (
                    *_stored_payload(row, digest, packer, row.seen_at),
                    new_first,
                    new_last,
                    outside,
                    run_id,
                    row.origin,
                    row.source,
                    row.source_id,
                )
            )
            continue
        if old_digest != digest:
            counts.older_versions += 1
        if old_run is not None and old_run == run_id:
            counts.duplicates += 1  # read earlier in this same run
        else:
            counts.unchanged += 1
        touches.append(
            (new_first, new_last, outside, run_id, row.source, row.source_id)
        )
    inserts.sort()  # key order: see the docstring
    conn.executemany(_RAW_INSERT, inserts)
    conn.executemany(
        "UPDATE raw_listings SET url=?, payload=?, payload_dict=?, payload_format=?,"
        " payload_sha256=?, fetched_at=?, first_seen_at=?, last_seen_at=?,"
        " seen_count=seen_count+?, last_run_id=?, origin=? WHERE source=? AND source_id=?",
        updates,
    )
    conn.executemany(
        "UPDATE raw_listings SET first_seen_at=?, last_seen_at=?, seen_count=seen_count+?,"
        " last_run_id=? WHERE source=? AND source_id=?",
        touches,
    )


_JOB_INSERT = (
    f"INSERT INTO jobs ({', '.join(JOB_COLUMNS)}) VALUES ({', '.join('?' * len(JOB_COLUMNS))})"
    f" ON CONFLICT(job_id) DO UPDATE SET "
    + ", ".join(f"{c}=excluded.{c}" for c in JOB_COLUMNS if c != "job_id")
)
# Job rows are upserted from a per-connection staging table in ONE statement: with the
# full-text triggers live, one statement per row (executemany) made FTS5 flush its
# pending terms as a new segment for every row (~125 us per row, more than the row's own
# write); one statement lets it gather a whole chunk.  Untyped columns: values reach
# `jobs` exactly as bound, its column affinities apply as with a direct insert.
_JOB_STAGE = [
    f"CREATE TEMP TABLE IF NOT EXISTS job_stage ({', '.join(JOB_COLUMNS)})",
    f"INSERT INTO temp.job_stage VALUES ({', '.join('?' * len(JOB_COLUMNS))})",
    f"INSERT INTO jobs ({', '.join(JOB_COLUMNS)})"
    f" SELECT {', '.join(JOB_COLUMNS)} FROM temp.job_stage WHERE true ORDER BY rowid"
    " ON CONFLICT(job_id) DO UPDATE SET "
    + ", ".join(f"{c}=excluded.{c}" for c in JOB_COLUMNS if c != "job_id"),
    "DELETE FROM temp.job_stage",
]


_SKILLS_COLUMN = JOB_COLUMNS.index("skills")
_JOB_VALUES = operator.itemgetter(*JOB_COLUMNS)
_NAME_JSON: dict[str, str] = {}  # skill name -> its JSON string (a few hundred names)


def _names_json(skills: list[dict]) -> str:
    """``json.dumps([s["name"] for s in skills])``, each name encoded once per process."""
    parts = []
    for s in skills:
        name = s["name"]
        encoded = _NAME_JSON.get(name) if isinstance(name, str) else None
        if encoded is None:
            encoded = json.dumps(name)
            if isinstance(name, str) and len(_NAME_JSON) < 100_000:
                _NAME_JSON[name] = encoded
        parts.append(encoded)
    return "[" + ", ".join(parts) + "]"


def job_rows(job: dict) -> tuple[tuple, list[tuple]]:
    """One normalized job as its `jobs` row (JOB_COLUMNS order, skill names as JSON) and
    its `job_skills` rows."""
    skills = job.get("skills") or []
    try:  # normalize_listing's rows hold every column: one C call
        row = list(_JOB_VALUES(job))
    except KeyError:
        row = [job.get(c) for c in JOB_COLUMNS]
    row[_SKILLS_COLUMN] = _names_json(skills) if skills else "[]"
    job_id, month = job["job_id"], job.get("month")
    return tuple(row), [
        (job_id, s["name"], int(bool(s.get("is_ai"))), s.get("family"), month)
        for s in skills
    ]


def _skill_id_rows(conn: sqlite3.Connection, skills: list[tuple]) -> list[tuple]:
    """`job_skills` rows (job_id, skill, is_ai, family, month) as `job_skill_ids` rows,
    adding the skills `skill_names` lacks (the caller holds the transaction)."""
    ids = {
        (skill, is_ai, family): skill_id
        for skill_id, skill, is_ai, family in conn.execute(
            "SELECT skill_id, skill, is_ai, family FROM skill_names"
        )
    }
    out = []
    for job_id, skill, is_ai, family, month in skills:
        key = (skill, is_ai, family)
        skill_id = ids.get(key)
        if skill_id is None:
            skill_id = ids[key] = conn.execute(
                "INSERT INTO skill_names (skill, is_ai, family) VALUES (?, ?, ?)", key
            ).lastrowid
        out.append((job_id, skill_id, month))
    return out


def write_job_rows(
    conn: sqlite3.Connection,
    jobs: list[tuple],
    skills: list[tuple],
    issues: list[tuple[str, str, str | None, str, str]],
    *,
    new: bool = False,
) -> None:
    """Upsert `jobs` rows (from ``job_rows``) and replace their skills and normalize
    issues; the caller holds the transaction.  ``new=True``: the caller knows none of
    these jobs has a row yet (a bulk run into an empty `jobs`), so there are no earlier
    skills or issues to delete (two index probes per job saved)."""
    create, stage, upsert, clear = _JOB_STAGE
    conn.execute(create)
    conn.executemany(stage, jobs)
    conn.execute(upsert)
    conn.execute(clear)
    ids = [] if new else [(j[0],) for j in jobs]
    conn.executemany("DELETE FROM job_skill_ids WHERE job_id = ?", ids)
    conn.executemany(
        "INSERT OR IGNORE INTO job_skill_ids (job_id, skill_id, month) VALUES (?,?,?)",
        _skill_id_rows(conn, skills),
    )
    conn.executemany("DELETE FROM normalize_issues WHERE job_id = ?", ids)
    conn.executemany(
        "INSERT OR REPLACE INTO normalize_issues (job_id, field, raw_value, reason,"
        " normalizer_version) VALUES (?,?,?,?,?)",
        issues,
    )


def save_jobs(
    conn: sqlite3.Connection,
    jobs: Iterable[dict],
    issues: Iterable[tuple[str, str, str | None, str, str]] = (),
    *,
    in_transaction: bool = False,
) -> int:
    """Upsert normalized jobs, their skills and their normalize issues.

    ``issues`` holds (job_id, field, raw_value, reason, normalizer_version).  The
    job's earlier skills and issues are replaced, so re-normalizing is idempotent.
    """
    rows, skill_rows = [], []
    for job in jobs:
        row, skills = job_rows(job)
        rows.append(row)
        skill_rows.extend(skills)
    if not rows:
        return 0
    issues = list(issues)
    if in_transaction:
        write_job_rows(conn, rows, skill_rows, issues)
    else:
        with transaction(conn):
            write_job_rows(conn, rows, skill_rows, issues)
    return len(rows)


def start_run(
    conn: sqlite3.Connection,
    spider: str,
    *,
    kind: str = "crawl",
    args: dict | None = None,
    log_path: str | None = None,
) -> int:
    cur = conn.execute(
        "INSERT INTO crawl_runs (spider, kind, started_at, status, args, log_path)"
        " VALUES (?, ?, ?, 'running', ?, ?)",
        (spider, kind, iso(utcnow()), json.dumps(args or {}, sort_keys=True), log_path),
    )
    return int(cur.lastrowid)


def finish_run(conn: sqlite3.Connection, run_id: int, **fields) -> None:
    fields.setdefault("finished_at", iso(utcnow()))
    if "stats" in fields and not isinstance(fields["stats"], str):
        fields["stats"] = json.dumps(fields["stats"], default=str, sort_keys=True)
    sets = ", ".join(f"{k} = ?" for k in fields)
    conn.execute(
        f"UPDATE crawl_runs SET {sets} WHERE run_id = ?", [*fields.values(), run_id]
    )


def record_skip(
    conn: sqlite3.Connection,
    *,
    run_id: int | None,
    source: str,
    url: str | None,
    reason: str,
    detail: str = "",
    excerpt: str = "",
) -> None:
    conn.execute(
        "INSERT INTO skipped_listings (run_id, source, url, reason, detail, excerpt, at)"
        " VALUES (?,?,?,?,?,?,?)",
        (run_id, source, url, reason, detail[:2000], excerpt[:2000], iso(utcnow())),
    )
