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
