"""Rollup tables: month x source x category, month x source x skill, facet counts.

One scan of ``jobs`` (and one of ``job_skills``) feeds all of them: the rows come
through the cursor in chunks into Polars frames, each chunk is grouped, and the partial
counts are summed at the end - the same rows one SQL ``GROUP BY`` per table gives
(hourly-pay quantiles by :func:`quantile_sorted` over each group's sorted values),
about twice as fast, and a 5 million-row table is never held whole.

    >>> refresh_rollups(conn, ["2024-02"])
    {'months': 1, 'category_rows': ..., 'skill_rows': ..., 'seconds': ...}
"""

from __future__ import annotations

import json
import operator
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence

from crawler.db import transaction, utcnow

# Every table refresh_rollups writes.
ROLLUP_TABLES = (
    "category_month",
    "skill_month",
    "jobs_facet_counts",
    "jobs_facet_totals",
    "jobs_facet_combos",
)
# The columns jobs_facet_counts counts postings by (besides month): Datasette's default
# facets of the jobs table.
FACET_COLUMNS = ("source", "category", "pay_type", "country", "remote")
# What one scan of jobs reads for all the rollups: (name, Polars type, SQL expression).
_JOB_COLUMNS = (
    ("job_id", "String", "job_id"),
    ("month", "String", "month"),
    ("source", "String", "source"),
    ("category", "String", "category"),
    ("unique", "Int8", "dup_of IS NULL"),
    ("pay_type", "String", "pay_type"),
    ("hourly_usd_mid", "Float64", "hourly_usd_mid"),
    ("ai", "Int8", "coalesce(has_ai_skill, 0) = 1"),
    ("country", "String", "country"),
    ("remote", "Int64", "remote"),
)


def quantile_sorted(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated quantile of an already sorted sequence (numpy's default).

    >>> quantile_sorted([1.0, 2.0, 3.0, 4.0], 0.5)
    2.5
    """
    n = len(values)
    if n == 0:
        return None
    pos = (n - 1) * q
    lo = int(pos)
    hi = min(lo + 1, n - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def _jobs_source(months: list[str] | None) -> str:
    """``jobs`` for a few months (the month index helps), a plain scan for many.

    Going through jobs_month_category for every row costs a random table lookup per
    row; measured 2x slower than a sequential scan for a full rebuild at 1M rows.
    """
    return "jobs NOT INDEXED" if months is None or len(months) > 6 else "jobs"


def _month_filter(months: list[str] | None, column: str = "month") -> tuple[str, list]:
    if months is None:
        return f"{column} IS NOT NULL", []
    # json_each keeps the statement a single parameter however many months are given.
    return f"{column} IN (SELECT value FROM json_each(?))", [json.dumps(months)]


def _job_frames(conn: sqlite3.Connection, months: list[str] | None) -> Iterator:
    """Frames of the ``_JOB_COLUMNS`` of the postings in ``months`` (None = all) and of
    those without a month (their facet counts are redone each time)."""
    import polars as pl

    from crawler.frames import sql_frames

    schema = {name: getattr(pl, dtype) for name, dtype, _ in _JOB_COLUMNS}
    select = "SELECT " + ", ".join(sql for _, _, sql in _JOB_COLUMNS)
    if months is None:
        yield from sql_frames(conn, f"{select} FROM jobs NOT INDEXED", schema=schema)
        return
    where, params = _month_filter(months)
    yield from sql_frames(
        conn,
        f"{select} FROM {_jobs_source(months)} WHERE {where}",
        params,
        schema=schema,
    )
    # An index seek on jobs_month_category: postings without a date are few.
    yield from sql_frames(
        conn, f"{select} FROM jobs WHERE month IS NULL", schema=schema
    )


def refresh_rollups(
    conn: sqlite3.Connection, months: Iterable[str] | None = None
) -> dict:
    """Rebuild ``category_month``, ``skill_month`` and the facet counts for ``months``
    (None = all).

    Runs inside one transaction, so readers see either the old or the new rollups.

    >>> refresh_rollups(conn)["months"] > 12
    True
    """
    import polars as pl

    from crawler.frames import sql_frames

    started = time.perf_counter()
    month_list = _month_list(months)
    if month_list == []:
        return {"months": 0, "category_rows": 0, "skill_rows": 0, "seconds": 0.0}
    where, params = _month_filter(month_list)
    with transaction(conn):
        parts = _Parts()
        for frame in _job_frames(conn, month_list):
            parts.add(frame)
        skills_sql = "SELECT job_id, skill, is_ai FROM job_skills"
        if month_list is not None:
            skills_sql += f" WHERE job_id IN (SELECT job_id FROM jobs WHERE {where})"
        skill_rows = parts.skill_rows(
            sql_frames(
                conn,
                skills_sql,
                params,
                schema=_skill_schema(pl),
                chunk=100_000,
            )
        )
        counts = _write_rollups(
            conn, month_list, parts.category_rows(), skill_rows, parts.facet_rows()
        )
    return {**counts, "seconds": round(time.perf_counter() - started, 3)}


def _skill_schema(pl) -> dict:
    """The columns of a `job_skills` scan the skill rollup reads."""
    return {"job_id": pl.String, "skill": pl.String, "is_ai": pl.Int64}


def _month_list(months: Iterable[str] | None) -> list[str] | None:
    return None if months is None else sorted({m for m in months if m})


def _write_rollups(
    conn: sqlite3.Connection,
    month_list: list[str] | None,
    category_rows: list[tuple],
    skill_rows: list[tuple],
    facet_rows: list[tuple],
) -> dict:
    """Replace the rollup rows of ``month_list`` (None = all) by these rows (the
    caller holds the transaction); the counts ``refresh_rollups`` reports."""
    where, params = _month_filter(month_list)
    if month_list is None:
        conn.execute("DELETE FROM category_month")
        conn.execute("DELETE FROM skill_month")
    else:
        conn.execute(f"DELETE FROM category_month WHERE {where}", params)
        conn.execute(f"DELETE FROM skill_month WHERE {where}", params)
    conn.executemany(
        "INSERT INTO category_month (month, source, category, postings,"
        " unique_postings, hourly_n, hourly_median, hourly_p25, hourly_p75,"
        " ai_postings) VALUES (?,?,?,?,?,?,?,?,?,?)",
        category_rows,
    )
    conn.executemany(
        "INSERT INTO skill_month (month, source, skill, is_ai, postings,"
        " unique_postings) VALUES (?,?,?,?,?,?)",
        skill_rows,
    )
    _write_facet_counts(conn, month_list, facet_rows)
    n_category = conn.execute(
        f"SELECT count(*) FROM category_month WHERE {where}", params
    ).fetchone()[0]
    n_skill = conn.execute(
        f"SELECT count(*) FROM skill_month WHERE {where}", params
    ).fetchone()[0]
    n_months = (
        len(month_list)
        if month_list is not None
        else conn.execute(
            "SELECT count(DISTINCT month) FROM category_month"
        ).fetchone()[0]
    )
    return {"months": n_months, "category_rows": n_category, "skill_rows": n_skill}


def refresh_facet_counts(conn: sqlite3.Connection, months: list[str] | None) -> None:
    """Rebuild ``jobs_facet_counts`` alone for ``months`` (None = all); call inside a
    transaction.  ``refresh_rollups`` does this too.

    >>> refresh_facet_counts(conn, ["2024-02"])
    """
    parts = _Parts()
    for frame in _job_frames(conn, months):
        parts.add(frame)
    _write_facet_counts(conn, months, parts.facet_rows())


class _Parts:
    """The partial counts of each chunk of the jobs scan, summed at the end.

    Per chunk it keeps group counts only, plus the hourly pay of unique hourly postings
    (for the quantiles) and each dated posting's (job_id, month, source, unique) for
    the skill rollup.
    """

    def __init__(self) -> None:
        self.categories: list = []
        self.pay: list = []
        self.facets: list = []
        self.keys: list = []

    def add(self, frame) -> None:
        import polars as pl

        frame = frame.with_columns(pl.col("unique", "ai").cast(pl.Boolean))
        unique = pl.col("unique")
        hourly = (
            unique
            & (pl.col("pay_type") == "hourly")
            & pl.col("hourly_usd_mid").is_not_null()
        )
        self.facets.append(frame.group_by("month", *FACET_COLUMNS).agg(n=pl.len()))
        # Rows without a category still count: they are rolled up under "other".
        dated = frame.filter(pl.col("month").is_not_null()).with_columns(
            pl.col("category").fill_null("other")
        )
        self.categories.append(
            dated.group_by("month", "source", "category").agg(
                postings=pl.len(),
                unique_postings=unique.sum(),
                hourly_n=hourly.sum(),
                ai_postings=(unique & pl.col("ai")).sum(),
            )
        )
        self.pay.append(
            dated.filter(hourly).select("month", "source", "category", "hourly_usd_mid")
        )
        self.keys.append(
            dated.select(
                "job_id",
                pl.col("month").cast(pl.Categorical),
                pl.col("source").cast(pl.Categorical),
                "unique",
            )
        )

    def category_rows(self) -> list[tuple]:
        import polars as pl

        if not self.categories:
            return []
        counts = (
            pl.concat(self.categories).group_by(_CATEGORY_GROUP).agg(pl.all().sum())
        )
        return _category_rows(counts, pl.concat(self.pay))

    def skill_rows(self, skill_frames) -> list[tuple]:
        import polars as pl

        if not self.keys:
            return []
        keys = pl.concat(self.keys)
        self.keys = []
        group = ["month", "source", "skill"]
        parts = [
            frame.join(keys, on="job_id", how="inner")
            .group_by(group)
            .agg(
                is_ai=pl.col("is_ai").max(),
                postings=pl.len(),
                unique_postings=pl.col("unique").sum(),
            )
            for frame in skill_frames
        ]
        if not parts:
            return []
        return (
            pl.concat(parts)
            .group_by(group)
            .agg(
                pl.col("is_ai").max(),
                pl.col("postings").sum(),
                pl.col("unique_postings").sum(),
            )
            .with_columns(pl.col("month", "source").cast(pl.String))
            .sort(group)
            .rows()
        )

    def facet_rows(self) -> list[tuple]:
        import polars as pl

        if not self.facets:
            return []
        group = ["month", *FACET_COLUMNS]
        return (
            pl.concat(self.facets)
            .group_by(group)
            .agg(pl.col("n").sum())
            .sort(group)
            .rows()
        )


_CATEGORY_GROUP = ["month", "source", "category"]


def _category_rows(counts, pay) -> list[tuple]:
    """`category_month` rows: ``counts`` (one row per month, source, category with
    postings, unique_postings, hourly_n, ai_postings) and the quartiles of ``pay``'s
    hourly_usd_mid (the unique hourly postings) per group."""
    import polars as pl

    group = _CATEGORY_GROUP
    pay = (
        pay.select(*group, "hourly_usd_mid")
        .sort(*group, "hourly_usd_mid")
        .group_by(group, maintain_order=True)
        .agg(pl.col("hourly_usd_mid"))
    )
    quantiles = {
        (month, source, category): [
            quantile_sorted(values, q) for q in (0.5, 0.25, 0.75)
        ]
        for month, source, category, values in pay.iter_rows()
    }
    no_pay = [None, None, None]
    columns = ["postings", "unique_postings", "hourly_n", "ai_postings"]
    return [
        (*key, postings, unique, hourly_n, *quantiles.get(tuple(key), no_pay), ai)
        for *key, postings, unique, hourly_n, ai in counts.sort(group)
        .select(*group, *columns)
        .iter_rows()
    ]


def _write_facet_counts(
    conn: sqlite3.Connection, months: list[str] | None, rows: list[tuple]
) -> None:
    """Replace ``jobs_facet_counts`` for ``months`` (None = all) and for postings
    without a month by ``rows``, and rebuild ``jobs_facet_totals`` (the counts summed
    per facet value) and ``jobs_facet_combos`` (summed over months) from it.

    ``meta`` records when and up to which jobs rowid the counts were taken, so the
    Datasette plugin can tell when a crawl has stored postings since (it then labels
    the facets as stored counts of that time).
    """
    columns = ", ".join(FACET_COLUMNS)
    if months is None:
        conn.execute("DELETE FROM jobs_facet_counts")
    else:
        where, params = _month_filter(months)
        conn.execute(f"DELETE FROM jobs_facet_counts WHERE {where}", params)
        conn.execute("DELETE FROM jobs_facet_counts WHERE month IS NULL")
    marks = ",".join("?" * (len(FACET_COLUMNS) + 2))
    conn.executemany(
        f"INSERT INTO jobs_facet_counts (month, {columns}, n) VALUES ({marks})", rows
    )
    conn.execute("DELETE FROM jobs_facet_totals")
    conn.execute(
        "INSERT INTO jobs_facet_totals (facet, value, n) "
        + " UNION ALL ".join(
            f"SELECT '{column}', {column}, sum(n) FROM jobs_facet_counts GROUP BY {column}"
            for column in FACET_COLUMNS
        )
    )
    conn.execute("DELETE FROM jobs_facet_combos")
    conn.execute(
        f"INSERT INTO jobs_facet_combos ({columns}, n) SELECT {columns}, sum(n)"
        f" FROM jobs_facet_counts GROUP BY {columns}"
    )
    max_rowid = conn.execute("SELECT coalesce(max(rowid), 0) FROM jobs").fetchone()[0]
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [
            ("facet_counts_max_rowid", str(max_rowid)),
            ("facet_counts_refreshed_at", utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")),
        ],
    )


def rollups_current(conn: sqlite3.Connection) -> bool:
    """True when category_month covers exactly the jobs that have a month.

    Analyses use the rollups only when this holds, and fall back to the jobs table
    otherwise (a stale rollup would silently give wrong counts).
    """
    rolled = conn.execute(
        "SELECT coalesce(sum(postings), 0) FROM category_month"
    ).fetchone()[0]
    if not rolled:
        return False
    # Cheap check first: rows without a month are rare, so compare against count(*).
    jobs = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    if rolled == jobs:
        return True
    jobs = conn.execute("SELECT count(*) FROM jobs WHERE month IS NOT NULL").fetchone()[
        0
    ]
    return rolled == jobs


class BatchRollups:
    """The rollups of a bulk normalize from the rows it writes, not a rescan of `jobs`.

    ``add(jobs, skills)`` takes each written chunk (``db.job_rows`` shapes: `jobs` rows
    in ``JOB_COLUMNS`` order, (job_id, skill, is_ai, family, month) skill rows) and
    keeps its group counts as if every posting were unique, plus the hourly pay of its
    hourly postings.  Reposts are found afterwards: ``write(conn, months, reposts)``
    reads back only the reposts' rows (a few percent), takes them out of the unique
    counts and the pay, and writes exactly what ``refresh_rollups(conn, months)``
    would.  Only valid when `jobs` holds exactly the postings added (``covers``).
    """

    def __init__(self) -> None:
        from crawler.db import JOB_COLUMNS

        self.rows = 0
        self._pending: list = []  # (frame, skill frame) of chunks not grouped yet
        self._pending_rows = 0
        self.facets: list = []
        self.categories: list = []
        self.skills: list = []
        self.pay: list = []
        self._at = _BATCH_COLUMNS
        self._values = operator.itemgetter(
            *(JOB_COLUMNS.index("has_ai_skill" if c == "ai" else c) for c in self._at)
        )

    def add(self, jobs: list[tuple], skills: list[tuple]) -> None:
        import polars as pl

        if not jobs:
            return
        self.rows += len(jobs)
        rows = zip(*map(self._values, jobs), strict=True)
        columns = dict(zip(self._at, rows, strict=True))
        # As SQLite stores and the scan reads them: coalesce(has_ai_skill, 0) = 1,
        # remote an integer, hourly_usd_mid a REAL.
        columns["ai"] = [v == 1 for v in columns["ai"]]
        columns["remote"] = [None if v is None else int(v) for v in columns["remote"]]
        frame = pl.DataFrame(
            columns, schema=_batch_schema(pl), strict=False
        ).with_columns(pl.col("hourly_usd_mid").fill_nan(None))  # SQLite: NaN is NULL
        skill_frame = (
            pl.DataFrame(
                skills,
                schema={
                    "job_id": pl.String,
                    "skill": pl.String,
                    "is_ai": pl.Int64,
                    "family": pl.String,
                    "month": pl.String,
                },
                orient="row",
            )
            .drop("month")
            .unique()  # one job_skill_ids row per (job, skill_names row)
        )
        self._pending.append((frame, skill_frame))
        self._pending_rows += len(jobs)
        if self._pending_rows >= _BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        """Group the pending chunks' rows (one Polars pass per ~25,000 rows, not per
        chunk: fewer calls into its thread pool while the workers use the cores)."""
        import polars as pl

        if not self._pending:
            return
        frames, skill_frames = zip(*self._pending, strict=True)
        self._pending, self._pending_rows = [], 0
        self._add(pl.concat(frames), pl.concat(skill_frames))
        if len(self.facets) >= 64:
            self._compact()

    def _add(self, frame, skill_frame) -> None:
        import polars as pl

        self.facets.append(frame.group_by("month", *FACET_COLUMNS).agg(n=pl.len()))
        dated = _dated(frame)
        self.categories.append(
            dated.group_by(_CATEGORY_GROUP).agg(
                postings=pl.len(),
                unique_postings=pl.len(),
                hourly_n=_hourly(pl).sum(),
                ai_postings=pl.col("ai").sum(),
            )
        )
        self.pay.append(_pay_counts(dated))
        self.skills.append(
            _skill_counts(skill_frame, dated).with_columns(
                unique_postings=pl.col("postings")
            )
        )

    def _compact(self) -> None:
        import polars as pl

        self._flush()
        if not self.facets:
            return
        self.facets = [
            pl.concat(self.facets)
            .group_by("month", *FACET_COLUMNS)
            .agg(pl.col("n").sum())
        ]
        self.categories = [
            pl.concat(self.categories).group_by(_CATEGORY_GROUP).agg(pl.all().sum())
        ]
        self.skills = [
            pl.concat(self.skills)
            .group_by(_SKILL_GROUP)
            .agg(
                pl.col("is_ai").max(),
                pl.col("postings").sum(),
                pl.col("unique_postings").sum(),
            )
        ]
        self.pay = [pl.concat(self.pay).group_by(_PAY_GROUP).agg(pl.col("n").sum())]

    def covers(self, conn: sqlite3.Connection) -> bool:
        """True when `jobs` holds exactly the postings added (each added once)."""
        total = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
        return self.rows > 0 and total == self.rows

    def write(
        self,
        conn: sqlite3.Connection,
        months: Iterable[str] | None,
        reposts: list[str],
    ) -> dict:
        """Write the rollups of ``months`` (None = all), ``reposts`` (job_ids with a
        ``dup_of``) counted as not unique, in one transaction."""
        import polars as pl

        from crawler.frames import sql_frame

        started = time.perf_counter()
        month_list = _month_list(months)
        self._compact()
        if month_list == [] or not self.categories and not self.facets:
            return {"months": 0, "category_rows": 0, "skill_rows": 0, "seconds": 0.0}
        ids = json.dumps(reposts)
        select = ", ".join(sql for name, _, sql in _JOB_COLUMNS if name != "unique")
        schema = {
            name: getattr(pl, dtype)
            for name, dtype, _ in _JOB_COLUMNS
            if name != "unique"
        }
        with transaction(conn):
            dups = _dated(
                sql_frame(
                    conn,
                    f"SELECT {select} FROM jobs"
                    " WHERE job_id IN (SELECT value FROM json_each(?))",
                    [ids],
                    schema=schema,
                ).with_columns(pl.col("ai").cast(pl.Boolean))
            )
            dup_skills = sql_frame(
                conn,
                "SELECT job_id, skill, is_ai FROM job_skills"
                " WHERE job_id IN (SELECT value FROM json_each(?))",
                [ids],
                schema=_skill_schema(pl),
            )
            taken = dups.group_by(_CATEGORY_GROUP).agg(
                _u=pl.len(), _h=_hourly(pl).sum(), _a=pl.col("ai").sum()
            )
            counts = (
                self.categories[0]
                .join(taken, on=_CATEGORY_GROUP, how="left")
                .with_columns(pl.col("_u", "_h", "_a").fill_null(0))
                .select(
                    *_CATEGORY_GROUP,
                    "postings",
                    unique_postings=pl.col("unique_postings") - pl.col("_u"),
                    hourly_n=pl.col("hourly_n") - pl.col("_h"),
                    ai_postings=pl.col("ai_postings") - pl.col("_a"),
                )
            )
            pay = (
                self.pay[0]
                .join(
                    _pay_counts(dups).select(*_PAY_GROUP, _n="n"),
                    on=_PAY_GROUP,
                    how="left",
                )
                .select(
                    pl.col(_CATEGORY_GROUP).cast(pl.String),
                    pl.col("hourly_usd_mid").repeat_by(
                        pl.col("n") - pl.col("_n").fill_null(0)
                    ),
                )
                .explode("hourly_usd_mid")
                .drop_nulls("hourly_usd_mid")
            )
            skill_taken = _skill_counts(dup_skills, dups).select(
                *_SKILL_GROUP, _u="postings"
            )
            skills = (
                self.skills[0]
                .join(skill_taken, on=_SKILL_GROUP, how="left")
                .with_columns(
                    unique_postings=pl.col("unique_postings")
                    - pl.col("_u").fill_null(0)
                )
                .select(*_SKILL_GROUP, "is_ai", "postings", "unique_postings")
                .sort(_SKILL_GROUP)
                .rows()
            )
            facets = self.facets[0].sort("month", *FACET_COLUMNS).rows()
            counts = _write_rollups(
                conn, month_list, _category_rows(counts, pay), skills, facets
            )
        return {**counts, "seconds": round(time.perf_counter() - started, 3)}


_BATCH_ROWS = 25_000  # rows BatchRollups groups at once (more: ~1 KB of RSS per row)
# The jobs columns the batch rollups keep from each written row.
_BATCH_COLUMNS = (
    "job_id",
    "month",
    "source",
    "category",
    "pay_type",
    "hourly_usd_mid",
    "ai",  # jobs.has_ai_skill
    "country",
    "remote",
)
_SKILL_GROUP = ["month", "source", "skill"]


def _batch_schema(pl) -> dict:
    types = {name: getattr(pl, dtype) for name, dtype, _ in _JOB_COLUMNS}
    return {c: pl.Boolean if c == "ai" else types[c] for c in _BATCH_COLUMNS}


def _hourly(pl):
    """A unique posting's hourly pay counts (the batch applies ``unique`` apart)."""
    return (pl.col("pay_type") == "hourly") & pl.col("hourly_usd_mid").is_not_null()


_PAY_GROUP = [*_CATEGORY_GROUP, "hourly_usd_mid"]


def _pay_counts(dated):
    """How many unique hourly postings of each group have each hourly_usd_mid (a
    count per distinct value, not a row per posting: the batch keeps these)."""
    import polars as pl

    return (
        dated.filter(_hourly(pl))
        .with_columns(pl.col(_CATEGORY_GROUP).cast(pl.Categorical))
        .group_by(_PAY_GROUP)
        .agg(n=pl.len())
    )


def _dated(frame):
    """The postings with a month, category NULL rolled up under "other"."""
    import polars as pl

    return frame.filter(pl.col("month").is_not_null()).with_columns(
        pl.col("category").fill_null("other")
    )


def _skill_counts(skill_frame, dated):
    """(month, source, skill) -> is_ai (max), postings: ``skill_frame``'s (job_id,
    skill, is_ai) rows of the postings in ``dated``."""
    import polars as pl

    return (
        skill_frame.select("job_id", "skill", "is_ai")
        .join(dated.select("job_id", "month", "source"), on="job_id", how="inner")
        .group_by(_SKILL_GROUP)
        .agg(is_ai=pl.col("is_ai").max(), postings=pl.len())
    )
