"""``--format upwork-api``: an Upwork job-search API export flattened to CSV.

Columns as in ``marketplaceJobPostingsSearch`` exports: ``uid, title, published_on,
created_on, type, hourly_rate, amount_amount, client_location_country,
occupations_category_pref_label, occupations_oservice_pref_label, ...``.  Each row is
stored as the JSON object of its columns (payload_format ``csv-row``, source ``upwork``,
job id ``uid``, origin ``file:line``) and read by
``crawler.normalize.sources.upwork_api``; the row counts as seen at ``published_on``
(else ``created_on``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from crawler.db import RawRow
from crawler.importers.inputs import InputFile
from crawler.importers.lines import csv_rows
from crawler.importers.records import FileDone, Reject, parse_when
from crawler.importers.upwork_csv import excerpt, payload_of, wanted

__all__ = ["read", "wanted"]

SOURCE = "upwork"
REQUIRED = ("uid", "title")
DATES = ("published_on", "created_on")
_SCIENTIFIC = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")


def read(
    inp: InputFile, source: str | None = None, **_
) -> Iterator[RawRow | Reject | FileDone]:
    """Rows as ``crawler.db.RawRow`` sightings (sha256 included), then FileDone."""
    rows = csv_rows(inp)
    header = next(rows)
    if not isinstance(header, list):  # an empty file
        yield header
        yield from rows
        return
    missing = [c for c in REQUIRED if c not in header]
    if not any(d in header for d in DATES):
        missing.append(" or ".join(DATES))
    if missing:
        yield Reject(
            f"{inp.name}:1",
            "bad_header",
            f"missing column(s) {', '.join(missing)} of an Upwork API export",
            excerpt(header),
        )
        yield FileDone(inp.name, ok=False)
        return
    i_uid = header.index("uid")
    i_dates = [header.index(d) for d in DATES if d in header]
    payload_for = payload_of(header)
    for item in rows:
        if isinstance(item, Reject):
            yield item
            continue
        where, row = item
        uid = row[i_uid].strip()
        if uid.endswith(".0") and uid[:-2].isdigit():
            uid = uid[:-2]  # a spreadsheet wrote the id as a float
        if not uid:
            yield Reject(where, "no_job_id", "empty uid", excerpt(row))
            continue
        if _SCIENTIFIC.fullmatch(uid):
            yield Reject(
                where,
                "no_job_id",
                f"uid {uid!r} was written as a float: its last digits are lost",
                excerpt(row),
            )
            continue
        written = next((row[i] for i in i_dates if row[i].strip()), "")
        seen = parse_when(written)
        if seen is None:
            yield Reject(
                where,
                "bad_date",
                f"published_on/created_on {written[:60]!r} is not a date",
                excerpt(row),
            )
            continue
        payload = payload_for(row)
        yield RawRow(
            SOURCE,
            uid,
            payload,
            "csv-row",
            None,
            seen,
            where,
            seen,
            hashlib.sha256(payload.encode()).hexdigest(),
        )
    yield FileDone(inp.name)
