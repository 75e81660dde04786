"""Every `jobtrends` command, given a wrong period, date, path, spider name or config value,
exits with status 2 and one line saying what is wrong - never a traceback.

Commands run in-process through click's CliRunner (fast); the command list comes from
`jobtrends --help`, and a test fails when a command has no bad-input case here.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from crawler.cli import main
from tests.conftest import run_cli

# These start Scrapy (a reactor, signal handlers) when the check they test is missing:
# run them as a real process so a miss fails the test instead of the test session.
IN_SUBPROCESS = {"crawl", "capture", "demo", "schedule", "ingest"}

MISSING = "/nonexistent/folder/jobs.db"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_input")
    db = folder / "small.db"
    result = CliRunner().invoke(
        main, ["synth", "--rows", "300", "--quiet", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    (folder / "broken.toml").write_text("[sources.freelancer\nmax_pages = 3\n")
    (folder / "badvalue.toml").write_text('[sources.freelancer]\nmax_pages = "lots"\n')
    (folder / "badmonitor.toml").write_text('[monitors]\nmin_items_fraction = "half"\n')
    (folder / "badschedule.toml").write_text(
        '[[schedule]]\nspider = "nosuchspider"\ncron = "every tuesday"\n'
    )
    return {"db": str(db), "dir": folder}


def cases(f) -> list[tuple[str, list[str]]]:
    db, d = f["db"], f["dir"]
    return [
        ("crawl", ["crawl", "nosuchspider", "--db", str(d / "c.db")]),
        ("crawl", ["crawl", "freelancer", "-s", "NOVALUE", "--db", str(d / "c.db")]),
        (
            "crawl",
            [
                "crawl",
                "freelancer",
                "--config",
                str(d / "missing.toml"),
                "--db",
                str(d / "c.db"),
            ],
        ),
        (
            "crawl",
            [
                "crawl",
                "freelancer",
                "--config",
                str(d / "broken.toml"),
                "--db",
                str(d / "c.db"),
            ],
        ),
        (
            "crawl",
            ["crawl", "freelancer", "-a", "max_pages=lots", "--db", str(d / "c.db")],
        ),
        (
            "crawl",
            [
                "crawl",
                "freelancer",
                "--config",
                str(d / "badvalue.toml"),
                "--db",
                str(d / "c.db"),
            ],
        ),
        ("crawl", ["crawl", "freelancer", "--db", "/proc/version/jobs.db"]),
        ("capture", ["capture", "nosuchspider", "--db", db]),
        ("compare", ["compare", "--a", "2022-13", "--b", "2023-01", "--db", db]),
        ("compare", ["compare", "--a", "2022-01", "--b", "last tuesday", "--db", db]),
        ("compare", ["compare", "--a", "2022-01", "--b", "2023-01", "--db", MISSING]),
        (
            "compare",
            [
                "compare",
                "--a",
                "2022-01",
                "--b",
                "2023-01",
                "--source",
                "nosuchspider",
                "--db",
                db,
            ],
        ),
        ("demo", ["demo", "--a", "2022-13", "--db", str(d / "demo.db")]),
        ("eval", ["eval", "--labeled", "/nonexistent/labeled", "--db", db]),
        ("event-study", ["event-study", "--event", "2022-02-30", "--db", db]),
        ("event-study", ["event-study", "--placebo-date", "someday", "--db", db]),
        ("event-study", ["event-study", "--db", MISSING]),
        ("import", ["import", "/nonexistent/feed.xml", "--db", str(d / "i.db")]),
        (
            "import",
            [
                "import",
                str(d / "broken.toml"),
                "--format",
                "csv",
                "--map",
                "nonsense",
                "--db",
                str(d / "i.db"),
            ],
        ),
        ("ingest", ["ingest", "--redis", "not-a-redis-url", "--db", str(d / "i.db")]),
        ("new-source", ["new-source", "Not-A-Name", "--root", str(d)]),
        ("new-source", ["new-source", "freelancer", "--root", "/nonexistent/checkout"]),
        ("normalize", ["normalize", "--since", "yesterday-ish", "--db", db]),
        ("normalize", ["normalize", "--db", MISSING]),
        ("report", ["report", "--a", "2022-99", "--db", db]),
        ("report", ["report", "--event", "2022/11/30", "--db", db]),
        ("report", ["report", "--db", MISSING]),
        ("runs", ["runs", "--db", MISSING]),
        ("runs", ["runs", "--check", "999999", "--db", db]),
        (
            "runs",
            [
                "runs",
                "--check",
                "1",
                "--config",
                str(d / "badmonitor.toml"),
                "--db",
                db,
            ],
        ),
        ("schedule", ["schedule", "--config", str(d / "missing.toml"), "--db", db]),
        (
            "schedule",
            ["schedule", "--config", str(d / "badschedule.toml"), "--once", "--db", db],
        ),
        ("schedule", ["schedule", "--until", "half past never", "--db", db]),
        ("serve", ["serve", "--db", MISSING]),
        ("serve", ["serve", "--public", "--db", db]),
        ("sources", ["sources", "nosuchspider"]),
        ("sources", ["sources", "--config", str(d / "broken.toml")]),
        ("synth", ["synth", "--start", "2022-02-30", "--db", str(d / "s.db")]),
        (
            "synth",
            [
                "synth",
                "--start",
                "2024-01-01",
                "--end",
                "2023-01-01",
                "--db",
                str(d / "s.db"),
            ],
        ),
        ("synth", ["synth", "--rows", "-5", "--db", str(d / "s.db")]),
        ("train-categories", ["train-categories", "--db", MISSING]),
        ("train-categories", ["train-categories", "--folds", "50", "--db", db]),
        ("eval", ["eval", "--upwork-api", "/nonexistent/export.csv", "--db", db]),
    ]


def test_every_command_has_a_bad_input_case(files):
    covered = {name for name, _ in cases(files)}
    assert set(main.commands) - covered == set()


def _ids():
    return [
        f"{name}-{i}"
        for i, (name, _) in enumerate(
            cases({"db": "x", "dir": __import__("pathlib").Path("x")})
        )
    ]


@pytest.mark.parametrize("index", range(len(_ids())), ids=_ids())
def test_bad_input_exits_2_with_one_line(files, index, monkeypatch):
    monkeypatch.delenv("JOBTRENDS_DEBUG", raising=False)
    monkeypatch.delenv("JOBTRENDS_PASSWORD_HASH", raising=False)
    monkeypatch.delenv("JOBTRENDS_CONFIG", raising=False)
    name, args = cases(files)[index]
    if name in IN_SUBPROCESS:
        proc = run_cli(*args, timeout=120)
        result = SimpleNamespace(
            exception=None, exit_code=proc.returncode, output=proc.stdout + proc.stderr
        )
    else:
        result = CliRunner().invoke(main, args)
    output = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: {type(result.exception).__name__}: {result.exception}\n{output[-1500:]}"
    )
    assert "Traceback" not in output, output
    assert result.exit_code == 2, f"{args} exited {result.exit_code}:\n{output[-1500:]}"
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and len(errors[0]) > 15, output
