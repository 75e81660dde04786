"""Live progress of `jobtrends crawl`: pages, listings and errors of each running spider.

A Scrapy extension, on when ``JOBTRENDS_PROGRESS`` is set (the crawl command sets it).
On a terminal, one line on stderr is redrawn every ``JOBTRENDS_PROGRESS_INTERVAL``
seconds (default 0.5) with every spider of the process; elsewhere (cron, the scheduler's
``.out`` files, a pipe) a plain line per spider is written every
``JOBTRENDS_PROGRESS_LOG_INTERVAL`` seconds (default 30).  Each spider's last line, with
its close reason, is written when it closes, terminal or not::

    freelancer: 5 pages, 500 listings (500 new), 0 errors - finished
"""

from __future__ import annotations

import sys
from typing import ClassVar

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


def progress_line(name: str, stats: dict) -> str:
    """``progress_line("upwork", crawler.stats.get_stats())`` -> ``"upwork: 3 pages, ..."``.

    >>> progress_line("upwork", {"response_received_count": 3, "item_scraped_count": 120,
    ...                          "jobtrends/skipped": 2, "jobtrends/new": 100,
    ...                          "log_count/ERROR": 1})
    'upwork: 3 pages, 118 listings (100 new), 1 error'
    """
    pages = stats.get("response_received_count", 0)
    listings = stats.get("item_scraped_count", 0) - stats.get("jobtrends/skipped", 0)
    new = stats.get("jobtrends/new", 0)
    errors = stats.get("log_count/ERROR", 0)
    return (
        f"{name}: {pages} page{'s' * (pages != 1)}, {listings} listing{'s' * (listings != 1)}"
        f" ({new} new), {errors} error{'s' * (errors != 1)}"
    )


class CrawlProgress:
    """One per crawler; the spiders of one process share the terminal line."""

    _lines: ClassVar[dict[str, str]] = {}  # spider -> its latest line (terminal mode)

    def __init__(self, crawler, *, tty: bool, interval: float):
        self.crawler = crawler
        self.tty = tty
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.name = ""

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("JOBTRENDS_PROGRESS"):
            raise NotConfigured
        tty = sys.stderr.isatty()
        interval = settings.getfloat(
            "JOBTRENDS_PROGRESS_INTERVAL" if tty else "JOBTRENDS_PROGRESS_LOG_INTERVAL",
            0.5 if tty else 30.0,
        )
        ext = cls(crawler, tty=tty, interval=interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def line(self) -> str:
        return progress_line(self.name, self.crawler.stats.get_stats())

    def spider_opened(self, spider) -> None:
        self.name = spider.name
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=False)

    def show(self) -> None:
        if self.tty:
            self._lines[self.name] = self.line()
            sys.stderr.write("\r\x1b[K" + " | ".join(self._lines.values()))
        else:
            sys.stderr.write(self.line() + "\n")
        sys.stderr.flush()

    def spider_closed(self, spider, reason) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self._lines.pop(self.name, None)
        prefix = "\r\x1b[K" if self.tty else ""
        sys.stderr.write(f"{prefix}{self.line()} - {reason}\n")
        sys.stderr.flush()
