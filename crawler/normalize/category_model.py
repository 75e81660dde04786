"""Training the title -> category classifier (scikit-learn) and exporting its weights.

One recipe, used for the bundled model, for ``jobtrends train-categories`` and for the
cross-validated figures of ``jobtrends eval``: TF-IDF over word 1-2 grams and character
2-5 grams (inside word boundaries, sublinear tf), a linear SVM, and sigmoid calibration
fitted on 3-fold cross-validated decision values.  :func:`export_arrays` turns the fitted
pipeline into the plain arrays :class:`crawler.normalize.classifier.CategoryClassifier`
reads; nothing is pickled.

``fit(titles, labels)`` -> pipeline; ``save_model(pipeline, path)``;
``cross_validate(titles, labels, folds=5)`` -> out-of-fold predictions.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import numpy as np

from crawler.normalize.classifier import FORMAT, CategoryClassifier

WORD_RANGE = (1, 2)
CHAR_RANGE = (2, 5)
SVM_C = 0.5
TRAINING_TITLES = Path(__file__).with_name("data") / "category_titles.tsv"
MIN_PER_CLASS = 3  # calibration folds need a few rows of every category


def load_training_titles(path: Path = TRAINING_TITLES) -> tuple[list[str], list[str]]:
    """The written training set: ``title<TAB>category`` lines, ``#`` comments."""
    titles, labels = [], []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if not row or row[0].startswith("#") or len(row) < 2:
                continue
            titles.append(row[0])
            labels.append(row[1].strip())
    return titles, labels


def build_pipeline(min_df_chars: int = 2):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.svm import LinearSVC

    features = make_union(
        TfidfVectorizer(ngram_range=WORD_RANGE, sublinear_tf=True),
        TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=CHAR_RANGE,
            sublinear_tf=True,
            min_df=min_df_chars,
        ),
    )
    model = CalibratedClassifierCV(
        LinearSVC(C=SVM_C, random_state=0), method="sigmoid", cv=3, ensemble=False
    )
    return make_pipeline(features, model)


def trainable(labels: list[str]) -> list[bool]:
    """Which rows can be trained on: categories with at least MIN_PER_CLASS rows."""
    counts = Counter(labels)
    return [counts[lab] >= MIN_PER_CLASS for lab in labels]


def fit(titles: list[str], labels: list[str]):
    """A fitted pipeline; categories with fewer than MIN_PER_CLASS rows are left out:
    ``fit(["Logo for a bakery", ...], ["graphic design", ...])``."""
    keep = trainable(labels)
    t = [x for x, k in zip(titles, keep, strict=False) if k]
    y = [lab for lab, k in zip(labels, keep, strict=False) if k]
    if len(set(y)) < 3:
        raise ValueError(
            f"need labeled titles of at least 3 categories with {MIN_PER_CLASS}+ rows"
            f" each; got {dict(Counter(labels))}"
        )
    pipeline = build_pipeline(min_df_chars=2 if len(t) >= 2000 else 1)
    pipeline.fit(t, y)
    return pipeline


def broad_priors(
    labels: list[str], broads: list[str | None], classes: list[str]
) -> dict[str, np.ndarray]:
    """Class frequencies (add-one smoothed) under each broad source category, plus the
    overall frequencies under ``"*"``, in ``classes`` order."""

    def freq(rows: list[str]) -> np.ndarray:
        counts = Counter(rows)
        v = np.array([counts[c] + 1.0 for c in classes])
        return v / v.sum()

    by_broad: dict[str, list[str]] = {}
    for lab, b in zip(labels, broads, strict=False):
        if b:
            by_broad.setdefault(b.casefold(), []).append(lab)
    out = {b: freq(rows) for b, rows in by_broad.items() if len(rows) >= 20}
    if out:
        out["*"] = freq(labels)
    return out


def export_arrays(
    pipeline, trained_on: str = "", priors: dict[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """The fitted pipeline as the arrays CategoryClassifier loads."""
    union, calibrated = pipeline.steps[0][1], pipeline.steps[-1][1]
    (_, words), (_, chars) = union.transformer_list
    inner = calibrated.calibrated_classifiers_[0]
    svm = inner.estimator
    classes = [str(c) for c in calibrated.classes_]
    if [str(c) for c in svm.classes_] != classes:
        raise ValueError("calibrated and inner classes differ")
    word_vocab = sorted(words.vocabulary_, key=words.vocabulary_.get)
    char_vocab = sorted(chars.vocabulary_, key=chars.vocabulary_.get)
    return {
        "format": np.array(FORMAT),
        "classes": np.array(classes),
        "word_range": np.array(WORD_RANGE),
        "char_range": np.array(CHAR_RANGE),
        "word_vocab": np.array(_joined(word_vocab)),
        "char_vocab": np.array(_joined(char_vocab)),
        "idf": np.concatenate([words.idf_, chars.idf_]).astype(np.float64),
        # features x classes, float32: half the size, differences below 1e-6
        "coef": svm.coef_.T.astype(np.float32),
        "intercept": svm.intercept_.astype(np.float64),
        "cal_a": np.array([c.a_ for c in inner.calibrators], dtype=np.float64),
        "cal_b": np.array([c.b_ for c in inner.calibrators], dtype=np.float64),
        "trained_on": np.array(trained_on),
        "prior_keys": np.array(sorted(k for k in priors or {} if k != "*"), dtype=str),
        "priors": np.array(
            [priors[k] for k in sorted(k for k in priors or {} if k != "*")]
        ).reshape(-1, len(classes)),
        "class_prior": (priors or {}).get("*", np.ones(len(classes)) / len(classes)),
    }


def _joined(terms: list[str]) -> str:
    """Terms joined by "\n": scikit-learn's analyzers split on whitespace first, so no
    term holds one."""
    if any("\n" in t for t in terms):
        raise ValueError("a vocabulary term holds a newline")
    return "\n".join(terms)


def save_model(
    pipeline, path: str | Path, trained_on: str = "", priors: dict | None = None
) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        np.savez_compressed(fh, **export_arrays(pipeline, trained_on, priors))
    return path


def classifier_from(
    pipeline, trained_on: str = "", priors: dict | None = None
) -> CategoryClassifier:
    """The fast classifier for a fitted pipeline, without a file."""
    return CategoryClassifier(
        export_arrays(pipeline, trained_on, priors), name="in-memory"
    )


def cross_validate(
    titles: list[str],
    labels: list[str],
    *,
    folds: int = 5,
    extra: tuple[list[str], list[str]] | None = None,
    broads: list[str | None] | None = None,
    within: list[frozenset[str] | None] | None = None,
    seed: int = 0,
) -> tuple[list[str], list[str]]:
    """Out-of-fold predictions for every row, each by a model fitted on the other folds
    (plus ``extra`` rows, never scored): (title only, broad source category + title).
    The second uses ``broads`` (a row's broad source category or None) and ``within``
    (the categories it may be refined into), with priors learned on the training folds."""
    from sklearn.model_selection import StratifiedKFold

    broads = broads or [None] * len(titles)
    within = within or [None] * len(titles)
    counts = Counter(labels)
    # Stratify on categories with enough rows; rare ones go to folds at random.
    strata = np.array([lab if counts[lab] >= folds else "_rare" for lab in labels])
    split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    plain, refined = ["other"] * len(titles), ["other"] * len(titles)
    for train, test in split.split(np.zeros(len(titles)), strata):
        t = [titles[i] for i in train]
        lab = [labels[i] for i in train]
        classes_of = (
            fit(t + list(extra[0]), lab + list(extra[1])) if extra else fit(t, lab)
        )
        priors = broad_priors(
            lab, [broads[i] for i in train], [str(c) for c in classes_of.classes_]
        )
        clf = classifier_from(classes_of, priors=priors)
        for i in test:
            best = clf.best(titles[i])
            plain[i] = best[0] if best else "other"
            if broads[i]:
                best = clf.best(titles[i], within[i], broads[i])
                refined[i] = best[0] if best else "other"
            else:
                refined[i] = plain[i]
    return plain, refined


def build_bundled(out: Path | None = None) -> Path:
    """Rebuild data/category_model.npz from data/category_titles.tsv:
    ``python -m crawler.normalize.category_model``."""
    from crawler.normalize.classifier import BUNDLED_MODEL

    titles, labels = load_training_titles()
    return save_model(
        fit(titles, labels),
        out or BUNDLED_MODEL,
        trained_on=f"{TRAINING_TITLES.name}: {len(titles)} written titles",
    )


if __name__ == "__main__":
    print(build_bundled())
