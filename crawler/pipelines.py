"""Item pipeline: listings -> raw_listings (batched upserts) -> normalized jobs.

One pipeline instance owns the SQLite connection for its crawl.  Items are buffered and
written ``JOBTRENDS_BATCH_SIZE`` at a time in one transaction; new or changed listings are
normalized in the same pass.  Stats (``jobtrends/new``, ``/updated``, ``/unchanged``,
``/skipped``) feed the run record.
"""

from __future__ import annotations

import logging

from crawler.db import RawListing, connect, record_skip, save_raw, start_run
from crawler.runs import run_args

logger = logging.getLogger(__name__)


class RawStorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("JOBTRENDS_DB")
        self.batch_size = settings.getint("JOBTRENDS_BATCH_SIZE", 500)
        self.normalize = settings.getbool("JOBTRENDS_NORMALIZE", True)
        self.buffer: list[RawListing] = []
        self.months: set[str] = set()
        self.conn = None
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        spider = self.crawler.spider
        self.conn = connect(self.db_path)
        self.run_id = start_run(self.conn, spider.name, args=run_args(spider))
        self.crawler.jobtrends_run_id = self.run_id
        spider.jobtrends_run_id = self.run_id
        logger.info("run %s: storing into %s", self.run_id, self.db_path)

    def process_item(self, item):
        if item.get("skip"):
            self.crawler.stats.inc_value("jobtrends/skipped")
            self.crawler.stats.inc_value(f"jobtrends/skipped/{item.get('reason', 'unknown')}")
            logger.warning("skipped listing at %s: %s %s", item.get("url"), item.get("reason"), item.get("detail", ""))
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
        self.buffer.append(
            RawListing(
                source=item["source"],
                source_id=str(item["source_id"]),
                payload=item["payload"],
                payload_format=item.get("payload_format", "json"),
                url=item.get("url"),
                fetched_at=item["fetched_at"],
                origin=item.get("origin"),
            )
        )
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        counts = save_raw(self.conn, batch, run_id=self.run_id)
        stats = self.crawler.stats
        stats.inc_value("jobtrends/new", counts.new)
        stats.inc_value("jobtrends/updated", counts.updated)
        stats.inc_value("jobtrends/unchanged", counts.unchanged)
        stats.inc_value("jobtrends/duplicates", counts.duplicates + len(batch) - len({(r.source, r.source_id) for r in batch}))
        if self.normalize and counts.changed_keys:
            from crawler.normalize.run import normalize_rows

            changed = set(counts.changed_keys)
            latest = {(r.source, r.source_id): r for r in batch}
            rows = [
                (r.source, r.source_id, r.payload, r.fetched_at, None, r.url)
                for key, r in latest.items()
                if key in changed
            ]
            result = normalize_rows(self.conn, rows)
            self.months |= result.months
            stats.inc_value("jobtrends/normalized", result.listings)
            stats.inc_value("jobtrends/normalize_issues", result.issues)

    def close_spider(self) -> None:
        try:
            self.flush()
            if self.normalize and self.months:
                from crawler.normalize.run import after_store

                after_store(self.conn, self.months)
        finally:
            self.conn.close()
