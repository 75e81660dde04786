"""The skill matcher's one-pass automaton against a slow reference kept here.

skills.py finds aliases, case-sensitive aliases and context cues in one Aho-Corasick
pass over the lower-cased text and picks leftmost-longest hits by character offsets.
The reference below does the same by brute force over word n-grams and dict lookups:
at each word, the longest alias that starts there (case-insensitive before
case-sensitive), then on after its last word; every cue phrase wherever it occurs.
Both must agree on every fixture text, on synthetic listings, on the labeled skill
sets and on hypothesis-made text (non-ASCII, HTML entities, negations, odd case).
"""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.normalize import skills
from crawler.normalize.skill_context import CUES, INSTRUCTION_PRONE
from crawler.normalize.sources import mapper
from crawler.normalize.sources._text import html_to_text

ROOT = Path(__file__).resolve().parent.parent
_WIDEST = max(
    len(a.split()) for a in [*skills._BY_TEXT, *skills._BY_CASE, *CUES]
)  # words in the longest key


def _hit(skill_list, needs_key, words, start, end):
    prone = any(s.name in INSTRUCTION_PRONE for s in skill_list)
    return (end, words, skill_list, skills._NEEDS_CONTEXT.get(needs_key), prone, start)


def reference_hits(orig: str, low: str) -> tuple[list, list, bool]:
    """``skills._hits`` by brute force: (hits, cues sorted, special)."""
    orig_words = orig.split(" ")[1:-1]
    low_words = low.split(" ")[1:-1]
    assert len(orig_words) == len(low_words)
    spaces = [i for i, c in enumerate(low) if c == " "]  # word i: spaces[i], [i + 1]
    n = len(low_words)
    cues = []
    for i in range(n):
        for k in range(1, min(_WIDEST, n - i) + 1):
            phrase = " ".join(low_words[i : i + k])
            if phrase in CUES:
                cues.append((spaces[i], -(len(phrase) + 2), CUES[phrase]))
    hits = []
    i = 0
    while i < n:
        for k in range(min(_WIDEST, n - i), 0, -1):
            low_phrase = " ".join(low_words[i : i + k])
            orig_phrase = " ".join(orig_words[i : i + k])
            if low_phrase in skills._BY_TEXT:
                found = _hit(skills._BY_TEXT[low_phrase], low_phrase, k, spaces[i], 0)
            elif orig_phrase in skills._BY_CASE:
                found = _hit(
                    [skills._BY_CASE[orig_phrase]], orig_phrase, k, spaces[i], 0
                )
            else:
                continue
            hits.append((spaces[i + k], *found[1:]))
            i += k
            break
        else:
            i += 1
    special = any(h[3] or h[4] for h in hits)
    return hits, sorted(cues), special


def _check(text: str) -> None:
    orig, low = skills._spaced_words(text)
    found, cues, special = skills._hits(orig, low)
    assert (found, sorted(cues), special) == reference_hits(orig, low), text[:300]


def _check_match(tags, text: str, title: str | None) -> None:
    """match_skills with the automaton == match_skills with the reference hits."""
    fast = skills.match_skills(tags, text, title=title)
    original = skills._hits
    skills._tag_skills.cache_clear()
    try:
        skills._hits = reference_hits
        slow = skills.match_skills(tags, text, title=title)
    finally:
        skills._hits = original
        skills._tag_skills.cache_clear()
    assert fast == slow, text[:300]


def _fixture_texts() -> list[str]:
    """Every fixture file's visible text, in pieces of at most ~4,000 characters."""
    out = []
    for path in sorted((ROOT / "fixtures").rglob("*")):
        if not path.is_file() or path.suffix in {".py", ".gz", ".zip"}:
            continue
        raw = path.read_bytes().decode("utf-8", errors="replace")
        text = html_to_text(raw.replace("<![CDATA[", "").replace("]]>", ""))
        for at in range(0, len(text), 4000):
            out.append(text[at : at + 4000])
    return out


FIXTURE_TEXTS = _fixture_texts()


TRICKY = [
    "İİİ office: do not use RAG. Python and Swift.",  # "İ" lowers to two characters
    "İstanbul team: RAG pipelines, Swift and React; no ChatGPT.",
    "ΣΟΦΙΑ: GPT and AI, not ML. Gemini or RAG!",
    "Straße: Java/JS, UE5 & Unity — Rails (RoR), HR / PR.",
    "We are trusted by OpenAI. Build with the OpenAI API and Stripe checkout.",
    "C++ and C# and .NET, Node.js, A/B testing, fine-tuning, ﬁne-tuning",
    "don&#39;t use ChatGPT &amp; no AI-generated text; a classifier detects "
    "AI-generated essays",
    "Please include your resume. Rewrite my resume and cover letter.",
]


@pytest.mark.parametrize("text", TRICKY)
def test_hits_equal_reference_on_tricky_text(text):
    _check(text)
    _check(text.upper())
    _check_match(["Swift", "Go"], text, text[:30])


def test_fixture_texts_are_varied():
    assert len(FIXTURE_TEXTS) > 100
    assert sum(not t.isascii() for t in FIXTURE_TEXTS) > 20


@pytest.mark.parametrize("start", range(0, 2000, 250))
def test_hits_equal_reference_on_fixtures(start):
    for text in FIXTURE_TEXTS[start : start + 250]:
        _check(text)
        _check(html.unescape(text).upper())  # case-sensitive aliases written otherwise


def test_match_skills_equal_reference_on_fixtures():
    for text in FIXTURE_TEXTS[::3]:
        title, _, body = text.partition("\n")
        _check_match(title.split()[:3], body, title)


def test_match_skills_equal_reference_on_synth_listings():
    from analysis.synth import generate

    rows = generate(date(2023, 1, 1), date(2024, 6, 30), rows=600, seed=11)
    for raw in rows:
        fields = mapper(raw.source)(raw.payload)
        _check(f"{fields.get('title')}\n{skills.TITLE_END} {fields.get('description')}")
        _check_match(fields.get("tags"), fields.get("description"), fields.get("title"))


def test_match_skills_equal_reference_on_labeled_sets():
    for name in (
        "skills.jsonl",
        "skills_context.jsonl",
        "skills_context_holdout.jsonl",
    ):
        for line in (ROOT / "tests" / "labeled" / name).read_text().splitlines():
            if line.strip():
                case = json.loads(line)
                text = case.get("text") or case.get("description") or ""
                _check(text)
                _check_match(case.get("tags"), text, case.get("title"))


_ALIASES = sorted({*skills._BY_TEXT, *skills._BY_CASE})
_CASE_ALIASES = sorted(skills._BY_CASE)
_CUE_PHRASES = sorted(CUES)
_PIECES = [
    "İstanbul",
    "straße",
    "ΣΟΦΙΑ",
    "naïve",
    "日本語",
    "&amp;",
    "&#39;",
    "don&#39;t",
    "&nbsp;",
    "e.g.",
    "Node.js",
    "C++",
    "C#",
    ".NET",
    "ﬁne-tuning",
    "\u00a0",
    "—",
    "•",
    "…",
]
_SEPARATORS = [
    " ",
    "  ",
    ", ",
    ". ",
    "; ",
    "\n",
    "/",
    "-",
    " (",
    ") ",
    "! ",
    " · ",
    "\t",
]


def _cased(draw_case: int, text: str) -> str:
    return (text, text.upper(), text.title(), text.lower())[draw_case % 4]


@st.composite
def skill_text(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 14))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            part = _cased(draw(st.integers(0, 3)), draw(st.sampled_from(_ALIASES)))
        elif kind == 4:  # a case-sensitive alias as written ("RAG", "Swift")
            part = draw(st.sampled_from(_CASE_ALIASES))
        elif kind == 1:
            part = draw(st.sampled_from(_CUE_PHRASES))
        elif kind == 2:
            part = draw(st.sampled_from(_PIECES))
        else:
            part = draw(st.text(max_size=6))
        parts.append(part)
        parts.append(draw(st.sampled_from(_SEPARATORS)))
    return "".join(parts)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(skill_text(), st.one_of(st.none(), skill_text()))
def test_hits_equal_reference_on_generated_text(text, title):
    _check(text)
    _check_match([text[:20]], text, title)
