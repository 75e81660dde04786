"""``--format upwork-rss``: saved Upwork RSS feed files (a file, folder tree or archive).

Each ``<item>`` is stored byte-exact (as the upwork spider stores it) with origin
``file#item N``.  It counts as seen at the feed's own date: the channel's
``lastBuildDate``/``pubDate`` (when the file was saved), else the item's ``pubDate``,
else the file's mtime.  A file that is not well-formed XML keeps its complete items;
the broken item (or the broken tail) is rejected with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.parsers import expat

from crawler.db import RawRow
from crawler.importers.inputs import InputFile
from crawler.importers.records import FileDone, Reject, iso_z, parse_when
from crawler.normalize.sources._text import xml_text
from crawler.normalize.sources.upwork import job_id_from_link

# The spider's own cutter (rss_items), used here for its match positions.
from crawler.payloads import _ITEM_RE as ITEM_RE

SOURCE = "upwork"
_ITEM_START = re.compile(rb"<item\b")
_FEED_SUFFIXES = (".xml", ".rss", ".atom")
#: A feed file is read whole (its items are cut by position): larger ones are refused.
MAX_FEED_BYTES = 256 * 1024 * 1024


def wanted(name: str) -> bool:
    """Feed files in folders and archives: ``.xml``/``.rss`` files, or no suffix at all."""
    base = name.rsplit("/", 1)[-1].lower()
    return base.endswith(_FEED_SUFFIXES) or "." not in base


def channel_date(header: str) -> str | None:
    """The feed's own date from the text before its first item (lastBuildDate first)."""
    for tag in ("lastBuildDate", "pubDate", "dc:date", "updated"):
        when = parse_when(xml_text(header, tag))
        if when:
            return when
    return None


def xml_error(body: bytes) -> tuple[int, str] | None:
    """(line, message) of the first well-formedness error, or None."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        return exc.lineno, expat.ErrorString(exc.code)
    return None


def read(
    inp: InputFile, source: str | None = None, **_
) -> Iterator[RawRow | Reject | FileDone]:
    with inp.open() as fh:
        body = fh.read(MAX_FEED_BYTES + 1)
    if len(body) > MAX_FEED_BYTES:
        yield Reject(
            inp.name,
            "too_large",
            f"a feed file over {MAX_FEED_BYTES:,} bytes is not read (saved feeds are < 1 MB)",
            body[:200].decode("utf-8", "replace"),
        )
        yield FileDone(inp.name, ok=False)
        return
    first = _ITEM_START.search(body)
    header = body[: first.start() if first else 4000].decode("utf-8", "replace")
    if (
        "<rss" not in header
        and "<channel" not in header
        and "<feed" not in header
        and not first
    ):
        yield Reject(
            inp.name, "not_rss", "file holds no RSS channel or item", header[:200]
        )
        yield FileDone(inp.name, ok=False)
        return
    feed_seen = channel_date(header)
    file_seen = iso_z(inp.mtime) if inp.mtime else None
    error = xml_error(body)
    error_claimed = False
    n = 0
    line, counted = 1, 0  # line numbers counted incrementally: big dumps stay linear
    for match in ITEM_RE.finditer(body):
        n += 1
        line += body.count(b"\n", counted, match.start())
        counted = match.start()
        end_line = line + match.group(0).count(b"\n")
        item = match.group(0).decode("utf-8", "replace")
        where = f"{inp.name}:{line}"
        if error:
            # The file is broken somewhere: check this item on its own.
            own = xml_error(match.group(0))
            if line <= error[0] <= end_line:
                error_claimed = True
            if own or line <= error[0] <= end_line:
                at = line + own[0] - 1 if own else error[0]
                message = own[1] if own else error[1]
                yield Reject(f"{inp.name}:{at}", "broken_xml", message, item[:500])
                continue
        link = xml_text(item, "link") or xml_text(item, "guid")
        job_id = job_id_from_link(link)
        if not job_id:
            yield Reject(where, "no_job_id", f"link without ~01 id: {link}", item[:500])
            continue
        seen = feed_seen or parse_when(xml_text(item, "pubDate")) or file_seen
        if seen is None:
            yield Reject(
                where, "bad_date", "no feed date, item pubDate or file time", item[:500]
            )
            continue
        yield RawRow(
            SOURCE,
            job_id,
            item,
            "xml",
            url=link,
            fetched_at=seen,
            origin=f"{inp.name}#item {n}",
            seen_at=seen,
        )
    if error and not error_claimed:
        # Outside any complete item: a truncated tail or a broken channel header.
        yield Reject(f"{inp.name}:{error[0]}", "broken_xml", error[1], "")
    yield FileDone(inp.name, ok=n > 0 or not error)
