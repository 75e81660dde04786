"""Unknown names the user typed: which are wrong, the closest valid one, the valid ones.

>>> unknown_names_message("option", ["lmit", "max_pages"], ["limit", "max_pages", "query"])
"unknown option 'lmit' (did you mean 'limit'?); valid: limit, max_pages, query"
>>> did_you_mean("upwrk", ["freelancer", "upwork"])
" (did you mean 'upwork'?)"
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, valid: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest valid name, or ``""`` when none is close."""
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_names_message(
    kind: str, given: Iterable[str], valid: Iterable[str]
) -> str | None:
    """One line naming the given names that are not valid, or None when all are."""
    valid = sorted(set(valid))
    wrong = [name for name in given if name not in valid]
    if not wrong:
        return None
    parts = [f"{name!r}{did_you_mean(name, valid)}" for name in wrong]
    plural = "s" if len(wrong) > 1 else ""
    return f"unknown {kind}{plural} {', '.join(parts)}; valid: {', '.join(valid)}"
