"""A normal, non-editable install works: the wheel holds the packages, the data `demo`,
`eval` and `capture --check` read, and the licence, and nothing else at the top level.

The wheel is built offline from a copy of the checkout (setuptools' own build backend,
no build isolation), then installed with pip into a folder of its own and run from
another folder, with the checkout off the import path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from crawler.fixture_server import FixtureServer
from tests.conftest import ROOT, copy_checkout

BUILD_INPUTS = [
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "LICENSE",
    "crawler",
    "analysis",
    "fixtures",
    "tests/labeled",
    "benchmarks",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = copy_checkout(tmp_path_factory.mktemp("src"), BUILD_INPUTS)
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from setuptools import build_meta as b; print(b.build_wheel(sys.argv[1]))",
            str(out),
        ],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out / proc.stdout.strip().splitlines()[-1]


def test_wheel_holds_packages_shipped_data_and_licence(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"crawler", "analysis", "jobtrends-0.1.0.dist-info"}, tops
    assert "jobtrends-0.1.0.dist-info/licenses/LICENSE" in names
    bundled = [n for n in names if n.startswith("crawler/_bundled/")]
    # every fixture and labeled file of the checkout, and no generator code
    fixtures = {
        p.relative_to(ROOT / "fixtures").as_posix()
        for p in (ROOT / "fixtures").rglob("*")
        if p.is_file()
        and p.suffix not in (".py", ".pyc")
        and "__pycache__" not in p.parts
    }
    assert {
        n.removeprefix("crawler/_bundled/fixtures/")
        for n in bundled
        if "/fixtures/" in n
    } == fixtures
    labeled = {
        p.name
        for p in (ROOT / "tests" / "labeled").iterdir()
        if p.suffix in (".jsonl", ".tsv")
    }
    assert {
        n.removeprefix("crawler/_bundled/labeled/") for n in bundled if "/labeled/" in n
    } == labeled
    assert not [n for n in bundled if n.endswith(".py")]
    for data in (
        "crawler/normalize/data/taxonomy.json",
        "crawler/default_config.toml",
        "analysis/datasette/metadata.yml",
    ):
        assert data in names
    meta = zipfile.ZipFile(wheel).read("jobtrends-0.1.0.dist-info/METADATA").decode()
    assert "License-Expression: Apache-2.0" in meta


def test_installed_wheel_runs_demo_eval_and_capture_check_from_another_folder(
    wheel, tmp_path
):
    site = tmp_path / "site"
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            "--target",
            str(site),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBTRENDS_")}
    env["PYTHONPATH"] = str(site)  # the installed copy only; the dependencies are ours
    env["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

    def jobtrends(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "crawler.cli", *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import crawler; print(crawler.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(site))

    demo = jobtrends("demo", "--db", "demo.db")
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "normalized postings" in demo.stdout and (elsewhere / "demo.db").exists()

    ev = jobtrends("eval", "--json")
    assert ev.returncode == 0, ev.stderr[-3000:]
    report = json.loads(ev.stdout)
    assert report["pay"]["n"] > 100 and report["categories"]["n"] > 100

    with FixtureServer(site / "crawler" / "_bundled" / "fixtures") as server:
        check = jobtrends(
            "capture",
            "freelancer",
            "--check",
            "--base-url",
            server.base_url("freelancer"),
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
            "-s",
            "DOWNLOAD_DELAY=0",
            timeout=300,
        )
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-3000:]
    assert ", 0 drifted" in check.stderr
