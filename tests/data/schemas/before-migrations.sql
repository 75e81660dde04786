-- jobtrends schema at commit 0f06877 (written by make_schemas.py)

-- crawler/db.py SCHEMA
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
    PRIMARY KEY (source, source_id)
);
CREATE INDEX IF NOT EXISTS raw_listings_last_run ON raw_listings(last_run_id);

CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    title TEXT,
    description TEXT,
    url TEXT,
    company TEXT,
    country TEXT,
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
    raw_sha256 TEXT
);
CREATE INDEX IF NOT EXISTS jobs_month_category ON jobs(month, category);
CREATE INDEX IF NOT EXISTS jobs_posted_at ON jobs(posted_at);
CREATE INDEX IF NOT EXISTS jobs_source ON jobs(source);
-- Covering index for analysis windows (report/compare): a posted_at range is answered
-- from the index alone, 3-4x faster than jobs_posted_at + table lookups at 1M rows.
CREATE INDEX IF NOT EXISTS jobs_window ON jobs(posted_at, category, dup_of, pay_type,
    hourly_usd_mid, hourly_usd_min, hourly_usd_max, source, country);
-- Datasette table page filtered on one facet value (?category=ai-ml, the facet links):
-- the row count is a seek in one of these indexes and "newest first" walks it backwards,
-- ms to 0.3 s at 5M rows instead of a table scan or a sort cut off at the 1 s limit.
CREATE INDEX IF NOT EXISTS jobs_category_posted ON jobs(category, posted_at);
CREATE INDEX IF NOT EXISTS jobs_pay_type_posted ON jobs(pay_type, posted_at);
CREATE INDEX IF NOT EXISTS jobs_country_posted ON jobs(country, posted_at);
CREATE INDEX IF NOT EXISTS jobs_remote_posted ON jobs(remote, posted_at);

CREATE TABLE IF NOT EXISTS job_skills (
    job_id TEXT NOT NULL,
    skill TEXT NOT NULL,
    is_ai INTEGER NOT NULL DEFAULT 0,
    family TEXT,
    month TEXT,
    PRIMARY KEY (job_id, skill)
);
CREATE INDEX IF NOT EXISTS job_skills_skill_month ON job_skills(skill, month);

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

-- crawler/db.py FTS_SCHEMA
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

-- crawler/normalize/run.py QUEUE_DDL
CREATE TABLE IF NOT EXISTS normalize_queue (
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    run_id INTEGER,
    PRIMARY KEY (source, source_id)
) WITHOUT ROWID;

-- crawler/runs.py OWNERS_DDL
CREATE TABLE IF NOT EXISTS run_owners (
    run_id INTEGER PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL);
