"""The title classifier: exported weights give scikit-learn's probabilities, the bundled
model loads without pickle, and classify() uses it behind the source taxonomy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from crawler.errors import UserError
from crawler.normalize import CANONICAL_CATEGORIES, classify
from crawler.normalize.categories import broad_key
from crawler.normalize.category_model import (
    CHAR_RANGE,
    WORD_RANGE,
    broad_priors,
    classifier_from,
    cross_validate,
    cv_folds,
    fit,
    load_training_titles,
    save_model,
)
from crawler.normalize.classifier import (
    BUNDLED_MODEL,
    MAX_TITLE_CHARS,
    CategoryClassifier,
    char_wb_ngrams,
    default_classifier,
    word_ngrams,
)

HOSTILE = [
    "",
    "a",
    "  Ä  ",
    "Ghostwriter   needed\t(LinkedIn)",
    "Traducción EN→ES, ≈ 3 000 palabras — urgente!!",
    "日本語の翻訳 / Japanese translation",
    "🔥🔥 Video editor 🔥🔥",
    "C# / .NET dev, 5+ yrs",
    "x" * 400,
    "Design & Build &amp; launch",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_ngrams_are_scikit_learns(text):
    words = TfidfVectorizer(ngram_range=WORD_RANGE).build_analyzer()
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_RANGE).build_analyzer()
    assert word_ngrams(text, *WORD_RANGE) == words(text)
    assert char_wb_ngrams(text, *CHAR_RANGE) == chars(text)


@pytest.fixture(scope="module")
def half_model():
    titles, labels = load_training_titles()
    train = [i for i in range(len(titles)) if i % 2 == 0]
    test = [titles[i] for i in range(len(titles)) if i % 2 == 1]
    pipeline = fit([titles[i] for i in train], [labels[i] for i in train])
    return pipeline, test


def test_fast_inference_equals_predict_proba(half_model):
    pipeline, test = half_model
    clf = classifier_from(pipeline)
    readable = [t for t in test + HOSTILE if clf.proba(t)]
    # Nearly every written title shares enough features with a model of the other half
    # (hashing has no "unknown" feature: MIN_KNOWN of the weight must fall on seen ones).
    assert len(readable) >= 0.9 * len(test)
    expected = pipeline.predict_proba(readable)
    classes = [str(c) for c in pipeline.classes_]
    got = np.array([[dict(clf.proba(t))[c] for c in classes] for t in readable])
    assert np.abs(got - expected).max() < 1e-5
    assert (got.argmax(1) == expected.argmax(1)).all()


def test_a_title_with_no_known_feature_gives_nothing(half_model):
    clf = classifier_from(half_model[0])
    assert clf.proba("") == () and clf.best("") is None
    assert clf.proba("ꙮꙮꙮ") == ()


def test_saved_model_round_trips_without_pickle(half_model, tmp_path):
    pipeline, test = half_model
    path = save_model(pipeline, tmp_path / "m.npz", trained_on="half")
    with np.load(path, allow_pickle=False) as data:  # raises if anything is pickled
        assert str(data["trained_on"]) == "half"
    loaded = CategoryClassifier.load(path)
    memory = classifier_from(pipeline)
    assert all(loaded.proba(t) == memory.proba(t) for t in test[:50])


def test_unreadable_model_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(UserError, match="not readable"):
        CategoryClassifier.load(bad)
    with pytest.raises(UserError, match="not found"):
        CategoryClassifier.load(tmp_path / "missing.npz")


def test_bundled_model_knows_every_canonical_category():
    clf = CategoryClassifier.load(BUNDLED_MODEL)
    assert set(clf.classes) == set(CANONICAL_CATEGORIES)
    assert "written titles" in clf.trained_on


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Need a video editor for my YouTube channel", "video editing & production"),
        ("Traductor de inglés a español para sitio web", "translation"),
        ("Shopify store bug fixes", "web & software development"),
        ("Logo for a bakery", "graphic design"),
        ("Customer support agent, live chat", "customer service"),
    ],
)
def test_classify_title_only(title, expected):
    got = classify("remoteok", None, title, "", [])
    assert got.category == expected
    assert got.method in {"model", "model-low"} and 0 < got.confidence <= 1


def test_classify_says_when_nothing_is_likely():
    assert classify("remoteok", None, "", "", []) == ("other", "none", None)
    # No feature the model knows, but the skills say it: the rules decide.
    got = classify("x", None, "ꙮꙮ", "", ["Figma", "UI/UX Design"])
    assert got[:2] == ("web design", "rules")


def test_broad_upwork_category_is_refined_within_its_occupations():
    got = classify("upwork", "Design & Creative", "Edit my wedding video", "", [])
    assert got[:2] == ("video editing & production", "taxonomy+model")
    # Never outside the top category's occupations: "translate" cannot leave Design.
    got = classify(
        "upwork", "Design & Creative", "Translate my flyer to French", "", []
    )
    assert got.category in {
        "graphic design",
        "video editing & production",
        "engineering & architecture",
        "other",
    }
    # The occupation settles it; an unknown occupation falls back to the top category.
    assert classify("upwork", "Design & Creative > Video Editing", "Logo", "", []) == (
        "video editing & production",
        "taxonomy",
        1.0,
    )
    fallback = classify(
        "upwork", "Writing > Basket Prose", "Blog posts on keto", "", []
    )
    assert fallback[:2] == ("writing", "taxonomy+model")
    # No title: the top category's default, said to be the taxonomy's.
    assert classify("upwork", "Design & Creative", "", "", [])[:2] == (
        "graphic design",
        "taxonomy",
    )


def test_broad_key_reads_paths():
    assert broad_key("upwork", "Design & Creative > Video Editing") == (
        "design & creative"
    )
    assert broad_key("upwork", "Video Editing") is None
    assert broad_key("upwork", None) is None


def test_priors_of_a_broad_category_shift_the_choice():
    titles, labels = load_training_titles()
    pipeline = fit(titles, labels)
    classes = [str(c) for c in pipeline.classes_]
    # Under "studio", the training rows were nearly all video work.
    broads = [
        "studio" if lab == "video editing & production" else None for lab in labels
    ]
    broads += ["studio"] * 5
    labels_p = labels + ["graphic design"] * 5
    priors = broad_priors(labels_p, broads, classes)
    assert set(priors) == {"studio", "*"}
    clf = classifier_from(pipeline, priors=priors)
    within = frozenset({"graphic design", "video editing & production"})
    title = "Animated logo for my brand"
    plain = clf.best(title, within)
    weighted = clf.best(title, within, "studio")
    assert weighted[0] == "video editing & production"
    p_plain = dict(clf.proba(title))
    share = p_plain["video editing & production"] / sum(p_plain[c] for c in within)
    assert plain[1] == pytest.approx(max(share, 1 - share))
    assert weighted[1] > share


def test_configured_model_is_used(tmp_path, monkeypatch):
    titles, labels = load_training_titles()
    # A model that only knows three categories, so its answers are recognizable.
    keep = {"writing", "translation", "legal"}
    rows = [(t, lab) for t, lab in zip(titles, labels, strict=False) if lab in keep]
    path = save_model(fit(*map(list, zip(*rows, strict=False))), tmp_path / "mine.npz")
    monkeypatch.setenv("JOBTRENDS_CATEGORY_MODEL", str(path))
    default_classifier.cache_clear()
    try:
        assert set(default_classifier().classes) == keep
        # A title it can read gets one of the three categories it knows.
        assert classify("x", None, "Blog posts for a bakery", "", []).category in keep
    finally:
        monkeypatch.delenv("JOBTRENDS_CATEGORY_MODEL")
        default_classifier.cache_clear()
    assert len(default_classifier().classes) == len(CANONICAL_CATEGORIES)


def test_cv_folds_hold_every_row_out_once():
    labels = ["writing"] * 12 + ["translation"] * 9 + ["legal"] * 2 + ["web design"]
    folds = cv_folds(labels, 5)
    held = sorted(i for _, test in folds for i in test)
    assert held == list(range(len(labels)))
    for train, test in folds:
        assert not set(train) & set(test)
        assert len(train) + len(test) == len(labels)


def test_cross_validate_on_a_share_of_the_training_rows(monkeypatch):
    from crawler.normalize import category_model

    titles, labels = load_training_titles()
    every = [(t, c) for t, c in zip(titles, labels, strict=True)][::3]
    titles, labels = [t for t, _ in every], [c for _, c in every]
    sizes, real_fit = [], category_model.fit

    def counted_fit(t, lab, extra=None):
        sizes.append(len(t))
        return real_fit(t, lab, extra)

    monkeypatch.setattr(category_model, "fit", counted_fit)
    plain, refined = cross_validate(titles, labels, folds=3, train_share=0.5)
    # Each fold learns from half of its ~2/3 of the rows.
    assert sizes == [int(len(tr) * 0.5) for tr, _ in cv_folds(labels, 3)]
    assert len(plain) == len(refined) == len(titles)
    assert set(plain) <= set(labels) | {"other"}
    # Half the training rows still learn something: far above chance.
    acc = sum(p == y for p, y in zip(plain, labels, strict=True)) / len(labels)
    assert acc > 3 / len(set(labels))


def _block_by_np_unique(hits, block):
    """CategoryClassifier._block as it was first written (np.unique + searchsorted):
    the reference the faster one must equal bit for bit."""
    buckets, idf, coef, idf_unseen = block
    if not hits or not len(buckets):
        return 0.0, 0.0
    idx, counts = np.unique(np.array(hits, dtype=np.int64), return_counts=True)
    pos = np.searchsorted(buckets, idx)
    pos[pos == len(buckets)] = 0
    seen = buckets[pos] == idx
    w = (1.0 + np.log(counts)) * np.where(seen, idf[pos], idf_unseen)
    norm2 = float(w @ w)
    rows = pos[seen]
    ws = w[seen]
    known = float(ws @ ws) / norm2
    if not len(rows):
        return 0.0, 0.0
    return (ws / math.sqrt(norm2)) @ coef[rows], known


def _assert_blocks_identical(clf, title):
    text = title[:MAX_TITLE_CHARS]
    words = [clf._bucket(g) for g in word_ngrams(text, *clf.word_range)]
    chars = [clf._bucket(g) for g in char_wb_ngrams(text, *clf.char_range)]
    for hits, block in ((words, clf._blocks[0]), (chars, clf._blocks[1])):
        got, known = clf._block(hits, block)
        want, want_known = _block_by_np_unique(hits, block)
        assert known == want_known, title
        assert np.array_equal(np.asarray(got), np.asarray(want)), title


REPEATS = [
    "ab ab ab ab ab ab ab ab ab ab ab ab",  # one word n-gram many times
    "logo logo design logo design logo",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "Zürich Zürich café CAFÉ café &amp; &amp; R&amp;D",
]


def test_block_equals_the_np_unique_version_on_every_written_title():
    clf = default_classifier()
    titles, _labels = load_training_titles()
    for title in [*titles, *HOSTILE, *REPEATS]:
        _assert_blocks_identical(clf, title)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "logo",
                "Logo",
                "design",
                "python",
                "über",
                "Ärger",
                "日本語",
                "&amp;",
                "&#x27;",
                "C#",
                ".NET",
                "x",
                "🔥",
                "data",
                "entry",
                "data-entry",
                "ab",
            ]
        )
        | st.text(min_size=1, max_size=12),
        max_size=40,
    )
)
def test_block_equals_the_np_unique_version_on_made_up_titles(words):
    _assert_blocks_identical(default_classifier(), " ".join(words))
