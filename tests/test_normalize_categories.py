"""categorize / taxonomy_lookup / unmapped_values, and every fixture category is mapped."""

import glob
import html
import json
import re
from pathlib import Path

import pytest

from crawler.normalize import (
    CANONICAL_CATEGORIES,
    categorize,
    classify,
    match_skills,
    taxonomy_lookup,
    unmapped_values,
)
from crawler.normalize.categories import TAXONOMY_FILE
from crawler.normalize.category_model import classifier_from, fit

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def test_canonical_list_is_exact():
    assert CANONICAL_CATEGORIES == [
        "writing",
        "translation",
        "customer service",
        "video editing & production",
        "graphic design",
        "web design",
        "web & software development",
        "mobile development",
        "data science & analytics",
        "machine learning & AI",
        "data entry & annotation",
        "sales & marketing",
        "admin support",
        "accounting & finance",
        "engineering & architecture",
        "legal",
        "other",
    ]


def test_taxonomy_file_is_versioned_and_only_maps_to_canonical():
    doc = json.loads(TAXONOMY_FILE.read_text())
    assert doc["version"]
    for source, mapping in doc["sources"].items():
        for value, target in mapping.items():
            cat = target["default"] if isinstance(target, dict) else target
            assert cat in CANONICAL_CATEGORIES, (source, value, cat)


@pytest.mark.parametrize(
    "source,value,expected",
    [
        ("upwork", "Mobile App Development", "mobile development"),
        ("upwork", "mobile app development", "mobile development"),  # case-insensitive
        (
            "UPWORK",
            "  Web   Development ",
            "web & software development",
        ),  # spacing folded
        ("upwork", "Article & Blog Writing", "writing"),
        ("upwork", "Customer Service & Tech Support", "customer service"),
        ("upwork", "Data Entry & Transcription Services", "data entry & annotation"),
        ("upwork", "AI & Machine Learning", "machine learning & AI"),
        ("upwork", "Sales & Marketing Copywriting", "writing"),
        ("upwork", "Virtual Assistance", "admin support"),
        ("freelancer", "Translation & Languages", "translation"),
        ("remotive", "DevOps / Sysadmin", "web & software development"),
        ("weworkremotely", "Customer Support", "customer service"),
        ("greenhouse", "Customer Success", "customer service"),
        ("lever", "Legal", "legal"),
        ("some-new-source", "Translation", "translation"),  # "*" applies to any source
        ("upwork", "Underwater Basketry", None),
        ("upwork", "", None),
        ("upwork", None, None),
    ],
)
def test_taxonomy_lookup(source, value, expected):
    assert taxonomy_lookup(source, value) == expected


def test_unmapped_values_lists_each_once():
    assert unmapped_values(
        "upwork", ["Web Development", "Basketry", "Basketry", None, ""]
    ) == ["Basketry"]


@pytest.mark.parametrize(
    "source,source_category,title,skills,expected",
    [
        (
            "upwork",
            "Web Development",
            "anything",
            [],
            ("web & software development", "taxonomy"),
        ),
        # A broad category is refined by the classifier...
        (
            "freelancer",
            "Websites, IT & Software",
            "Android app for my shop",
            ["Android"],
            ("mobile development", "taxonomy+model"),
        ),
        # ...and keeps its default without a title.
        (
            "freelancer",
            "Websites, IT & Software",
            "",
            [],
            ("web & software development", "taxonomy"),
        ),
        ("remoteok", None, "Senior iOS Engineer", [], ("mobile development", "model")),
        (
            "hackernews",
            None,
            "Looking for a lawyer to review a contract",
            [],
            ("legal", "model"),
        ),
        ("remoteok", None, "asdf qwer", [], ("other", "none")),
        ("remoteok", None, "", [], ("other", "none")),
    ],
)
def test_categorize(source, source_category, title, skills, expected):
    assert (
        categorize(source, source_category, title, "", match_skills(skills, ""))
        == expected
    )


def test_refinement_stays_inside_the_broad_category():
    # A legal-sounding title cannot leave IT.
    got = categorize(
        "freelancer", "Websites, IT & Software", "Lawyer website", "", ["WordPress"]
    )
    assert got[1] == "taxonomy+model" and got[0] != "legal"


def test_low_confidence_is_said():
    for title in ("Excel and invoices", "Misc task", "Logo for a bakery", "Help"):
        got = classify("x", None, title, "", [])
        if got.confidence is not None:
            assert got.method == ("model" if got.confidence >= 0.5 else "model-low")


def test_skills_may_be_strings_or_skill_objects():
    by_name = categorize("x", None, "Build it", "", ["LangChain", "RAG", "Python"])
    by_obj = categorize(
        "x", None, "Build it", "", match_skills(["LangChain", "RAG", "Python"], "")
    )
    assert by_name == by_obj


def test_model_trains_and_predicts_a_canonical_category():
    data = {
        "writing": [
            "blog writer",
            "article writer",
            "content writer",
            "copywriter ads",
        ],
        "translation": ["translate to spanish", "german translator", "french text"],
        "legal": ["lawyer for contract", "attorney review", "draft an nda"],
    }
    titles = [t for ts in data.values() for t in ts]
    labels = [c for c, ts in data.items() for _ in ts]
    model = classifier_from(fit(titles, labels))
    assert model.best("spanish translator needed")[0] == "translation"
    assert model.best("writer for tech blog")[0] == "writing"


# --- every source category appearing in fixtures/ is mapped -----------------------------


def _fixture_categories() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in glob.glob(str(FIXTURES / "upwork" / "**" / "*"), recursive=True):
        if f.endswith((".xml", ".rss")):
            text = html.unescape(
                html.unescape(Path(f).read_text(encoding="utf-8", errors="replace"))
            )
            for m in re.finditer(r"<b>Category</b>:\s*([^<\n]+)", text):
                found.setdefault("upwork", set()).add(m.group(1).strip())
    for f in glob.glob(str(FIXTURES / "freelancer" / "**" / "*.json"), recursive=True):
        data = json.loads(Path(f).read_text(encoding="utf-8"))
        for project in (
            ((data.get("result") or {}).get("projects") or [])
            if isinstance(data, dict)
            else []
        ):
            for job in project.get("jobs") or []:
                name = (job.get("category") or {}).get("name")
                if name:
                    found.setdefault("freelancer", set()).add(name)
    for f in glob.glob(str(FIXTURES / "remotive" / "**" / "*.json"), recursive=True):
        data = json.loads(Path(f).read_text(encoding="utf-8"))
        for job in data.get("jobs", []) if isinstance(data, dict) else []:
            if job.get("category"):
                found.setdefault("remotive", set()).add(job["category"])
    for f in glob.glob(str(FIXTURES / "weworkremotely" / "**" / "*"), recursive=True):
        if f.endswith((".rss", ".xml")):
            text = Path(f).read_text(encoding="utf-8", errors="replace")
            for m in re.finditer(
                r"<category>(?:<!\[CDATA\[)?\s*([^<\]]+?)\s*(?:\]\]>)?</category>", text
            ):
                found.setdefault("weworkremotely", set()).add(m.group(1))
    for f in glob.glob(str(FIXTURES / "greenhouse" / "**" / "*.json"), recursive=True):
        data = json.loads(Path(f).read_text(encoding="utf-8"))
        for job in data.get("jobs", []) if isinstance(data, dict) else []:
            for dep in job.get("departments") or []:
                if dep.get("name"):
                    found.setdefault("greenhouse", set()).add(dep["name"])
    for f in glob.glob(str(FIXTURES / "lever" / "**" / "*.json"), recursive=True):
        data = json.loads(Path(f).read_text(encoding="utf-8"))
        for job in data if isinstance(data, list) else []:
            cats = job.get("categories") or {}
            for key in ("department", "team"):
                if cats.get(key):
                    found.setdefault("lever", set()).add(cats[key])
    return found


def test_every_fixture_source_category_is_mapped():
    found = _fixture_categories()
    assert found, (
        "the fixture scan found no source categories: fixtures moved or the scan broke"
    )
    unmapped = {src: unmapped_values(src, values) for src, values in found.items()}
    assert {src: v for src, v in unmapped.items() if v} == {}


def test_fixture_scan_finds_upwork_and_freelancer_when_present():
    found = _fixture_categories()
    if (FIXTURES / "upwork").exists():
        assert found.get("upwork"), (
            "Upwork fixtures exist but no <b>Category</b> line was found"
        )
    if (FIXTURES / "freelancer").exists():
        assert found.get("freelancer"), (
            "Freelancer fixtures exist but no jobs[].category.name was found"
        )


def test_count_unmapped_reads_jobs():
    import sqlite3

    from crawler.normalize import count_unmapped

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE jobs (source TEXT, source_category TEXT)")
    conn.executemany(
        "INSERT INTO jobs VALUES (?, ?)",
        [
            ("upwork", "Web Development"),
            ("upwork", "Basketry"),
            ("upwork", "Basketry"),
            ("lever", "Juggling"),
            ("x", None),
        ],
    )
    assert count_unmapped(conn) == [("upwork", "Basketry", 2), ("lever", "Juggling", 1)]


def test_title_decision_is_model_then_rules_then_other():
    """The no-source-category decision that classify() and eval's cross-validation share."""
    from crawler.normalize.categories import Category, title_decision

    assert title_decision(("video editing & production", 0.62), "Edit", "", ()) == (
        Category("video editing & production", "model", 0.62)
    )
    assert title_decision(("writing", 0.3), "Edit", "", ()).method == "model-low"
    # Below NOTHING_LIKELY the model's guess is not taken: the rules, else other.
    assert title_decision(("writing", 0.1), "Translate my contract", "", ()) == (
        Category("translation", "rules", None)
    )
    assert title_decision(("writing", 0.1), "Zqx", "", ()) == Category(
        "other", "none", None
    )
    assert title_decision(None, "", "", ()) == Category("other", "none", None)
