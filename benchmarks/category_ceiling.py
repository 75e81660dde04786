"""Why the title classifier stops near 73 % on real postings: label noise, learning
curve and the recipes tried against the shipped one, all on the folds of ``jobtrends
eval --upwork-api``.

    python -m benchmarks.category_ceiling [PATH_TO_UPWORK_API_CSV]
        [--parts noise,curve,baseline,occupations,per-top,signals]
        [--fine-min-rows 10]

* ``noise`` - titles with the same words, and each title's nearest other title (TF-IDF
  cosine): how often their Upwork categories differ, and the Cover-Hart lower bound on
  any classifier's error that this disagreement implies for such titles;
* ``curve`` - the shipped recipe fitted on 25/50/75/100 % of each fold's training rows
  (plus the written titles), scored on the same held-out rows;
* ``baseline`` - the issue's "TF-IDF + logistic regression" (scikit-learn vocabularies,
  word 1-2 + char 2-5 grams, C = 10) on the real titles only and with the written ones,
  and the shipped recipe on the real titles only;
* ``occupations`` - the shipped recipe trained on Upwork's occupation (occupations with
  10+ training rows, ``--fine-min-rows``; the others and the written titles by
  category) with the probabilities summed per category; with the top category, only
  the occupations seen under it;
* ``per-top`` - with the top category, one model per top category trained on its rows;
* ``signals`` - with the top category, the broad categories' layers with and without
  the export's other columns about the work (type, tier, duration, engagement).

Reads the CSV (never copied); nothing is scored by a model that learned from it.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from crawler.commands._eval_real import (
    STUDY_CATEGORIES,
    default_upwork_api,
    load_upwork_api_labels,
    scores,
)
from crawler.normalize.categories import _taxonomy_entry, broad_allowed, title_decision
from crawler.normalize.category_model import (
    WRITTEN_WEIGHT,
    build_pipeline,
    classifier_from,
    cross_validate,
    cv_folds,
    fit,
    load_training_titles,
    out_of_fold,
    trainable,
)

FINE_MIN_ROWS = 10  # an occupation is its own class with this many training rows


def line(name: str, got: list[str], expected: list[str]) -> str:
    s = scores(expected, got)
    recall = ", ".join(f"{c} {s['recall'].get(c, 0):.0%}" for c in STUDY_CATEGORIES)
    return (
        f"  {name:<46} accuracy {s['accuracy']:.1%}  other {s['other_share']:.1%}"
        f"\n  {'':<46} {recall}"
    )


def cover_hart(d: float, k: int) -> float:
    """The least Bayes error a k-class problem can have when its nearest-neighbour
    error is d (Cover & Hart 1967)."""
    return (k - 1) / k * (1 - np.sqrt(max(0.0, 1 - k / (k - 1) * d)))


def _similarities(titles: list[str]):
    """TF-IDF (word 1-2 grams) cosine of every pair of titles, 0 on the diagonal."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(titles)
    sim = (vec @ vec.T).tolil()
    sim.setdiag(0)
    return sim


def noise(
    titles: list[str],
    labels: list[str],
    tops: list[str],
    broad: list[str | None] | None = None,
) -> None:
    k = len(set(labels))
    groups = defaultdict(list)
    for i, t in enumerate(titles):
        groups[" ".join(re.findall(r"\w+", t.lower()))].append(i)
    dup = [g for g in groups.values() if len(g) > 1]
    n_dup = sum(len(g) for g in dup)
    majority = sum(Counter(labels[i] for i in g).most_common(1)[0][1] for g in dup)
    print(
        f"  titles with the same words: {len(dup)} groups, {n_dup} rows; the majority"
        f" category of its group is the row's for {majority / n_dup:.1%}"
    )
    sim = _similarities(titles)
    _nearest_twins("", sim.tocsr(), labels, k)
    # With the top category known, only titles under the same one are rivals.
    same = np.array(tops)
    mask = (same[:, None] == same[None, :]).astype(float)
    _nearest_twins(
        " under the same top category", sim.multiply(mask).tocsr(), labels, k
    )
    # Only the broad top categories leave a choice (the others settle the category):
    # the rivals of a title there, with k the most categories one of them holds.
    rows = [i for i, b in enumerate(broad or []) if b]
    if rows:
        sub = _similarities([titles[i] for i in rows])
        mask = (same[rows][:, None] == same[rows][None, :]).astype(float)
        held = Counter((tops[i], labels[i]) for i in rows)
        k_top = max(Counter(t for t, _ in held).values())
        _nearest_twins(
            f" under the same broad top category ({len(rows)} rows, k = {k_top})",
            sub.multiply(mask).tocsr(),
            [labels[i] for i in rows],
            k_top,
        )


def _nearest_twins(where: str, sim, labels: list[str], k: int) -> None:
    nearest = np.asarray(sim.argmax(axis=1)).ravel()
    best = np.asarray(sim.max(axis=1).todense()).ravel()
    for lo in (0.999, 0.9, 0.7, 0.5, 0.0):
        rows = [i for i in range(len(labels)) if best[i] >= lo and best[i] > 0]
        d = np.mean([labels[i] != labels[nearest[i]] for i in rows])
        print(
            f"  nearest other title{where} at cosine >= {lo:.2f}: {len(rows):>5} rows,"
            f" its category differs for {d:.1%} (Cover-Hart: error >= "
            f"{cover_hart(d, k):.1%})"
        )


def curve(titles, labels, extra) -> None:
    for share in (0.25, 0.5, 0.75, 1.0):
        plain, _ = cross_validate(titles, labels, extra=extra, train_share=share)
        n = int(len(titles) * 0.8 * share)
        print(line(f"{share:.0%} of the training rows (~{n} real)", plain, labels))
    # Where the full model errs: titles with a near twin in the file, or without.
    best = np.asarray(_similarities(titles).tocsr().max(axis=1).todense()).ravel()
    for lo, hi in ((0.999, 2), (0.7, 0.999), (0.5, 0.7), (0, 0.5)):
        rows = [i for i in range(len(titles)) if lo <= best[i] < hi]
        acc = np.mean([plain[i] == labels[i] for i in rows])
        print(
            f"  nearest other title at cosine [{lo:.2f}, {min(hi, 1):.2f}):"
            f" {len(rows):>5} rows, accuracy {acc:.1%}"
        )


def _fit_predict(pipeline, x, y, w, test, step):
    keep = trainable(y)
    x = [v for v, k in zip(x, keep, strict=True) if k]
    y = [v for v, k in zip(y, keep, strict=True) if k]
    w = np.array([v for v, k in zip(w, keep, strict=True) if k])
    pipeline.fit(x, y, **{f"{step}__sample_weight": w})
    return [str(c) for c in pipeline.classes_], pipeline.predict_proba(test)


def baseline(titles, labels, extra) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    def tfidf_lr():
        return make_pipeline(
            make_union(
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True
                ),
            ),
            LogisticRegression(C=10, max_iter=3000),
        )

    for name, make, step, written in (
        ("TF-IDF + LR, real titles only", tfidf_lr, "logisticregression", False),
        ("TF-IDF + LR, + written titles", tfidf_lr, "logisticregression", True),
        (
            "shipped recipe, real titles only",
            build_pipeline,
            "calibratedclassifiercv",
            False,
        ),
    ):
        got = ["other"] * len(titles)
        for train, test in cv_folds(labels):
            x = [titles[i] for i in train] + (extra[0] if written else [])
            y = [labels[i] for i in train] + (extra[1] if written else [])
            w = [1.0] * len(train) + (
                [WRITTEN_WEIGHT] * len(extra[0]) if written else []
            )
            classes, proba = _fit_predict(
                make(), x, y, w, [titles[i] for i in test], step
            )
            for row, i in enumerate(test):
                j = int(np.argmax(proba[row]))
                best = (classes[j], float(proba[row][j]))
                got[i] = title_decision(best, titles[i], "", ()).category
        print(line(name, got, labels))


def occupations(titles, labels, occs, tops, extra, min_rows=FINE_MIN_ROWS) -> None:
    plain, top = ["other"] * len(titles), ["other"] * len(titles)
    entries = [_taxonomy_entry("upwork", t) if t else None for t in tops]
    for train, test in cv_folds(labels):
        n_occ = Counter(occs[i] for i in train)
        fine = {
            i: occs[i] if n_occ[occs[i]] >= min_rows else "C:" + labels[i]
            for i in train
        }
        x = [titles[i] for i in train] + extra[0]
        y = [fine[i] for i in train] + ["C:" + lab for lab in extra[1]]
        w = [1.0] * len(train) + [WRITTEN_WEIGHT] * len(extra[0])
        classes, proba = _fit_predict(
            build_pipeline(),
            x,
            y,
            w,
            [titles[i] for i in test],
            "calibratedclassifiercv",
        )
        category = {fine[i]: labels[i] for i in train}
        category |= {c: c[2:] for c in classes if c.startswith("C:")}
        cats = sorted({category[c] for c in classes})
        to_cat = np.zeros((len(classes), len(cats)))
        for j, c in enumerate(classes):
            to_cat[j, cats.index(category[c])] = 1
        under = defaultdict(set)
        for i in train:
            under[tops[i]].add(fine[i])
        for row, i in enumerate(test):
            pc = proba[row] @ to_cat
            j = int(np.argmax(pc))
            plain[i] = title_decision(
                (cats[j], float(pc[j])), titles[i], "", ()
            ).category
            e = entries[i]
            if e and not e[1]:
                top[i] = e[0]
            elif e is None:
                top[i] = plain[i]
            else:
                mask = np.array([c in under[tops[i]] for c in classes], dtype=float)
                pf = proba[row] * mask if mask.any() else proba[row]
                allowed = broad_allowed(e)
                pcat = [
                    v if c in allowed else 0
                    for c, v in zip(cats, pf @ to_cat, strict=True)
                ]
                top[i] = cats[int(np.argmax(pcat))]
    print(line("occupation target, title only", plain, labels))
    print(line("occupation target, top category + title", top, labels))


def per_top(titles, labels, tops, extra) -> None:
    entries = [_taxonomy_entry("upwork", t) if t else None for t in tops]
    for written in (False, True):
        got = ["other"] * len(titles)
        for train, test in cv_folds(labels):
            by_top = defaultdict(list)
            for i in train:
                by_top[tops[i]].append(i)
            for top, rows in by_top.items():
                tst = [i for i in test if tops[i] == top]
                e = entries[tst[0]] if tst else None
                if not tst or (e and not e[1]):
                    for i in tst:
                        got[i] = e[0]
                    continue
                allowed = broad_allowed(e) if e else None
                x, y = [titles[i] for i in rows], [labels[i] for i in rows]
                w = [1.0] * len(rows)
                for t, lab in zip(*extra, strict=True) if written else []:
                    if allowed is None or lab in allowed:
                        x, y, w = x + [t], y + [lab], w + [WRITTEN_WEIGHT]
                if len({lab for lab, k in zip(y, trainable(y), strict=True) if k}) < 2:
                    for i in tst:
                        got[i] = Counter(y).most_common(1)[0][0]
                    continue
                classes, proba = _fit_predict(
                    build_pipeline(),
                    x,
                    y,
                    w,
                    [titles[i] for i in tst],
                    "calibratedclassifiercv",
                )
                for row, i in enumerate(tst):
                    got[i] = classes[int(np.argmax(proba[row]))]
        what = "+ written titles" if written else "real rows only"
        print(line(f"one model per top category, {what}", got, labels))


def signals(rows: list[dict], extra) -> None:
    """With the top category: each broad top category's layer (broad_layer.py) learned
    on the out-of-fold probabilities alone, and with the export's other columns about
    the work (type, tier, duration, engagement; one-hot) as more inputs."""
    from sklearn.linear_model import LogisticRegression

    from crawler.commands._eval_real import SIGNALS
    from crawler.normalize.broad_layer import LAYER_C, features

    titles = [r["title"] for r in rows]
    labels = [r["expected"] for r in rows]
    values = {k: sorted({r["signals"][k] for r in rows} - {""}) for k in SIGNALS}

    def inputs(p, mask, r, more):
        f = features(p, mask)[mask]
        if not more:
            return f
        cells = [float(r["signals"][k] == v) for k in SIGNALS for v in values[k]]
        return np.concatenate([f, cells])

    got = {False: ["other"] * len(rows), True: ["other"] * len(rows)}
    for train, test in cv_folds(labels):
        t, y = [titles[i] for i in train], [labels[i] for i in train]
        pipeline = fit(t, y, extra)
        classes = [str(c) for c in pipeline.classes_]
        oof = out_of_fold(t, y, classes, extra)
        clf = classifier_from(pipeline)
        under = defaultdict(list)
        for j, i in enumerate(train):
            if rows[i]["broad"] and labels[i] in classes and not np.isnan(oof[j]).any():
                under[rows[i]["broad"]].append(j)
        layers = {}
        for broad, js in under.items():
            mask = np.array([c in {y[j] for j in js} for c in classes])
            for more in (False, True):
                x = [inputs(oof[j], mask, rows[train[j]], more) for j in js]
                layers[broad, more] = (
                    mask,
                    LogisticRegression(C=LAYER_C, max_iter=5000).fit(
                        x, [y[j] for j in js]
                    ),
                )
        for i in test:
            e = _taxonomy_entry("upwork", rows[i]["top"])
            p = dict(clf.proba(titles[i]))
            for more in (False, True):
                got[more][i] = e[0]
                if e[1] and p and (rows[i]["broad"], more) in layers:
                    mask, model = layers[rows[i]["broad"], more]
                    vec = np.array([p[c] for c in classes])
                    x = inputs(vec, mask, rows[i], more)
                    got[more][i] = str(model.predict([x])[0])
    print(line("layer per broad top category, title only", got[False], labels))
    print(line("same + type, tier, duration, engagement", got[True], labels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv", nargs="?", default=None)
    parser.add_argument("--parts", default="noise,curve,baseline,occupations,per-top")
    parser.add_argument(
        "--fine-min-rows",
        type=int,
        default=FINE_MIN_ROWS,
        help="occupations: training rows an occupation needs to be its own class",
    )
    args = parser.parse_args()
    path = args.csv or default_upwork_api()
    if not path:
        raise SystemExit("usage: python -m benchmarks.category_ceiling UPWORK_API_CSV")
    if not Path(path).is_file():
        parser.error(f"{path}: no such file")
    parts = args.parts.split(",")
    unknown = set(parts) - {
        "noise",
        "curve",
        "baseline",
        "occupations",
        "per-top",
        "signals",
    }
    if unknown:
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}")
    rows = load_upwork_api_labels(path)
    titles = [r["title"] for r in rows]
    labels = [r["expected"] for r in rows]
    extra = load_training_titles()
    print(f"{path}: {len(rows)} labeled rows, 5 folds as in `jobtrends eval`")
    for part in parts:
        started = time.process_time()
        print(f"{part}:")
        if part == "noise":
            noise(
                titles,
                labels,
                [r["top"] for r in rows],
                [r["broad"] for r in rows],
            )
        elif part == "curve":
            curve(titles, labels, extra)
        elif part == "baseline":
            baseline(titles, labels, extra)
        elif part == "occupations":
            occupations(
                titles,
                labels,
                [r["occupation"] for r in rows],
                [r["top"] for r in rows],
                extra,
                args.fine_min_rows,
            )
        elif part == "per-top":
            per_top(titles, labels, [r["top"] for r in rows], extra)
        elif part == "signals":
            signals(rows, extra)
        print(f"  ({time.process_time() - started:.0f} s CPU)", flush=True)


if __name__ == "__main__":
    main()
