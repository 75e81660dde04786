"""The import formats: name -> reader, which files it takes, and its fixed source."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from crawler.db import RawRow
from crawler.importers import generic, scrapy_feed, upwork_api, upwork_csv, upwork_rss
from crawler.importers.records import FileDone, Reject


@dataclass(frozen=True)
class ImportFormat:
    name: str
    read: Callable[..., Iterator[RawRow | Reject | FileDone]]
    wanted: Callable[[str], bool]  # which files of a folder or archive to read
    source: (
        str | None
    )  # the source every listing is stored under; None: --source / per item
    needs_source: bool = False  # --source NAME required
    needs_map: bool = False  # a column mapping required
    help: str = ""


FORMATS: dict[str, ImportFormat] = {
    f.name: f
    for f in (
        ImportFormat(
            "upwork-rss",
            upwork_rss.read,
            upwork_rss.wanted,
            "upwork",
            help="saved Upwork RSS feed files: a file, folder tree, .zip or .tar.gz",
        ),
        ImportFormat(
            "upwork-csv",
            upwork_csv.read,
            upwork_csv.wanted,
            "upwork",
            help="the shared 'Upwork job postings' CSV (title, link, ..., country)",
        ),
        ImportFormat(
            "upwork-api",
            upwork_api.read,
            upwork_api.wanted,
            "upwork",
            help="an Upwork job-search API export (uid, title, type, hourly_rate, ...)",
        ),
        ImportFormat(
            "csv",
            generic.read_csv,
            generic.csv_wanted,
            None,
            True,
            True,
            help="any CSV with a header row; --source and --map required",
        ),
        ImportFormat(
            "jsonl",
            generic.read_jsonl,
            generic.jsonl_wanted,
            None,
            True,
            True,
            help="JSON Lines, one object per line; --source and --map required",
        ),
        ImportFormat(
            "scrapy-feed",
            scrapy_feed.read,
            scrapy_feed.wanted,
            None,
            help="`scrapy crawl NAME -O items.jsonl` output of our spiders",
        ),
    )
}
