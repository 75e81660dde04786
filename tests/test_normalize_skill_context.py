"""Skills in context: no match inside negations, blurbs, instructions, legal notices;
brand and boilerplate aliases need their context (crawler/normalize/skill_context.py)."""

from __future__ import annotations

import json

import pytest

from crawler.commands.eval import LABELED_DIR, eval_skills_context
from crawler.normalize import match_skills
from crawler.normalize.listing import normalize_listing


def names(text, tags=(), title=None):
    return [s.name for s in match_skills(list(tags), text, title=title)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # negations govern the phrase or list that follows, to the clause's end
        ("Please do not use ChatGPT.", []),
        ("No AI-generated text, please!", []),
        ("Write it without using AI tools or Grammarly.", []),
        ("Not looking for ChatGPT prompt copy-pasters.", []),
        ("Don&#39;t use Midjourney, DALL-E or Stable Diffusion.", []),
        ("Please don’t use ChatGPT — we read every line.", []),
        ("Sin ChatGPT, por favor.", []),
        ("Do not use ChatGPT; we need a LangChain developer.", ["LangChain"]),
        ("No agencies, we need someone who knows PyTorch.", ["PyTorch"]),
        (
            "Not only prompt engineering: RAG with LlamaIndex.",
            ["Prompt Engineering", "RAG", "LlamaIndex"],
        ),
        ("If you don't know PyTorch, please don't apply.", ["PyTorch"]),
        ("React is a plus, not required.", ["React"]),
        ("No-code automation with Zapier.", ["No-Code", "Zapier"]),
        # prohibitions and AI detection ban the whole sentence...
        ("AI detectors will be used.", []),
        ("Use of ChatGPT is strictly prohibited.", []),
        ("AI-generated submissions will be rejected.", []),
        # ...unless it builds the detector
        ("Train an AI detector with PyTorch.", ["Artificial Intelligence", "PyTorch"]),
        # content an AI made is what a detector or a rewriter looks at, not a skill
        (
            "Train a classifier that detects AI-generated essays (NLP).",
            ["Natural Language Processing"],
        ),
        ("Humanize AI-written blog posts.", ["Article Writing"]),
        ("We need AI-generated product photos.", ["Generative AI"]),
        (
            "Detect fraud with scikit-learn; Generative AI is a plus.",
            ["scikit-learn", "Generative AI"],
        ),
        # company blurbs and customer lists
        ("We are trusted by OpenAI, PayPal and Stripe.", []),
        (
            "Our clients include Shopify brands. We need a Webflow developer.",
            ["Webflow"],
        ),
        ("Founded by ex-Google engineers; hiring a Golang developer.", ["Go"]),
        # application instructions name documents, not skills
        ("Please include a cover letter.", []),
        ("Send your resume to our recruiter.", []),
        ("Rewrite my resume and cover letter.", ["Resume Writing"]),
        ("In your proposal, describe a RAG system you built.", ["RAG"]),
        # legal, EEO and recruiting notices
        (
            "We are an equal opportunity employer; recruiting without regard to race.",
            [],
        ),
        ("By applying you agree to our Privacy Policy.", []),
        ("Privacy Policy | Terms of Service", []),
        ("Draft a privacy policy for my app.", ["Legal Writing"]),
        ("We are recruiting a Python developer.", ["Python"]),
        ("Recruiter to source candidates for our startup.", ["Human Resources"]),
        # brands need job context
        ("Company: OpenAI.", []),
        ("Payment via PayPal only.", []),
        ("Build a chatbot with the OpenAI API.", ["Chatbot Development", "ChatGPT"]),
        ("Set up Stripe checkout on my store.", ["Payment Integration"]),
    ],
)
def test_skills_in_context(text, expected):
    assert names(text) == expected


def test_a_brand_in_the_title_needs_no_more_context():
    assert names("", title="OpenAI assistant") == ["ChatGPT"]
    assert names("Company: OpenAI.", title="Content writer") == ["Content Writing"]
    # a negation in the title still holds, and does not reach into the text
    assert names("Python scripts.", title="Writer needed, no ChatGPT") == ["Python"]


def test_tags_are_taken_whole_whatever_the_text_says():
    assert names("Please do not use ChatGPT.", tags=["ChatGPT"]) == ["ChatGPT"]


def test_non_ascii_text_keeps_its_clause_bounds():
    assert names("Rédaction d’articles, sans ChatGPT. Développeur LangChain.") == [
        "LangChain"
    ]
    assert names("Texte für den Shop – bitte ohne ChatGPT • Figma-Entwürfe") == [
        "Figma"
    ]
    # "İ" lower-cases to two characters: case-sensitive hits still find their clause
    assert names("İİİ office: do not use RAG. Python and Swift.") == ["Python", "Swift"]
    assert names("İİ RAG pipeline; no Swift") == ["RAG"]


def test_the_context_labeled_set_meets_its_targets():
    cases = [
        json.loads(line)
        for line in (LABELED_DIR / "skills_context.jsonl")
        .read_text("utf-8")
        .splitlines()
        if line.strip()
    ]
    kinds = {c["kind"] for c in cases}
    assert kinds >= {
        "negation",
        "blurb",
        "instructions",
        "legal",
        "brand",
        "prohibition",
        "job",
    }
    report = eval_skills_context(cases)
    assert report["ai_precision"] >= 0.95
    assert report["negation_leaks"] == 0
    # the rules are what makes the difference: without them the set fails
    assert report["without_context"]["ai_precision"] < 0.8
    assert report["without_context"]["negation_leaks"] > 10
    assert report["ai_recall"] >= 0.95


def test_a_listing_keeps_the_job_skills_and_drops_the_boilerplate():
    payload = json.dumps(
        {
            "_raw": {},
            "title": "Chatbot developer",
            "description": (
                "Build a support chatbot with LangChain and the OpenAI API.\n"
                "About us: trusted by PayPal and Stripe.\n"
                "Please include a cover letter. Do not use ChatGPT for your proposal.\n"
                "We are an equal opportunity employer."
            ),
        }
    )
    row, _ = normalize_listing(
        "imported", "c1", payload, fetched_at="2024-05-01T00:00:00Z"
    )
    got = [s["name"] for s in row["skills"]]
    assert got == ["Chatbot Development", "LangChain", "ChatGPT"]
    assert row["has_ai_skill"] == 1
