"""Typos are refused with the closest valid name; only user errors become exit 2.

An unknown `-a` key, [[schedule]] key or option, `runs --spider` or `report --source` is
exit 2 with one line naming the valid ones and a "did you mean"; `report` says which
windows it compares and why before it computes.  An exception that is not a UserError
is a bug: it keeps its traceback.
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from crawler.cli import main
from tests.conftest import FAST, run_cli


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("errors") / "synth.db"
    result = CliRunner().invoke(
        main, ["synth", "--rows", "400", "--quiet", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    return str(db)


def one_error_line(output: str) -> str:
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    return errors[0]


@pytest.mark.parametrize(
    "arg, wrong, close",
    [("maxpages=1", "maxpages", "max_pages"), ("lmit=5", "lmit", "limit")],
)
def test_unknown_spider_option_is_refused_before_crawling(
    tmp_path, fresh_server, arg, wrong, close
):
    db = tmp_path / "jobs.db"
    proc = run_cli(
        "crawl",
        "freelancer",
        "-a",
        arg,
        "--db",
        str(db),
        "--base-url",
        fresh_server.base_url("freelancer"),
        *FAST,
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    line = one_error_line(proc.stderr)
    assert f"'{wrong}' (did you mean '{close}'?)" in line
    assert "valid: base_url, file_root, full, limit, max_pages, query" in line
    assert fresh_server.requests == []  # nothing was fetched
    assert not db.exists()  # nor stored


def test_every_option_in_the_default_config_and_the_readme_is_known():
    from crawler.config import source_options
    from crawler.crawl_process import spider_class, spider_names

    for name in spider_names():
        assert set(source_options(name, None)) <= spider_class(name).option_names(), (
            name
        )
    assert {"feeds", "feeds_file", "max_pages"} <= spider_class("upwork").option_names()


def test_unknown_schedule_entry_key_and_arg(tmp_path, demo_db):
    config = tmp_path / "c.toml"
    config.write_text(
        '[[schedule]]\nspider = "freelancer"\ncron = "* * * * *"\ncrn = "x"\n'
    )
    result = CliRunner().invoke(
        main, ["schedule", "--config", str(config), "--once", "--db", demo_db]
    )
    assert result.exit_code == 2
    assert "'crn' (did you mean 'cron'?)" in one_error_line(result.output)
    assert "valid: args, cron, jitter, name, resume, settings, spider" in result.output
    config2 = tmp_path / "c2.toml"  # load_config caches by path
    config2.write_text('[[schedule]]\nspider = "freelancr"\ncron = "* * * * *"\n')
    result = CliRunner().invoke(
        main, ["schedule", "--config", str(config2), "--once", "--db", demo_db]
    )
    assert result.exit_code == 2 and "did you mean 'freelancer'?" in result.output
    config3 = tmp_path / "c3.toml"
    config3.write_text(
        '[[schedule]]\nspider = "freelancer"\ncron = "* * * * *"\n'
        "args = { maxpages = 2 }\n"
    )
    result = CliRunner().invoke(
        main, ["schedule", "--config", str(config3), "--once", "--db", demo_db]
    )
    assert (
        result.exit_code == 2
        and "'maxpages' (did you mean 'max_pages'?)" in result.output
    )


def test_runs_spider_typo(demo_db):
    result = CliRunner().invoke(main, ["runs", "--spider", "upwrk", "--db", demo_db])
    assert result.exit_code == 2
    assert "did you mean 'upwork'?" in one_error_line(result.output)
    result = CliRunner().invoke(main, ["runs", "--spider", "remoteok", "--db", demo_db])
    assert result.exit_code == 0 and "no runs yet for remoteok" in result.output


def test_report_says_what_it_aligns_and_names_what_the_user_typed(demo_db):
    result = CliRunner().invoke(main, ["report", "--source", "upwrk", "--db", demo_db])
    assert result.exit_code == 2 and "did you mean 'upwork'?" in one_error_line(
        result.output
    )
    # synth data: 2022-01 .. 2024-06 by default
    result = CliRunner().invoke(
        main,
        ["report", "--a", "2022-11", "--b", "2024-02", "--reps", "50", "--db", demo_db],
    )
    assert result.exit_code == 0, result.output
    assert (
        "comparing 2022-02 with 2024-02: --b 2024-02 moved back 2 year(s) to end by the end"
        " of --a 2022-11"
    ) in result.output
    assert result.output.index("comparing 2022-02") < result.output.index("Coverage of")
    result = CliRunner().invoke(
        main, ["report", "--a", "2020-11", "--b", "2021-02", "--db", demo_db]
    )
    line = one_error_line(result.output)
    assert result.exit_code == 2 and "2021-01" not in line
    assert (
        "no postings in 2020-02 (the calendar-aligned window for --a 2020-11 and --b 2021-02)"
        in line
    )


def test_a_bug_keeps_its_traceback(monkeypatch):
    @click.command("boom")
    def boom():
        raise ValueError("a bug, not bad input")

    monkeypatch.setitem(main.commands, "boom", boom)
    result = CliRunner().invoke(main, ["boom"])
    assert isinstance(result.exception, ValueError) and result.exit_code == 1
