"""The labeled set holds its targets (a regression fails CI), and `jobtrends eval` runs."""

from click.testing import CliRunner

from crawler.commands.eval import TARGETS, command, load_labeled, run_eval


def test_labeled_set_size():
    labeled = load_labeled()
    total = sum(
        len(labeled[k])
        for k in (
            "pay",
            "dates",
            "categories",
            "categories_holdout",
            "categories_blind",
            "skills",
        )
    )
    assert total >= 600
    assert (
        len(labeled["pay"]) >= 250
        and len(labeled["dates"]) >= 250
        and len(labeled["categories"]) >= 200
    )


def test_targets_hold():
    report = run_eval()
    for field, target in TARGETS.items():
        r = report[field]
        assert r["accuracy"] >= target, (field, r["accuracy"], r["failures"][:10])
    # Blind titles have no tuning behind them; guard against a large regression only.
    assert report["categories_blind"]["accuracy"] >= 0.75
    # Wrong categories (not abstentions) stay rare on unseen titles.
    assert report["categories_blind"]["wrong"] <= 0.06 * report["categories_blind"]["n"]


def test_cli_eval_prints_fields(tmp_path):
    result = CliRunner().invoke(
        command, ["--db", str(tmp_path / "none.db"), "--failures", "1", "--check"]
    )
    assert result.exit_code == 0, result.output
    for field in ("pay", "dates", "categories", "skills", "category_model_labeled"):
        assert field in result.output


def test_cli_eval_bad_folder(tmp_path):
    result = CliRunner().invoke(command, ["--labeled", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "--labeled" in result.output
