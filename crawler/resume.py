"""Resumable crawls that survive SIGINT *and* SIGKILL: a durable frontier per spider.

``resume_settings(spider, db)`` enables :class:`FrontierMiddleware`, which keeps
``data/jobdir/<spider>/frontier.sqlite``: every request the crawl will need (``pending``)
and every page whose listings are stored (``done``).  An interrupted crawl started again
with the same settings re-queues the pending requests instead of its start URLs, so pages
fetched before the interruption are not fetched again.

Why not Scrapy's own ``JOBDIR`` alone: it persists its request queue only on a graceful
stop (the disk queue's state is written on close) and marks a request *seen* when it is
scheduled, not when its items are stored; after SIGKILL it resumes with an empty queue and
filters the very requests it lost.  And the store pipeline buffers items
(``JOBTRENDS_BATCH_SIZE``), so a killed run loses items of pages that looked done.  Here:

- a page is ``done`` only when its callback has finished *and* every item it yielded has
  passed the pipeline (``item_scraped``/``item_dropped``/``item_error``), with the batch
  size set to 1 so "passed the pipeline" means "committed to SQLite";
- the page's follow-up requests become ``pending`` in the same transaction, so the
  frontier never loses a branch; a page killed mid-way stays pending and is fetched again
  (its listings are upserts: counted ``unchanged``, never duplicated);
- a crawl that ends with reason ``finished`` deletes its frontier, so the next run starts
  from the start URLs again.

    run_spiders([("upwork", args)], db, settings=resume_settings(db))
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
from pathlib import Path

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.request import request_from_dict

from crawler.db import FRONTIER_SCHEMA

logger = logging.getLogger(__name__)

MIDDLEWARE = "crawler.resume.FrontierMiddleware"


def jobdir(spider: str, db_path) -> Path:
    """``data/jobs.db`` + ``upwork`` -> ``data/jobdir/upwork``."""
    return Path(db_path).resolve().parent / "jobdir" / spider


def resume_settings(db_path) -> dict:
    """Scrapy settings of a resumable crawl (strings, as `-s KEY=VALUE` takes them).

    Each spider keeps its own frontier in ``data/jobdir/<spider>/``, so several spiders of
    one ``jobtrends crawl`` can resume independently.
    """
    import json

    return {
        "SPIDER_MIDDLEWARES": json.dumps({MIDDLEWARE: 50}),
        "JOBTRENDS_JOBDIR": str(Path(db_path).resolve().parent / "jobdir"),
        # Items are committed one by one: a page counts as done only once they are stored.
        "JOBTRENDS_BATCH_SIZE": "1",
    }


class Frontier:
    """The SQLite file of pending and done requests of one resumable crawl."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(self.path), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(FRONTIER_SCHEMA)

    def counts(self) -> dict[str, int]:
        return dict(
            self.conn.execute(
                "SELECT state, count(*) FROM frontier GROUP BY state"
            ).fetchall()
        )

    def pending(self) -> list[dict]:
        return [
            pickle.loads(r[0])
            for r in self.conn.execute(
                "SELECT request FROM frontier WHERE state = 'pending' ORDER BY rowid"
            )
        ]

    def add_pending(self, items: list[tuple[str, str, dict]]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO frontier (fp, state, url, request) VALUES (?, 'pending', ?, ?)",
            [(fp, url, pickle.dumps(d)) for fp, url, d in items],
        )

    def complete(
        self, fp: str, url: str, children: list[tuple[str, str, dict]]
    ) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute(
                "INSERT INTO frontier (fp, state, url) VALUES (?, 'done', ?)"
                " ON CONFLICT(fp) DO UPDATE SET state = 'done', request = NULL",
                (fp, url),
            )
            self.add_pending(children)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def reset(self) -> None:
        self.conn.execute("DELETE FROM frontier")

    def close(self, *, delete: bool = False) -> None:
        self.conn.close()
        if delete:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class _Page:
    __slots__ = ("request", "children", "outstanding", "callback_done")

    def __init__(self, request):
        self.request = request
        self.children: list[Request] = []
        self.outstanding = 0
        self.callback_done = False


class FrontierMiddleware:
    """Spider middleware recording the durable frontier (see the module docstring)."""

    def __init__(self, crawler, path: str):
        self.crawler = crawler
        self.frontier = Frontier(path)
        self.pages: dict[int, _Page] = {}  # id(response) -> page being processed
        self.resumed = False
        for sig in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_done, signal=sig)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        root = crawler.settings.get("JOBTRENDS_JOBDIR")
        if not root:
            raise NotConfigured("JOBTRENDS_JOBDIR is not set")
        return cls(
            crawler, str(Path(root) / crawler.spidercls.name / "frontier.sqlite")
        )

    # -- helpers -------------------------------------------------------------------------
    def _fp(self, request: Request) -> str:
        return self.crawler.request_fingerprinter.fingerprint(request).hex()

    def _entry(self, request: Request) -> tuple[str, str, dict]:
        return (
            self._fp(request),
            request.url,
            request.to_dict(spider=self.crawler.spider),
        )

    # -- start ---------------------------------------------------------------------------
    async def process_start(self, start):
        counts = self.frontier.counts()
        pending = self.frontier.pending()
        if pending:
            self.resumed = True
            self.crawler.stats.set_value("jobtrends/resumed_pending", len(pending))
            logger.info(
                "resuming: %d pending requests, %d pages already done (%s)",
                len(pending),
                counts.get("done", 0),
                self.frontier.path,
            )
            for data in pending:
                yield request_from_dict(data, spider=self.crawler.spider)
            return
        if counts:
            self.frontier.reset()  # a finished crawl's leftovers: start afresh
        async for obj in start:
            if isinstance(obj, Request):
                self.frontier.add_pending([self._entry(obj)])
            yield obj

    # -- responses -----------------------------------------------------------------------
    def _begin(self, response) -> _Page:
        page = _Page(response.request)
        self.pages[id(response)] = page
        return page

    def _route(self, page: _Page, obj) -> None:
        if isinstance(obj, Request):
            page.children.append(obj)
        else:
            page.outstanding += 1

    def _end(self, response, page: _Page) -> None:
        page.callback_done = True
        self._maybe_complete(response)

    def process_spider_output(self, response, result):
        page = self._begin(response)
        for obj in result:
            self._route(page, obj)
            yield obj
        self._end(response, page)

    async def process_spider_output_async(self, response, result):
        page = self._begin(response)
        async for obj in result:
            self._route(page, obj)
            yield obj
        self._end(response, page)

    def _item_done(self, item, response=None, **kwargs):
        page = self.pages.get(id(response)) if response is not None else None
        if page is not None:
            page.outstanding -= 1
            self._maybe_complete(response)

    def _maybe_complete(self, response) -> None:
        page = self.pages.get(id(response))
        if (
            page is None
            or not page.callback_done
            or page.outstanding > 0
            or page.request is None
        ):
            return
        del self.pages[id(response)]
        self.frontier.complete(
            self._fp(page.request),
            page.request.url,
            [self._entry(r) for r in page.children],
        )
        self.crawler.stats.inc_value("jobtrends/frontier_done")

    def _closed(self, spider, reason):
        finished = reason == "finished"
        counts = self.frontier.counts()
        if finished and counts.get("pending"):
            # Pages that failed for good (HTTP errors after retries) stay pending; a finished
            # crawl does not keep them, the next run starts over.
            logger.info(
                "crawl finished with %d pages never completed", counts["pending"]
            )
        self.frontier.close(delete=finished)
        if not finished:
            logger.info(
                "frontier kept for --resume: %s (%s)", self.frontier.path, counts
            )
