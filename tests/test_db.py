"""Storage: idempotent upserts on stable keys, first/last seen, run records."""

from crawler.db import RawRow, connect, finish_run, save_raw, start_run


def listing(source_id, payload="{}", fetched="2024-02-01T00:00:00Z"):
    return RawRow("freelancer", source_id, payload, "json", fetched_at=fetched)


def test_save_raw_counts_new_updated_unchanged(tmp_path):
    conn = connect(tmp_path / "t.db")
    first = save_raw(
        conn, [listing("1"), listing("2")], run_id=1, seen_at="2024-02-01T00:00:00Z"
    )
    assert (first.new, first.updated, first.unchanged) == (2, 0, 0)
    again = save_raw(
        conn,
        [listing("1"), listing("2", '{"x":1}')],
        run_id=2,
        seen_at="2024-02-02T00:00:00Z",
    )
    assert (again.new, again.updated, again.unchanged) == (0, 1, 1)
    assert again.changed_keys == [("freelancer", "2")]
    rows = {r["source_id"]: r for r in conn.execute("SELECT * FROM raw_listings")}
    assert rows["1"]["first_seen_at"] == "2024-02-01T00:00:00Z"
    assert rows["1"]["last_seen_at"] == "2024-02-02T00:00:00Z"
    assert (
        rows["1"]["seen_count"] == 2
        and rows["1"]["first_run_id"] == 1
        and rows["1"]["last_run_id"] == 2
    )
    assert rows["2"]["payload"] == '{"x":1}'
    assert conn.execute("SELECT count(*) FROM raw_listings").fetchone()[0] == 2


def test_repeated_key_in_one_batch_is_stored_once(tmp_path):
    conn = connect(tmp_path / "t.db")
    counts = save_raw(conn, [listing("1", "a"), listing("1", "b")], run_id=1)
    assert counts.new == 1
    assert conn.execute("SELECT payload FROM raw_listings").fetchone()[0] == "b"


def test_last_seen_never_moves_back(tmp_path):
    conn = connect(tmp_path / "t.db")
    save_raw(conn, [listing("1")], run_id=1, seen_at="2024-03-01T00:00:00Z")
    save_raw(conn, [listing("1")], run_id=2, seen_at="2024-01-01T00:00:00Z")
    row = conn.execute(
        "SELECT first_seen_at, last_seen_at FROM raw_listings"
    ).fetchone()
    assert tuple(row) == ("2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z")


def test_connect_is_idempotent_and_wal(tmp_path):
    path = tmp_path / "t.db"
    connect(path).close()
    conn = connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    run = start_run(conn, "upwork", args={"feeds": "x"})
    finish_run(conn, run, status="finished", new=3, stats={"a": 1})
    row = conn.execute("SELECT * FROM crawl_runs").fetchone()
    assert row["status"] == "finished" and row["new"] == 3 and row["finished_at"]


def test_a_database_from_before_category_confidence_gains_it(tmp_path):
    from crawler.db import connect

    path = tmp_path / "old.db"
    conn = connect(path)
    conn.execute("ALTER TABLE jobs DROP COLUMN category_confidence")  # as made before
    conn.execute("PRAGMA user_version = 1")  # the schema version before migration 2
    conn.close()
    for _ in range(2):  # added once, then left alone
        conn = connect(path)
        names = [r[1] for r in conn.execute("PRAGMA table_info(jobs)")]
        conn.close()
        assert names.count("category_confidence") == 1
