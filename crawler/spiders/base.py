"""What every jobtrends spider shares: options, mirror URLs, listing items, incremental stops.

A source spider only knows its URLs, its paging and how to cut a response into listings
with stable ids; it yields :meth:`JobSpider.listing` items (the exact payload) and
:meth:`JobSpider.skip` items for anything it cannot cut, never interpreting field values.
"""

from __future__ import annotations

import inspect
import re
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import scrapy

from crawler.config import source_options
from crawler.errors import UserError
from crawler.payloads import BadJson, json_payload
from crawler.suggest import unknown_names_message

TRUE = {"1", "true", "yes", "on"}
# Options every spider takes (file_root: crawler/middlewares.py, for file:// feeds).
COMMON_OPTIONS = ("base_url", "full", "file_root")
_OPT_CALL = re.compile(r"\bopt(?:_int|_list)?\(\s*[\"'](\w+)[\"']")


class JobSpider(scrapy.Spider):
    name = ""  # abstract: Scrapy's spider loader lists only classes with a name
    #: The real site's origin; `-a base_url=http://127.0.0.1:PORT/<name>` points at a mirror.
    default_base_url = ""
    payload_format = "json"

    def __init__(
        self,
        *args,
        base_url: str | None = None,
        config: str | None = None,
        full: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.jobtrends_args = {
            k: v
            for k, v in dict(kwargs, base_url=base_url, full=full).items()
            if v is not None and not k.startswith("_")
        }
        self.options = source_options(self.name, config)
        self.options.update({k: v for k, v in kwargs.items() if isinstance(v, str)})
        self.mirror = base_url
        self.base_url = (
            base_url or self.options.get("base_url") or self.default_base_url
        ).rstrip("/")
        self.full = str(full or self.options.get("full", "")).lower() in TRUE
        self._known_conn: sqlite3.Connection | None = None

    # -- options -----------------------------------------------------------------
    def opt(self, key: str, default=None):
        """A spider argument, else the config value, else ``default``."""
        return self.options.get(key, default)

    def opt_int(self, key: str, default: int) -> int:
        value = self.opt(key, default)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise UserError(
                f"option {key}={value!r} for spider {self.name} must be an integer"
            ) from None

    def opt_list(self, key: str) -> list[str]:
        """A list option: a TOML list, or a comma-separated spider argument."""
        value = self.opt(key)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return [str(v) for v in value]

    #: Options that must be whole numbers; checked by `jobtrends crawl` before crawling.
    int_options: tuple[str, ...] = ("max_pages", "limit")

    @classmethod
    def option_names(cls) -> set[str]:
        """Every option this spider reads: the keys its code (and its base classes' code)
        passes to ``opt``/``opt_int``/``opt_list``, its default config keys, and the
        options every spider takes."""
        names = {*COMMON_OPTIONS, *source_options(cls.name, None)}
        for klass in cls.__mro__:
            if klass.__module__.startswith("crawler.spiders"):
                names.update(_OPT_CALL.findall(inspect.getsource(klass)))
        return names

    def check_options(self) -> None:
        """Raise UserError (one line: which option, which value) for an unusable option:
        an unknown key (with the closest valid one), or a bad number."""
        message = unknown_names_message(
            "option", self.jobtrends_args, self.option_names()
        )
        if message:
            raise UserError(message)
        for key in self.int_options:
            if self.opt(key) not in (None, "") and self.opt_int(key, 0) < 0:
                raise UserError(
                    f"option {key}={self.opt(key)!r} for spider {self.name} must be 0 or more"
                )

    # -- URLs ----------------------------------------------------------------------
    def api_url(self, path: str, params: dict | None = None) -> str:
        """``base_url`` + the real path and query string."""
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}{path}{query}"

    def rebase(self, url: str) -> str:
        """Point a real URL at the mirror given by ``base_url``, keeping path and query.

        ``file://`` URLs (saved archives) are read as they are.
        """
        if url.startswith("file:") or not self.mirror:
            return url
        real, mirror = urlsplit(url), urlsplit(self.mirror.rstrip("/"))
        return urlunsplit(
            (mirror.scheme, mirror.netloc, mirror.path + real.path, real.query, "")
        )

    # -- items ---------------------------------------------------------------------
    @staticmethod
    def now_iso() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def listing(
        self,
        response,
        source_id,
        payload: str,
        *,
        url: str | None = None,
        fetched_at: str | None = None,
    ) -> dict:
        return {
            "source": self.name,
            "source_id": str(source_id),
            "payload": payload,
            "payload_format": self.payload_format,
            "url": url,
            "fetched_at": fetched_at or self.now_iso(),
            "origin": response.url,
        }

    def json_listing(self, response, source_id, obj, *, url: str | None = None) -> dict:
        """A listing of ``obj``'s exact JSON, or a skip when part of it is poison.

        A value the page nested too deep or wrote with thousands of digits
        (``crawler.payloads.Poison``) costs this listing only: ``too_deep`` /
        ``bad_number`` in skipped_listings, the page's other listings are kept.
        """
        try:
            payload = json_payload(obj)
        except BadJson as exc:
            return self.skip(
                response, exc.reason, f"listing {str(source_id)[:80]}: {exc}"
            )
        return self.listing(response, source_id, payload, url=url)

    def skip(self, response, reason: str, detail: str = "", excerpt: str = "") -> dict:
        return {
            "skip": True,
            "source": self.name,
            "url": response.url,
            "reason": reason,
            "detail": detail,
            "excerpt": excerpt[:500],
        }

    def page_failed(self, failure):
        """Errback for every request (attached by PageLossMiddleware): record the lost page.

        Yields one skip item (``skipped_listings``: url, reason such as ``timeout``,
        ``http_503``, ``redirect_loop``, ``too_large``) and counts ``jobtrends/pages_lost``.
        """
        from crawler.middlewares import failure_reason

        request = failure.request
        reason, lost = failure_reason(failure)
        detail = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"[:500]
        if lost:
            self.crawler.stats.inc_value("jobtrends/pages_lost")
            self.logger.warning("page lost: %s (%s) %s", request.url, reason, detail)
        else:
            self.logger.info("page not fetched: %s (%s)", request.url, reason)
        yield {
            "skip": True,
            "source": self.name,
            "url": request.url,
            "reason": reason,
            "detail": detail,
            "excerpt": "",
        }

    def page_unreadable(
        self, response, reason: str, detail: str, excerpt: str = ""
    ) -> dict:
        """A whole page that arrived but cannot be read: counted lost, logged, skipped."""
        self.crawler.stats.inc_value("jobtrends/pages_lost")
        self.logger.warning("page lost: %s (%s) %s", response.url, reason, detail[:200])
        return self.skip(response, reason, detail, excerpt)

    # -- incremental crawling ----------------------------------------------------------
    def known_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of these listing ids an earlier run already stored."""
        ids = [str(i) for i in ids]
        db_path = (
            self.settings.get("JOBTRENDS_DB") if hasattr(self, "settings") else None
        )
        if not ids or not db_path or not Path(db_path).exists():
            return set()
        if self._known_conn is None:
            self._known_conn = sqlite3.connect(
                f"file:{db_path}?mode=ro", uri=True, timeout=30
            )
        run_id = getattr(self, "jobtrends_run_id", None) or -1
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self._known_conn.execute(
                    f"SELECT source_id FROM raw_listings r WHERE source = ? AND source_id IN ({marks})"
                    " AND coalesce(first_run_id, -2) != ?"
                    # only runs that finished: an interrupted or partial run never reached
                    # the pages after its last one, so its listings must not stop paging
                    " AND EXISTS (SELECT 1 FROM crawl_runs c WHERE c.run_id IN (r.first_run_id, r.last_run_id)"
                    " AND c.status = 'finished')",
                    [self.name, *chunk, run_id],
                )
            )
        return found

    def page_repeats(self, ids: list[str]) -> bool:
        """True when every listing of this page was already on an earlier page of this run.

        Bounds pagination that never ends: a cycle back to an earlier page, or an
        always-full page served for every offset.  Logged and counted
        (``jobtrends/pagination_repeat``); the listings themselves are stored once.
        """
        seen = self.__dict__.setdefault("_ids_this_run", set())
        fresh = set(ids) - seen
        seen.update(ids)
        if ids and not fresh:
            self.crawler.stats.inc_value("jobtrends/pagination_repeat")
            self.logger.warning(
                "page repeats listings already seen in this run: stopping pagination"
            )
            return True
        return False

    def should_stop_paging(self, ids: list[str]) -> bool:
        """True when a page holds only listings stored by earlier runs (and no --full)."""
        if self.full or not ids:
            return False
        if len(self.known_ids(ids)) == len(set(ids)):
            self.crawler.stats.inc_value("jobtrends/incremental_stop")
            self.logger.info(
                "page holds only known listings: stopping here (use -a full=1 to go on)"
            )
            return True
        return False

    def closed(self, reason):
        if self._known_conn is not None:
            self._known_conn.close()
