"""Knowledge features of the title classifier: Snowball stems for the word n-grams and
the skills of data/skills.json as tokens, computed alike by scikit-learn at training and
by the numpy applier; models written before them still load."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from crawler.normalize.category_model import (
    WORD_RANGE,
    _stem_words,
    classifier_from,
    export_arrays,
    fit,
    load_training_titles,
)
from crawler.normalize.classifier import (
    CategoryClassifier,
    skill_tokens,
    stemmed,
    word_ngrams,
)

TITLES = [
    "",
    "Editing   videos for YouTube — 10 Shorts/week",
    "Traductor inglés → español, 5 páginas (urgente)",
    "Après-vente : agent SAV français, télétravail",
    "WordPress &amp; Elementor landing page",
    "R&D doc writer, no AI-generated text!!",
    "日本語の翻訳 / Japanese translation",
    "C# / .NET dev, 5+ yrs",
    "🔥🔥 Video editor 🔥🔥",
    "x" * 400,
]


@pytest.mark.parametrize("title", TITLES)
def test_stemmed_word_ngrams_are_scikit_learns(title):
    analyzer = HashingVectorizer(
        ngram_range=WORD_RANGE, preprocessor=_stem_words
    ).build_analyzer()
    assert word_ngrams(stemmed(title), *WORD_RANGE) == analyzer(title)


def test_stems_fold_word_forms():
    assert stemmed("Editing videos") == stemmed("edited video") == "edit video"
    assert stemmed("Designers designing DESIGNS") == "design design design"
    assert stemmed("  ") == ""


@pytest.mark.parametrize(
    ("title", "tokens"),
    [
        ("Premiere Pro reels editor", {"skill:adobe premiere pro", "family:video"}),
        ("Shopify theme fix (Dawn 2.0)", {"skill:shopify", "family:cms_ecommerce"}),
        ("Zendesk agent – night shift", {"skill:customer service"}),
        ("UI/UX Désigner for SaaS dashboard", {"skill:ui/ux design"}),
        ("Figma &amp; Adobe XD mockups", {"skill:figma", "skill:adobe xd"}),
        ("C++/Qt app", {"skill:c++"}),
    ],
)
def test_skill_tokens_name_the_skills_of_a_title(title, tokens):
    assert tokens <= set(skill_tokens(title))


@pytest.mark.parametrize("title", ["", "Need help ASAP!!!", "ꙮꙮꙮ", "Asistente 🙂"])
def test_titles_naming_no_skill_have_no_skill_token(title):
    assert skill_tokens(title) == []


@pytest.fixture(scope="module")
def written_model():
    titles, labels = load_training_titles()
    return fit(titles, labels)


@pytest.mark.parametrize(
    ("title", "category"),
    [
        # The skill tokens of these titles learned their category from other titles.
        ("Zendesk queue, Spanish+English", "customer service"),
        ("Premiere Pro: reels from raw GoPro footage", "video editing & production"),
        ("Après-vente : agent Zendesk (télétravail)", "customer service"),
        ("QuickBooks Online reconciliation – 3 months", "accounting & finance"),
        ("Flutter app bug fixes", "mobile development"),
    ],
)
def test_skill_block_moves_the_decision_toward_the_skills_category(
    written_model, title, category
):
    clf = classifier_from(written_model)
    with_skills = clf.scores(title)
    clf._skill_block = None  # the same weights without the skill block
    without = clf.scores(title)
    shift = with_skills - without
    assert shift[clf.classes.index(category)] == pytest.approx(shift.max())
    assert shift.max() > 0


def test_a_model_from_before_the_knowledge_features_still_loads(written_model):
    arrays = export_arrays(written_model)
    old = {
        k: v
        for k, v in arrays.items()
        if k != "word_stem" and not k.startswith("skill_")
    }
    clf = CategoryClassifier(old, name="old")
    assert clf.stem == "" and clf._skill_block is None
    ranked = clf.proba("Logo for a bakery in Zürich")
    assert ranked and np.isclose(sum(p for _, p in ranked), 1.0)
    # Without stems and skills, the word block reads the title's own words.
    assert clf.scores("Editing videos") is not None
