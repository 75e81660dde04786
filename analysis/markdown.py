"""Markdown output that shows data as text: job titles, categories and skills come from
the crawled pages, so ``<script>``, ``onerror=`` and ``[x](javascript:...)`` must stay inert."""

from __future__ import annotations

_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "[": "&#91;",
        "]": "&#93;",
        "|": "&#124;",
        "`": "&#96;",
    }
)


def md_text(value: object) -> str:
    """``md_text("<b>[x](javascript:y)")`` -> ``"&lt;b&gt;&#91;x&#93;(javascript:y)"``."""
    return str(value).translate(_ESCAPES)
