"""`jobtrends sources`: what each spider collects, its options, politeness and last run."""

from __future__ import annotations

import json
from typing import ClassVar

import scrapy
from click.testing import CliRunner

from crawler import settings as project_settings_module
from crawler.cli import main
from crawler.commands.sources import describe, politeness
from crawler.crawl_process import project_settings
from crawler.db import connect, finish_run, start_run
from crawler.spiders.lever import LeverSpider


def record_runs(db) -> None:
    conn = connect(db)
    old = start_run(conn, "hackernews")
    finish_run(
        conn,
        old,
        status="failed",
        new=0,
        updated=0,
        errors=3,
        finished_at="2024-01-01T10:00:00Z",
    )
    new = start_run(conn, "hackernews")
    finish_run(
        conn,
        new,
        status="finished",
        new=50,
        updated=2,
        unchanged=7,
        skipped=4,
        errors=0,
        finished_at="2024-02-03T04:05:06Z",
    )
    conn.close()


def run(*args):
    result = CliRunner().invoke(main, ["sources", *args], catch_exceptions=False)
    return result


def block(output: str, name: str) -> str:
    """The lines of one spider in the text listing."""
    return next(b for b in output.split("\n\n") if b.startswith(f"{name}: "))


def test_lists_every_spider_with_its_last_run(tmp_path):
    db = tmp_path / "jobs.db"
    record_runs(db)
    result = run("--db", str(db))
    assert result.exit_code == 0, result.output
    names = [b.split(":", 1)[0] for b in result.output.strip().split("\n\n")]
    assert {"hackernews", "lever", "jsonld", "upwork", "freelancer"} <= set(names)
    assert "base" not in names  # the abstract JobSpider is no source
    hn = block(result.output, "hackernews")
    assert 'Top-level comments of the monthly "Ask HN: Who is hiring?" threads' in hn
    assert (
        "months = last:24" in hn
        and "comments = items" in hn
        and "base_url = https://hn.algolia.com" in hn
    )
    assert (
        "robots.txt obeyed" in hn and "AutoThrottle on (start 1.0 s, max 30.0 s" in hn
    )
    assert f"delay {project_settings_module.DOWNLOAD_DELAY} s" in hn
    assert f"retries {project_settings_module.RETRY_TIMES} (HTTP 500," in hn
    assert (
        "last run:   2024-02-03 04:05 finished: new 50, updated 2, unchanged 7, skipped 4, errors 0 (run 2)"
        in hn
    )
    assert "last run:   never run" in block(result.output, "lever")


def test_json_output_and_selected_names(tmp_path):
    db = tmp_path / "jobs.db"
    record_runs(db)
    result = run("hackernews", "lever", "--json", "--db", str(db))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["name"] for r in rows] == ["hackernews", "lever"]
    hn, lever = rows
    assert (
        hn["last_run"]["status"] == "finished"
        and hn["last_run"]["new"] == 50
        and hn["last_run"]["run_id"] == 2
    )
    assert lever["last_run"] is None
    assert (
        lever["options"]["companies"][0] == "leverdemo"
        and lever["options"]["limit"] == 100
    )
    assert lever["politeness"]["ROBOTSTXT_OBEY"] is True
    assert (
        lever["politeness"]["CONCURRENT_REQUESTS_PER_DOMAIN"]
        == project_settings_module.CONCURRENT_REQUESTS_PER_DOMAIN
    )
    assert lever["about"] == describe(LeverSpider)


def test_config_file_overrides_options(tmp_path):
    config = tmp_path / "mine.toml"
    config.write_text('[sources.lever]\ncompanies = ["acme", "globex"]\n')
    result = run("lever", "--config", str(config), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 0, result.output
    assert (
        "companies = [acme, globex]" in result.output and "limit = 100" in result.output
    )


def test_missing_database_is_not_created(tmp_path):
    db = tmp_path / "none.db"
    result = run("jsonld", "--db", str(db))
    assert result.exit_code == 0 and "never run" in result.output
    assert not db.exists()


def test_unknown_spider_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(
        main, ["sources", "nosuch", "--db", str(tmp_path / "x.db")]
    )
    assert result.exit_code == 2 and "unknown spider 'nosuch'" in result.output


def test_politeness_includes_custom_settings():
    class Slow(scrapy.Spider):
        """Waits longer."""

        name = "slow"
        custom_settings: ClassVar[dict] = {
            "DOWNLOAD_DELAY": 5.0,
            "AUTOTHROTTLE_ENABLED": False,
        }

    got = politeness(Slow, project_settings(":memory:"))
    assert got["DOWNLOAD_DELAY"] == 5.0 and got["AUTOTHROTTLE_ENABLED"] is False
    assert got["RETRY_TIMES"] == project_settings_module.RETRY_TIMES
    assert describe(Slow) == "Waits longer."
