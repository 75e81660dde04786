"""Skills from tags and text, matched against the dictionary in data/skills.json.

* Tags (a source's own skill list) are looked up whole in one alias table (every alias,
  tag-only alias and case-sensitive alias, lower-cased); an unknown tag is then scanned
  like text, so ``"Python Programming"`` still yields Python.
* Text is scanned with two precompiled regexes (one case-insensitive over ``aliases``,
  one case-sensitive over ``case_sensitive``).  Boundaries treat ``+ # .`` as part of a
  word, so ``C++``, ``C#`` and ``.NET`` stay whole and ``C`` never matches inside them.
* Ambiguous short names (``R``, ``Go``, ``C``, ``AI``, ``ML``, ``Swift``...) are trusted
  only as tags, in unambiguous phrases (``Golang``, ``R programming``, ``ANSI C``), or
  as written with their capitals (``RAG``, ``Swift``) where the dictionary says so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from crawler.normalize._trie import trie_pattern

DATA_FILE = Path(__file__).with_name("data") / "skills.json"
MAX_SKILL_TEXT = 20_000


@dataclass(frozen=True)
class Skill:
    """One canonical skill: ``Skill("LangChain", True, "ai")``."""

    name: str
    is_ai: bool
    family: str


def _norm(alias: str) -> str:
    return " ".join(alias.lower().replace("-", " ").split())


def _pattern(aliases: list[str], *, fold: bool = True) -> str:
    # A trie-shaped alternation (crawler/normalize/_trie.py): same matches as a
    # longest-first "a|b|c" of hundreds of aliases, ~20x faster on long descriptions.
    return r"(?<![\w+#.\-/])(?:" + trie_pattern(aliases, fold=fold) + r")(?![\w+#]|\.\w|-\w)"


def _load():
    doc = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    skills: dict[str, Skill] = {}
    by_tag: dict[str, Skill] = {}
    by_text: dict[str, list[Skill]] = {}  # an alias may name more than one skill
    by_case: dict[str, Skill] = {}
    for e in doc["skills"]:
        skill = Skill(e["name"], bool(e["is_ai"]), e["family"])
        skills[skill.name] = skill
        by_tag[_norm(skill.name)] = skill
        for a in e.get("aliases", []):
            names = by_text.setdefault(_norm(a), [])
            if skill not in names:
                names.append(skill)
            by_tag.setdefault(_norm(a), skill)
        for a in e.get("tag_aliases", []):
            by_tag.setdefault(_norm(a), skill)
        for a in e.get("case_sensitive", []):
            by_case.setdefault(a, skill)
            by_tag.setdefault(_norm(a), skill)
    text_re = re.compile(_pattern(list(by_text)), re.I) if by_text else None
    case_re = re.compile(_pattern(list(by_case), fold=False)) if by_case else None
    return doc.get("version", "?"), skills, by_tag, by_text, by_case, text_re, case_re


SKILLS_VERSION, SKILLS, _BY_TAG, _BY_TEXT, _BY_CASE, _TEXT_RE, _CASE_RE = _load()
AI_SKILLS: list[str] = sorted(s.name for s in SKILLS.values() if s.is_ai)


def _scan(text: str) -> list[Skill]:
    found = []
    spans = []
    if _TEXT_RE is not None:
        for m in _TEXT_RE.finditer(text):
            skills = _BY_TEXT.get(_norm(m.group(0)))
            if skills:
                found.extend(skills)
                spans.append(m.span())
    if _CASE_RE is not None:
        for m in _CASE_RE.finditer(text):
            start, end = m.span()
            # "React" inside an already matched "React Native" is not a second skill.
            if any(s <= start and end <= e for s, e in spans):
                continue
            skill = _BY_CASE.get(" ".join(m.group(0).split()))
            if skill:
                found.append(skill)
    return found


@lru_cache(maxsize=16384)
def _tag_skills(tag: str) -> tuple[Skill, ...]:
    skill = _BY_TAG.get(_norm(tag))
    if skill:
        return (skill,)
    return tuple(_scan(tag))


def match_skills(tags: list[str] | None, text: str | None) -> list[Skill]:
    """Canonical skills named by ``tags`` or ``text``, tags first, without duplicates:
    ``match_skills(["Golang"], "We use LangChain and C++")`` ->
    ``[Skill("Go", ...), Skill("LangChain", ...), Skill("C++", ...)]``."""
    out: dict[str, Skill] = {}
    try:
        if isinstance(tags, str):
            tags = [tags]
        for tag in tags or ():
            if isinstance(tag, str) and tag.strip():
                for skill in _tag_skills(tag.strip()[:200]):
                    out.setdefault(skill.name, skill)
        if isinstance(text, str) and text:
            for skill in _scan(text[:MAX_SKILL_TEXT]):
                out.setdefault(skill.name, skill)
    except Exception:  # never raise; a partial list is better than none
        pass
    return list(out.values())
