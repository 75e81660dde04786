"""Run spiders by name through Scrapy, into one database, and report each run's record.

Scrapy's reactor runs once per process, so every spider of one command is scheduled in
one ``CrawlerProcess`` and they crawl concurrently.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from crawler.db import connect
from crawler.errors import UserError

LOOPBACK_SETTINGS = {
    # A mirror on 127.0.0.1 needs no politeness delay; robots.txt is still obeyed.
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
}


@dataclass
class RunResult:
    spider: str
    run_id: int | None
    status: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    pages: int = 0
    errors: int = 0

    def line(self) -> str:
        return (
            f"{self.spider:<15} run {self.run_id}: {self.status:<9} pages {self.pages:>4}  "
            f"new {self.new:>6}  updated {self.updated:>5}  unchanged {self.unchanged:>6}  "
            f"skipped {self.skipped:>3}  errors {self.errors}"
        )


def _loader():
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    return SpiderLoader.from_settings(get_project_settings())


def spider_names() -> list[str]:
    return sorted(_loader().list())


def spider_class(name: str):
    """The spider class called ``name`` (KeyError when there is none)."""
    return _loader().load(name)


def project_settings(db_path: str | os.PathLike, overrides: dict | None = None):
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("JOBTRENDS_DB", str(db_path), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_spiders(
    specs: list[tuple[str, dict]],
    db_path: str | os.PathLike,
    *,
    settings: dict | None = None,
    log_file: str | None = None,
) -> list[RunResult]:
    """Crawl each (spider name, arguments) pair into ``db_path``; return their run records."""
    from scrapy.crawler import CrawlerProcess

    known = spider_names()
    for name, _ in specs:
        if name not in known:
            raise UserError(f"unknown spider {name!r}: choose from {', '.join(known)}")
    overrides = dict(settings or {})
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        overrides.setdefault("LOG_FILE", log_file)
    conn = connect(db_path)  # create tables before several crawlers race to
    conn.close()
    process = CrawlerProcess(project_settings(db_path, overrides))
    crawlers = []
    for name, args in specs:
        crawler = process.create_crawler(name)
        process.crawl(crawler, **args)
        crawlers.append((name, crawler))
    process.start()
    results = []
    conn = connect(db_path)
    try:
        for name, crawler in crawlers:
            run_id = getattr(crawler, "jobtrends_run_id", None)
            row = (
                conn.execute(
                    "SELECT * FROM crawl_runs WHERE run_id = ?", (run_id,)
                ).fetchone()
                if run_id
                else None
            )
            if row is None:
                results.append(RunResult(name, run_id, "failed"))
                continue
            results.append(
                RunResult(
                    name,
                    run_id,
                    row["status"],
                    row["new"],
                    row["updated"],
                    row["unchanged"],
                    row["skipped"],
                    row["pages"],
                    row["errors"],
                )
            )
    finally:
        conn.close()
    return results
