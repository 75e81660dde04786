"""`jobtrends train-categories`: a model learned from a database's source-labeled jobs,
then used by the normalizer when the configuration names it."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from crawler.normalize.category_model import load_training_titles
from crawler.normalize.classifier import CategoryClassifier
from tests.conftest import cli_env, rows, run_cli

# Canonical category -> an Upwork (top category, occupation) that maps to it.
OCCUPATION = {
    "writing": ("Writing", "Other Content Writing"),
    "translation": ("Translation", "General Translation Services"),
    "video editing & production": ("Design & Creative", "Video Editing"),
    "graphic design": ("Design & Creative", "Graphic Design"),
    "other": ("Design & Creative", "Voice Talent"),
    "web design": ("Web, Mobile & Software Dev", "Web Design"),
    "web & software development": (
        "Web, Mobile & Software Dev",
        "Full Stack Development",
    ),
    "mobile development": ("Web, Mobile & Software Dev", "Mobile App Development"),
}


def export_csv(path: Path, per_category: int = 14) -> int:
    """An upwork-api shaped file of written titles (labeled by a mapped occupation)."""
    titles, labels = load_training_titles()
    taken: dict[str, int] = {}
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "uid",
                "title",
                "published_on",
                "type",
                "hourly_rate",
                "amount_amount",
                "client_location_country",
                "occupations_category_pref_label",
                "occupations_oservice_pref_label",
            ]
        )
        for i, (title, label) in enumerate(zip(titles, labels, strict=False)):
            if label not in OCCUPATION or taken.get(label, 0) >= per_category:
                continue
            taken[label] = taken.get(label, 0) + 1
            top, occupation = OCCUPATION[label]
            out.writerow(
                [
                    str(1700000000000000000 + i),
                    title,
                    "2023-01-03T10:00:00Z",
                    "hourly",
                    "20",
                    "",
                    "Spain",
                    top,
                    occupation,
                ]
            )
    return sum(taken.values())


def test_train_categories_writes_a_model_the_normalizer_uses(tmp_path):
    db = tmp_path / "jobs.db"
    export = tmp_path / "export.csv"
    n = export_csv(export)
    run_cli(
        "import",
        str(export),
        "--format",
        "upwork-api",
        "--db",
        str(db),
        "--quiet",
        check=True,
    )
    out = tmp_path / "models" / "mine.npz"
    proc = run_cli(
        "train-categories",
        "--db",
        str(db),
        "--out",
        str(out),
        "--folds",
        "2",
        "--no-written",
        check=True,
    )
    assert f"{n} labeled jobs in {len(OCCUPATION)} categories" in proc.stdout
    assert "2-fold cross-validation" in proc.stdout
    model = CategoryClassifier.load(out)
    assert set(model.classes) == set(OCCUPATION)
    assert model.trained_on == f"jobs.db: {n} jobs"
    with np.load(out, allow_pickle=False) as data:
        assert {"design & creative", "web, mobile & software dev"} <= set(
            map(str, data["prior_keys"])
        )
        # The two top categories with 20+ labeled jobs learned their own layer
        # (Writing and Translation hold 14 each: they keep the priors).
        assert set(map(str, data["layer_keys"])) == {
            "design & creative",
            "web, mobile & software dev",
        }
    assert (
        "broad source categories with a learned layer: design & creative,"
        " web, mobile & software dev" in proc.stdout
    )
    # A job with only the top category, normalized with the configured model: refined
    # among what that model knows.
    top_only = tmp_path / "top_only.csv"
    top_only.write_text(
        "uid,title,published_on,occupations_category_pref_label\n"
        "42,Edit my travel vlog with music and captions,2023-01-04T08:00:00Z,"
        "Design & Creative\n",
        encoding="utf-8",
    )
    env = cli_env()
    env["JOBTRENDS_CATEGORY_MODEL"] = str(out)
    run_cli(
        "import",
        str(top_only),
        "--format",
        "upwork-api",
        "--db",
        str(db),
        "--quiet",
        env=env,
        check=True,
    )
    (job,) = rows(db, "SELECT * FROM jobs WHERE source_id = '42'")
    assert job["category"] == "video editing & production"
    assert job["category_method"] == "taxonomy+model"


def test_train_categories_needs_labeled_rows(tmp_path):
    db = tmp_path / "jobs.db"
    api = Path(__file__).parent / "data" / "import" / "upwork_api_jobs.csv"
    run_cli("import", str(api), "--format", "upwork-api", "--db", str(db), "--quiet")
    proc = run_cli("train-categories", "--db", str(db))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "need at least 50" in proc.stderr
