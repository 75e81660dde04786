"""`jobtrends eval --upwork-api PATH`: categories measured on real, independently labeled
postings (an Upwork job-search API export: title, top category, occupation).

The truth of a row is its occupation mapped through data/taxonomy.json.  Figures:

* ``title only`` - no source category, as for a board without one: ``rules`` (the
  keyword rules alone) and ``model (k-fold CV)``: the shipping recipe
  (:mod:`crawler.normalize.category_model`) fitted on k-1 folds of these rows plus the
  written titles, scored on the held-out fold;
* ``top category + title`` - the top category only (no occupation): the same model,
  refined within the categories the top category may contain, weighed by the priors
  learned on the training folds.

The bundled model (data/category_model.npz) was trained on all rows of the project's
copy of this export, so scoring it on them would be in-sample: it is not done, the
cross-validated figures of its recipe stand for it.  No row is ever scored by a model
that learned from it.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from crawler.normalize.categories import CANONICAL_CATEGORIES

# The categories the study is about: the first six canonical ones.
STUDY_CATEGORIES = tuple(CANONICAL_CATEGORIES[:6])

_UPWORK_API_NAME = Path("shared") / "data" / "upwork-api-2022-12-31.csv"


def default_upwork_api() -> Path | None:
    """``../shared/data/upwork-api-2022-12-31.csv`` next to the working folder or the
    project checkout, if there is one."""
    root = Path(__file__).resolve().parents[2]
    for base in (Path.cwd().parent, root.parent, root.parent.parent):
        if (base / _UPWORK_API_NAME).is_file():
            return base / _UPWORK_API_NAME
    return None


TITLE_TARGET, TOP_TARGET, RECALL_TARGET, TOP_RECALL_TARGET, OTHER_MAX = (
    0.80,
    0.95,
    0.80,
    0.90,
    0.08,
)


# Columns of the export besides the title that describe the work (benchmarks measure
# whether they help).
SIGNALS = ("type", "tier", "duration", "engagement")


def load_upwork_api_labels(path: str | Path) -> list[dict]:
    """Rows with title, top (Upwork top category), occupation, broad (the top
    category's taxonomy key when it is a broad category, else None), expected
    (canonical category of the occupation) and signals (the SIGNALS columns);
    rows without title or a mapped occupation are left out.  Titles are cleaned as the
    normalizer cleans them (entities decoded, mojibake repaired: "R&amp;D" -> "R&D"), so
    a model learns and is scored on what it will be given."""
    from crawler.normalize import taxonomy_lookup
    from crawler.normalize.categories import broad_key
    from crawler.normalize.text import clean_title

    rows = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            occupation = (rec.get("occupations_oservice_pref_label") or "").strip()
            expected = taxonomy_lookup("upwork", occupation)
            title = clean_title((rec.get("title") or "").strip())
            top = (rec.get("occupations_category_pref_label") or "").strip()
            if title and expected:
                rows.append(
                    {
                        "title": title,
                        "top": top,
                        "broad": broad_key("upwork", top),
                        "expected": expected,
                        "occupation": occupation,
                        # the export's other columns about the work, for benchmarks
                        "signals": {k: (rec.get(k) or "").strip() for k in SIGNALS},
                    }
                )
    return rows


def scores(expected: list[str], got: list[str]) -> dict:
    """Accuracy, macro-F1 over the expected categories, recall and (answers, true rows)
    per category, share of "other" among the answers."""
    n = len(expected)
    labels = sorted(set(expected))
    recall, f1, counted = {}, [], {}
    for lab in labels:
        tp = sum(1 for e, g in zip(expected, got, strict=False) if e == g == lab)
        n_exp = sum(1 for e in expected if e == lab)
        n_got = sum(1 for g in got if g == lab)
        r = tp / n_exp if n_exp else 0.0
        p = tp / n_got if n_got else 0.0
        recall[lab] = r
        counted[lab] = (n_got, n_exp)
        f1.append(2 * p * r / (p + r) if p + r else 0.0)
    return {
        "n": n,
        "accuracy": sum(e == g for e, g in zip(expected, got, strict=False)) / n
        if n
        else None,
        "macro_f1": sum(f1) / len(f1) if f1 else None,
        "other_share": sum(g == "other" for g in got) / n if n else None,
        "recall": recall,
        # (answers, true rows) per category: a study counts the answers
        "counted": counted,
    }


def eval_upwork_api(path: str | Path, folds: int = 5) -> dict:
    """Every figure of the real-data section, as a dict."""
    from crawler.normalize.categories import (
        _decide,
        _taxonomy_entry,
        broad_allowed,
        rule_scores,
    )
    from crawler.normalize.category_model import cross_validate, load_training_titles

    rows = load_upwork_api_labels(path)
    if len(rows) < folds * 10:
        return {"n": len(rows), "note": f"too few labeled rows in {path}"}
    expected = [r["expected"] for r in rows]
    titles = [r["title"] for r in rows]
    entries = [_taxonomy_entry("upwork", r["top"]) if r["top"] else None for r in rows]
    broad = [e if e and e[1] else None for e in entries]

    rules = [_decide(rule_scores(t, "", ())) or "other" for t in titles]
    retrained, refined = cross_validate(
        titles,
        expected,
        folds=folds,
        extra=load_training_titles(),
        broads=[e[3] if e else None for e in broad],
        within=[broad_allowed(e) if e else None for e in broad],
    )
    # A top category that maps to one canonical category settles the row.
    retrained_top = [
        e[0] if e and not e[1] else got
        for e, got in zip(entries, refined, strict=False)
    ]
    return {
        "path": str(path),
        "n": len(rows),
        "folds": folds,
        "distribution": Counter(expected).most_common(),
        "title_only": {
            "rules": scores(expected, rules),
            f"model ({folds}-fold CV)": scores(expected, retrained),
        },
        "top_category_and_title": {
            f"model ({folds}-fold CV)": scores(expected, retrained_top),
        },
    }


def format_upwork_api(report: dict) -> list[str]:
    """The real-data section as printed lines."""
    if "note" in report:
        return [f"upwork-api: {report['note']}"]
    lines = [
        (
            f"real postings: {report['path']} ({report['n']} rows, truth = Upwork"
            f" occupation via taxonomy.json)"
        ),
        (
            f"  model = the bundled model's recipe, {report['folds']}-fold"
            " cross-validated: fitted on the other folds plus the written titles,"
            " scored on the held-out fold. The bundled model itself was trained on"
            " this file, so it is not scored on it (that would be in-sample)."
        ),
    ]
    for part, target, rec_target in (
        ("title_only", TITLE_TARGET, RECALL_TARGET),
        ("top_category_and_title", TOP_TARGET, TOP_RECALL_TARGET),
    ):
        lines.append(
            f"  {part.replace('_', ' ')} (targets: accuracy {target:.0%},"
            f" study-category recall {rec_target:.0%}"
            + (f", other <= {OTHER_MAX:.0%})" if part == "title_only" else ")")
        )
        for name, s in report[part].items():
            lines.append(
                f"    {name:<20} accuracy {s['accuracy']:.1%}  macro-F1 {s['macro_f1']:.3f}"
                f"  other {s['other_share']:.1%}"
            )
            lines.append(
                "      recall: "
                + ", ".join(
                    f"{cat} {s['recall'].get(cat, 0):.0%}" for cat in STUDY_CATEGORIES
                )
            )
            lines.append(
                "      counted / true: "
                + ", ".join(
                    f"{cat} {s['counted'][cat][0]}/{s['counted'][cat][1]}"
                    for cat in STUDY_CATEGORIES
                    if cat in s["counted"]
                )
            )
            rest = [
                f"{cat} {r:.0%}"
                for cat, r in sorted(s["recall"].items())
                if cat not in STUDY_CATEGORIES
            ]
            lines.append("              " + ", ".join(rest))
    return lines
