"""Skills from tags and text, matched against the dictionary in data/skills.json.

* Tags (a source's own skill list) are looked up whole in one alias table (every alias,
  tag-only alias and case-sensitive alias, lower-cased); an unknown tag is then scanned
  like text, so ``"Python Programming"`` still yields Python.
* Text is scanned in one Aho-Corasick pass over its lower-cased words: ``aliases``
  match there, ``case_sensitive`` ones where the text has them as written at the
  same offset.  Boundaries treat ``+ # .`` as part of a word, so ``C++``, ``C#`` and
  ``.NET`` stay whole and ``C`` never matches inside them.
* Ambiguous short names (``R``, ``Go``, ``C``, ``AI``, ``ML``, ``Swift``...) are trusted
  only as tags, in unambiguous phrases (``Golang``, ``R programming``, ``ANSI C``), or
  as written with their capitals (``RAG``, ``Swift``) where the dictionary says so.
* Text skills count only in job content: negations ("do not use ChatGPT"), company
  blurbs ("trusted by OpenAI"), application instructions, legal notices, and brands or
  boilerplate words without the context they need are left out (skill_context.py).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from crawler.normalize.skill_context import (
    CUES,
    INSTRUCTION_PRONE,
    MARK,
    TITLE_END,
    keep_in_context,
)

DATA_FILE = Path(__file__).with_name("data") / "skills.json"
MAX_SKILL_TEXT = 20_000


@dataclass(frozen=True)
class Skill:
    """One canonical skill: ``Skill("LangChain", True, "ai")``."""

    name: str
    is_ai: bool
    family: str


# Punctuation, hyphens and slashes separate words, in aliases and text alike, so
# "fine-tuning" == "fine tuning", "CI/CD" == "ci cd" and "Python/Django" is two words.
# ".", "+", "#" and "&" stay inside words (Node.js, .NET, C++, C#, R&D).
_SEP = str.maketrans(
    {
        c: " "
        # (and ASCII's other whitespace, which str.split would split on anyway)
        for c in ",;:!?()[]{}<>\"'`*|=~…-/\u2013\u2014\u00a0\u2018\u2019\u201c\u201d\n\r\t"
        "\x0b\x0c\x1c\x1d\x1e\x1f"
    }
)

# Sentence and clause ends ("; ! ? |", a line break, a sentence's final ".", and in
# non-ASCII text bullets and en/em dashes) become the boundary token MARK, a word of
# its own that no alias holds: no alias matches across it, and skill_context.py reads
# the text between two marks as one segment.
_BOUNDARY_ASCII = {ord(c): ord(MARK) for c in ";!?|\n"}

# The ASCII part of _SEP as a bytes table, for ASCII text (boundaries as MARK).
_SEP_ASCII = bytes(
    _BOUNDARY_ASCII.get(i, ord(_SEP.get(i, chr(i)))) if i < 128 else i
    for i in range(256)
)

# The same separators as a regex, plus a sentence's final "." (". " or "." at the end).
_WORD_SEP_RE = re.compile(
    r"(?:[,;:!?()\[\]{}<>\"'`*|=~…\-/\u2013\u2014\u2018\u2019\u201c\u201d\s]|\.(?=\s|$))+"
)
# Boundaries in non-ASCII text, marked before it is split into words.
_BOUNDARY_RE = re.compile(
    r"[.!?…。！？](?=\s|$)|[;|\n•▪●\u2013\u2014\u2028\u2029]|(?<=\s)·(?=\s)"
)
_MARK_SPACED = f" {MARK} "


def _norm(alias: str) -> str:
    return " ".join(alias.translate(_SEP).lower().split())


# Text is cut into tokens of word characters plus the symbols skills carry inside them
# (C++, C#, .NET, Node.js, CI/CD, A/B); hyphens and other punctuation separate tokens, as
# they do in the normalized aliases ("fine-tuning" == "fine tuning").  Matching tokens
# against a dict is ~10x faster than one big alternation regex over the text.
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
            by_case.setdefault(" ".join(a.translate(_SEP).split()), skill)
            by_tag.setdefault(_norm(a), skill)
    needs = {_norm(a): kind for a, kind in doc.get("needs_context", {}).items()}
    return doc.get("version", "?"), skills, by_tag, by_text, by_case, needs


SKILLS_VERSION, SKILLS, _BY_TAG, _BY_TEXT, _BY_CASE, _NEEDS_CONTEXT = _load()
AI_SKILLS: list[str] = sorted(s.name for s in SKILLS.values() if s.is_ai)
# Aliases starting with a stop word ("a/b testing" -> "a b testing", "on-page seo") are
# left to their other spellings: in running text "a b testing" is rarely A/B testing.
_STOP_STARTS = frozenset({"a", "an", "on", "in", "to", "of", "for", "the", "and", "or"})
for _alias in [a for a in _BY_TEXT if a.split()[0] in _STOP_STARTS]:
    del _BY_TEXT[_alias]


def _value(alias: str, skills: list[Skill] | None, cue: str | None) -> tuple:
    """An automaton value: (key length, words, skills, the context the alias needs or
    None, whether an application instruction names it, the cue kind or None, the
    case-sensitive spellings of this key or None)."""
    return (
        len(alias) + 2,
        alias.count(" ") + 1,
        skills,
        _NEEDS_CONTEXT.get(alias),
        any(s.name in INSTRUCTION_PRONE for s in skills or ()),
        cue,
        None,
    )


def _automaton(
    table: dict[str, list[Skill]],
    cues: dict[str, str] | None = None,
    case: dict[str, Skill] | None = None,
) -> ahocorasick.Automaton:
    """An Aho-Corasick automaton over ``" alias "`` (spaces mark word boundaries).

    Values are :func:`_value` tuples: the context cues of skill_context.py ride in the
    same automaton, so one pass finds both.  ``case`` aliases ("RAG", "Swift") ride in
    it lower-cased too, with their written form (and its own value) in the last field:
    a match in the lower-cased text is a case-sensitive hit when the text has that
    spelling at the same offset, so one pass also finds those.
    """
    cues = cues or {}
    case = case or {}
    spellings: dict[str, dict[str, tuple]] = {}
    for written, skill in case.items():
        spellings.setdefault(written.lower(), {})[f" {written} "] = _value(
            written, [skill], None
        )
    automaton = ahocorasick.Automaton()
    for alias in table.keys() | cues.keys() | spellings.keys():
        value = _value(alias, table.get(alias), cues.get(alias))
        if alias in spellings:
            value = (*value[:6], spellings[alias])
        automaton.add_word(f" {alias} ", value)
    automaton.make_automaton()
    return automaton


_TEXT_AUTOMATON = _automaton(_BY_TEXT, CUES, _BY_CASE)
# Case-sensitive aliases alone, for the rare text whose lower-casing moved offsets.
_CASE_AUTOMATON = _automaton({alias: [skill] for alias, skill in _BY_CASE.items()})


def _spaced_words(text: str) -> tuple[str, str]:
    """(words joined by single spaces, the same lower-cased), each padded with a space:
    ``"Python/Django."`` -> ``(" Python Django ", " python django ")``; both hold the
    same number of words."""
    if text.isascii():  # bytes.translate: a 256-byte table, ~10x str.translate's speed
        spaced = text.encode("ascii").translate(_SEP_ASCII).decode("ascii")
        if MARK in spaced:
            spaced = spaced.replace(MARK, _MARK_SPACED)
        spaced = spaced.replace(". ", _MARK_SPACED).rstrip(".")
        # The only whitespace left is " ": collapsing its runs in place is the same as
        # " ".join(spaced.split()) without a string per word.
        while "  " in spaced:
            spaced = spaced.replace("  ", " ")
        joined = " " + spaced.strip(" ") + " "
        return joined, joined.lower()
    text = _BOUNDARY_RE.sub(_MARK_SPACED, text)
    orig = [w for w in _WORD_SEP_RE.split(text) if w]
    lows = [w for w in _WORD_SEP_RE.split(text.lower()) if w]
    if len(lows) != len(orig):  # a rare Unicode lower() that changes word boundaries
        lows = [w.lower() for w in orig]
    return " " + " ".join(orig) + " ", " " + " ".join(lows) + " "


def _hits(orig: str, low: str) -> tuple[list, list, bool]:
    """Leftmost-longest alias matches over spaced words (see ``_spaced_words``), the
    context cues met on the way, and whether a hit needs context or names an
    instruction-prone skill: ``(hits, cues, special)``.

    A hit is (offset of its trailing space, width in words, skills, needs_context,
    instruction-prone, offset of its leading space), offsets in ``low``, in text
    order; a cue is (offset, -key length, kind).  Aliases are found as whole words by
    one Aho-Corasick automaton (pyahocorasick, in C) over the lower-cased text;
    case-sensitive ones ("RAG", "Swift") count where ``orig`` has them as written.  Of
    overlapping matches the leftmost wins, then the longest, then the
    case-insensitive one.  (Keys are " alias ": a match ends on the space where the
    next word's match may start, so widths in characters order them as in words.)
    """
    hits = []
    cues = []
    # Offsets in orig are offsets in low when lower() kept every character's length
    # (always for ASCII; not for "İ", whose lower case is two characters); else the
    # case-sensitive aliases get a pass of their own.
    aligned = orig.isascii() or (len(orig) == len(low) and orig.lower() == low)
    for end, value in _TEXT_AUTOMATON.iter(low):
        length, _, skills, needs, prone, cue, spellings = value
        start = end - length + 1
        if cue is not None:
            cues.append((start, -length, cue))
        if skills is not None:
            hits.append((start, -length, 0, skills, needs, prone, value[1]))
        if spellings is not None and aligned:
            case = spellings.get(orig[start : end + 1])
            if case is not None:
                hits.append((start, -length, 1, case[2], case[3], case[4], case[1]))
    if not aligned:
        for end, (length, words, skills, needs, prone, _, _) in _CASE_AUTOMATON.iter(
            orig
        ):
            word = orig.count(" ", 0, end - length + 1)
            start = _nth_space(low, word)
            length = _nth_space(low, word + words) - start + 1
            hits.append((start, -length, 1, skills, needs, prone, words))
    if not hits:
        return [], cues, False
    # (start, -length, kind) is unique per hit (same span and automaton = same
    # alias), so a plain sort never compares the skill lists.
    hits.sort()
    found = []
    next_free = 0
    special = False
    for start, negative_length, _, skills, needs, prone, words in hits:
        if start >= next_free:
            next_free = start - negative_length - 1
            found.append((next_free, words, skills, needs, prone, start))
            if needs or prone:
                special = True
    return found, cues, special


def _nth_space(text: str, n: int) -> int:
    """Offset of the ``n``-th space (from 0) of ``text``."""
    at = -1
    for _ in range(n + 1):
        at = text.find(" ", at + 1)
    return at


def _scan(text: str) -> list[Skill]:
    """Every alias in ``text``, context not considered (for tags)."""
    return [s for hit in _hits(*_spaced_words(text))[0] for s in hit[2]]


def _scan_in_context(text: str) -> list[Skill]:
    """The aliases of ``text`` whose sentence or clause is job content
    (skill_context.py).  Entities left in the text ("don&#39;t") are decoded first."""
    if "&" in text and ";" in text:
        text = html.unescape(text)
    orig, low = _spaced_words(text)
    hits, cues, special = _hits(orig, low)
    if hits and (cues or special):
        hits = keep_in_context(low, hits, cues)
    return [s for hit in hits for s in hit[2]]


@lru_cache(maxsize=16384)
def _tag_skills(tag: str) -> tuple[Skill, ...]:
    skill = _BY_TAG.get(_norm(tag))
    if skill:
        return (skill,)
    return tuple(_scan(tag))


def match_skills(
    tags: list[str] | None, text: str | None, *, title: str | None = None
) -> list[Skill]:
    """Canonical skills named by ``tags``, ``title`` or ``text``, in that order, without
    duplicates: ``match_skills(["Golang"], "We use LangChain and C++")`` ->
    ``[Skill("Go", ...), Skill("LangChain", ...), Skill("C++", ...)]``.

    Tags count whole; text counts where its clause is job content (skill_context.py):
    ``match_skills([], "Please do not use ChatGPT")`` -> ``[]``.  A brand or boilerplate
    alias ("OpenAI", "cover letter") in the ``title`` needs no further context.
    """
    out: dict[str, Skill] = {}
    if isinstance(tags, str):
        tags = [tags]
    for tag in tags or ():
        tag = tag.strip() if isinstance(tag, str) else ""
        if tag:
            for skill in _tag_skills(tag[:200]):
                out.setdefault(skill.name, skill)
    if isinstance(text, str) and text or isinstance(title, str) and title:
        text = text[:MAX_SKILL_TEXT] if isinstance(text, str) else ""
        if isinstance(title, str) and title:
            text = f"{title[:1000]}\n{TITLE_END} {text}"
        for skill in _scan_in_context(text):
            out.setdefault(skill.name, skill)
    return list(out.values())
