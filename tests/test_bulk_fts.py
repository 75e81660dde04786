"""Bulk normalizing defers full-text indexing and rebuilds it; a crash leaves it repairable."""

from crawler.db import JOB_COLUMNS, connect, deferred_fts, save_jobs


def job(i, title):
    row = {c: None for c in JOB_COLUMNS}
    row.update(
        job_id=f"t:{i}",
        source="t",
        source_id=str(i),
        title=title,
        description="d",
        skills=[],
    )
    return row


def search(conn, word):
    return [
        r[0]
        for r in conn.execute(
            "SELECT jobs.job_id FROM jobs_fts JOIN jobs ON jobs.rowid = jobs_fts.rowid"
            " WHERE jobs_fts MATCH ? ORDER BY 1",
            (word,),
        )
    ]


def test_deferred_fts_rebuilds_index_and_triggers(tmp_path):
    conn = connect(tmp_path / "t.db")
    with deferred_fts(conn):
        save_jobs(conn, [job(1, "chatbot builder"), job(2, "logo design")])
        assert search(conn, "chatbot") == []  # not indexed while deferred
    assert search(conn, "chatbot") == ["t:1"]
    save_jobs(conn, [job(3, "chatbot tester")])  # triggers are back
    assert search(conn, "chatbot") == ["t:1", "t:3"]


def test_interrupted_bulk_write_is_repaired_on_next_connect(tmp_path):
    path = tmp_path / "t.db"
    conn = connect(path)
    fts = deferred_fts(conn)
    fts.__enter__()
    save_jobs(conn, [job(1, "chatbot builder")])
    conn.close()  # the process "dies" before __exit__
    conn = connect(path)
    assert search(conn, "chatbot") == ["t:1"]
    assert (
        conn.execute("SELECT count(*) FROM meta WHERE key = 'fts_dirty'").fetchone()[0]
        == 0
    )
    save_jobs(conn, [job(2, "chatbot tester")])
    assert search(conn, "chatbot") == ["t:1", "t:2"]


def _synth_raw(path, rows=600):
    from datetime import date

    from analysis.synth import REALISTIC, generate
    from crawler.db import save_raw, start_run

    conn = connect(path)
    run_id = start_run(conn, "synth", kind="synth", args={})
    raws = generate(
        date(2023, 1, 1), date(2023, 3, 31), rows=rows, seed=5, noise=REALISTIC
    )
    save_raw(conn, list(raws), run_id=run_id, seen_at="2023-04-01T00:00:00Z")
    return conn


def _bulk_normalize(conn, monkeypatch) -> list[str]:
    """A bulk run (full-text index deferred) in chunks of 100; the SQL it ran."""
    from crawler.normalize import bulk

    monkeypatch.setattr(bulk, "BULK_FTS_ROWS", 10)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    bulk.normalize_db(conn, progress=False, workers=1, chunk=100, derive=False)
    conn.set_trace_callback(None)
    return statements


def _fts_consistent(conn) -> None:
    # rank 1: also compares the index with the external content (the jobs table)
    conn.execute("INSERT INTO jobs_fts(jobs_fts, rank) VALUES ('integrity-check', 1)")
    dirty = conn.execute("SELECT count(*) FROM meta WHERE key = 'fts_dirty'")
    assert dirty.fetchone()[0] == 0
    word = conn.execute("SELECT title FROM jobs LIMIT 1").fetchone()[0].split()[0]
    like = conn.execute(
        "SELECT count(*) FROM jobs WHERE title LIKE ? OR title LIKE ?",
        (f"{word} %", f"% {word} %"),
    ).fetchone()[0]
    assert like and len(search(conn, f'"{word}"')) >= like


def test_bulk_run_into_empty_tables_indexes_each_chunk_without_a_rebuild(
    tmp_path, monkeypatch
):
    conn = _synth_raw(tmp_path / "fresh.db")
    statements = _bulk_normalize(conn, monkeypatch)
    assert any("jobs_fts(rowid, title, description)" in s for s in statements)
    assert not any("'rebuild'" in s for s in statements)
    _fts_consistent(conn)
    # Again over the same jobs: not fresh, so deletes as usual and one rebuild.
    statements = _bulk_normalize(conn, monkeypatch)
    assert any("'rebuild'" in s for s in statements)
    assert any("DELETE FROM job_skill_ids" in s for s in statements)
    _fts_consistent(conn)


def test_another_writer_during_a_fresh_bulk_run_means_a_rebuild(tmp_path, monkeypatch):
    import signal
    import sqlite3

    from crawler import killpoints

    path = tmp_path / "busy.db"
    conn = _synth_raw(path)

    def other_writer(signum, frame):
        # Between two chunks, another connection retitles a job already written
        # (the FTS triggers are dropped meanwhile: only a rebuild can index it).
        other = sqlite3.connect(path)
        with other:
            other.execute(
                "UPDATE jobs SET title = 'zyxwordunique retitled'"
                " WHERE rowid = (SELECT min(rowid) FROM jobs)"
            )
        other.close()

    monkeypatch.setattr(
        killpoints, "_POINTS", {"normalize.written": (2, signal.SIGUSR1)}
    )
    monkeypatch.setattr(killpoints, "_hits", killpoints.Counter())
    previous = signal.signal(signal.SIGUSR1, other_writer)
    try:
        statements = _bulk_normalize(conn, monkeypatch)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert any("'rebuild'" in s for s in statements)
    assert len(search(conn, "zyxwordunique")) == 1
    _fts_consistent(conn)
