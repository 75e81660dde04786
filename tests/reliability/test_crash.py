"""SIGKILL at several points of a crawl and of `jobtrends normalize`: nothing torn, nothing lost.

Each kill lands at a named point of the code (``JOBTRENDS_KILL_AT``, crawler/killpoints.py),
so it hits the same place on a fast or a slow machine.  After each kill the database
passes ``PRAGMA integrity_check``, every jobs row has its raw row, no raw row lacks its
payload, the killed run is left 'running' until `jobtrends runs` (or the next crawl)
marks it 'interrupted', and a re-run stores every listing exactly once.
"""

from __future__ import annotations

import signal

from crawler.fixture_server import FIXTURES, FixtureServer
from tests.conftest import FAST, cli_env, kill_env, run_cli
from tests.reliability.conftest import (
    assert_consistent,
    freelancer_ids,
    query,
    stored_ids,
)

ALL_PAGES = freelancer_ids(0, 100, 200, 300, 400)  # -a max_pages=5
CRAWL_ARGS = [
    *FAST,
    "-a",
    "max_pages=5",
    "-s",
    "JOBTRENDS_BATCH_SIZE=40",
    "-s",
    "RETRY_TIMES=1",
]


def _crawl(server, db, log, env):
    return run_cli(
        "crawl",
        "freelancer",
        "--db",
        str(db),
        "--base-url",
        server.base_url("freelancer"),
        "--log-file",
        str(log),
        *CRAWL_ARGS,
        env=env,
        timeout=180,
    )


def test_crawl_killed_at_four_points_then_rerun_loses_nothing(tmp_path):
    db, log = tmp_path / "jobs.db", tmp_path / "crawl.log"
    points = [
        ("crawl.stored:2", 80),  # two batches of page 1 committed
        ("crawl.stored:6", None),  # mid-way, after a re-start from the top
        ("crawl.closing:1", len(ALL_PAGES)),  # every page stored, not normalized yet
        ("normalize.derive:1", len(ALL_PAGES)),  # jobs written, reposts and rollups not
    ]
    with FixtureServer(FIXTURES) as server:
        for spec, expect_stored in points:
            proc = _crawl(server, db, log, kill_env(spec))
            assert proc.returncode == -signal.SIGKILL, (spec, proc.stderr[-2000:])
            assert_consistent(db)
            runs = query(db, "SELECT run_id, status FROM crawl_runs ORDER BY run_id")
            assert runs[-1]["status"] == "running", spec
            ids = stored_ids(db, "freelancer")
            assert len(ids) == len(set(ids)) and set(ids) <= ALL_PAGES
            if expect_stored is not None:
                assert len(ids) == expect_stored, spec
            # `jobtrends runs` sees the dead owner and says so
            listing = run_cli("runs", "--db", str(db), "--json", check=True)
            status = query(
                db,
                "SELECT status FROM crawl_runs WHERE run_id = ?",
                (runs[-1]["run_id"],),
            )
            assert status[0][0] == "interrupted"
            assert "interrupted" in listing.stdout
        # the re-run after the kills: complete, exactly once, normalized
        proc = _crawl(server, db, log, cli_env())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert_consistent(db)
    ids = stored_ids(db, "freelancer")
    assert len(ids) == len(set(ids)) and set(ids) == ALL_PAGES, (
        f"lost {len(ALL_PAGES - set(ids))}"
    )
    assert query(db, "SELECT count(*) FROM jobs WHERE source = 'freelancer'")[0][
        0
    ] == len(ALL_PAGES)
    statuses = [
        r[0] for r in query(db, "SELECT status FROM crawl_runs ORDER BY run_id")
    ]
    assert statuses[-1] == "finished" and "running" not in statuses


def test_normalize_killed_twice_then_rerun_completes(tmp_path):
    db = tmp_path / "synth.db"
    run_cli(
        "synth",
        "--rows",
        "5000",
        "--no-normalize",
        "--quiet",
        "--db",
        str(db),
        check=True,
        timeout=300,
    )
    raw = query(db, "SELECT count(*) FROM raw_listings")[0][0]
    assert raw >= 5000 * 0.9
    normalize = [
        "normalize",
        "--quiet",
        "--workers",
        "1",
        "--chunk",
        "1000",
        "--db",
        str(db),
    ]
    # killed after its first chunk, then (re-normalizing from the top) after its third
    for spec, written in (("normalize.written:1", 1000), ("normalize.written:3", 3000)):
        proc = run_cli(*normalize, env=kill_env(spec))
        assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
        assert_consistent(db)
        assert query(db, "SELECT count(*) FROM jobs")[0][0] == written
    run_cli(*normalize, check=True, timeout=300)
    assert_consistent(db)
    jobs = query(db, "SELECT count(*) FROM jobs")[0][0]
    assert jobs == raw, f"{raw} raw listings, {jobs} jobs"
