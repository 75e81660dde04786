"""`jobtrends crawl` shows its progress and takes the spider's lock, like the scheduler.

The README's cron line runs as written in a fresh folder (no data/ yet); a crawl started
while another holds the spider's lock exits 2 with one line and fetches nothing; a crawl
whose launcher holds the lock for it (the scheduler's pass_fds, ``flock(1)``) runs.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from crawler.fixture_server import FIXTURES
from crawler.locks import lock_path, release, try_lock
from tests.conftest import FAST, JOBTRENDS, ROOT, cli_env, rows, run_cli


def cron_line() -> str:
    """The shell part (after the five time fields) of the README's cron example."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```cron\n(.+?)\n```", text, re.S).group(1)
    return block.split(None, 5)[5]


@pytest.fixture
def site(tmp_path, fresh_server):
    """A fresh install's folder: .venv/bin/jobtrends, a config pointing upwork at the
    fixture server, and no data/ folder."""
    folder = tmp_path / "srv"
    (folder / ".venv" / "bin").mkdir(parents=True)
    launcher = folder / ".venv" / "bin" / "jobtrends"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m crawler.cli "$@"\n')
    launcher.chmod(0o755)
    feeds = (FIXTURES / "upwork" / "feeds.txt").read_text()
    (folder / "feeds.txt").write_text(
        feeds.replace("https://www.upwork.com", fresh_server.base_url("upwork"))
    )
    (folder / "jobtrends.toml").write_text(
        f'[sources.upwork]\nfeeds = []\nfeeds_file = "{folder / "feeds.txt"}"\nmax_pages = 1\n'
    )  # feeds = []: not the default config's real feeds
    return folder


def run_cron(site) -> subprocess.CompletedProcess:
    command = cron_line().replace("/srv/jobtrends", str(site))
    env = cli_env()
    env["JOBTRENDS_CONFIG"] = str(site / "jobtrends.toml")
    return subprocess.run(
        ["/bin/sh", "-c", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_readme_cron_line_works_in_a_fresh_folder_and_respects_the_lock(
    site, fresh_server
):
    assert not (site / "data").exists()
    proc = run_cron(site)
    assert proc.returncode == 0, (site / "data" / "logs" / "cron.log").read_text()[
        -3000:
    ]
    db = site / "data" / "jobs.db"
    run = rows(db, "SELECT * FROM crawl_runs")[0]
    assert run["status"] == "finished" and run["new"] > 0
    log = (site / "data" / "logs" / "cron.log").read_text()
    # the last progress line of the spider agrees with its run record
    last = re.search(
        r"^upwork: (\d+) pages?, \d+ listings? \((\d+) new\), 0 errors - finished$",
        log,
        re.M,
    )
    assert last and int(last.group(2)) == run["new"], log
    assert (
        (site / "data" / "locks" / "upwork.lock").read_text().strip().isdigit()
    )  # its pid

    fresh_server.requests.clear()
    fd = try_lock(lock_path(db, "upwork"))  # a run in progress elsewhere
    try:
        proc = run_cron(site)
    finally:
        release(fd)
    assert proc.returncode == 2
    errors = [
        line
        for line in (site / "data" / "logs" / "cron.log").read_text().splitlines()
        if line.startswith("Error:")
    ]
    assert len(errors) == 1 and "another upwork crawl is running" in errors[0]
    assert (
        fresh_server.requests == [] and len(rows(db, "SELECT * FROM crawl_runs")) == 1
    )


def crawl_freelancer(
    db, server, *, prefix=(), pass_fds=()
) -> subprocess.CompletedProcess:
    """`jobtrends crawl freelancer` (one page) started by ``prefix`` (a launcher)."""
    command = [
        *prefix,
        *JOBTRENDS,
        "crawl",
        "freelancer",
        "--db",
        str(db),
        "--base-url",
        server.base_url("freelancer"),
        "-a",
        "max_pages=1",
        *FAST,
    ]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=300,
        pass_fds=pass_fds,
        check=False,
    )


def test_a_crawl_whose_launcher_holds_the_lock_runs(tmp_path, fresh_server):
    db = tmp_path / "jobs.db"
    fd = try_lock(lock_path(db, "freelancer"))
    try:
        # what the scheduler does: the locked descriptor is inherited by the crawl
        proc = crawl_freelancer(db, fresh_server, pass_fds=(fd,))
    finally:
        release(fd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (
        "freelancer: 2 pages, 100 listings (100 new), 0 errors - finished"
        in proc.stderr
    )


def test_flock_then_crawl_runs(tmp_path, fresh_server):
    db = tmp_path / "jobs.db"
    lock = lock_path(db, "freelancer")
    lock.parent.mkdir(parents=True)
    proc = crawl_freelancer(db, fresh_server, prefix=("flock", "-n", str(lock)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (
        "freelancer: 2 pages, 100 listings (100 new), 0 errors - finished"
        in proc.stderr
    )


def test_progress_lines_are_plain_lines_off_a_terminal(tmp_path, fresh_server):
    proc = run_cli(
        "crawl",
        "freelancer",
        "--db",
        str(tmp_path / "jobs.db"),
        "--base-url",
        fresh_server.base_url("freelancer"),
        "-a",
        "max_pages=2",
        *FAST,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "\r" not in proc.stderr and "\x1b[" not in proc.stderr
    assert (
        "freelancer: 3 pages, 200 listings (200 new), 0 errors - finished\n"
        in proc.stderr
    )
