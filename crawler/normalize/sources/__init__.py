"""Per-source mappings: ``crawler.normalize.sources.<source>.to_job(payload) -> dict``.

Each module is pure: it reads one raw payload as its source wrote it and returns the
source's own fields under common names (see crawler/CONTRACTS.md).  Interpreting the
values (dates, pay, categories, skills) is the shared normalizer's job.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Callable


@lru_cache(maxsize=None)
def mapper(source: str) -> Callable[[str], dict]:
    """The ``to_job`` function of a source; ValueError for an unknown source."""
    if not source.isidentifier():
        raise ValueError(f"unknown source {source!r}")
    try:
        module = importlib.import_module(f"crawler.normalize.sources.{source}")
    except ModuleNotFoundError as exc:
        raise ValueError(f"no mapping for source {source!r}") from exc
    return module.to_job
