"""``--format jsonl`` / ``--format csv``: one listing per line or row, any source.

A column mapping names where each canonical field is
(``--map source_id=id,title=job_title,posted_raw=date,pay_text=salary``).  The payload
stored is a JSON object of the mapped fields plus ``"_raw"``, the row exactly as read
(``{"title": "...", "posted_raw": "...", "_raw": {...}}``); the normalizer reads it with
``crawler.normalize.sources.generic`` (the fallback for sources without a module).
The listing counts as seen at its ``seen_at`` column, else its posted date when that is
a machine date, else the file's mtime.
"""

from __future__ import annotations

import ast
import io
import json
from collections.abc import Iterator

from crawler.db import RawRow
from crawler.errors import UserError
from crawler.importers.inputs import InputFile
from crawler.importers.lines import PrefixedText, csv_rows, json_lines
from crawler.importers.records import FileDone, Reject, iso_z, parse_when
from crawler.payloads import BadJson, json_payload, load_json

#: Canonical fields a mapping may fill, and the short names accepted for them.
FIELDS = (
    "source_id",
    "title",
    "description",
    "posted_raw",
    "pay_text",
    "company",
    "url",
    "source_category",
    "tags",
    "country",
    "location",
    "remote",
    "currency_hint",
    "pay_min",
    "pay_max",
    "pay_type",
    "pay_period",
    "seen_at",
)
ALIASES = {
    "id": "source_id",
    "posted_at": "posted_raw",
    "date": "posted_raw",
    "pay": "pay_text",
    "salary": "pay_text",
    "category": "source_category",
    "skills": "tags",
    "currency": "currency_hint",
    "pay_currency": "currency_hint",
    "link": "url",
}


def parse_mapping(pairs: dict[str, str]) -> dict[str, str]:
    """Canonical field -> column; ValueError naming a field that does not exist."""
    out: dict[str, str] = {}
    for key, column in pairs.items():
        field = ALIASES.get(key.strip(), key.strip())
        if field not in FIELDS:
            raise UserError(
                f"unknown field {key!r} in the column mapping: use {', '.join(FIELDS)}"
            )
        if not str(column).strip():
            raise UserError(f"field {key!r} maps to an empty column name")
        out[field] = str(column).strip()
    if "source_id" not in out:
        raise UserError(
            "the column mapping needs source_id=COLUMN (the listing's stable id)"
        )
    return out


def lookup(row: dict, column: str):
    """``row[column]``, or a dotted path into nested objects (``company.name``)."""
    if column in row:
        return row[column]
    value = row
    for part in column.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def list_cell(text: str) -> list[str] | str:
    """A cell holding a list written as JSON or as a Python list repr -> the list:
    ``list_cell("['Python', 'SQL']")`` -> ``["Python", "SQL"]``; other text as is (the
    normalizer splits "a, b; c")."""
    s = text.strip()
    if not (s.startswith("[") and s.endswith("]")):
        return text
    try:
        value = json.loads(s)
    except ValueError:
        try:
            value = ast.literal_eval(s)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return text
    if not isinstance(value, (list, tuple)):
        return text
    return [str(v).strip() for v in value if v is not None and str(v).strip()]


def csv_wanted(name: str) -> bool:
    return name.lower().endswith((".csv", ".csv.gz", ".tsv"))


def jsonl_wanted(name: str) -> bool:
    return name.lower().endswith(
        (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz")
    )


def mapped(
    row: dict, mapping: dict[str, str], source: str, where: str, file_seen: str | None
) -> RawRow | Reject:
    fields = {f: lookup(row, c) for f, c in mapping.items()}
    if isinstance(fields.get("tags"), str):
        fields["tags"] = list_cell(fields["tags"])
    source_id = fields.pop("source_id")
    if source_id is None or str(source_id).strip() == "":
        return Reject(
            where,
            "no_id",
            f"column {mapping['source_id']!r} is empty",
            json_payload(row)[:300],
        )
    seen_raw = fields.pop("seen_at", None)
    if "seen_at" in mapping:
        seen = parse_when(str(seen_raw)) if seen_raw not in (None, "") else None
        if seen is None:
            return Reject(
                where,
                "bad_date",
                f"seen_at {str(seen_raw)[:60]!r} is not a date",
                json_payload(row)[:300],
            )
    else:
        posted = fields.get("posted_raw")
        seen = (
            parse_when(str(posted)) if posted not in (None, "") else None
        ) or file_seen
        if seen is None:
            return Reject(
                where,
                "bad_date",
                "no seen_at, machine-readable posted date or file time",
                json_payload(row)[:300],
            )
    payload = json_payload(
        {**{k: v for k, v in fields.items() if v is not None}, "_raw": row}
    )
    url = fields.get("url")
    return RawRow(
        source,
        str(source_id).strip(),
        payload,
        "json",
        url if isinstance(url, str) else None,
        seen,
        where,
        seen_at=seen,
    )


def read_csv(
    inp: InputFile, source: str | None = None, mapping: dict | None = None, **_
) -> Iterator[RawRow | Reject | FileDone]:
    file_seen = iso_z(inp.mtime) if inp.mtime else None
    rows = csv_rows(inp, delimiter="\t" if inp.name.lower().endswith(".tsv") else ",")
    header = next(rows)
    if not isinstance(header, list):  # an empty file
        yield header
        yield from rows
        return
    missing = [c for c in mapping.values() if c not in header]
    if missing:
        yield Reject(
            f"{inp.name}:1",
            "bad_header",
            f"mapped column(s) {', '.join(missing)} not in header {', '.join(header)}",
        )
        yield FileDone(inp.name, ok=False)
        return
    for item in rows:
        if isinstance(item, Reject):
            yield item
        else:
            where, row = item
            yield mapped(
                dict(zip(header, row, strict=False)), mapping, source, where, file_seen
            )
    yield FileDone(inp.name)


def read_jsonl(
    inp: InputFile, source: str | None = None, mapping: dict | None = None, **_
) -> Iterator[RawRow | Reject | FileDone]:
    file_seen = iso_z(inp.mtime) if inp.mtime else None
    with inp.open() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace")
        head = text.read(4096)
        if head.lstrip().startswith("["):  # one JSON array of objects, not JSON Lines
            yield from _json_array(
                head + text.read(), inp.name, mapping, source, file_seen
            )
            return
        for got in json_lines(PrefixedText(head, text), inp.name):
            if type(got) is Reject:
                yield got
                continue
            where, row, line = got
            if not isinstance(row, dict):
                yield Reject(
                    where,
                    "not_object",
                    f"a JSON {type(row).__name__}, not an object",
                    line[:300],
                )
                continue
            yield mapped(row, mapping, source, where, file_seen)
    yield FileDone(inp.name)


def _json_array(
    text: str, name: str, mapping: dict, source: str | None, file_seen: str | None
) -> Iterator[RawRow | Reject | FileDone]:
    """Items of a file holding one JSON array; ``where`` is ``file:[index]``."""
    try:
        items = load_json(text)
    except BadJson as exc:
        yield Reject(name, exc.reason, f"not a JSON array: {exc}", text[:300])
        yield FileDone(name, ok=False)
        return
    for index, row in enumerate(items):
        where = f"{name}:[{index}]"
        if not isinstance(row, dict):
            yield Reject(
                where,
                "not_object",
                f"a JSON {type(row).__name__}, not an object",
                json.dumps(row, ensure_ascii=False)[:300],
            )
            continue
        yield mapped(row, mapping, source, where, file_seen)
    yield FileDone(name)
