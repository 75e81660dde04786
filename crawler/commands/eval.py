"""`jobtrends eval`: accuracy of the normalizer on the labeled set (tests/labeled/).

Prints accuracy per field (pay exact match, dates, categories, skills) and the failures
grouped by (expected -> got), and compares the category rules with a TF-IDF + logistic
regression model on held-out rows.  ``--db`` adds a second category check on crawled
data: rows whose category came from a source taxonomy are the labels, and the rules
(and the model) are scored on title + skills alone.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
from collections import Counter
from datetime import datetime
from pathlib import Path

import click

from crawler.bundled import LABELED
from crawler.commands._options import db_option

LABELED_DIR = LABELED  # tests/labeled/ in a checkout, a copy in an installed wheel
TARGETS = {"pay": 0.98, "dates": 0.99, "categories": 0.90, "categories_holdout": 0.90}


# --- loading ---------------------------------------------------------------------------


def _jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [
        json.loads(line)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def load_labeled(directory: Path = LABELED_DIR) -> dict[str, list[dict]]:
    """All labeled cases: ``load_labeled()["pay"][0]`` -> ``{"text": ..., "expected": ...}``."""
    directory = Path(directory)
    return {
        "pay": _jsonl(directory / "pay.jsonl")
        + _jsonl(directory / "pay_handwritten.jsonl"),
        "dates": _jsonl(directory / "dates.jsonl"),
        "categories": _category_tsv(directory / "categories.tsv"),
        "categories_holdout": _category_tsv(directory / "categories_holdout.tsv"),
        "categories_blind": _category_tsv(directory / "categories_blind.tsv"),
        "skills": _jsonl(directory / "skills.jsonl"),
    }


def _category_tsv(path: Path) -> list[dict]:
    cats = []
    if not path.exists():
        return cats
    with path.open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if not row or row[0].startswith("#"):
                continue
            source, source_category, title, skills, expected = (row + [""] * 5)[:5]
            cats.append(
                {
                    "source": source,
                    "source_category": source_category or None,
                    "title": title,
                    "skills": [s for s in skills.split(";") if s.strip()],
                    "expected": expected,
                }
            )
    return cats


# --- scoring ---------------------------------------------------------------------------


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def eval_pay(cases: list[dict]) -> dict:
    from crawler.normalize import parse_pay

    failures = []
    for case in cases:
        got = parse_pay(case["text"], currency_hint=case.get("hint"))
        exp = case["expected"]
        if exp is None:
            ok = got is None
        else:
            ok = (
                got is not None
                and got.pay_type == exp["pay_type"]
                and got.currency == exp["currency"]
                and got.period == exp["period"]
                and _close(got.min, exp["min"])
                and _close(got.max, exp["max"])
            )
        if not ok:
            got_d = (
                None
                if got is None
                else {
                    k: getattr(got, k)
                    for k in ("pay_type", "min", "max", "currency", "period")
                }
            )
            failures.append(
                {
                    "input": case["text"],
                    "hint": case.get("hint"),
                    "expected": exp,
                    "got": got_d,
                    "group": (case.get("form", "?"), "fail"),
                }
            )
    return _summary(len(cases), failures)


def eval_dates(cases: list[dict]) -> dict:
    from crawler.normalize import parse_posted

    failures = []
    for case in cases:
        now = datetime.fromisoformat(case["now"])
        got = parse_posted(case["text"], now=now)
        got_s = got.strftime("%Y-%m-%dT%H:%M:%SZ") if got else None
        if got_s != case["expected"]:
            failures.append(
                {
                    "input": case["text"],
                    "expected": case["expected"],
                    "got": got_s,
                    "group": (case.get("form", "?"), "fail"),
                }
            )
    return _summary(len(cases), failures)


def eval_categories(cases: list[dict]) -> dict:
    from crawler.normalize import categorize, match_skills

    failures = []
    methods = Counter()
    for case in cases:
        skills = match_skills(case["skills"], case["title"])
        got, method = categorize(
            case["source"], case["source_category"], case["title"], "", skills
        )
        methods[method] += 1
        if got != case["expected"]:
            failures.append(
                {
                    "input": f"{case['source']}|{case['source_category'] or ''}|{case['title']}",
                    "expected": case["expected"],
                    "got": got,
                    "group": (case["expected"], got),
                }
            )
    out = _summary(len(cases), failures)
    out["methods"] = dict(methods)
    # Precision of the decisions that are not "other": a wrong category is worse than
    # an abstention, which the analysis can count and show.
    wrong = sum(1 for f in failures if f["got"] != "other")
    out["abstained"] = sum(1 for f in failures if f["got"] == "other")
    out["wrong"] = wrong
    return out


def eval_skills(cases: list[dict]) -> dict:
    from crawler.normalize import match_skills

    failures = []
    for case in cases:
        got = sorted(s.name for s in match_skills(case["tags"], case["text"]))
        if got != sorted(case["expected"]):
            failures.append(
                {
                    "input": f"{case['tags']} | {case['text']}",
                    "expected": sorted(case["expected"]),
                    "got": got,
                    "group": ("skills", "fail"),
                }
            )
    return _summary(len(cases), failures)


def _summary(n: int, failures: list[dict]) -> dict:
    return {
        "n": n,
        "correct": n - len(failures),
        "accuracy": (n - len(failures)) / n if n else None,
        "confusion": Counter(
            f"{a} -> {b}" for a, b in (f["group"] for f in failures)
        ).most_common(),
        "failures": failures,
    }


def _held_out(key: str, fraction: float = 0.3) -> bool:
    """Deterministic split: the same row is always on the same side."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < fraction


def compare_rules_and_model(rows: list[dict]) -> dict:
    """Rules vs a TF-IDF + logistic regression model on held-out rows.

    ``rows``: dicts with title, skills (names), text and expected.  Rules see no source
    category here, so this measures the fallback path that categorize() uses for sources
    without categories.
    """
    from crawler.normalize import categorize
    from crawler.normalize.categories import train_category_model

    train = [r for r in rows if not _held_out(r["title"] + "|" + ";".join(r["skills"]))]
    test = [r for r in rows if _held_out(r["title"] + "|" + ";".join(r["skills"]))]
    if len(train) < 20 or len(test) < 5 or len({r["expected"] for r in train}) < 2:
        return {
            "n_train": len(train),
            "n_test": len(test),
            "rules": None,
            "model": None,
            "note": "too few labeled rows for a held-out comparison",
        }
    rules_ok = sum(
        categorize("", None, r["title"], r.get("text", ""), r["skills"])[0]
        == r["expected"]
        for r in test
    )
    model = train_category_model(train)
    model_ok = sum(
        model.predict_one(r["title"], r.get("text", ""), r["skills"]) == r["expected"]
        for r in test
    )
    return {
        "n_train": len(train),
        "n_test": len(test),
        "rules": rules_ok / len(test),
        "model": model_ok / len(test),
    }


def db_category_rows(db_path: str, limit: int = 5000) -> list[dict]:
    """Rows from ``jobs`` whose category came from a source taxonomy (the labels)."""
    import sqlite3

    if not os.path.exists(db_path):
        return []
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        cur = conn.execute(
            "SELECT title, skills, substr(description, 1, 2000), category FROM jobs"
            " WHERE category_method = 'taxonomy' AND category != 'other' LIMIT ?",
            (limit,),
        )
        rows = []
        for title, skills, text, category in cur:
            try:
                names = json.loads(skills) if skills else []
            except ValueError:
                names = []
            rows.append(
                {
                    "title": title or "",
                    "skills": names,
                    "text": text or "",
                    "expected": category,
                }
            )
        return rows
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def db_unmapped(db_path: str) -> list[tuple[str, str, int]]:
    """Source categories in the database that the taxonomy does not map."""
    import sqlite3

    from crawler.normalize import count_unmapped

    if not os.path.exists(db_path):
        return []
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return count_unmapped(conn)
    except sqlite3.Error:
        return []
    finally:
        conn.close()


def run_eval(directory: Path = LABELED_DIR, db_path: str | None = None) -> dict:
    """Everything `jobtrends eval` prints, as a dict."""
    labeled = load_labeled(directory)
    report = {
        "pay": eval_pay(labeled["pay"]),
        "dates": eval_dates(labeled["dates"]),
        "categories": eval_categories(labeled["categories"]),
        "categories_holdout": eval_categories(labeled["categories_holdout"]),
        "categories_blind": eval_categories(labeled["categories_blind"]),
        "skills": eval_skills(labeled["skills"]),
    }
    no_source = [
        {
            "title": c["title"],
            "skills": c["skills"],
            "text": "",
            "expected": c["expected"],
        }
        for c in labeled["categories"]
        if not c["source_category"]
    ]
    report["category_model_labeled"] = compare_rules_and_model(no_source)
    if db_path:
        report["unmapped_categories"] = db_unmapped(db_path)
        rows = db_category_rows(db_path)
        report["category_model_db"] = (
            compare_rules_and_model(rows)
            if rows
            else {"note": "no taxonomy-labeled rows in the database"}
        )
    return report


@click.command(name="eval")
@db_option
@click.option(
    "--labeled",
    "labeled_dir",
    type=click.Path(file_okay=False),
    default=str(LABELED_DIR),
    show_default=True,
    help="Folder with the labeled cases.",
)
@click.option(
    "--failures",
    "show_failures",
    default=10,
    show_default=True,
    help="Failures to list per field.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@click.option(
    "--check", is_flag=True, help="Exit with status 1 when a target is missed."
)
def command(
    db_path: str, labeled_dir: str, show_failures: int, as_json: bool, check: bool
) -> None:
    """Accuracy of the normalizer on the labeled set (targets: pay 98%, dates 99%, categories 90%)."""
    if not Path(labeled_dir).is_dir():
        raise click.UsageError(
            f"--labeled {labeled_dir} is not a folder; point it at a folder like"
            f" {LABELED_DIR} (the default)"
        )
    report = run_eval(Path(labeled_dir), db_path)
    if as_json:
        click.echo(json.dumps(report, indent=1, default=str))
    else:
        for field in (
            "pay",
            "dates",
            "categories",
            "categories_holdout",
            "categories_blind",
            "skills",
        ):
            r = report[field]
            target = TARGETS.get(field)
            acc = r["accuracy"]
            mark = (
                ""
                if target is None
                else (" ok" if acc is not None and acc >= target else " BELOW TARGET")
            )
            tgt = f" (target {target:.0%})" if target else ""
            acc_s = "n/a" if acc is None else f"{acc:.2%}"
            click.echo(f"{field:<18} {r['correct']:>4}/{r['n']:<4} {acc_s}{tgt}{mark}")
            if "wrong" in r:
                click.echo(
                    f"{'':<18} failures: {r['abstained']} abstained (-> other), {r['wrong']} wrong category"
                )
            for group, count in r["confusion"][:8]:
                click.echo(f"    {count:>3}  {group}")
            for f in r["failures"][:show_failures]:
                click.echo(
                    f"      {f['input']!r}: expected {f['expected']} got {f['got']}"
                )
        if report.get("unmapped_categories"):
            click.echo(
                "unmapped source categories (add them to crawler/normalize/data/taxonomy.json):"
            )
            for source, value, n in report["unmapped_categories"][:20]:
                click.echo(f"    {n:>6}  {source}: {value}")
        for key in ("category_model_labeled", "category_model_db"):
            if key in report:
                m = report[key]
                if m.get("rules") is None:
                    click.echo(f"{key}: {m.get('note')}")
                else:
                    click.echo(
                        f"{key}: held-out n={m['n_test']} (train {m['n_train']}): "
                        f"rules {m['rules']:.2%}, model {m['model']:.2%}"
                    )
    if check:
        missed = [f for f, t in TARGETS.items() if (report[f]["accuracy"] or 0) < t]
        if missed:
            raise SystemExit(1)
