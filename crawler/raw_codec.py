"""Raw payloads stored zstd-compressed with a dictionary trained on the database's own.

A listing's payload is 2-3 KB of text, most of it the same markup and boilerplate as
every other listing of its source: zstd alone saves half, zstd with a dictionary trained
on that source's payloads saves ~90 %.  Each source gets its dictionary once it has
``TRAIN_ROWS`` payloads stored (trained on up to ``SAMPLE_ROWS`` of them, kept in
``payload_dicts``); from then on its payloads are stored as zstd frames (BLOB) with
``raw_listings.payload_dict`` naming the dictionary.  ``payload_dict IS NULL`` marks a
payload stored as plain text (a source with few listings, or a database written before
compression).  ``payload_sha256`` is always the hash of the text.

Readers never see the difference: every connection jobtrends opens (and Datasette's,
through analysis/datasette/plugin.py) has the SQL function
``payload_text(payload, payload_dict)`` (``PAYLOAD`` below); Datasette's canned query
``raw_payloads`` lists listings with their payload as text.  No view uses the function:
a plain ``sqlite3`` connection could not even list such a view's columns.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3

import zstandard

logger = logging.getLogger(__name__)

TRAIN_ROWS = 1000  # payloads of a source stored plain before its dictionary is trained
SAMPLE_ROWS = 2000  # payloads the dictionary is trained on
DICT_BYTES = 64 * 1024
LEVEL = 3

# The SQL expression giving a raw_listings row's payload as text (use it in every
# SELECT that reads payloads: ``f"SELECT {PAYLOAD} FROM raw_listings"``).
PAYLOAD = "payload_text(payload, payload_dict)"

# Compressors and decompressors by the dictionary's sha256: content-addressed, so one
# process may hold several databases' dictionaries without mixing them up.
_COMPRESSORS: dict[str, zstandard.ZstdCompressor] = {}
_DECOMPRESSORS: dict[str, zstandard.ZstdDecompressor] = {}


def _compressor(digest: str, data: bytes) -> zstandard.ZstdCompressor:
    got = _COMPRESSORS.get(digest)
    if got is None:
        got = _COMPRESSORS[digest] = zstandard.ZstdCompressor(
            level=LEVEL,
            dict_data=zstandard.ZstdCompressionDict(data),
            write_checksum=False,
            write_dict_id=False,
        )
    return got


def _decompressor(digest: str, data: bytes) -> zstandard.ZstdDecompressor:
    got = _DECOMPRESSORS.get(digest)
    if got is None:
        got = _DECOMPRESSORS[digest] = zstandard.ZstdDecompressor(
            dict_data=zstandard.ZstdCompressionDict(data)
        )
    return got


def register(conn: sqlite3.Connection) -> None:
    """Give ``conn`` the SQL function ``payload_text(payload, payload_dict)``."""
    loaded: dict[int, zstandard.ZstdDecompressor] = {}

    def payload_text(payload, dict_id):
        if dict_id is None:
            return payload
        dec = loaded.get(dict_id)
        if dec is None:
            row = conn.execute(
                "SELECT sha256, dict FROM payload_dicts WHERE dict_id = ?", (dict_id,)
            ).fetchone()
            if row is None or row[1] is None:
                raise ValueError(f"payload dictionary {dict_id} is missing")
            dec = loaded[dict_id] = _decompressor(row[0], row[1])
        return dec.decompress(payload).decode("utf-8")

    conn.create_function("payload_text", 2, payload_text, deterministic=True)


class Packer:
    """Turns payload text into what ``raw_listings`` stores, for one write.

    ``packer = Packer(conn); blob, dict_id = packer.pack(source, text)``.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.by_source: dict[str, tuple[int, zstandard.ZstdCompressor | None]] = {}
        for source, dict_id, digest, data in conn.execute(
            "SELECT source, dict_id, sha256, dict FROM payload_dicts d WHERE dict_id ="
            " (SELECT max(dict_id) FROM payload_dicts e WHERE e.source = d.source)"
        ):
            self.by_source[source] = (
                dict_id,
                None if data is None else _compressor(digest, data),
            )

    def pack(self, source: str, text: str) -> tuple[str | bytes, int | None]:
        got = self.by_source.get(source)
        if got is None or got[1] is None:
            return text, None
        return got[1].compress(text.encode("utf-8")), got[0]


def train_where_due(conn: sqlite3.Connection, rows=()) -> list[str]:
    """Before a write: train a dictionary for each source (of ``rows``, the listings
    about to be stored) that has none yet and, counting ``rows``, at least
    ``TRAIN_ROWS`` payloads; compress that source's plain payloads already stored.  The
    caller holds the transaction; ``rows`` are then packed with the new dictionary, so
    the pages they fill are written once.  Returns the sources trained."""
    have = {r[0] for r in conn.execute("SELECT DISTINCT source FROM payload_dicts")}
    incoming: dict[str, list[str]] = {}
    for row in rows:
        if row.source not in have:
            incoming.setdefault(row.source, []).append(row.payload)
    trained = []
    for source in sorted(incoming):
        plain = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM raw_listings WHERE source = ?"
            " AND payload_dict IS NULL LIMIT ?)",
            (source, TRAIN_ROWS),
        ).fetchone()[0]
        if plain + len(incoming[source]) >= TRAIN_ROWS:
            train(conn, source, incoming[source])
            trained.append(source)
    return trained


def train(conn: sqlite3.Connection, source: str, extra: list[str] = ()) -> int:
    """Train ``source``'s dictionary on its plain payloads (and ``extra`` ones about to
    be stored), store it, and compress every plain payload of that source already
    stored.  Returns the payloads compressed."""
    samples = [
        r[0].encode("utf-8")
        for r in conn.execute(
            "SELECT payload FROM raw_listings WHERE source = ? AND payload_dict IS NULL"
            " LIMIT ?",
            (source, SAMPLE_ROWS),
        )
    ]
    samples += [p.encode("utf-8") for p in extra[: SAMPLE_ROWS - len(samples)]]
    note = None
    try:
        data = zstandard.train_dictionary(DICT_BYTES, samples, level=LEVEL).as_bytes()
    except zstandard.ZstdError as exc:
        # Kept plain for good (the row says why), not retried on every write.
        logger.warning("payloads of %s stay uncompressed: %s", source, exc)
        data, note = None, f"training failed: {exc}"
    digest = hashlib.sha256(data).hexdigest() if data is not None else None
    dict_id = conn.execute(
        "INSERT INTO payload_dicts (source, samples, level, sha256, dict, note,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        (source, len(samples), LEVEL, digest, data, note),
    ).lastrowid
    if data is None:
        return 0
    comp = _compressor(digest, data)
    done, last = 0, -1
    while True:  # in rowid order: one pass over the table however many rows
        rows = conn.execute(
            "SELECT rowid, payload FROM raw_listings WHERE rowid > ? AND source = ?"
            " AND payload_dict IS NULL ORDER BY rowid LIMIT 5000",
            (last, source),
        ).fetchall()
        if not rows:
            return done
        conn.executemany(
            "UPDATE raw_listings SET payload = ?, payload_dict = ? WHERE rowid = ?",
            [(comp.compress(p.encode("utf-8")), dict_id, rowid) for rowid, p in rows],
        )
        done += len(rows)
        last = rows[-1][0]


def compress_all(conn: sqlite3.Connection) -> None:
    """Migration: train and compress every source with enough plain payloads (inside
    the migrating transaction)."""
    for (source,) in conn.execute(
        "SELECT DISTINCT source FROM raw_listings"
        " WHERE source NOT IN (SELECT source FROM payload_dicts)"
    ).fetchall():
        plain = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM raw_listings WHERE source = ? LIMIT ?)",
            (source, TRAIN_ROWS),
        ).fetchone()[0]
        if plain >= TRAIN_ROWS:
            train(conn, source)
