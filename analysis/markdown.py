"""Markdown output that shows data as text: job titles, categories and skills come from
the crawled pages, so ``<script>``, ``onerror=`` and ``[x](javascript:...)`` must stay inert.

CommonMark backslash escapes keep them inert without HTML entities, so the Markdown
source reads as plain text too ("engineering & architecture", not "&amp;").
"""

from __future__ import annotations

_ESCAPES = str.maketrans(
    {c: "\\" + c for c in "\\<>[]|`*_&"},
)


def md_text(value: object) -> str:
    r"""``md_text("<b>[x](javascript:y)")`` -> ``\<b\>\[x\](javascript:y)``.

    Spaced ampersands, the common case, are left alone (they cannot start an entity).
    """
    return str(value).translate(_ESCAPES).replace(" \\& ", " & ")
