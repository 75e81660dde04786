"""One name per source, everywhere (STYLE.md #1): spider name == module == fixtures folder ==
test module, and every spider has its mapping module with ``to_job``."""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

ROOT = Path(__file__).resolve().parent.parent

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
_LOADER = SpiderLoader.from_settings(get_project_settings())
# Shared base classes (crawler/spiders/base.py, _rss.py...) are no sources.
SPIDERS = sorted(
    n for n in _LOADER.list() if _LOADER.load(n).__module__ != "crawler.spiders.base"
)


def test_there_are_spiders():
    assert {"upwork", "freelancer", "hackernews", "lever", "jsonld"} <= set(SPIDERS)


@pytest.mark.parametrize("name", SPIDERS)
def test_spider_name_is_its_module_name(name):
    cls = _LOADER.load(name)
    assert cls.__module__ == f"crawler.spiders.{name}", (
        f"spider {name!r} lives in {cls.__module__}"
    )
    assert Path(inspect.getfile(cls)) == ROOT / "crawler" / "spiders" / f"{name}.py"


@pytest.mark.parametrize("name", SPIDERS)
def test_spider_has_fixtures_with_routes(name):
    folder = ROOT / "fixtures" / name
    assert folder.is_dir(), f"fixtures/{name}/ is missing"
    assert (folder / "routes.json").is_file(), f"fixtures/{name}/routes.json is missing"


@pytest.mark.parametrize("name", SPIDERS)
def test_spider_has_its_test_module(name):
    assert (ROOT / "tests" / "spiders" / f"test_{name}.py").is_file(), (
        f"tests/spiders/test_{name}.py is missing"
    )


@pytest.mark.parametrize("name", SPIDERS)
def test_spider_has_a_mapping_module(name):
    module = importlib.import_module(f"crawler.normalize.sources.{name}")
    assert callable(getattr(module, "to_job", None)), (
        f"crawler/normalize/sources/{name}.py has no to_job"
    )
    with pytest.raises(
        ValueError
    ):  # the contract: an unreadable payload is a ValueError
        module.to_job("\x00 not a payload")


@pytest.mark.parametrize("name", SPIDERS)
def test_spider_states_what_it_collects(name):
    cls = _LOADER.load(name)
    doc = cls.__dict__.get("__doc__") or inspect.getmodule(cls).__doc__
    assert doc and doc.strip(), (
        f"spider {name!r} has no docstring for `jobtrends sources`"
    )


def test_no_orphan_fixture_folders():
    """A fixtures/<name>/ folder belongs to a spider (a renamed spider leaves none behind)."""
    folders = {
        p.name
        for p in (ROOT / "fixtures").iterdir()
        if p.is_dir() and not p.name.startswith(("_", "."))
    }
    assert folders <= set(SPIDERS), (
        f"fixture folders without a spider: {sorted(folders - set(SPIDERS))}"
    )
