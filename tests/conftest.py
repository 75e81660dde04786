"""Shared test fixtures: the loopback fixture server and a real `jobtrends crawl` runner."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import raw_codec
from crawler.fixture_server import FIXTURES, FixtureServer

ROOT = Path(__file__).resolve().parent.parent
JOBTRENDS = [sys.executable, "-m", "crawler.cli"]
FAST = [
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
]


def cli_env() -> dict:
    env = dict(os.environ)
    env["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("JOBTRENDS_CONFIG", None)
    env.pop("JOBTRENDS_KILL_AT", None)
    return env


def kill_env(spec: str) -> dict:
    """cli_env() that stops the command at a named point (crawler/killpoints.py):
    ``kill_env("normalize.written:2")`` SIGKILLs it right after its second chunk."""
    env = cli_env()
    env["JOBTRENDS_KILL_AT"] = spec
    return env


def copy_checkout(dest: Path, names: list[str]) -> Path:
    """Copy these files and folders of the checkout (no caches, no built copies) to dest."""
    import shutil

    skip = shutil.ignore_patterns(
        "__pycache__", "*.pyc", "_bundled", "*.egg-info", ".pytest_cache"
    )
    for name in names:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=skip)
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


def run_cli(
    *args: str,
    timeout: float = 300,
    check: bool = False,
    cwd: Path | None = None,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """Run `jobtrends ARGS...` in a subprocess (a fresh reactor each time)."""
    proc = subprocess.run(
        [*JOBTRENDS, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(cwd or ROOT),
        env=env or cli_env(),
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"jobtrends {' '.join(args)} exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
        )
    return proc


@pytest.fixture(scope="session")
def fixture_server():
    """The fixture server over fixtures/, on a free 127.0.0.1 port, for the whole session."""
    with FixtureServer(FIXTURES) as server:
        yield server


@pytest.fixture
def fresh_server():
    """A fixture server of its own, for tests that inject faults or count requests."""
    with FixtureServer(FIXTURES) as server:
        yield server


@pytest.fixture
def crawl(tmp_path):
    """``crawl("upwork", server, "-a", "feeds=...")`` -> (CompletedProcess, db path)."""
    db = tmp_path / "jobs.db"

    def _crawl(
        name: str,
        server: FixtureServer,
        *extra: str,
        check: bool = True,
        db_path: Path = db,
    ):
        proc = run_cli(
            "crawl",
            name,
            "--db",
            str(db_path),
            "--base-url",
            server.base_url(name),
            "--log-file",
            str(tmp_path / f"{name}.log"),
            *FAST,
            *extra,
            check=False,
        )
        if check and proc.returncode != 0:
            log = tmp_path / f"{name}.log"
            raise AssertionError(
                f"crawl {name} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}\n"
                f"log tail:\n{log.read_text()[-4000:] if log.exists() else ''}"
            )
        return proc, db_path

    return _crawl


def rows(db: Path, sql: str, params=()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    raw_codec.register(conn)  # payload_text(payload, payload_dict) reads payloads
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def issue_reasons(db: Path, job_id: str, field: str) -> list[str]:
    """The normalize_issues reasons stored for one job's field."""
    found = rows(
        db,
        "SELECT reason FROM normalize_issues WHERE job_id = ? AND field = ?",
        (job_id, field),
    )
    return [r["reason"] for r in found]


def require_tool(path: str, how: str) -> None:
    """Skip a test whose server or browser is missing on a developer's machine, with the
    install command; in CI (which installs them in .ci/run) a missing tool fails instead."""
    import shutil

    if shutil.which(path) or Path(path).exists():
        return
    message = f"{path} is not installed ({how})"
    if os.environ.get("CI"):
        pytest.fail(message + " - .ci/run should have installed it")
    pytest.skip(message)
