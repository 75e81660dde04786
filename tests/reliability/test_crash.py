"""SIGKILL at several points of a crawl and of `jobtrends normalize`: nothing torn, nothing lost.

After each kill the database passes ``PRAGMA integrity_check``, every jobs row has its raw
row, no raw row lacks its payload, the killed run is left 'running' until `jobtrends runs`
(or the next crawl) marks it 'interrupted', and a re-run stores every listing exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

from crawler.fixture_server import FIXTURES, FixtureServer
from tests.conftest import FAST, JOBTRENDS, ROOT, cli_env, run_cli
from tests.reliability.conftest import (
    FREELANCER_API,
    assert_consistent,
    freelancer_ids,
    query,
    stored_ids,
)

ALL_PAGES = freelancer_ids(0, 100, 200, 300, 400)  # -a max_pages=5
CRAWL_ARGS = [*FAST, "-a", "max_pages=5", "-s", "JOBTRENDS_BATCH_SIZE=40", "-s", "RETRY_TIMES=1"]


def _crawl_cmd(server, db, log):
    return [*JOBTRENDS, "crawl", "freelancer", "--db", str(db), "--base-url", server.base_url("freelancer"),
            "--log-file", str(log), *CRAWL_ARGS]


def _kill_when(proc: subprocess.Popen, ready, timeout: float = 90) -> bool:
    """SIGKILL ``proc`` as soon as ``ready()``; False when it ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if ready():
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            return True
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("kill point never reached")


def test_crawl_killed_at_three_points_then_rerun_loses_nothing(tmp_path):
    db, log = tmp_path / "jobs.db", tmp_path / "crawl.log"
    kills = 0
    with FixtureServer(FIXTURES) as server:
        # slow pages keep each kill point inside the crawl, whatever the machine's speed
        def api_requests() -> int:
            return sum(p.startswith(FREELANCER_API) for p in server.requests)

        points = [
            lambda: api_requests() >= 2,  # page 1 stored (batches of 40), page 2 in flight
            lambda: api_requests() >= 4,  # mid-way, after a re-start from the top
            lambda: api_requests() >= 5 and time.sleep(0.3) is None,  # last page: storing/normalizing
        ]
        for n, ready in enumerate(points, 1):
            server.faults[FREELANCER_API] = [{"delay": 0.15}] * 20
            proc = subprocess.Popen(_crawl_cmd(server, db, log), cwd=str(ROOT), env=cli_env(),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            server.requests.clear()
            if not _kill_when(proc, ready):
                continue  # finished before the kill point: still checked below
            assert_consistent(db)
            runs = query(db, "SELECT run_id, status FROM crawl_runs ORDER BY run_id")
            if runs[-1]["status"] != "running":
                # The kill landed after the run had closed its record (the monitors run
                # after the crawl): nothing was interrupted, so nothing to recover here.
                continue
            kills += 1
            ids = stored_ids(db, "freelancer")
            assert len(ids) == len(set(ids)) and set(ids) <= ALL_PAGES
            # `jobtrends runs` sees the dead owner and says so
            listing = run_cli("runs", "--db", str(db), "--json", check=True)
            assert query(db, "SELECT status FROM crawl_runs WHERE run_id = ?", (runs[-1]["run_id"],))[0][0] == "interrupted"
            assert "interrupted" in listing.stdout
        assert kills >= 2, "the crawl finished before most kill points"
        server.faults.clear()
        # the re-run after the kills: complete, exactly once, normalized
        proc = subprocess.run(_crawl_cmd(server, db, log), cwd=str(ROOT), env=cli_env(),
                              capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert_consistent(db)
    ids = stored_ids(db, "freelancer")
    assert len(ids) == len(set(ids)) and set(ids) == ALL_PAGES, f"lost {len(ALL_PAGES - set(ids))}"
    assert query(db, "SELECT count(*) FROM jobs WHERE source = 'freelancer'")[0][0] == len(ALL_PAGES)
    statuses = [r[0] for r in query(db, "SELECT status FROM crawl_runs ORDER BY run_id")]
    assert statuses[-1] == "finished" and "running" not in statuses


def test_normalize_killed_twice_then_rerun_completes(tmp_path):
    db = tmp_path / "synth.db"
    run_cli("synth", "--rows", "5000", "--no-normalize", "--quiet", "--db", str(db), check=True, timeout=300)
    raw = query(db, "SELECT count(*) FROM raw_listings")[0][0]
    assert raw >= 5000 * 0.9
    survived = 0
    for delay in (2.0, 4.0):
        proc = subprocess.Popen([*JOBTRENDS, "normalize", "--quiet", "--workers", "1", "--db", str(db)],
                                cwd=str(ROOT), env=cli_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        if _kill_when(proc, lambda started=started, delay=delay: time.monotonic() - started >= delay):
            survived += 1
        assert_consistent(db)
    assert survived >= 1
    run_cli("normalize", "--quiet", "--db", str(db), check=True, timeout=300)
    assert_consistent(db)
    jobs = query(db, "SELECT count(*) FROM jobs")[0][0]
    assert jobs == raw, f"{raw} raw listings, {jobs} jobs"
