"""`jobtrends new-source NAME` writes a source that crawls, normalizes and passes its test.

The scaffold runs in a copy of the checkout; the copy's own pytest then runs the new
source's test, the naming conventions and the taxonomy checks over it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, cli_env, copy_checkout, run_cli

COPY = ["crawler", "analysis", "tests", "fixtures", "pyproject.toml", "scrapy.cfg"]


def test_scaffolded_source_passes_its_test_in_a_copy(tmp_path):
    copy = copy_checkout(tmp_path / "checkout", COPY)
    env = cli_env()
    env["PYTHONPATH"] = str(copy)  # the copy's code, not this checkout's
    proc = run_cli("new-source", "acmejobs", "--root", str(copy), cwd=copy, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    written = [
        line.removeprefix("wrote ")
        for line in proc.stdout.splitlines()
        if line.startswith("wrote ")
    ]
    assert len(written) == 9 and all((copy / path).is_file() for path in written)
    assert (
        "[sources.acmejobs]" in (copy / "crawler" / "default_config.toml").read_text()
    )

    tests = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/spiders/test_acmejobs.py",
            "tests/test_conventions.py",
            "tests/test_normalize_categories.py",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout[-4000:]
    assert " passed" in tests.stdout and "skipped" not in tests.stdout

    again = run_cli("new-source", "acmejobs", "--root", str(copy), cwd=copy, env=env)
    assert again.returncode == 2 and "exists already" in again.stderr
    bad = run_cli("new-source", "Acme-Jobs", "--root", str(copy), cwd=copy, env=env)
    assert bad.returncode == 2 and "lowercase letters and digits" in bad.stderr


def test_scaffold_templates_are_lint_clean(tmp_path):
    """The written Python follows the project's ruff rules and format."""
    from crawler.scaffold import new_source

    ruff = Path(sys.executable).with_name("ruff")  # the test extra installs it
    ruff = str(ruff) if ruff.exists() else shutil.which("ruff")
    assert ruff, "ruff is not installed (pip install -e '.[test]')"

    for name in ("crawler/spiders", "crawler/normalize/sources", "tests/spiders"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "crawler/normalize/data").mkdir(parents=True)
    shutil.copy2(
        ROOT / "crawler/default_config.toml", tmp_path / "crawler/default_config.toml"
    )
    shutil.copy2(
        ROOT / "crawler/normalize/data/taxonomy.json",
        tmp_path / "crawler/normalize/data/taxonomy.json",
    )
    written = new_source("acmejobs", tmp_path)
    py = [str(tmp_path / p) for p in written if p.endswith(".py")]
    check = subprocess.run(
        [ruff, "check", "--config", str(ROOT / "pyproject.toml"), *py],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout
    fmt = subprocess.run(
        [ruff, "format", "--check", "--config", str(ROOT / "pyproject.toml"), *py],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
