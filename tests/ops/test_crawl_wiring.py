"""`jobtrends crawl --resume / --redis` and monitors at the end of every crawl.

They exercise the wiring in crawler/commands/crawl.py (options that call
crawler.resume, crawler.redis_scale and crawler.monitors).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import FAST, ROOT, cli_env, rows, run_cli
from tests.ops.conftest import write_freelancer


def test_crawl_runs_monitors_and_exits_3_when_degraded(
    tmp_path, gen_root, gen_server, receiver
):
    write_freelancer(gen_root, pages=2, per_page=5)
    config = tmp_path / "c.toml"
    config.write_text(
        f'[monitors]\nwebhook_url = "{receiver.url()}"\nmin_history = 1\n'
    )
    db = tmp_path / "jobs.db"
    base = [
        "crawl",
        "freelancer",
        "--db",
        str(db),
        "--config",
        str(config),
        "--base-url",
        gen_server.base_url("freelancer"),
        "-a",
        "limit=5",
        "--full",
        "--resume",
        *FAST,
    ]
    first = run_cli(*base)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "all 7 checks passed" in first.stderr
    write_freelancer(gen_root, pages=2, per_page=5, dated=False)
    second = run_cli(*base)
    assert second.returncode == 3, second.stderr[-2000:]
    assert [
        r["status"] for r in rows(db, "SELECT status FROM crawl_runs ORDER BY run_id")
    ] == ["finished", "degraded"]
    assert [c["check"] for c in receiver.bodies[0]["failed"]] == ["coverage_posted_at"]


def test_crawl_redis_worker_and_ingest(tmp_path, gen_root, gen_server, redis_url):
    ids = write_freelancer(gen_root, pages=3, per_page=5)
    db = tmp_path / "jobs.db"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crawler.cli",
            "ingest",
            "--redis",
            redis_url,
            "--db",
            str(db),
            "--idle-timeout",
            "2",
            "--start-timeout",
            "60",
        ],
        cwd=ROOT,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    worker = run_cli(
        "crawl",
        "freelancer",
        "--redis",
        redis_url,
        "--redis-idle",
        "1",
        "--db",
        str(db),
        "--base-url",
        gen_server.base_url("freelancer"),
        "-a",
        "limit=5",
        *FAST,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert json.loads(worker.stdout.strip().splitlines()[-1])["pushed"] == len(ids)
    _out, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err[-2000:]
    assert {
        r["source_id"] for r in rows(db, "SELECT source_id FROM raw_listings")
    } == set(ids)
