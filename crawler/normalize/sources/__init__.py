"""Per-source mappings: ``crawler.normalize.sources.<source>.to_job(payload) -> dict``.

Each module is pure: it reads one raw payload as its source wrote it and returns the
source's own fields under common names (see crawler/CONTRACTS.md).  Interpreting the
values (dates, pay, categories, skills) is the shared normalizer's job.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from functools import cache


@cache
def mapper(source: str) -> Callable[[str], dict]:
    """The ``to_job`` function of a source.

    A source without a module of its own (one brought in by ``jobtrends import --format
    csv|jsonl``) is read by the generic mapping, which raises ValueError on anything
    but an imported row.
    """
    if not source.isidentifier() or source.startswith("_"):
        return _generic()
    try:
        module = importlib.import_module(f"crawler.normalize.sources.{source}")
    except ModuleNotFoundError as exc:
        if exc.name != f"crawler.normalize.sources.{source}":
            raise  # the module exists but one of its imports is missing
        return _generic()
    return module.to_job


def has_own_mapping(source: str) -> bool:
    """True when ``crawler/normalize/sources/<source>.py`` exists (upwork, freelancer...)."""
    return (
        source.isidentifier()
        and not source.startswith("_")
        and importlib.util.find_spec(f"crawler.normalize.sources.{source}") is not None
    )


def _generic() -> Callable[[str], dict]:
    from crawler.normalize.sources.generic import to_job

    return to_job
