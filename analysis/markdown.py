"""Markdown output that shows data as text: job titles, categories and skills come from
the crawled pages, so ``<script>``, ``onerror=`` and ``[x](javascript:...)`` must stay inert.

Ordinary text stays readable in the Markdown source: "engineering & architecture",
"n 40 -> 52" and "[-3.1%, +2.0%]" are written as they are.  Only what would start markup
is neutralized: an ``<`` that opens a tag and a ``]`` that closes link text (numeric
references), ``|`` and backticks (backslash), and an ``&`` that would start an entity.
"""

from __future__ import annotations

import re

_ENTITY_START = re.compile(r"&(?=#|[A-Za-z][A-Za-z0-9]*;)")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINK_END = re.compile(r"\](?=[(\[:])")
_BACKSLASHED = str.maketrans({"|": "\\|", "`": "\\`"})


def md_text(value: object) -> str:
    """``md_text("<b>[x](javascript:y)")`` -> ``"&#60;b>[x&#93;(javascript:y)"``;
    ``md_text("a & b -> [1, 2]")`` is unchanged."""
    text = _ENTITY_START.sub(r"\\&", str(value))
    text = _LINK_END.sub("&#93;", _TAG_START.sub("&#60;", text))
    return text.translate(_BACKSLASHED)
