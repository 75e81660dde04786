"""Every ``>>>`` example in crawler/ and analysis/ runs and shows what the code returns.

Examples that need data get ``conn`` (a small synthetic, normalized database), ``report``
(a report built on it), ``db_path`` and ``tmp_path``.  Only examples that replace this
process or need a running server stay ``+SKIP``; the test counts them so a new skip is
a decision, not an accident.
"""

from __future__ import annotations

import doctest
import importlib
import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT

MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for folder in ("crawler", "analysis")
    for path in (ROOT / folder).rglob("*.py")
    if "_bundled" not in path.parts and ">>>" in path.read_text(encoding="utf-8")
)
# serve() and run_datasette() replace the process; wait_until_ready() and
# start_background() need a Datasette running (tests/test_datasette.py runs them).
SKIPPED = {"analysis.serve": 4}


@pytest.fixture(scope="module")
def globs(tmp_path_factory):
    from analysis.periods import parse_period
    from analysis.report import ReportConfig, build_report
    from crawler.cli import main
    from crawler.db import connect

    folder = tmp_path_factory.mktemp("doctests")
    db = folder / "jobs.db"
    result = CliRunner().invoke(
        main, ["synth", "--rows", "3000", "--quiet", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    conn = connect(db)
    report = build_report(
        conn,
        ReportConfig(a=parse_period("2022-11"), b=parse_period("2024-02"), reps=50),
    )
    yield {"conn": conn, "report": report, "db_path": str(db), "tmp_path": folder}
    conn.close()


def test_modules_with_examples_are_found():
    assert {"crawler.rollups", "analysis.serve", "analysis.stats"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_examples_run(name, globs):
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runner = doctest.DocTestRunner(optionflags=flags)
    out = io.StringIO()
    ran = skipped = 0
    for test in doctest.DocTestFinder().find(module, extraglobs=globs):
        skipped += sum(bool(e.options.get(doctest.SKIP)) for e in test.examples)
        with redirect_stdout(io.StringIO()):  # what the examples themselves print
            result = runner.run(test, out=out.write)
        ran += result.attempted
    assert runner.failures == 0, out.getvalue()
    assert ran - skipped > 0
    assert skipped == SKIPPED.get(name, 0), f"{name}: {skipped} examples skipped"
    assert Path(module.__file__).is_file()
