"""The layer that refines a broad source category (broad_layer.py): learned on
out-of-fold probabilities, exported as plain arrays, applied as scikit-learn would, and
never leaving the categories the broad category may hold."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from crawler.normalize.broad_layer import LAYER_C, features, fit_layers, refine
from crawler.normalize.categories import _taxonomy_entry, broad_allowed
from crawler.normalize.category_model import (
    classifier_from,
    fit_with_broad,
    load_training_titles,
    out_of_fold,
    save_model,
)
from crawler.normalize.classifier import CategoryClassifier

DESIGN = "design & creative"
DEV = "web, mobile & software dev"
DATA = "data science & analytics"
UNDER = {
    "graphic design": DESIGN,
    "video editing & production": DESIGN,
    "other": DESIGN,
    "web design": DEV,
    "web & software development": DEV,
    "mobile development": DEV,
    "data science & analytics": DATA,
    "machine learning & AI": DATA,
}


@pytest.fixture(scope="module")
def written():
    """The written titles, every other one held out; the training half carries the
    Upwork top category its category lives under (others none)."""
    titles, labels = load_training_titles()
    train = list(range(0, len(titles), 2))
    test = [(titles[i], labels[i]) for i in range(1, len(titles), 2)]
    t = [titles[i] for i in train]
    y = [labels[i] for i in train]
    broads = [UNDER.get(lab) for lab in y]
    # 'other' under Design & Creative is voice, music and photo work; coaching or
    # recruiting has no broad category here.
    voice = re.compile(r"voice|music|photo|audio|podcast|sing|song|actor|narrat")
    for i, x in enumerate(t):
        if y[i] == "other" and not voice.search(x.lower()):
            broads[i] = None
    pipeline, priors, layers = fit_with_broad(t, y, broads)
    return t, y, broads, pipeline, priors, layers, test


def test_a_layer_per_broad_category_with_enough_rows(written):
    t, y, broads, pipeline, priors, layers, _ = written
    classes = [str(c) for c in pipeline.classes_]
    assert set(layers) == {DESIGN, DEV, DATA}
    for key, layer in layers.items():
        seen = {lab for lab, b in zip(y, broads, strict=True) if b == key}
        assert {c for c, o in zip(classes, layer.outputs, strict=True) if o} == seen
        assert (layer.inputs == layer.outputs).all()
        # Nothing flows from a class that is not an input.
        assert not layer.coef[:, ~layer.inputs].any()
        assert np.isneginf(layer.intercept[~layer.outputs]).all()


def test_refine_gives_scikit_learns_probabilities(written):
    """Binary (Data Science & Analytics: analytics vs ML) and multinomial layers: the
    exported arrays give LogisticRegression.predict_proba."""
    t, y, broads, pipeline, _, _, test = written
    classes = [str(c) for c in pipeline.classes_]
    proba = out_of_fold(t, y, classes)
    layers = fit_layers(proba, y, broads, classes)
    everything = np.ones(len(classes), dtype=bool)
    clf = classifier_from(pipeline)
    for key in (DATA, DESIGN):
        layer = layers[key]
        rows = [
            i for i, b in enumerate(broads) if b == key and not np.isnan(proba[i]).any()
        ]
        x = np.array([features(proba[i], layer.inputs) for i in rows])
        lr = LogisticRegression(C=LAYER_C, max_iter=5000).fit(x, [y[i] for i in rows])
        assert len(lr.classes_) == (2 if key == DATA else 3)
        for title, _ in test[:60]:
            p = dict(clf.proba(title))
            if not p:
                continue
            vec = np.array([p[c] for c in classes])
            j, prob = refine(layer, vec, everything)
            want = lr.predict_proba(features(vec, layer.inputs)[None])[0]
            assert classes[j] == str(lr.classes_[int(np.argmax(want))])
            assert prob == pytest.approx(float(want.max()), abs=1e-9)


def test_best_under_a_broad_category_stays_inside_it(written, tmp_path):
    _, _, _, pipeline, priors, layers, test = written
    clf = classifier_from(pipeline, priors=priors, layers=layers)
    design = broad_allowed(_taxonomy_entry("upwork", "Design & Creative"))
    got = clf.best("Edit my wedding video – 4K, color grading", design, DESIGN)
    assert got[0] == "video editing & production" and 0.5 < got[1] <= 1.0
    # A translation title under Design & Creative cannot become translation.
    for title in ("Traducción EN→ES de un folleto", "Translate my flyer to French"):
        cat, prob = clf.best(title, design, DESIGN)
        assert cat in design and 0 < prob <= 1
    # Only the categories the layer learned under the broad category are answered,
    # and a narrower `within` narrows them further.
    for title, _ in test:
        best = clf.best(title, design, DESIGN)
        if best:
            assert best[0] in {"graphic design", "video editing & production", "other"}
        narrow = clf.best(title, frozenset({"graphic design", "web design"}), DESIGN)
        if narrow:
            assert narrow[0] == "graphic design"
    # Saved and loaded (plain arrays, no pickle), the layers give the same answers.
    path = save_model(pipeline, tmp_path / "m.npz", priors=priors, layers=layers)
    loaded = CategoryClassifier.load(path)
    dev = broad_allowed(_taxonomy_entry("upwork", "Web, Mobile & Software Dev"))
    for title, _ in test[:80]:
        for within, key in ((design, DESIGN), (dev, DEV)):
            a, b = clf.best(title, within, key), loaded.best(title, within, key)
            assert (a is None) == (b is None)
            if a:
                assert a[0] == b[0] and a[1] == pytest.approx(b[1], abs=1e-6)


def test_the_layer_beats_the_flat_choice_on_held_out_titles(written):
    """On the held-out written titles of Design & Creative and Web, Mobile & Software
    Dev categories, refining with the layer is at least as accurate as the plain
    classifier restricted to the top category's categories."""
    _, _, _, pipeline, priors, layers, test = written
    with_layer = classifier_from(pipeline, priors=priors, layers=layers)
    plain = classifier_from(pipeline)
    hits = {"layer": 0, "plain": 0}
    n = 0
    for title, label in test:
        key = UNDER.get(label)
        if key not in (DESIGN, DEV):
            continue
        within = frozenset(c for c, k in UNDER.items() if k == key)
        n += 1
        for name, clf, broad in (("layer", with_layer, key), ("plain", plain, None)):
            best = clf.best(title, within, broad)
            hits[name] += bool(best) and best[0] == label
    assert n > 200
    assert hits["layer"] >= hits["plain"] - 2
    assert hits["layer"] / n > 0.8


def test_a_model_without_layers_weighs_by_priors(written, tmp_path):
    """A model file written before the layers (no layer_* arrays) still refines, by the
    broad category's class frequencies."""
    _, _, _, pipeline, priors, _, _ = written
    path = save_model(pipeline, tmp_path / "old.npz", priors=priors)
    with np.load(path, allow_pickle=False) as data:
        assert len(data["layer_keys"]) == 0
        arrays = {k: data[k] for k in data.files if not k.startswith("layer_")}
    old = CategoryClassifier(arrays)
    design = broad_allowed(_taxonomy_entry("upwork", "Design & Creative"))
    cat, prob = old.best("Animated logo reveal for YouTube intro", design, DESIGN)
    assert cat in design and 0 < prob <= 1


# Upwork's 2023 ontology: top category -> its subcategories (public category pages).
UPWORK_SUBCATEGORIES = {
    "Accounting & Consulting": [
        "Personal & Professional Coaching",
        "Accounting & Bookkeeping",
        "Financial Planning",
        "Recruiting & Human Resources",
        "Management Consulting & Analysis",
        "Other - Accounting & Consulting",
    ],
    "Admin Support": [
        "Data Entry & Transcription Services",
        "Virtual Assistance",
        "Project Management",
        "Market Research & Product Reviews",
    ],
    "Data Science & Analytics": [
        "Data Analysis & Testing",
        "Data Extraction/ETL",
        "Data Mining & Management",
        "AI & Machine Learning",
    ],
    "Design & Creative": [
        "Art & Illustration",
        "Audio & Music Production",
        "Branding & Logo Design",
        "NFT, AR/VR & Game Art",
        "Graphic, Editorial & Presentation Design",
        "Performing Arts",
        "Photography",
        "Product Design",
        "Video & Animation",
    ],
    "Engineering & Architecture": [
        "Building & Landscape Architecture",
        "Chemical Engineering",
        "Civil & Structural Engineering",
        "Contract Manufacturing",
        "Electrical & Electronic Engineering",
        "Interior & Trade Show Design",
        "Energy & Mechanical Engineering",
        "Physical Sciences",
        "3D Modeling & CAD",
    ],
    "Translation": [
        "Language Tutoring & Interpretation",
        "Translation & Localization Services",
    ],
    "Web, Mobile & Software Dev": [
        "Blockchain, NFT & Cryptocurrency",
        "AI Apps & Integration",
        "Desktop Application Development",
        "Ecommerce Development",
        "Game Design & Development",
        "Mobile Development",
        "Other - Software Development",
        "Product Management & Scrum",
        "QA Testing",
        "Scripts & Utilities",
        "Web & Mobile Design",
        "Web Development",
    ],
    "Writing": [
        "Sales & Marketing Copywriting",
        "Content Writing",
        "Editing & Proofreading Services",
        "Professional & Business Writing",
    ],
}


@pytest.mark.parametrize("top", sorted(UPWORK_SUBCATEGORIES))
def test_a_broad_upwork_category_may_become_what_its_subcategories_are(top):
    """A posting with only the top category can be refined into any category one of
    its subcategories maps to (a job under "Web, Mobile & Software Dev > AI Apps &
    Integration" is machine learning & AI, so the top category alone may be too)."""
    entry = _taxonomy_entry("upwork", top)
    assert entry and entry[1], f"{top} is not a broad category"
    allowed = broad_allowed(entry)
    for sub in UPWORK_SUBCATEGORIES[top]:
        mapped = _taxonomy_entry("upwork", f"{top} > {sub}")
        assert mapped and mapped[3] != entry[3], f"{sub} is not mapped"
        assert mapped[0] in allowed, f"{top} > {sub} -> {mapped[0]}"


def test_too_few_rows_for_inner_folds_leave_no_layer():
    """A small database: legal has 3 rows, so no inner fold keeps it and each inner
    fit would see two categories - the rows stay unscored and no layer is learned,
    while the classifier itself is fitted on all three."""
    titles, labels = load_training_titles()
    rows = [(t, c) for t, c in zip(titles, labels, strict=True) if c == "writing"][:30]
    rows += [(t, c) for t, c in zip(titles, labels, strict=True) if c == "translation"][
        :30
    ]
    rows += [(t, c) for t, c in zip(titles, labels, strict=True) if c == "legal"][:3]
    t, y = [r[0] for r in rows], [r[1] for r in rows]
    pipeline, priors, layers = fit_with_broad(t, y, ["writing"] * len(t))
    assert sorted(map(str, pipeline.classes_)) == ["legal", "translation", "writing"]
    assert layers == {} and "writing" in priors
    assert np.isnan(out_of_fold(t, y, ["legal", "translation", "writing"])).all()
