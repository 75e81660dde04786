"""``--format upwork-csv``: the widely shared "Upwork job postings" CSV built from the feeds.

Columns ``title, link, description, published_date, is_hourly, hourly_low, hourly_high,
budget, country`` (non-numeric fields quoted).  Each row is stored as the JSON object of
its columns (payload_format ``csv-row``, source ``upwork``; the upwork mapping reads it
through ``crawler.normalize.sources.upwork_csv``), with origin ``file:line``.  The job id
is the ``~01...`` ciphertext in ``link``; the row counts as seen at ``published_date``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring

from crawler.db import RawRow
from crawler.importers.inputs import InputFile
from crawler.importers.lines import BadRecord, CsvRecords, csv_header
from crawler.importers.records import FileDone, Reject, parse_when
from crawler.normalize.sources.upwork import job_id_from_link
from crawler.payloads import json_payload

# json_payload's exact output, without building an encoder per row (hot path).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
assert _encode({"a": "é"}) == json_payload({"a": "é"})
# The id as it stands in almost every link (%7E01... or ~01...), found without unquoting
# the whole URL; anything else goes through the spider's own job_id_from_link.
_QUICK_ID = re.compile(r"(?:%7[Ee]|~)(0[0-9][0-9a-zA-Z]{6,})")

SOURCE = "upwork"
COLUMNS = (
    "title",
    "link",
    "description",
    "published_date",
    "is_hourly",
    "hourly_low",
    "hourly_high",
    "budget",
    "country",
)
REQUIRED = ("title", "link", "published_date")


def wanted(name: str) -> bool:
    return name.lower().endswith((".csv", ".csv.gz"))


def excerpt(row: list[str]) -> str:
    return ",".join(row)[:300]


def payload_of(header: list[str]) -> Callable[[list[str]], str]:
    """``payload_of(header)(row)`` == ``json_payload(dict(zip(header, row)))``, faster.

    The keys are fixed per file, so the object is one %-template filled with the
    JSON-escaped values (csv gives only strings): no dict and no encoder per row.
    """
    if len(set(header)) != len(header):  # a repeated column: keep dict semantics
        return lambda row: _encode(dict(zip(header, row, strict=False)))
    template = (
        "{" + ",".join(_encode(k).replace("%", "%%") + ":%s" for k in header) + "}"
    )
    return lambda row: template % tuple(map(encode_basestring, row))


def read(
    inp: InputFile, source: str | None = None, **_
) -> Iterator[RawRow | Reject | FileDone]:
    """Rows as ``crawler.db.RawRow`` sightings (sha256 included), then FileDone."""
    with inp.open() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        records = CsvRecords(text)
        header = csv_header(records, inp.name)
        if type(header) is Reject:
            yield header
            yield FileDone(inp.name, ok=False)
            return
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            yield Reject(
                f"{inp.name}:1",
                "bad_header",
                f"missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}",
                excerpt(header),
            )
            yield FileDone(inp.name, ok=False)
            return
        width = len(header)
        i_link, i_date = header.index("link"), header.index("published_date")
        name = inp.name
        payload_for = payload_of(header)
        digest = hashlib.sha256
        for record in records.rows(width):
            if type(record) is BadRecord:
                yield Reject(
                    record.where(name), record.reason, record.detail, record.excerpt
                )
                continue
            where, row = record
            link = row[i_link]
            quick = _QUICK_ID.search(link)
            job_id = f"~{quick.group(1)}" if quick else job_id_from_link(link)
            if not job_id:
                yield Reject(
                    f"{name}:{where}",
                    "no_job_id",
                    f"link without ~01 id: {link[:200]}",
                    excerpt(row),
                )
                continue
            seen = parse_when(row[i_date])
            if seen is None:
                yield Reject(
                    f"{name}:{where}",
                    "bad_date",
                    f"published_date {row[i_date][:60]!r} is not a date",
                    excerpt(row),
                )
                continue
            payload = payload_for(row)
            # Hashed here: in a large import this runs in the reading process.
            yield RawRow(
                SOURCE,
                job_id,
                payload,
                "csv-row",
                link,
                seen,
                f"{name}:{where}",
                seen,
                digest(payload.encode()).hexdigest(),
            )
    yield FileDone(inp.name)
