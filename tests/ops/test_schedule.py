"""`jobtrends schedule` and `jobtrends runs`: real crawl processes against the loopback server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.locks import lock_path, release, try_lock
from tests.conftest import JOBTRENDS, ROOT, cli_env, rows, run_cli
from tests.ops.conftest import write_freelancer

FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
}


def runs_cli(*args: str) -> str:
    """`jobtrends runs ARGS` in-process (no crawl involved: no reactor to isolate)."""
    from click.testing import CliRunner

    from crawler.cli import main

    result = CliRunner().invoke(main, ["runs", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _api_requests(server) -> int:
    return sum("/api/" in r for r in server.requests)


def wait_for(ready, proc, limit: float = 120) -> None:
    """Wait for an event ``ready()`` reports (``limit`` only bounds a broken test)."""
    deadline = time.monotonic() + limit
    while not ready():
        assert proc.poll() is None, "the scheduler ended before the event"
        assert time.monotonic() < deadline, "the event never came"
        time.sleep(0.05)


def start_schedule_once(config, db) -> subprocess.Popen:
    """`schedule --once` in the background, its output captured as text."""
    return subprocess.Popen(
        [*JOBTRENDS, "schedule", "--config", str(config), "--db", str(db)]
        + ["--once", "--tick", "0.1"],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def write_config(path, server, *, cron="* * * * * */2", extra="", args=None):
    args = {"base_url": server.base_url("freelancer"), "limit": "10", **(args or {})}
    lines = [
        "[[schedule]]",
        'spider = "freelancer"',
        f'cron = "{cron}"',
        "args = { " + ", ".join(f'{k} = "{v}"' for k, v in args.items()) + " }",
        "settings = { " + ", ".join(f'{k} = "{v}"' for k, v in FAST.items()) + " }",
        extra,
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_schedule_fires_real_runs_on_a_seconds_cron_and_keeps_history(
    tmp_path, gen_root, gen_server
):
    ids = write_freelancer(gen_root, pages=3, per_page=10)
    db = tmp_path / "data" / "jobs.db"
    config = write_config(tmp_path / "jobtrends.toml", gen_server)
    proc = run_cli(
        "schedule",
        "--config",
        str(config),
        "--db",
        str(db),
        "--max-runs",
        "2",
        "--tick",
        "0.2",
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = rows(db, "SELECT * FROM crawl_runs ORDER BY run_id")
    assert [r["status"] for r in runs] == ["finished", "finished"]
    assert runs[0]["new"] == len(ids) == 30
    # The second run stops at the first page of known listings (incremental crawl).
    assert runs[1]["new"] == 0 and runs[1]["unchanged"] == 10
    for r in runs:
        assert r["finished_at"] >= r["started_at"] and r["pages"] >= 2 and r["stats"]
        assert r["log_path"] and (tmp_path / "data" / "logs").exists()
    # Two fires of a 2-second cron: the second came at the first free slot after the first
    # run (while it ran, due fires were skipped), not at the next minute.
    t0, t1 = (datetime.strptime(r["started_at"], "%Y-%m-%dT%H:%M:%SZ") for r in runs)
    first_took = (
        datetime.strptime(runs[0]["finished_at"], "%Y-%m-%dT%H:%M:%SZ") - t0
    ).total_seconds()
    assert 0 < (t1 - t0).total_seconds() <= first_took + 20
    assert "still going - skipping" in proc.stderr or first_took < 2
    state = rows(db, "SELECT * FROM schedule_state")
    assert (
        len(state) == 1
        and state[0]["last_run_id"] == runs[1]["run_id"]
        and state[0]["last_exit"] == 0
    )
    checks = rows(
        db, "SELECT run_id, count(*) n, sum(passed) ok FROM run_checks GROUP BY run_id"
    )
    assert [(c["n"], c["ok"]) for c in checks] == [(7, 7), (7, 7)]

    listing = runs_cli("--db", str(db), "--spider", "freelancer", "--json")
    listed = [json.loads(line) for line in listing.splitlines()]
    assert [r["run_id"] for r in listed] == [runs[1]["run_id"], runs[0]["run_id"]]
    assert (
        listed[0]["stats"]["finish_reason"] == "finished"
        and listed[0]["failed_checks"] == []
    )
    table = runs_cli("--db", str(db)).splitlines()
    assert len(table) == 3 and all(" finished " in line for line in table[1:])


def test_missed_runs_after_downtime_run_once(tmp_path, gen_root, gen_server):
    write_freelancer(gen_root, pages=1, per_page=5)
    db = tmp_path / "jobs.db"
    config = write_config(
        tmp_path / "c.toml", gen_server, cron="0 0 * * *", args={"limit": "5"}
    )  # daily
    # First start ever: nothing counts as missed, the start time is remembered.
    proc = run_cli(
        "schedule",
        "--config",
        str(config),
        "--db",
        str(db),
        "--until",
        "+0.5",
        "--tick",
        "0.1",
    )
    assert proc.returncode == 0, proc.stderr
    assert rows(db, "SELECT count(*) n FROM crawl_runs")[0]["n"] == 0
    assert len(rows(db, "SELECT * FROM schedule_state")) == 1
    # The scheduler was down for 30 days: 30 missed daily runs collapse into one.
    month_ago = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("UPDATE schedule_state SET last_fire_at = ?", (month_ago,))
    conn.commit()
    conn.close()
    proc = run_cli(
        "schedule",
        "--config",
        str(config),
        "--db",
        str(db),
        "--until",
        "+3",
        "--tick",
        "0.1",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "missed run" in proc.stderr
    assert rows(db, "SELECT count(*) n FROM crawl_runs")[0]["n"] == 1
    assert (
        rows(db, "SELECT last_fire_at FROM schedule_state")[0]["last_fire_at"]
        > month_ago
    )


def test_a_spider_never_runs_twice_at_once(tmp_path, gen_root, gen_server):
    write_freelancer(gen_root, pages=1, per_page=5)
    db = tmp_path / "jobs.db"
    config = write_config(tmp_path / "c.toml", gen_server, args={"limit": "5"})
    fd = try_lock(lock_path(db, "freelancer"))  # a run in progress elsewhere
    assert fd is not None
    try:
        proc = run_cli(
            "schedule",
            "--config",
            str(config),
            "--db",
            str(db),
            "--once",
            "--tick",
            "0.1",
        )
        assert "still holds its lock" in proc.stderr
        assert "nothing ran: all 1 due run(s) skipped" in proc.stderr
        assert (
            "freelancer      skipped: a freelancer crawl still holds its lock"
            in proc.stderr
        )
        assert rows(db, "SELECT count(*) n FROM crawl_runs")[0]["n"] == 0
    finally:
        release(fd)
    proc = run_cli(
        "schedule", "--config", str(config), "--db", str(db), "--once", "--tick", "0.1"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert rows(db, "SELECT count(*) n FROM crawl_runs")[0]["n"] == 1


def test_sigterm_stops_the_running_crawl_cleanly(tmp_path, gen_root, gen_server):
    write_freelancer(gen_root, pages=6, per_page=5)
    # The third page is held, so the crawl is mid-way when the scheduler is told to stop.
    held = threading.Event()
    gen_server.faults["/freelancer/api"] = [{}, {}, {"hold": held}]
    db = tmp_path / "jobs.db"
    config = write_config(tmp_path / "c.toml", gen_server, args={"limit": "5"})
    proc = start_schedule_once(config, db)
    try:
        wait_for(lambda: _api_requests(gen_server) >= 3, proc)
        proc.send_signal(signal.SIGTERM)
        # the crawl got the forwarded signal: its log says so
        wait_for(
            lambda: any(
                "Received SIGTERM" in p.read_text(errors="replace")
                for p in (tmp_path / "logs").glob("schedule-*.log")
            ),
            proc,
        )
    finally:
        held.set()
    out, err = proc.communicate(timeout=60)
    run = rows(db, "SELECT * FROM crawl_runs")
    assert len(run) == 1, err[-3000:]
    assert run[0]["finish_reason"] == "shutdown" and run[0]["finished_at"]
    # A stop we asked for is no failure: recorded interrupted, the scheduler exits 0 (a
    # `systemctl stop` must not mark the unit failed).
    assert run[0]["status"] == "interrupted"
    assert proc.returncode == 0, err[-3000:]
    assert "exit 0" in out
    assert 0 < run[0]["new"] < 30  # stopped mid-way, what it fetched was stored
    assert "stopped by signal" in err
    # The lock went with the crawl process.
    fd = try_lock(lock_path(db, "freelancer"))
    assert fd is not None
    release(fd)


def test_bad_schedule_config_is_a_one_line_usage_error(tmp_path):
    from click.testing import CliRunner

    from crawler.cli import main

    cases = {
        "": "no [[schedule]] entries",
        '[[schedule]]\nspider = "freelancer"\ncron = "every day"\n': "not a valid cron expression",
        '[[schedule]]\ncron = "* * * * *"\n': "needs spider",
    }
    for i, (text, message) in enumerate(cases.items()):
        config = tmp_path / f"bad{i}.toml"  # load_config caches by path
        config.write_text(text)
        result = CliRunner().invoke(
            main, ["schedule", "--config", str(config), "--db", str(tmp_path / "x.db")]
        )
        assert result.exit_code == 2 and message in result.output, result.output
    result = CliRunner().invoke(
        main, ["schedule", "--config", str(config), "--until", "soon"]
    )
    assert result.exit_code == 2 and "+SECONDS" in result.output


def test_a_killed_crawl_is_recorded_as_interrupted(tmp_path, gen_root, gen_server):
    write_freelancer(gen_root, pages=6, per_page=5)
    held = threading.Event()  # the second page waits until the crawl is killed
    gen_server.faults["/freelancer/api"] = [{}, {"hold": held}]
    db = tmp_path / "jobs.db"
    config = write_config(tmp_path / "c.toml", gen_server, args={"limit": "5"})
    proc = start_schedule_once(config, db)
    try:
        wait_for(lambda: _api_requests(gen_server) >= 2, proc)
        children = (
            Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        )
        assert len(children) == 1
        os.kill(int(children[0]), signal.SIGKILL)  # out-of-memory killer, kill -9, ...
        out, err = proc.communicate(timeout=60)
    finally:
        held.set()
    assert proc.returncode == 1, err[-2000:]
    run = rows(db, "SELECT * FROM crawl_runs")
    assert len(run) == 1 and run[0]["status"] == "interrupted" and run[0]["finished_at"]
    assert run[0]["finish_reason"] == f"process exited {-signal.SIGKILL}"
    assert (
        rows(db, "SELECT last_exit FROM schedule_state")[0]["last_exit"]
        == -signal.SIGKILL
    )


def test_a_killed_runs_counters_come_from_its_stored_rows(tmp_path):
    """A SIGKILLed run never counted; the rows it stored tell its counters."""
    from crawler.db import RawRow, connect, record_skip, save_raw, start_run
    from crawler.run_record import mark_interrupted, record_owner

    conn = connect(tmp_path / "k.db")
    earlier = start_run(conn, "upwork")

    def listing(i):
        return RawRow(
            source="upwork",
            source_id=f"~01{i:04d}",
            payload=f"<item>é {i}</item>",
            payload_format="xml",
            url=None,
            fetched_at="2026-01-02T03:04:05Z",
        )

    save_raw(conn, [listing(i) for i in range(3)], run_id=earlier)
    killed = start_run(conn, "upwork")
    save_raw(
        conn, [listing(i) for i in range(1, 6)], run_id=killed
    )  # 2 seen again, 3 new
    record_skip(
        conn, run_id=killed, source="upwork", url="http://x/", reason="no_job_id"
    )
    child = subprocess.Popen(["true"])
    child.wait()  # a pid that existed and is gone, like a killed crawl's
    record_owner(conn, killed, pid=child.pid)
    assert mark_interrupted(conn) == [killed]
    run = conn.execute(
        "SELECT * FROM crawl_runs WHERE run_id = ?", (killed,)
    ).fetchone()
    assert run["status"] == "interrupted" and run["finished_at"]
    assert (run["items"], run["new"], run["unchanged"], run["skipped"]) == (5, 3, 2, 1)
    conn.close()
