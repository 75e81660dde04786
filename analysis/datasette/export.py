"""A CSV stream of all rows (``?_stream=on``) that completes or fails visibly.

Datasette streams a CSV by fetching page after page, each under ``sql_time_limit_ms``.
A page query that runs over it (a loaded machine, a cold disk) raises inside the
stream; Datasette then writes the error text into the body and ends it normally,
with the HTTP 200 already sent: a short CSV that looks complete.  Here:

* **Retry** (:func:`execute_in_stream`, called from the ``execute`` wrapper of
  :mod:`analysis.datasette.pages`): inside a CSV stream, a page query interrupted by
  the time limit runs again, up to :data:`EXPORT_RETRIES` times, each with
  :data:`EXPORT_PAGE_LIMIT_MS` (a keyset page is milliseconds at any depth, so only
  load or I/O makes one slow).  Other requests keep Datasette's limit.
* **Visible failure** (:func:`StreamState.end`, used by the CSV path of
  :mod:`analysis.datasette.guard`): when a page still cannot be read, the body ends with
  the line :data:`INCOMPLETE_MARKER` ``: <reason>`` instead of Datasette's error text,
  and the connection is closed without the end of the chunked body, so HTTP clients
  report an incomplete transfer (curl exit 18, Python ``IncompleteRead``, a browser
  download "failed") rather than a finished file.

For tests, ``JOBTRENDS_INTERRUPT_PAGES=<first>:<count>`` makes page-query attempts
``first`` ... ``first + count - 1`` of each stream (retries count as attempts) run with
a deadline already passed: SQLite interrupts them exactly as the time limit would.
"""

from __future__ import annotations

import contextvars
import logging
import os
import re
import sqlite3
from dataclasses import dataclass

from datasette.database import QueryInterrupted, Results
from datasette.utils import sqlite_timelimit

EXPORT_PAGE_LIMIT_MS = 5_000
EXPORT_RETRIES = 3
INCOMPLETE_MARKER = "#jobtrends-export-incomplete"
FAULT_ENV = "JOBTRENDS_INTERRUPT_PAGES"

# A query fetching one page of rows (the ones a stream repeats): ends in LIMIT n.
_PAGE_QUERY = re.compile(r"\blimit \d+\s*$", re.IGNORECASE)


def parse_fault(text: str) -> range:
    """``"first:count"`` as the range of attempt numbers to interrupt.

    >>> parse_fault("3:2"), parse_fault("")
    (range(3, 5), range(0, 0))
    """
    if not text.strip():
        return range(0)
    first, _, count = text.partition(":")
    return range(int(first), int(first) + int(count or 1))


@dataclass
class StreamState:
    """One CSV stream: its page-query attempts and, once it cannot go on, why."""

    attempts: int = 0
    failed: str | None = None
    marked: bool = False  # the marker line went out: the response must not end

    def check(self, message: dict) -> None:
        """Notice Datasette's error text among the body messages of the stream.

        Datasette sends each CSV record as one message ending in a line break; when
        its stream stops on any other error it sends ``str(error)`` alone, then ends.

        >>> s = StreamState()
        >>> s.check({"body": b'a,"x\\ny"\\r\\n', "more_body": True}); s.failed
        >>> s.check({"body": b"database is locked", "more_body": True}); s.failed
        'the export stopped: database is locked'
        """
        body = message.get("body", b"")
        if message.get("more_body") and body and not body.endswith(b"\n"):
            text = body.decode("utf-8", "replace")[:300]
            self.failed = f"the export stopped: {text}"

    def end(self) -> bytes:
        """The last line of a stream that failed."""
        self.marked = True
        return f"{INCOMPLETE_MARKER}: {self.failed}\r\n".encode()


class ExportIncomplete(Exception):
    """Raised after the marker line: the server closes the unfinished response."""


current: contextvars.ContextVar[StreamState | None] = contextvars.ContextVar(
    "jobtrends_csv_stream", default=None
)
_FAULTS = parse_fault(os.environ.get(FAULT_ENV, ""))
log = logging.getLogger(__name__)


async def execute_in_stream(
    db,
    execute,
    sql,
    params=None,
    truncate=False,
    custom_time_limit=None,
    page_size=None,
    log_sql_errors=True,
):
    """``execute(sql, ...)`` (Datasette's), with retries for a page of a CSV stream."""
    state = current.get()
    if state is None or not _PAGE_QUERY.search(sql):
        return await execute(
            sql,
            params,
            truncate=truncate,
            custom_time_limit=custom_time_limit,
            page_size=page_size,
            log_sql_errors=log_sql_errors,
        )
    limits = [db.ds.sql_time_limit_ms] + [EXPORT_PAGE_LIMIT_MS] * EXPORT_RETRIES
    for limit_ms in limits:
        state.attempts += 1
        if state.attempts in _FAULTS:
            limit_ms = 0  # the deadline has passed when SQLite first checks it
        try:
            return await _run_page(db, sql, params, truncate, page_size, limit_ms)
        except QueryInterrupted:
            log.warning(
                "CSV stream: a page query ran over %d ms; reading it again", limit_ms
            )
    state.failed = (
        f"a page query was interrupted {len(limits)} times"
        f" (time limit {EXPORT_PAGE_LIMIT_MS} ms); the rows above are not all rows"
    )
    # Datasette's stream stops here; the guard ends the body with the marker.
    raise QueryInterrupted(sqlite3.OperationalError("interrupted"), sql, params)


async def _run_page(db, sql, params, truncate, page_size, limit_ms) -> Results:
    """Datasette's ``Database.execute`` with a time limit of ``limit_ms``."""
    ds = db.ds
    page_size = page_size or ds.page_size

    def run(conn):
        with sqlite_timelimit(conn, limit_ms):
            try:
                cursor = conn.execute(sql, params if params is not None else {})
                most = ds.max_returned_rows
                if most == page_size:
                    most += 1
                if most and truncate:
                    rows = cursor.fetchmany(most + 1)
                    return Results(rows[:most], len(rows) > most, cursor.description)
                return Results(cursor.fetchall(), False, cursor.description)
            except (sqlite3.OperationalError, sqlite3.DatabaseError) as e:
                if e.args == ("interrupted",):
                    raise QueryInterrupted(e, sql, params) from e
                raise

    return await db.execute_fn(run)
