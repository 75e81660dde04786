"""``--format scrapy-feed``: the JSON Lines ``scrapy crawl NAME -O items.jsonl`` writes.

Items are our spiders' listing dicts (see crawler/spiders/base.py ``listing()``), stored
as they are, seen at their ``fetched_at``; skip items (``{"skip": true, ...}``) become
rejects with their own reason, so a crawl run elsewhere merges like a local one.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from crawler.db import RawRow
from crawler.importers.inputs import InputFile
from crawler.importers.lines import json_lines
from crawler.importers.records import FileDone, Reject, parse_when

REQUIRED = ("source", "source_id", "payload")


def wanted(name: str) -> bool:
    return name.lower().endswith((".jsonl", ".jl", ".ndjson", ".jsonl.gz", ".jl.gz"))


def read(inp: InputFile, **_) -> Iterator[RawRow | Reject | FileDone]:
    with inp.open() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
        for got in json_lines(text, inp.name):
            if type(got) is Reject:
                yield got
                continue
            where, item, line = got
            if not isinstance(item, dict):
                yield Reject(where, "not_object", "not a listing item", line[:300])
                continue
            if item.get("skip"):
                yield Reject(
                    where,
                    f"crawl_skip:{item.get('reason', 'unknown')}",
                    f"{item.get('url', '')} {item.get('detail', '')}".strip(),
                    str(item.get("excerpt", ""))[:300],
                )
                continue
            missing = [k for k in REQUIRED if item.get(k) in (None, "")]
            if missing or not isinstance(item["payload"], str):
                yield Reject(
                    where,
                    "no_id" if "source_id" in missing else "missing_field",
                    f"missing or bad {', '.join(missing) or 'payload'}",
                    line[:300],
                )
                continue
            seen = parse_when(item.get("fetched_at"))
            if seen is None:
                yield Reject(
                    where,
                    "bad_date",
                    f"fetched_at {item.get('fetched_at')!r} is not a date",
                    line[:300],
                )
                continue
            yield RawRow(
                str(item["source"]),
                str(item["source_id"]),
                item["payload"],
                item.get("payload_format") or "json",
                item.get("url"),
                seen,
                where,
                seen_at=seen,
            )
    yield FileDone(inp.name)
