"""Monitors: a source that silently loses its dates degrades the run and alerts the webhook."""

from __future__ import annotations

import pytest

from crawler.db import connect, finish_run, start_run
from crawler.errors import UserError
from crawler.monitors import check_run, safe_url
from tests.conftest import rows, run_cli
from tests.ops.conftest import write_freelancer
from tests.ops.test_schedule import runs_cli, write_config


def test_pages_without_dates_degrade_the_run_and_alert(
    tmp_path, gen_root, gen_server, receiver
):
    write_freelancer(gen_root, pages=2, per_page=10)
    db = tmp_path / "jobs.db"
    hook = receiver.url("/hook/s3cr3t-token?key=hush")
    config = write_config(
        tmp_path / "c.toml",
        gen_server,
        args={"full": "1"},
        extra="\n".join(
            [
                "[monitors]",
                f'webhook_url = "{hook}"',
                "min_history = 1",
                "max_coverage_drop = 20",
            ]
        ),
    )
    first = run_cli(
        "schedule", "--config", str(config), "--db", str(db), "--once", "--tick", "0.1"
    )
    assert first.returncode == 0, first.stderr[-3000:]
    assert receiver.bodies == []
    # The source changes its pages: same listings, no date field any more.
    write_freelancer(gen_root, pages=2, per_page=10, dated=False)
    second = run_cli(
        "schedule", "--config", str(config), "--db", str(db), "--once", "--tick", "0.1"
    )
    assert second.returncode == 3, second.stderr[-3000:]
    runs = rows(db, "SELECT run_id, status, updated FROM crawl_runs ORDER BY run_id")
    assert [r["status"] for r in runs] == ["finished", "degraded"]
    assert runs[1]["updated"] == 20
    checks = {
        r["check"]: r
        for r in rows(
            db, "SELECT * FROM run_checks WHERE run_id = ?", (runs[1]["run_id"],)
        )
    }
    assert checks["coverage_posted_at"]["passed"] == 0
    assert (
        checks["coverage_posted_at"]["value"] == 0
        and checks["coverage_posted_at"]["threshold"] == 80
    )
    assert checks["coverage_pay"]["passed"] == 1 and checks["zero_items"]["passed"] == 1
    assert checks["items_vs_median"]["passed"] == 1
    # One alert, for the degraded run, naming the failed check.
    assert len(receiver.bodies) == 1
    alert = receiver.bodies[0]
    assert alert["run_id"] == runs[1]["run_id"] and alert["status"] == "degraded"
    assert [c["check"] for c in alert["failed"]] == ["coverage_posted_at"]
    assert receiver.paths == ["/hook/s3cr3t-token?key=hush"]
    # The webhook's secret parts never reach the output or logs.
    logs = "".join(p.read_text() for p in (tmp_path / "logs").glob("*"))
    for text in (first.stderr, second.stderr, second.stdout, logs):
        assert "s3cr3t" not in text and "hush" not in text
    listing = runs_cli("--db", str(db))
    assert "coverage_posted_at" in listing and "degraded" in listing


def _run(
    conn,
    spider="s",
    *,
    new=0,
    unchanged=0,
    pages=10,
    errors=0,
    retries=0,
    status="finished",
):
    run_id = start_run(conn, spider)
    finish_run(
        conn,
        run_id,
        status=status,
        new=new,
        unchanged=unchanged,
        pages=pages,
        errors=errors,
        retries=retries,
    )
    return run_id


def test_history_checks(tmp_path):
    conn = connect(tmp_path / "m.db")
    for n in (100, 120, 90, 110):
        _run(conn, new=n)
    _run(conn, new=500, status="failed")  # failed runs are not history
    low = _run(conn, new=40)
    report = check_run(conn, low, {"min_history": 3})
    failed = {c.check: c for c in report.failed}
    assert set(failed) == {"items_vs_median"}
    assert failed["items_vs_median"].threshold == pytest.approx(0.5 * 105)
    assert (
        conn.execute(
            "SELECT status FROM crawl_runs WHERE run_id = ?", (low,)
        ).fetchone()[0]
        == "degraded"
    )
    # A degraded run is not history: the next low run is flagged too (no "new normal").
    still_low = _run(conn, new=40)
    assert {c.check for c in check_run(conn, still_low, {"min_history": 3}).failed} == {
        "items_vs_median"
    }
    ok = _run(conn, new=60)
    assert not check_run(conn, ok, {"min_history": 3}).failed
    empty = _run(conn, new=0, pages=1)
    assert {c.check for c in check_run(conn, empty).failed} == {
        "zero_items",
        "items_vs_median",
    }
    noisy = _run(conn, new=100, pages=30, errors=4, retries=12)
    assert {c.check for c in check_run(conn, noisy).failed} == {
        "error_rate",
        "retry_rate",
    }
    # Rates over a handful of requests are not judged (1 retry in 3 requests is no trend).
    small = _run(conn, new=100, pages=2, retries=1)
    assert not check_run(conn, small).failed
    # A run that did not finish cleanly keeps its status; its checks are still stored.
    broken = _run(conn, new=0, pages=1, status="failed")
    assert check_run(conn, broken).failed
    assert (
        conn.execute(
            "SELECT status FROM crawl_runs WHERE run_id = ?", (broken,)
        ).fetchone()[0]
        == "failed"
    )
    # Re-checking replaces the verdicts instead of adding rows.
    check_run(conn, noisy)
    assert (
        conn.execute(
            "SELECT count(*) FROM run_checks WHERE run_id = ?", (noisy,)
        ).fetchone()[0]
        == 7
    )
    with pytest.raises(UserError):
        check_run(conn, 9999)
    conn.close()


def test_safe_url_keeps_only_scheme_and_host():
    assert (
        safe_url("https://hooks.example.com/services/T000/B000/XXXX?token=1")
        == "https://hooks.example.com"
    )
    assert safe_url("http://user:pw@127.0.0.1:8080/x") == "http://127.0.0.1"


def test_alert_names_what_happened(tmp_path, receiver):
    """An interrupted run's alert says interrupted (not degraded) and counts what it stored."""
    conn = connect(tmp_path / "w.db")
    hook = {"webhook_url": receiver.url()}
    stopped = _run(conn, new=0, pages=3, status="interrupted")
    report = check_run(conn, stopped, hook)
    assert report.line().startswith(
        f"run {stopped} (s): INTERRUPTED - zero_items (0 listings seen)"
    )
    degraded = _run(conn, new=0, pages=3)
    check_run(conn, degraded, hook)
    assert [b["event"] for b in receiver.bodies] == [
        "jobtrends.run_interrupted",
        "jobtrends.run_degraded",
    ]
    assert [b["status"] for b in receiver.bodies] == ["interrupted", "degraded"]
    conn.close()
