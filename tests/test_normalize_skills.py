"""match_skills: aliases, tags, honest boundaries for short names, AI flags."""

import json

import pytest

from crawler.normalize import AI_SKILLS, SKILLS, Skill, match_skills
from crawler.normalize.skills import DATA_FILE


def names(tags, text):
    return [s.name for s in match_skills(tags, text)]


@pytest.mark.parametrize(
    "tags,text,expected",
    [
        (
            ["ChatGPT", "GPT-4", "OpenAI API"],
            "",
            ["ChatGPT"],
        ),  # aliases collapse to one
        ([], "We use C++, C# and .NET Core", ["C++", "C#", ".NET"]),
        ([], "ASP.NET MVC", ["ASP.NET"]),  # .NET inside ASP.NET is not a second hit
        (["R"], "", ["R"]),
        (["Go"], "", ["Go"]),
        (["C"], "", ["C"]),
        (
            [],
            "Plan C. Go to the page. R is a letter.",
            [],
        ),  # short names only from tags...
        (
            [],
            "Golang service, R programming, embedded C",
            ["Go", "R", "C"],
        ),  # ...or clear phrases
        ([], "We rag on each other", []),
        ([], "A RAG pipeline", ["RAG"]),  # case-sensitive alias
        ([], "Please react quickly", []),
        ([], "React Native app", ["React Native"]),  # not also React
        ([], "React and Redux", ["React"]),
        ([], "You will excel here", []),
        ([], "Excel spreadsheets", ["Excel"]),
        (["Python Programming"], "", ["Python"]),  # unknown tag scanned like text
        (["python", "PYTHON", "Python"], "python", ["Python"]),  # dedup
        ([], "fine-tuning and fine tuning", ["Fine-Tuning"]),
        (
            [],
            "prompt engineering for LLMs with LangChain",
            ["Prompt Engineering", "Large Language Models", "LangChain"],
        ),
        # Non-ASCII text takes the regex path; same answers as the ASCII path.
        (
            [],
            "Café — C++, React Native & LangChain. RAG.",
            ["C++", "React Native", "LangChain", "RAG"],
        ),
        (
            [],
            "Développeur Python/Django, fine-tuning d’LLMs…",
            ["Python", "Fine-Tuning", "Large Language Models"],
        ),
        (None, None, []),
        ("Python", "", ["Python"]),  # a single tag string is accepted
    ],
)
def test_match_skills(tags, text, expected):
    assert names(tags, text) == expected


def test_ai_flags_and_families():
    skills = {s.name: s for s in match_skills(["LangChain", "WordPress"], "")}
    assert skills["LangChain"] == Skill("LangChain", True, "ai")
    assert skills["WordPress"].is_ai is False


def test_ai_skill_list_covers_the_issue_names():
    for name in [
        "ChatGPT",
        "Large Language Models",
        "LangChain",
        "RAG",
        "Prompt Engineering",
        "Chatbot Development",
        "AI Agents",
        "Fine-Tuning",
        "Stable Diffusion",
        "Midjourney",
        "Data Annotation",
    ]:
        assert name in AI_SKILLS
    assert sorted(AI_SKILLS) == AI_SKILLS
    assert all(SKILLS[n].is_ai for n in AI_SKILLS)


def test_dictionary_shape():
    doc = json.loads(DATA_FILE.read_text())
    assert len(doc["skills"]) >= 200
    names_ = [e["name"] for e in doc["skills"]]
    assert len(names_) == len(set(names_))
    for e in doc["skills"]:
        assert set(e) >= {"name", "aliases", "is_ai", "family"}


def test_no_alias_points_two_ways_in_tags():
    # A tag must name one skill; the same lower-cased alias on two skills would be a data error.
    doc = json.loads(DATA_FILE.read_text())
    seen = {}
    clashes = []
    for e in doc["skills"]:
        for a in e["tag_aliases"] + e["case_sensitive"] + [e["name"]]:
            key = a.lower()
            if key in seen and seen[key] != e["name"]:
                clashes.append((a, seen[key], e["name"]))
            seen[key] = e["name"]
    assert clashes == []
