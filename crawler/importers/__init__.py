"""Importing archives and public datasets through the same path as a crawl.

One module per format (``upwork_rss``, ``upwork_csv``, ``generic`` for csv/jsonl,
``scrapy_feed``) turns input files into :class:`crawler.db.RawRow` listings (each with
the ``seen_at`` its file says) and :class:`~crawler.importers.records.Reject` events; :func:`run_import` (loader.py) stores
them exactly like the crawl pipeline does: raw payloads, normalized jobs, rollups and a
``crawl_runs`` row with ``kind = 'import'``.

``run_import(conn, ["saved-feeds/"], "upwork-rss")``
"""

from crawler.importers.formats import FORMATS, ImportFormat
from crawler.importers.loader import ImportFailed, ImportReport, run_import

__all__ = ["FORMATS", "ImportFailed", "ImportFormat", "ImportReport", "run_import"]
