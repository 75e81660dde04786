"""Reposts: the same posting published again points to the first one through ``dup_of``.

Two postings are the same when (decided once, used by both functions):

* they share a **block**: the same non-empty company/client key (case- and
  space-insensitive) and the same normalized title (lower case, punctuation and runs of
  spaces folded, bracketed tags like "[Urgent]" dropped).  Postings without a company
  are blocked on the title alone and must then have an **identical** normalized
  description (a near match without a company is too weak a signal);
* their descriptions are near-identical: Jaccard similarity of word 2-shingles (bigrams)
  >= :data:`SIMILARITY` (0.9), or identical after normalization;
* the later one was posted within :data:`WINDOW_DAYS` (60) days of the block's first.

Within a block postings are taken in ``posted_at`` order (ties by job_id); each is
compared with the *first* posting of every open chain; a posting more than 60 days
after a chain's first starts a new chain.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import deque
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import groupby

from crawler.errors import UserError

SIMILARITY = 0.9
WINDOW_DAYS = 60
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_BRACKETS_RE = re.compile(r"[\[(][^\])]{0,30}[\])]")


# ASCII letters and digits stay, everything else separates: the same words as _WORD_RE
# on ASCII text, through str.translate (fast on ASCII) instead of a regex.
_ASCII_SEPARATORS = {c: " " for c in range(128) if not chr(c).isalnum()}


def _words(text) -> list[str]:
    if not isinstance(text, str):
        return []
    if text.isascii():
        return text.lower().translate(_ASCII_SEPARATORS).split()
    return _WORD_RE.findall(text.casefold())


def normalize_title(title: str | None) -> str:
    """``normalize_title("[URGENT] Python  Developer!")`` -> ``"python developer"``."""
    if not isinstance(title, str):
        return ""
    if "[" in title or "(" in title:
        title = _BRACKETS_RE.sub(" ", title)
    return " ".join(_words(title))


def _company_key(company) -> str:
    return " ".join(company.casefold().split()) if isinstance(company, str) else ""


def _shingles(words: list[str]) -> frozenset:
    """Word bigrams (zip keeps this in C: 5x faster than joining strings)."""
    if len(words) < 2:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(zip(words, words[1:], strict=False))


def _parse_time(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _similar(a: frozenset, b: frozenset) -> bool:
    if a == b:
        return True
    if not a or not b:
        return False
    # Cheap bound first: Jaccard <= min/max of the sizes.
    small, large = sorted((len(a), len(b)))
    if small < SIMILARITY * large:
        return False
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter) >= SIMILARITY


def _dedupe_block(rows: list[dict]) -> Iterator[tuple[str, str]]:
    """(job_id, first_job_id) for the reposts in one block, rows sorted by time.

    A row marked ``_frozen`` (before the range being recomputed) is never reported; it
    can open a chain only if it is not itself a repost (``dup_of`` empty), which keeps
    an incremental run consistent with a full one.

    Open chains expire from the left of a deque (rows come in time order).  Blocks
    without a company need an identical normalized text, found with one dict lookup
    (their shingles are never computed); blocks with a company compare shingles with
    every open chain (such blocks are small: one client's same-titled postings).
    """
    window = timedelta(days=WINDOW_DAYS)
    chains: deque[tuple[datetime, str, frozenset | None, str]] = deque()
    by_text: dict[str, deque[str]] = {}  # normalized text -> open chains' first ids
    for row in rows:
        when = _parse_time(row.get("posted_at"))
        if when is None:
            continue
        while chains and when - chains[0][0] > window:
            text = chains.popleft()[3]
            opened = by_text[text]
            opened.popleft()
            if not opened:
                del by_text[text]
        words = _words(row.get("description"))
        norm_text = " ".join(words)
        has_company = bool(_company_key(row.get("company")))
        shingles = _shingles(words) if has_company else None
        if row.get("_frozen"):
            if not row.get("dup_of"):
                chains.append((when, row["job_id"], shingles, norm_text))
                by_text.setdefault(norm_text, deque()).append(row["job_id"])
            continue
        match = None
        if has_company:
            for _, first_id, first_sh, _text in chains:
                if first_sh is not None and _similar(shingles, first_sh):
                    match = first_id
                    break
        elif norm_text and norm_text in by_text:
            match = by_text[norm_text][0]
        if match is not None:
            yield row["job_id"], match
        else:
            chains.append((when, row["job_id"], shingles, norm_text))
            by_text.setdefault(norm_text, deque()).append(row["job_id"])


def _block_key(row: dict) -> tuple[str, str]:
    return (_company_key(row.get("company")), normalize_title(row.get("title")))


def find_reposts(rows: Iterable[dict]) -> dict[str, str]:
    """{job_id: first_job_id} for every repost among ``rows`` (dicts with job_id, company,
    title, description, posted_at):
    ``find_reposts([a, a_again_10_days_later])`` -> ``{"upwork:2": "upwork:1"}``."""
    blocks: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        if not isinstance(row, dict) or not row.get("job_id"):
            continue
        key = _block_key(row)
        if not key[1]:
            continue  # no title: nothing to compare on
        blocks.setdefault(key, []).append(row)
    out: dict[str, str] = {}
    for block in blocks.values():
        block.sort(key=lambda r: (r.get("posted_at") or "", r["job_id"]))
        out.update(_dedupe_block(block))
    return out


# Python's str.split() separators among ASCII characters (\x1c-\x1f included, which
# a regex's \s leaves out): _company_key on ASCII text, as a vectorized expression.
_ASCII_SPACE_RUN = r"[\t\n\x0b\x0c\r\x1c-\x1f ]+"


def _with_key(frame, column: str, key: str, simple, vectorized, function):
    """``frame`` with ``key`` = ``function(column)``, "" for NULL: the rows where
    ``simple`` holds get the equal ``vectorized`` expression, the others call
    ``function`` once per distinct value."""
    import polars as pl

    distinct = frame.select(column).unique().drop_nulls()
    easy, hard = distinct.filter(simple), distinct.filter(~simple)
    table = pl.concat(
        [
            easy.with_columns(vectorized.alias(key)),
            hard.with_columns(
                pl.Series(key, [function(v) for v in hard[column]], pl.String)
            ),
        ]
    )
    return frame.join(table, on=column, how="left").with_columns(
        pl.col(key).fill_null("")
    )


def _ascii(column: str):
    import polars as pl

    return pl.col(column).str.contains(r"^[\x00-\x7f]*$")


def _ascii_words(column: str):
    """``" ".join(_words(text))`` on ASCII text: runs of letters and digits, lower case."""
    import polars as pl

    return (
        pl.col(column)
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", " ")
        .str.strip_chars(" ")
    )


def _group_keys(frame):
    """``frame`` (company, title) with the block keys ``ck`` and ``tk`` added, equal to
    :func:`_company_key` and :func:`normalize_title` (vectorized on ASCII values)."""
    import polars as pl

    frame = _with_key(
        frame,
        "company",
        "ck",
        _ascii("company"),
        pl.col("company")
        .str.to_lowercase()
        .str.replace_all(_ASCII_SPACE_RUN, " ")
        .str.strip_chars(" "),
        _company_key,
    )
    return _with_key(
        frame,
        "title",
        "tk",
        _ascii("title") & ~pl.col("title").str.contains(r"[\[(]"),
        _ascii_words("title"),
        normalize_title,
    )


def _text_key(text) -> str:
    return " ".join(_words(text))


def mark_reposts(
    conn: sqlite3.Connection, since: str | None = None, *, part_rows: int = 20_000
) -> int:
    """Recompute ``jobs.dup_of`` in one transaction; returns the number of reposts found
    (:func:`mark_reposts_pairs` does the work)."""
    return len(mark_reposts_pairs(conn, since, part_rows=part_rows))


def mark_reposts_pairs(
    conn: sqlite3.Connection,
    since: str | None = None,
    *,
    part_rows: int = 20_000,
    blocks: BlockKeys | None = None,
) -> list[tuple[str, str]]:
    """Recompute ``jobs.dup_of`` in one transaction; returns the reposts it set,
    (first job_id, repost's job_id) pairs.  ``blocks``: the block hashes of every
    posting in `jobs`, gathered as they were written (a full bulk normalize): the
    first pass is skipped (only without ``since``).

    First pass: the block keys (company key, normalized title) of every posting, by
    Polars (:func:`_group_keys`) chunk by chunk, kept as one hash per posting.  Only
    postings whose block hash is shared - blocks with more than one posting - are read
    again, with their descriptions, in parts of about ``part_rows`` postings (whole
    blocks per part, so memory holds one part whatever the table size), and go through
    :func:`_dedupe_block` in (posted_at, job_id) order.  With ``since`` (ISO date) only
    postings on or after it are recomputed; the 60 days before are read as possible
    first postings.
    """
    import polars as pl

    from crawler.frames import sql_frame, sql_frames

    params: list = []
    where = "title IS NOT NULL AND posted_at IS NOT NULL"
    since_iso = None
    if since:
        start = _parse_time(since)
        if start is None:
            raise UserError(f"since={since!r} is not an ISO date; use YYYY-MM-DD")
        since_iso = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        lookback = (start - timedelta(days=WINDOW_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
        where += " AND posted_at >= ?"
        params.append(lookback)
    text = pl.String
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Clearing touches only rows being recomputed; frozen rows keep their dup_of,
        # which the blocks below read.
        clear = "UPDATE jobs SET dup_of = NULL WHERE dup_of IS NOT NULL"
        if since_iso:
            conn.execute(clear + " AND posted_at >= ?", (since_iso,))
        else:
            conn.execute(clear)
        if blocks is not None and since is None:
            hashed = blocks.hashed()
        else:
            hashed = [
                _block_hashes(frame)
                for frame in sql_frames(
                    conn,
                    f"SELECT rowid, company, title FROM jobs WHERE {where}",
                    params,
                    schema={"rid": pl.Int64, "company": text, "title": text},
                    chunk=100_000,
                )
            ]
        shared = (
            pl.concat(hashed).filter(pl.len().over("block") > 1)
            if hashed
            else pl.DataFrame(schema={"rid": pl.Int64, "block": pl.UInt64})
        )
        del hashed
        parts = max(1, -(-shared.height // part_rows))
        pending: list[tuple[str, str]] = []
        for part in range(parts):
            rids = shared.filter(pl.col("block") % parts == part)["rid"].to_list()
            frame = sql_frame(
                conn,
                "SELECT rowid, job_id, company, title, posted_at, dup_of, description"
                " FROM jobs WHERE rowid IN (SELECT value FROM json_each(?))",
                [json.dumps(rids)],
                schema={
                    "rid": pl.Int64,
                    "job_id": text,
                    "company": text,
                    "title": text,
                    "posted_at": text,
                    "dup_of": text,
                    "description": text,
                },
            )
            pending.extend(_reposts_among(frame, since_iso))
        conn.executemany("UPDATE jobs SET dup_of = ? WHERE job_id = ?", pending)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return pending


def _block_hashes(frame):
    """(rid, block): a hash of each posting's block key (company key, normalized
    title) for ``frame``'s (rid, company, title) rows; postings without a title key
    have no block."""
    import polars as pl

    return (
        _group_keys(frame)
        .filter(pl.col("tk") != "")
        .select("rid", block=pl.struct("ck", "tk").hash())
    )


class BlockKeys:
    """The block hashes of postings as a bulk writer stores them, so that
    :func:`mark_reposts_pairs` need not read every posting back.

    ``add(jobs, first_rowid)``: `jobs` rows (``JOB_COLUMNS`` order) just inserted with
    consecutive rowids from ``first_rowid`` (a writer into an empty table).  Keeps 16
    bytes per posting with a title and a date: the same rows the first pass selects.
    """

    def __init__(self) -> None:
        from crawler.db import JOB_COLUMNS

        self.frames: list = []
        self._pending: list = []  # (rid, company, title) frames not hashed yet
        self._pending_rows = 0
        self._at = [JOB_COLUMNS.index(c) for c in ("company", "title", "posted_at")]

    def add(self, jobs: list[tuple], first_rowid: int) -> None:
        import polars as pl

        company, title, posted = self._at
        rows = [
            (rid, job[company], job[title])
            for rid, job in enumerate(jobs, first_rowid)
            if job[title] is not None and job[posted] is not None
        ]
        self._pending.append(
            pl.DataFrame(
                rows,
                schema={"rid": pl.Int64, "company": pl.String, "title": pl.String},
                orient="row",
            )
        )
        self._pending_rows += len(rows)
        if self._pending_rows >= 25_000:  # hashed ~25,000 at a time
            self._flush()

    def _flush(self) -> None:
        import polars as pl

        if self._pending:
            self.frames.append(_block_hashes(pl.concat(self._pending)))
            self._pending, self._pending_rows = [], 0
        if len(self.frames) >= 64:
            self.frames = [pl.concat(self.frames)]

    def hashed(self) -> list:
        """The (rid, block) frames of every posting added."""
        self._flush()
        return self.frames


def _reposts_among(frame, since_iso: str | None) -> Iterator[tuple[str, str]]:
    """(first_job_id, job_id) for the reposts among whole blocks of postings."""
    import polars as pl

    frozen = pl.col("posted_at") < since_iso if since_iso else pl.lit(False)
    blocks = _group_keys(frame).filter(pl.col("tk") != "").with_columns(_frozen=frozen)
    # Without a company a repost needs the identical normalized text, and chains of
    # different texts never meet (see _dedupe_block): such a block splits, exactly,
    # into one block per text, and most of those hold a single posting.
    no_company = pl.col("ck") == ""
    blocks = pl.concat(
        [
            blocks.filter(~no_company).with_columns(xk=pl.lit("")),
            _with_key(
                blocks.filter(no_company),
                "description",
                "xk",
                _ascii("description"),
                _ascii_words("description"),
                _text_key,
            ),
        ]
    )
    block = ["ck", "tk", "xk"]
    blocks = blocks.filter(
        (pl.len().over(block) > 1) & ~pl.col("_frozen").all().over(block)
    ).sort(*block, "posted_at", "job_id")
    names = ["job_id", "company", "posted_at", "dup_of", "_frozen", "description"]
    for _, group in groupby(
        blocks.select(*names, *block).iter_rows(), key=lambda r: r[-3:]
    ):
        rows = [dict(zip(names, r, strict=False)) for r in group]
        for job_id, first in _dedupe_block(rows):
            yield first, job_id
