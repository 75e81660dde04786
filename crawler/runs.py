"""The crawl_runs record: opened by the pipeline, closed here with Scrapy's final stats.

``spider_closed`` fires after the pipelines have flushed and after CoreStats has set
``finish_reason``, so the record holds the complete picture of the run.
"""

from __future__ import annotations

import logging

from scrapy import signals

from crawler.db import connect, finish_run, start_run

logger = logging.getLogger(__name__)

_ARG_SKIP = {"crawler", "settings", "custom_settings", "start_urls", "allowed_domains"}


def run_args(spider) -> dict:
    """The spider's arguments as given (``-a key=value``), for the run record."""
    return {k: v for k, v in getattr(spider, "jobtrends_args", {}).items() if k not in _ARG_SKIP}


def status_for(stats: dict, reason: str | None) -> str:
    """finished | failed | partial: what a run's stats say about it."""
    if reason not in (None, "finished"):
        return "failed" if not stats.get("item_scraped_count") else "partial"
    errors = stats.get("log_count/ERROR", 0) + stats.get("spider_exceptions", 0)
    if errors or stats.get("retry/max_reached", 0) or stats.get("jobtrends/pages_lost", 0):
        return "partial" if stats.get("item_scraped_count") else "failed"
    return "finished"


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

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_closed(self, spider, reason):
        stats = dict(self.crawler.stats.get_stats())
        db_path = self.crawler.settings.get("JOBTRENDS_DB")
        conn = connect(db_path)
        try:
            run_id = getattr(self.crawler, "jobtrends_run_id", None)
            if run_id is None:  # the store pipeline is off (e.g. a benchmark's no-op run)
                run_id = start_run(conn, spider.name, args=run_args(spider))
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
