"""Item pipeline: listings -> raw_listings (batched upserts) -> normalized jobs at close.

One pipeline instance owns the SQLite connection for its crawl.  Items are buffered and
written ``JOBTRENDS_BATCH_SIZE`` at a time in one transaction, which also queues the new
or changed listings in ``normalize_queue``.  Normalizing stays out of Scrapy's thread: at
the close the queue is normalized on every core at once (``normalize_db(queue=True)``),
then reposts and rollups once for all the months touched.  A crawl killed before its
close leaves its listings queued; the next crawl's close (or ``jobtrends normalize``)
normalizes them.  Stats (``jobtrends/new``, ``/updated``,
``/unchanged``, ``/duplicates``, ``/skipped``, ``/normalized``) feed the run record.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

from crawler.db import (
    RawRow,
    connect,
    record_skip,
    save_raw,
    start_run,
    transaction,
)
from crawler.killpoints import kill_point
from crawler.normalize.bulk import enqueue
from crawler.run_record import run_args

logger = logging.getLogger(__name__)


def raw_listing(item: dict) -> RawRow:
    """A spider's listing item (``JobSpider.listing``) as the row ``save_raw`` stores."""
    return RawRow(
        source=item["source"],
        source_id=str(item["source_id"]),
        payload=item["payload"],
        payload_format=item.get("payload_format", "json"),
        url=item.get("url"),
        fetched_at=item["fetched_at"],
        origin=item.get("origin"),
    )


class RawStorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("JOBTRENDS_DB")
        self.batch_size = settings.getint("JOBTRENDS_BATCH_SIZE", 500)
        self.normalize = settings.getbool("JOBTRENDS_NORMALIZE", True)
        self.workers = settings.getint("JOBTRENDS_NORMALIZE_WORKERS", 0) or None
        self.buffer: list[RawRow] = []
        self.conn = None
        self.run_id: int | None = None
        # Batches are written on a thread of their own (SQLite releases the GIL while it
        # works), so Scrapy's reactor keeps parsing meanwhile.  At most two batches wait;
        # with a batch size of 1 (resumable crawls) each write is waited for, so an item
        # that passed the pipeline is committed.
        self.writer: ThreadPoolExecutor | None = None
        self.writer_conn = None
        self.pending: deque[Future] = deque()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.conn = connect(self.db_path)
        self.run_id = start_run(self.conn, spider.name, args=run_args(spider))
        self.crawler.jobtrends_run_id = self.run_id
        spider.jobtrends_run_id = self.run_id
        self.writer = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="jobtrends-store"
        )
        logger.info("run %s: storing into %s", self.run_id, self.db_path)

    def process_item(self, item):
        if item.get("skip"):
            self.crawler.stats.inc_value("jobtrends/skipped")
            self.crawler.stats.inc_value(
                f"jobtrends/skipped/{item.get('reason', 'unknown')}"
            )
            logger.warning(
                "skipped listing at %s: %s %s",
                item.get("url"),
                item.get("reason"),
                item.get("detail", ""),
            )
            record_skip(
                self.conn,
                run_id=self.run_id,
                source=item.get("source"),
                url=item.get("url"),
                reason=item.get("reason", "unknown"),
                detail=item.get("detail", ""),
                excerpt=item.get("excerpt", ""),
            )
            return item
        self.buffer.append(raw_listing(item))
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self, *, wait: bool = False) -> None:
        if self.buffer:
            batch, self.buffer = self.buffer, []
            self.pending.append(self.writer.submit(self.store, batch))
        while self.pending and (wait or self.batch_size <= 1 or len(self.pending) > 2):
            self.pending.popleft().result()  # a failed write raises here

    def store(self, batch: list[RawRow]) -> None:
        """On the writer thread: one batch of raw rows and their queue entries."""
        if self.writer_conn is None:
            self.writer_conn = connect(self.db_path)
        conn = self.writer_conn
        with transaction(conn):  # the rows and their queue entries commit together
            counts = save_raw(conn, batch, run_id=self.run_id, in_transaction=True)
            enqueue(conn, counts.changed_keys, self.run_id)
        kill_point("crawl.stored")
        stats = self.crawler.stats
        stats.inc_value("jobtrends/new", counts.new)
        stats.inc_value("jobtrends/updated", counts.updated)
        stats.inc_value("jobtrends/unchanged", counts.unchanged)
        stats.inc_value(
            "jobtrends/duplicates",
            counts.duplicates
            + len(batch)
            - len({(r.source, r.source_id) for r in batch}),
        )

    def close_spider(self) -> None:
        try:
            try:
                self.flush(wait=True)
            finally:
                self.close_writer()
            if self.normalize:
                self.normalize_queue()
        finally:
            self.conn.close()

    def close_writer(self) -> None:
        def close() -> None:
            if self.writer_conn is not None:
                self.writer_conn.close()
                self.writer_conn = None

        if self.writer is not None:
            self.writer.submit(close).result()
            self.writer.shutdown(wait=True)
            self.writer = None

    def normalize_queue(self) -> None:
        """Normalize what this run (and any killed run before it) stored, then derive."""
        from crawler.normalize.bulk import (
            after_store,
            enqueue_unnormalized,
            normalize_keys,
            queued,
        )

        kill_point("crawl.closing")
        started = time.perf_counter()
        repaired = enqueue_unnormalized(self.conn, self.run_id)
        waiting = queued(self.conn)
        months: set[str] = set()
        stats = self.crawler.stats
        stats.inc_value("jobtrends/normalized", 0)
        stats.inc_value("jobtrends/normalize_issues", 0)
        if waiting:
            logger.info(
                "run %s: normalizing %d listings%s",
                self.run_id,
                waiting,
                f" ({repaired} stored earlier without jobs rows)" if repaired else "",
            )
            # what this run stored is queued already (same transaction as the rows)
            result = normalize_keys(self.conn, (), workers=self.workers)
            months |= result.months
            stats.inc_value("jobtrends/normalized", result.listings)
            stats.inc_value("jobtrends/normalize_issues", result.issues)
        after_store(self.conn, months)
        stats.set_value(
            "jobtrends/normalize_seconds", round(time.perf_counter() - started, 3)
        )
