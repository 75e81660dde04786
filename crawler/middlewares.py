"""Downloader and spider middlewares: retries, lost pages, redirects and what may be fetched.

A 429/503 (or other retryable status) is retried after the delay the server asked for
(seconds or an HTTP date), otherwise after a jittered exponential backoff; after
``RETRY_TIMES`` attempts the request is given up, logged and counted in the stats
(``retry/max_reached``, ``jobtrends/retry_after_waits``).  A server asking for more than
``RETRY_AFTER_MAX`` seconds is given up at once (``jobtrends/retry_after_too_long``):
waiting less would only be refused again.

Hostile content: a URL found in an http(s) response is followed only when it is http(s)
too (never ``file://``), redirects stay on the request's host unless
``JOBTRENDS_REDIRECT_HOSTS`` allows another, and a callback that raises costs its page
only, recorded in ``skipped_listings`` (``parse_error``).
"""

from __future__ import annotations

import logging
import random
import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import reactor
from twisted.internet.task import deferLater

logger = logging.getLogger(__name__)


def parse_retry_after(
    value: str | bytes | None, *, now: datetime | None = None
) -> float | None:
    """Seconds to wait from a Retry-After header value: ``"2"`` -> 2.0; an HTTP date works too."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 300.0)

    def _delay_for(self, request, response) -> float:
        asked = parse_retry_after(response.headers.get(b"Retry-After"))
        if asked is not None:
            return min(asked, self.backoff_max)
        attempt = request.meta.get("retry_times", 0)
        backoff = min(self.backoff_max, self.backoff_base * (2**attempt))
        return backoff * random.uniform(0.5, 1.0)  # full jitter, never zero

    async def process_response(self, request, response):
        if (
            request.meta.get("dont_retry", False)
            or response.status not in self.retry_http_codes
        ):
            return response
        attempts = request.meta.get("retry_times", 0)
        max_times = request.meta.get("max_retry_times", self.max_retry_times)
        if attempts >= max_times:
            retry = self._retry(request, response_status_message(response.status))
            return retry or response
        asked = parse_retry_after(response.headers.get(b"Retry-After"))
        if asked is not None and asked > self.retry_after_max:
            self.crawler.stats.inc_value("jobtrends/retry_after_too_long")
            self.crawler.stats.inc_value("retry/max_reached")
            logger.warning(
                "HTTP %s for %s asks to wait %.0fs, more than RETRY_AFTER_MAX=%.0fs: given up",
                response.status,
                request.url,
                asked,
                self.retry_after_max,
            )
            return response
        delay = self._delay_for(request, response)
        stats = self.crawler.stats
        if response.headers.get(b"Retry-After") is not None:
            stats.inc_value("jobtrends/retry_after_waits")
            shared = getattr(self.crawler, "jobtrends_rate_limit", None)
            if (
                shared is not None
            ):  # Redis workers: the whole crawl waits, not only this one
                shared.hold(request.url, delay)
        stats.inc_value("jobtrends/retry_wait_seconds", int(round(delay)))
        logger.info(
            "HTTP %s for %s: waiting %.1fs before retry %d/%d",
            response.status,
            request.url,
            delay,
            attempts + 1,
            max_times,
        )
        if delay > 0:
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return (
            self._retry(request, response_status_message(response.status)) or response
        )


def failure_reason(failure) -> tuple[str, bool]:
    """A short reason code for a failed request and whether the page counts as lost.

    ``("timeout", True)``; robots.txt refusals are not losses (the page was never ours to take).
    """
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError

    exc = failure.value
    if isinstance(exc, HttpError):
        return f"http_{exc.response.status}", True
    if isinstance(exc, IgnoreRequest):
        text = str(exc).lower()
        if "robots" in text:
            return "robots_disallowed", False
        if "outside the file root" in text:
            return "file_outside_root", True
        if "another host" in text:
            return "redirect_offsite", True
        if "redirect" in text:
            return "redirect_loop", True
        if "max size" in text or "maxsize" in text or "larger than" in text:
            return "too_large", True
        return "ignored", True
    name = type(exc).__name__.lower()
    if "dataloss" in name:
        return "data_loss", True
    if isinstance(exc, zlib.error) or "decompress" in str(exc).lower():
        return "corrupt_compression", True
    if "timeout" in name:
        return "timeout", True
    if "maxsize" in name or "cancel" in name or "size" in str(exc).lower():
        return "too_large", True
    if "connection" in name or "lost" in name or "refused" in name:
        return "connection_failed", True
    return name or "download_failed", True


class PageLossMiddleware:
    """Spider middleware: every request without an errback gets the spider's ``page_failed``.

    Why: Scrapy logs a failed download and moves on; a lost page must land in
    ``skipped_listings`` with its reason and make the run partial (``jobtrends/pages_lost``).
    The errback is a spider method so requests stay serializable (resume frontier, JOBDIR).
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _attach(self, obj, response=None):
        from scrapy import Request

        if not isinstance(obj, Request):
            return obj
        if response is not None and _remote(response.url) and not _remote(obj.url):
            # A URL found in remote content never reads a local file (or any non-web scheme).
            self.crawler.stats.inc_value("jobtrends/refused_urls")
            logger.warning(
                "refused %s: found in %s, not an http(s) URL",
                obj.url[:200],
                response.url,
            )
            return self._skip(
                response, "url_scheme", f"not an http(s) URL: {obj.url[:300]}"
            )
        if obj.errback is None:
            handler = getattr(self.crawler.spider, "page_failed", None)
            if handler is not None:
                obj.errback = handler
        return obj

    def _skip(self, response, reason: str, detail: str) -> dict:
        name = getattr(self.crawler.spider, "name", "") or ""
        return {
            "skip": True,
            "source": name,
            "url": response.url,
            "reason": reason,
            "detail": detail[:500],
            "excerpt": "",
        }

    async def process_start(self, start):
        async for obj in start:
            yield self._attach(obj)

    def process_spider_output(self, response, result, spider=None):
        for obj in result:
            yield self._attach(obj, response)

    async def process_spider_output_async(self, response, result, spider=None):
        async for obj in result:
            yield self._attach(obj, response)

    def process_spider_exception(self, response, exception, spider=None):
        """A callback that raised: the page is lost (counted, logged), not the crawl."""
        self.crawler.stats.inc_value("jobtrends/pages_lost")
        logger.error(
            "page lost: %s (parse_error) %s: %s",
            response.url,
            type(exception).__name__,
            str(exception)[:300],
        )
        return [
            self._skip(
                response, "parse_error", f"{type(exception).__name__}: {exception}"
            )
        ]


def _remote(url: str) -> bool:
    return url[:8].lower().startswith(("http://", "https://"))


class LoopSafeRedirectMiddleware(RedirectMiddleware):
    """Redirects bypass the duplicate filter, so a loop ends in ``max redirections reached``.

    Why: with Scrapy's own middleware a redirect back to an already-requested URL (A -> B
    -> A) is dropped by the dupefilter at DEBUG level, and the page vanishes without a
    trace; here the hop count (``REDIRECT_MAX_TIMES``) bounds the loop and the lost page
    reaches the spider's errback (``redirect_loop``).
    """

    def process_response(self, request, response, spider=None):
        result = super().process_response(request, response, spider)
        if (
            result is not request
            and result is not response
            and hasattr(result, "dont_filter")
        ):
            self._check_host(request, result)
            return result.replace(dont_filter=True)
        return result

    def _check_host(self, request, redirected) -> None:
        """Refuse a redirect to another host unless ``JOBTRENDS_REDIRECT_HOSTS`` allows it.

        Why: a configured source is one host; a redirect elsewhere (a parked domain, an
        internal address) is not what the user asked to crawl.  ``["*"]`` allows any.
        """
        old, new = urlsplit(request.url).hostname, urlsplit(redirected.url).hostname
        if old == new or (old or "").removeprefix("www.") == (new or "").removeprefix(
            "www."
        ):
            return
        allowed = self.crawler.settings.getlist("JOBTRENDS_REDIRECT_HOSTS")
        if "*" in allowed or (new or "") in allowed:
            return
        from scrapy.exceptions import IgnoreRequest

        self.crawler.stats.inc_value("jobtrends/redirect_offsite")
        raise IgnoreRequest(
            f"redirect from {old} to another host {new} refused"
            " (allow it with JOBTRENDS_REDIRECT_HOSTS)"
        )


def file_root_for(spider, settings) -> Path | None:
    """The folder ``file://`` URLs must stay below, or None (no folder was given).

    In order: the spider option ``file_root``, the setting ``JOBTRENDS_FILE_ROOT``, a
    ``file://`` base_url, the folder of ``feeds_file``.  ``file_root_for(spider, s)`` ->
    ``Path("/data/feeds")``.  Feeds named one by one on the command line with no folder
    given are the user's explicit choice and are read as they are.
    """
    opt = getattr(spider, "opt", lambda key, default=None: default)
    root = opt("file_root") or settings.get("JOBTRENDS_FILE_ROOT")
    base = getattr(spider, "base_url", "") or ""
    if not root and base.startswith("file:"):
        root = url2pathname(urlsplit(base).path)
    if not root and opt("feeds_file"):
        root = str(Path(opt("feeds_file")).resolve().parent)
    return Path(root).resolve() if root else None


class FileRootMiddleware:
    """Downloader middleware: a ``file://`` request outside the file root is refused.

    Why: a feeds file, a saved API page or a base_url can name any path (``../../etc``);
    only files below the folder the user gave are read.  Refused requests reach the
    spider's errback as ``file_outside_root``.
    """

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if not request.url.startswith("file:"):
            return
        from scrapy.exceptions import IgnoreRequest

        spider = spider or self.crawler.spider
        root = file_root_for(spider, self.crawler.settings)
        if root is None:
            return
        path = Path(url2pathname(urlsplit(request.url).path)).resolve()
        if path != root and root not in path.parents:
            self.crawler.stats.inc_value("jobtrends/file_outside_root")
            logger.warning("refused %s: outside the file root %s", request.url, root)
            raise IgnoreRequest(f"{path} is outside the file root {root}")
        return
