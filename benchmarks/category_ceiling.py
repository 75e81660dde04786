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
* ``knowledge`` - the shipped recipe without its knowledge features (Snowball stems of
  the title words, the skill tokens of data/skills.json), each alone, and both;
* ``decision`` - the title-only decision: the probability below which the model's pick
  is dropped (for the keyword rules, or ``other``), and how accurate the model's pick
  and the rules' are in each band of the model's probability;
* ``ensemble`` - the shipped recipe's calibrated probabilities averaged with complement
  naive Bayes on the same features.
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
from crawler.normalize.categories import (
    NOTHING_LIKELY,
    _decide,
    _taxonomy_entry,
    broad_allowed,
    rule_scores,
    title_decision,
)
from crawler.normalize.category_model import (
    SKILL_SCALE,
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


def _folds_of(titles, labels, extra, make, step="calibratedclassifiercv"):
    """(classes, test rows, fitted pipeline, probabilities) of each fold: ``make()``
    fitted on the other folds plus the written titles."""
    for train, test in cv_folds(labels):
        x = [titles[i] for i in train] + extra[0]
        y = [labels[i] for i in train] + extra[1]
        w = [1.0] * len(train) + [WRITTEN_WEIGHT] * len(extra[0])
        pipeline = make()
        classes, proba = _fit_predict(
            pipeline, x, y, w, [titles[i] for i in test], step
        )
        yield classes, test, pipeline, proba


def knowledge(titles, labels, extra) -> None:
    for name, kw in (
        (f"shipped: stems + skill tokens weighed {SKILL_SCALE:g}", {}),
        ("without skill tokens", {"skill_scale": 0}),
        ("without stems", {"stem": False}),
        ("neither (the recipe before)", {"stem": False, "skill_scale": 0}),
        ("skill tokens weighed 0.3", {"skill_scale": 0.3}),
        ("skill tokens weighed 0.5", {"skill_scale": 0.5}),
    ):
        got = ["other"] * len(titles)
        for classes, test, _, proba in _folds_of(
            titles, labels, extra, lambda kw=kw: build_pipeline(**kw)
        ):
            for row, i in enumerate(test):
                j = int(np.argmax(proba[row]))
                best = (classes[j], float(proba[row][j]))
                got[i] = title_decision(best, titles[i], "", ()).category
        print(line(name, got, labels))


def decision(titles, labels, extra) -> None:
    best: list = [None] * len(titles)
    for _, test, pipeline, _ in _folds_of(titles, labels, extra, build_pipeline):
        clf = classifier_from(pipeline)  # as the normalizer applies it
        for i in test:
            best[i] = clf.best(titles[i])
    ruled = [_decide(rule_scores(t, "", ())) for t in titles]
    for floor in (0.0, 0.1, 0.15, NOTHING_LIKELY, 0.3, 0.4):
        for rules in (True, False):
            got = [
                b[0]
                if b and b[1] >= floor
                else ((ruled[i] if rules else None) or "other")
                for i, b in enumerate(best)
            ]
            what = "rules, else other" if rules else "other"
            print(line(f"model if p >= {floor:g}, else {what}", got, labels))
    bands = (0.0, 0.1, 0.2, 0.3, 0.5, 1.01)
    for lo, hi in zip(bands, bands[1:], strict=False):
        rows = [i for i, b in enumerate(best) if b and lo <= b[1] < hi]
        if not rows:
            continue
        model = np.mean([best[i][0] == labels[i] for i in rows])
        with_rule = [i for i in rows if ruled[i]]
        rule = np.mean([ruled[i] == labels[i] for i in with_rule]) if with_rule else 0
        model_there = (
            np.mean([best[i][0] == labels[i] for i in with_rule]) if with_rule else 0
        )
        print(
            f"  model probability [{lo:.1f}, {min(hi, 1):.1f}): {len(rows):>5} rows,"
            f" model right {model:.1%}; rules decide {len(with_rule)} of them, right"
            f" {rule:.1%} (the model there {model_there:.1%})"
        )
    shipped = [
        title_decision(b, t, "", ()).category for b, t in zip(best, titles, strict=True)
    ]
    pairs = Counter(
        (e, g) for e, g in zip(labels, shipped, strict=True) if e != g
    ).most_common(10)
    print(
        f"  errors of the shipped decision: {sum(n for _, n in pairs)} of"
        f" {sum(e != g for e, g in zip(labels, shipped, strict=True))} in these pairs"
    )
    for (e, g), n in pairs:
        print(f"    {n:>4}  {e} -> {g}")
    unread = [i for i, b in enumerate(best) if b is None]
    print(
        f"  unreadable titles (no model answer): {len(unread)}, the rules decide"
        f" {sum(1 for i in unread if ruled[i])}, right"
        f" {sum(1 for i in unread if ruled[i] == labels[i])}"
    )


def ensemble(titles, labels, extra) -> None:
    from sklearn.naive_bayes import ComplementNB

    svm, nb = {}, {a: {} for a in (0.1, 0.3, 1.0)}
    for train, test in cv_folds(labels):
        x = [titles[i] for i in train] + extra[0]
        y = [labels[i] for i in train] + extra[1]
        w = np.array([1.0] * len(train) + [WRITTEN_WEIGHT] * len(extra[0]))
        keep = trainable(y)
        x = [v for v, k in zip(x, keep, strict=True) if k]
        y = [v for v, k in zip(y, keep, strict=True) if k]
        w = w[np.array(keep)]
        pipeline = build_pipeline()
        features, model = pipeline.steps[0][1], pipeline.steps[-1][1]
        xs = features.fit_transform(x)
        xt = features.transform([titles[i] for i in test])
        model.fit(xs, y, sample_weight=w)
        classes = [str(c) for c in model.classes_]
        svm.update(zip(test, model.predict_proba(xt), strict=True))
        for a, out in nb.items():
            bayes = ComplementNB(alpha=a).fit(xs, y, sample_weight=w)
            out.update(zip(test, bayes.predict_proba(xt), strict=True))

    def decided(proba):
        got = []
        for i, t in enumerate(titles):
            j = int(np.argmax(proba[i]))
            got.append(
                title_decision((classes[j], float(proba[i][j])), t, "", ()).category
            )
        return got

    print(line("shipped recipe (SVM, calibrated)", decided(svm), labels))
    for a, p in nb.items():
        print(line(f"complement NB alpha {a:g}", decided(p), labels))
        for share in (0.25, 0.5):
            mix = {i: (1 - share) * svm[i] + share * p[i] for i in svm}
            print(line(f"  SVM + {share:.0%} NB", decided(mix), labels))


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
    parser.add_argument(
        "--parts",
        default="noise,curve,baseline,occupations,per-top,knowledge,decision,ensemble",
    )
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
    unknown = set(parts) - set(PARTS)
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
        else:
            PARTS[part](titles, labels, extra)
        print(f"  ({time.process_time() - started:.0f} s CPU)", flush=True)


PARTS = {
    "noise": noise,
    "curve": curve,
    "baseline": baseline,
    "occupations": occupations,
    "per-top": per_top,
    "knowledge": knowledge,
    "decision": decision,
    "ensemble": ensemble,
    "signals": signals,
}

if __name__ == "__main__":
    main()
