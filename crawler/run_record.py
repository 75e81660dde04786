"""The crawl_runs record: opened by the pipeline, closed here with Scrapy's final stats.

``spider_closed`` fires after the pipelines have flushed and after CoreStats has set
``finish_reason``, so the record holds the complete picture of the run.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3

from scrapy import signals

from crawler.db import connect, finish_run, iso, start_run, utcnow

logger = logging.getLogger(__name__)

_ARG_SKIP = {"crawler", "settings", "custom_settings", "start_urls", "allowed_domains"}


def run_args(spider) -> dict:
    """The spider's arguments as given (``-a key=value``), for the run record."""
    return {
        k: v
        for k, v in getattr(spider, "jobtrends_args", {}).items()
        if k not in _ARG_SKIP
    }


def status_for(stats: dict, reason: str | None) -> str:
    """finished | failed | partial | interrupted: what a run's stats say about it.

    "Stored something" counts listings that reached the database (skip records are items
    too, but a run that only recorded skips stored nothing).
    """
    stored = sum(
        stats.get(f"jobtrends/{k}", 0)
        for k in ("new", "updated", "unchanged", "duplicates")
    )
    if reason == "shutdown":
        return (
            "interrupted"  # stopped by a signal (Ctrl-C, systemd stop, the scheduler)
        )
    if reason not in (None, "finished"):
        return "partial" if stored else "failed"
    errors = stats.get("log_count/ERROR", 0) + stats.get("spider_exceptions", 0)
    if (
        errors
        or stats.get("retry/max_reached", 0)
        or stats.get("jobtrends/pages_lost", 0)
    ):
        return "partial" if stored else "failed"
    return "finished"


def record_owner(conn: sqlite3.Connection, run_id: int, pid: int | None = None) -> None:
    """Remember which process writes run ``run_id``, so a later look can tell it died."""
    conn.execute(
        "INSERT OR REPLACE INTO run_owners (run_id, pid, host) VALUES (?, ?, ?)",
        (run_id, pid or os.getpid(), socket.gethostname()),
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def mark_interrupted(conn: sqlite3.Connection) -> list[int]:
    """Close 'running' runs whose process on this host is gone: status 'interrupted'.

    ``mark_interrupted(conn)`` -> ``[7]``.  A SIGKILLed crawl never reaches
    ``spider_closed``; its record stays 'running' until a later crawl or `jobtrends runs`
    looks.  Runs of other hosts, or without an owner row (older databases), are left as
    they are: their liveness cannot be checked from here.
    """
    host = socket.gethostname()
    dead = [
        run_id
        for run_id, pid, owner_host in conn.execute(
            "SELECT c.run_id, o.pid, o.host FROM crawl_runs c JOIN run_owners o USING (run_id)"
            " WHERE c.status = 'running'"
        )
        if owner_host == host and pid != os.getpid() and not _alive(pid)
    ]
    for run_id in dead:
        close_killed_run(conn, run_id, "process ended without closing the run")
        logger.warning(
            "run %s was left running by a process that died: marked interrupted", run_id
        )
    return dead


def stored_counts(conn: sqlite3.Connection, run_id: int) -> dict[str, int]:
    """A run's counters as its stored rows tell them, for a run that died before counting.

    ``items``: listings it stored first or saw last; ``new``: listings it stored first
    (``first_run_id``); ``unchanged`` + ``updated`` cannot be told apart afterwards and are
    given together as ``unchanged``; ``skipped``: its ``skipped_listings`` rows.
    """
    items, new = conn.execute(
        "SELECT count(*), coalesce(sum(first_run_id = ?), 0) FROM raw_listings"
        " WHERE first_run_id = ? OR last_run_id = ?",
        (run_id, run_id, run_id),
    ).fetchone()
    skipped = conn.execute(
        "SELECT count(*) FROM skipped_listings WHERE run_id = ?", (run_id,)
    ).fetchone()[0]
    return {
        "items": items,
        "new": new,
        "updated": 0,
        "unchanged": items - new,
        "skipped": skipped,
    }


def close_killed_run(conn: sqlite3.Connection, run_id: int, reason: str) -> None:
    """Mark a 'running' run whose process died ``interrupted``, counters from its rows."""
    counts = stored_counts(conn, run_id)
    sets = ", ".join(f"{k} = ?" for k in counts)
    conn.execute(
        f"UPDATE crawl_runs SET status = 'interrupted', finish_reason = ?, finished_at = ?, {sets}"
        " WHERE run_id = ? AND status = 'running'",
        (reason, iso(utcnow()), *counts.values(), run_id),
    )


def summarize(stats: dict) -> dict:
    return {
        "pages": stats.get("response_received_count", 0),
        "items": stats.get("item_scraped_count", 0) - stats.get("jobtrends/skipped", 0),
        "new": stats.get("jobtrends/new", 0),
        "updated": stats.get("jobtrends/updated", 0),
        "unchanged": stats.get("jobtrends/unchanged", 0),
        "duplicates": stats.get("jobtrends/duplicates", 0),
        "skipped": stats.get("jobtrends/skipped", 0),
        "retries": stats.get("retry/count", 0),
        "errors": stats.get("log_count/ERROR", 0) + stats.get("spider_exceptions", 0),
    }


class RunRecorder:
    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        run_id = getattr(self.crawler, "jobtrends_run_id", None)
        if run_id is None:
            return
        conn = connect(self.crawler.settings.get("JOBTRENDS_DB"))
        try:
            record_owner(conn, run_id)
            mark_interrupted(conn)
        finally:
            conn.close()

    def spider_closed(self, spider, reason):
        stats = dict(self.crawler.stats.get_stats())
        db_path = self.crawler.settings.get("JOBTRENDS_DB")
        conn = connect(db_path)
        try:
            run_id = getattr(self.crawler, "jobtrends_run_id", None)
            if (
                run_id is None
            ):  # the store pipeline is off (e.g. a benchmark's no-op run)
                run_id = start_run(conn, spider.name, args=run_args(spider))
                self.crawler.jobtrends_run_id = run_id
            status = status_for(stats, reason)
            finish_run(
                conn,
                run_id,
                status=status,
                finish_reason=reason,
                stats=stats,
                log_path=self.crawler.settings.get("LOG_FILE"),
                **summarize(stats),
            )
            self.crawler.jobtrends_status = status
            logger.info("run %s %s: %s", run_id, status, summarize(stats))
        finally:
            conn.close()
