"""`jobtrends new-source NAME`: the six pieces of a new source, written from templates.

A source is: its spider (``crawler/spiders/NAME.py``), its mapping
(``crawler/normalize/sources/NAME.py``), its fixtures (``fixtures/NAME/routes.json`` and
the pages it names), its test (``tests/spiders/test_NAME.py``), its config table
(``[sources.NAME]`` in ``crawler/default_config.toml``) and its category table
(``"NAME"`` in ``crawler/normalize/data/taxonomy.json``).  tests/test_conventions.py
checks that they line up; docs/adding-a-source.md says what to change in each.

The templates describe a JSON API answering ``GET /api/jobs?page=N`` with
``{"jobs": [...]}``; the written source crawls, stores, normalizes and passes its test
as it is, and is then edited into the real source.
"""

from __future__ import annotations

import json
import keyword
import re
from pathlib import Path

from crawler.errors import UserError

TEMPLATES = Path(__file__).resolve().parent / "templates"
_NAME = re.compile(r"^[a-z][a-z0-9]{1,30}$")


def pieces(name: str) -> dict[str, str]:
    """{path below the checkout: template file} of the files a new source gets."""
    return {
        f"crawler/spiders/{name}.py": "spider.py.txt",
        f"crawler/normalize/sources/{name}.py": "mapping.py.txt",
        f"fixtures/{name}/routes.json": "routes.json.txt",
        f"fixtures/{name}/jobs-1.json": "jobs-1.json.txt",
        f"fixtures/{name}/jobs-2.json": "jobs-2.json.txt",
        f"fixtures/{name}/jobs-3.json": "jobs-3.json.txt",
        f"tests/spiders/test_{name}.py": "test.py.txt",
    }


def check_name(name: str, root: Path) -> None:
    if not _NAME.match(name) or keyword.iskeyword(name):
        raise UserError(
            f"source name {name!r}: use 2-31 lowercase letters and digits, starting with a"
            " letter (it names the spider, its module, its fixtures and its test)"
        )
    taken = [p for p in pieces(name) if (root / p).exists()]
    if taken:
        raise UserError(f"source {name!r} exists already: {', '.join(taken)}")


def new_source(name: str, root: str | Path) -> list[str]:
    """Write the pieces of source ``name`` into the checkout at ``root``; the paths written."""
    root = Path(root)
    check_name(name, root)
    if not (root / "crawler" / "spiders").is_dir():
        raise UserError(
            f"{root} is not a jobtrends checkout (no crawler/spiders/): give --root"
        )
    values = {"NAME": name, "CLASS": name.capitalize() + "Spider"}
    written = []
    for path, template in pieces(name).items():
        text = (TEMPLATES / template).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(path)
    written.append(_add_config_table(root, name))
    written.append(_add_taxonomy_table(root, name))
    return written


def _add_config_table(root: Path, name: str) -> str:
    path = "crawler/default_config.toml"
    config = root / path
    text = config.read_text(encoding="utf-8")
    if f"[sources.{name}]" not in text:
        config.write_text(
            text.rstrip("\n")
            + f"\n\n[sources.{name}]\n# TODO: the real site; -a base_url=... points at a mirror.\n"
            'base_url = "https://jobs.example.com"\nmax_pages = 20\n',
            encoding="utf-8",
        )
    return path


def _add_taxonomy_table(root: Path, name: str) -> str:
    """The source's category strings -> canonical categories (written as the file is)."""
    path = "crawler/normalize/data/taxonomy.json"
    taxonomy = root / path
    doc = json.loads(taxonomy.read_text(encoding="utf-8"))
    doc["sources"].setdefault(
        name,
        {
            "Writing & Content": "writing",
            "Software Development": {
                "default": "web & software development",
                "refine": True,
            },
            "Customer Support": "customer service",
        },
    )
    taxonomy.write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return path
