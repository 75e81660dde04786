"""Raw payloads stored compressed (crawler/raw_codec.py): every reader gets the text back.

Payloads here carry the variety of real listings: accents, CJK, right-to-left text,
emoji, HTML entities and markup, boilerplate repeated across listings.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from crawler import db as dbmod
from crawler import raw_codec
from tests.conftest import rows
from tests.test_migrations import SCHEMAS

WORDS = [
    "Rédacteur·rice",
    "São Paulo",
    "東京のデザイナー",
    "مطور ويب",
    "🚀 startup",
    "&amp; &lt;b&gt;",
    "<p>Überblick</p>",
    "naïve café",
    "₹ 5,000",
    "Zürich — 100 % remote",
]


def payload(i: int, version: int = 0) -> str:
    """A JSON-ish listing with boilerplate, like a source's (no two alike)."""
    words = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(4))
    return (
        f'{{"id": "{i}", "v": {version}, "title": "{words} n°{i}",'
        f' "description": "We are hiring. {words}. Apply now — pay {i % 97} €/h.'
        ' Les candidatures sont ouvertes; 応募はこちら."}'
    )


def listing(i: int, source: str = "board", version: int = 0) -> dbmod.RawRow:
    return dbmod.RawRow(
        source,
        str(i),
        payload(i, version),
        "json",
        url=f"https://example.test/{i}",
        fetched_at="2024-03-01T00:00:00Z",
    )


def stored(conn: sqlite3.Connection, source: str = "board") -> dict[str, tuple]:
    return {
        r[0]: (r[1], r[2], r[3])
        for r in conn.execute(
            f"SELECT source_id, {raw_codec.PAYLOAD}, payload_sha256, payload_dict"
            " FROM raw_listings WHERE source = ?",
            (source,),
        )
    }


def test_a_source_is_compressed_once_it_has_enough_payloads(tmp_path):
    conn = dbmod.connect(tmp_path / "jobs.db")
    half = raw_codec.TRAIN_ROWS // 2
    dbmod.save_raw(conn, [listing(i) for i in range(half)], run_id=1)
    assert all(d is None for _, _, d in stored(conn).values())  # too few: plain
    dbmod.save_raw(conn, [listing(i) for i in range(half, 2 * half + 10)], run_id=1)
    dbmod.save_raw(conn, [listing(5, "small")], run_id=1)
    got = stored(conn)
    assert len(got) == 2 * half + 10
    for source_id, (text, digest, dict_id) in got.items():
        assert text == payload(int(source_id))  # the exact text back
        assert digest == dbmod.sha256(text)  # the hash of the text, not of the blob
        assert dict_id is not None
    assert stored(conn, "small")["5"][2] is None  # its own source: still plain
    size = conn.execute(
        "SELECT avg(length(payload)), avg(length(CAST(payload_text(payload,"
        " payload_dict) AS BLOB))) FROM raw_listings WHERE source = 'board'"
    ).fetchone()
    assert size[0] < size[1] / 3  # smaller by far
    # A changed payload, and a new one, are written compressed and read back.
    counts = dbmod.save_raw(conn, [listing(3, version=2), listing(9999)], run_id=2)
    assert (counts.new, counts.updated) == (1, 1)
    got = stored(conn)
    assert got["3"][0] == payload(3, 2) and got["3"][2] is not None
    assert got["9999"][0] == payload(9999) and got["9999"][2] is not None
    dicts = conn.execute("SELECT source, samples, dict IS NOT NULL FROM payload_dicts")
    assert list(map(tuple, dicts)) == [("board", 2 * half + 10, 1)]


def test_dated_sightings_are_compressed_too(tmp_path):
    conn = dbmod.connect(tmp_path / "jobs.db")
    n = raw_codec.TRAIN_ROWS + 5
    sightings = [listing(i)._replace(seen_at="2023-05-01T00:00:00Z") for i in range(n)]
    counts = dbmod.save_raw(conn, sightings, run_id=None)
    assert counts.new == n
    got = stored(conn)
    assert all(d is not None for _, _, d in got.values())
    assert got["17"][0] == payload(17)


def old_database_with_payloads(path: Path, n: int) -> None:
    """A database of the first schema holding ``n`` plain payloads (and 3 of a small
    source), as a version before compression left it."""
    conn = sqlite3.connect(path)
    conn.executescript((SCHEMAS / "first.sql").read_text(encoding="utf-8"))
    conn.executemany(
        "INSERT INTO raw_listings (source, source_id, url, payload, payload_format,"
        " payload_sha256, fetched_at, first_seen_at, last_seen_at) VALUES"
        " (?, ?, ?, ?, 'json', ?, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z',"
        " '2024-01-01T00:00:00Z')",
        [
            (r.source, r.source_id, r.url, r.payload, dbmod.sha256(r.payload))
            for r in [listing(i) for i in range(n)]
            + [listing(i, "small") for i in range(3)]
        ],
    )
    conn.commit()
    conn.close()


def test_an_old_database_with_plain_payloads_migrates(tmp_path):
    path = tmp_path / "old.db"
    n = raw_codec.TRAIN_ROWS + 200
    old_database_with_payloads(path, n)
    conn = dbmod.connect(path)
    assert dbmod.schema_version(conn) == dbmod.SCHEMA_VERSION
    got = stored(conn)
    assert len(got) == n and all(d is not None for _, _, d in got.values())
    assert all(text == payload(int(i)) for i, (text, _, _) in got.items())
    assert all(d is None for _, _, d in stored(conn, "small").values())
    packed, text = conn.execute(
        f"SELECT sum(length(payload)), sum(length(CAST({raw_codec.PAYLOAD} AS BLOB)))"
        " FROM raw_listings"
    ).fetchone()
    assert packed < text / 3
    conn.close()
    # Readers outside jobtrends' connect (test helpers, Datasette) use the function.
    text = rows(
        path, f"SELECT {raw_codec.PAYLOAD} FROM raw_listings WHERE source_id='7'"
    )
    assert text[0][0] == payload(7)


def test_the_normalizer_reads_compressed_payloads_as_text(tmp_path, monkeypatch):
    """The same synth listings normalized from plain and from compressed storage give
    the same jobs, skills and issues (worker processes included)."""
    from analysis.synth import generate
    from crawler.normalize.bulk import normalize_db

    listings = list(generate(date(2023, 1, 1), date(2023, 3, 31), rows=1500, seed=3))
    results = {}
    for name, train_rows in (("plain", 10**9), ("packed", raw_codec.TRAIN_ROWS)):
        monkeypatch.setattr(raw_codec, "TRAIN_ROWS", train_rows)
        conn = dbmod.connect(tmp_path / f"{name}.db")
        dbmod.save_raw(conn, listings, run_id=1, seen_at="2024-01-01T00:00:00Z")
        packed = conn.execute("SELECT count(payload_dict) FROM raw_listings")
        assert (packed.fetchone()[0] > 0) == (name == "packed")
        normalize_db(conn, progress=False, workers=2, chunk=400, derive=False)
        results[name] = [
            conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
            for t in ("jobs", "job_skills", "normalize_issues")
        ]
        conn.close()
    assert [len(t) for t in results["packed"]][0] == len(listings)
    assert [list(map(tuple, t)) for t in results["packed"]] == [
        list(map(tuple, t)) for t in results["plain"]
    ]


def test_old_job_skills_rows_survive_the_compact_layout(tmp_path):
    """Migration 7: an old job_skills table becomes skill_names + job_skill_ids and a
    view of the same name and columns with the same rows; writing through it works."""
    path = tmp_path / "old.db"
    old_database_with_payloads(path, 3)
    conn = sqlite3.connect(path)
    before = [
        ("upwork:1", "python", 0, "language", "2024-01"),
        ("upwork:1", "llm", 1, "ai", "2024-01"),
        ("upwork:2", "python", 0, "language", "2024-02"),
        ("upwork:2", "Zürich café", 0, None, None),
    ]
    conn.executemany("INSERT INTO job_skills VALUES (?, ?, ?, ?, ?)", before)
    conn.commit()
    conn.close()
    conn = dbmod.connect(path)
    kind = conn.execute("SELECT type FROM sqlite_master WHERE name = 'job_skills'")
    assert kind.fetchone()[0] == "view"
    got = conn.execute("SELECT * FROM job_skills ORDER BY job_id, skill").fetchall()
    assert list(map(tuple, got)) == sorted(before, key=lambda r: (r[0], r[1]))
    assert conn.execute("SELECT count(*) FROM skill_names").fetchone()[0] == 3
    conn.execute("DELETE FROM job_skills WHERE job_id = 'upwork:2'")
    conn.execute(
        "INSERT INTO job_skills VALUES ('upwork:3', 'llm', 1, 'ai', '2024-03')"
    )
    rows_now = conn.execute("SELECT job_id, skill FROM job_skills ORDER BY 1, 2")
    assert list(map(tuple, rows_now)) == [
        ("upwork:1", "llm"),
        ("upwork:1", "python"),
        ("upwork:3", "llm"),
    ]
