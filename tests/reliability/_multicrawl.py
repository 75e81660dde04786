"""Run many crawls in one Scrapy process, each with its own settings and database.

    python -m tests.reliability._multicrawl specs.json combined.log

``specs.json``: ``[{"spider": "freelancer", "args": {...}, "settings": {...}, "db": "x.db"}]``.
Why: one process start (imports, reactor) instead of twenty keeps the fault suite fast;
each crawl still has its own crawler, pipeline, run record and stats, exactly as
`jobtrends crawl` would make them.  Prints one JSON line per crawl: {"db", "status"}.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")


def _count_own_records_only() -> None:
    """Scrapy counts every log record of the process in every crawler's ``log_count/*``;
    with many crawlers in one process a record tagged with another crawl's spider must
    not make this crawl's run look failed (one crawl per process, as in `jobtrends
    crawl`, never has this problem)."""
    from scrapy.utils.log import LogCounterHandler

    plain_emit = LogCounterHandler.emit

    def emit(self, record):
        spider = getattr(record, "spider", None)
        if spider is None or spider is getattr(self.crawler, "spider", None):
            plain_emit(self, record)

    LogCounterHandler.emit = emit


def main(spec_path: str, log_file: str) -> None:
    _count_own_records_only()
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from crawler.crawl_process import LOOPBACK_SETTINGS
    from crawler.db import connect

    specs = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    settings = get_project_settings()
    settings.setdict({"LOG_FILE": log_file, "LOG_LEVEL": "INFO"}, priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for i, spec in enumerate(specs):
        connect(spec["db"]).close()
        base = process.spider_loader.load(spec["spider"])
        # each crawl's own settings ride on a subclass's custom_settings (same spider name)
        own = {
            **LOOPBACK_SETTINGS,
            **spec.get("settings", {}),
            "JOBTRENDS_DB": spec["db"],
        }
        spidercls = type(
            f"{base.__name__}_{i}",
            (base,),
            {"custom_settings": {**(base.custom_settings or {}), **own}},
        )
        crawler = process.create_crawler(spidercls)
        process.crawl(crawler, **spec.get("args", {}))
        crawlers.append((spec, crawler))
    process.start()
    missing = 0
    for spec, crawler in crawlers:
        status = getattr(crawler, "jobtrends_status", None)
        missing += status is None
        print(json.dumps({"db": spec["db"], "status": status}), flush=True)
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
