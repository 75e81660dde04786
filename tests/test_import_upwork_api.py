"""``import --format upwork-api`` (the job-search API export shape) and the generic
``--map`` pay columns, JSON-array files and list cells - on rows written for these tests
(tests/data/import/), never on the real export."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT, rows, run_cli

DATA = ROOT / "tests" / "data" / "import"
API = DATA / "upwork_api_jobs.csv"


def jobs_of(db: Path) -> dict:
    return {r["source_id"]: r for r in rows(db, "SELECT * FROM jobs")}


def test_upwork_api_export_rows(tmp_path):
    db = tmp_path / "jobs.db"
    proc = run_cli(
        "import", str(API), "--format", "upwork-api", "--db", str(db), "--quiet"
    )
    assert proc.returncode == 0, proc.stderr
    jobs = jobs_of(db)
    assert len(jobs) == 7
    video = jobs["1610000000000000001"]
    # hourly: the export's one rate is both bounds, exactly
    assert (
        video["pay_type"],
        video["pay_min"],
        video["pay_max"],
        video["pay_period"],
    ) == (
        "hourly",
        27.5,
        27.5,
        "hour",
    )
    assert (
        video["category"],
        video["category_method"],
        video["category_confidence"],
    ) == (
        "video editing & production",
        "taxonomy",
        1.0,
    )
    assert video["source_category"] == "Design & Creative > Video Editing"
    assert (
        video["posted_at"] == "2023-01-02T09:15:02Z"
        and video["country"] == "DE"
        and video["country_raw"] == "Germany"
    )
    logo = jobs["1610000000000000002"]
    assert (logo["pay_type"], logo["pay_min"], logo["budget_usd"]) == (
        "fixed",
        250.0,
        250.0,
    )
    assert logo["title"] == "Logo + brand kit for a café in São Paulo ☕"
    assert logo["posted_at"] == "2023-01-02T09:21:10Z"  # published_on, not created_on
    # hourly without a rate and no_budget: no pay, with the reason recorded
    issues = {
        (r["job_id"], r["field"]): r["reason"]
        for r in rows(db, "SELECT * FROM normalize_issues")
    }
    assert issues[("upwork:1610000000000000003", "pay")] == "hourly without range"
    assert issues[("upwork:1610000000000000004", "pay")] == "not stated"
    assert jobs["1610000000000000003"]["category"] == "customer service"
    # a top category without occupation: refined by the classifier inside it
    dev = jobs["1610000000000000006"]
    assert dev["category_method"] == "taxonomy+model"
    assert dev["category"] == "web & software development"
    assert 0 < dev["category_confidence"] <= 1
    # an occupation the taxonomy does not know: the top category, and an issue row
    blog = jobs["1610000000000000007"]
    assert blog["category"] == "writing" and blog["pay_type"] == "unknown"
    assert (
        issues[("upwork:1610000000000000007", "category")]
        == "occupation not in taxonomy: its parent was used"
    )
    assert blog["title"] == 'Write 5 blog posts about "keto" recipes, 1,000 words each'
    voice = jobs["1610000000000000011"]  # published_on empty: created_on
    assert voice["posted_at"] == "2023-01-02T11:30:00Z" and voice["category"] == "other"
    skips = {
        (r["reason"], r["url"]) for r in rows(db, "SELECT * FROM skipped_listings")
    }
    assert skips == {
        ("no_job_id", f"{API}:6"),  # uid written as a float: digits lost
        ("bad_date", f"{API}:9"),
        ("no_job_id", f"{API}:10"),
        ("column_count", f"{API}:11"),
    }


def test_upwork_api_header_of_another_shape_is_rejected(tmp_path):
    db = tmp_path / "jobs.db"
    proc = run_cli(
        "import",
        str(DATA / "upwork_jobs.csv"),
        "--format",
        "upwork-api",
        "--db",
        str(db),
    )
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "bad_header" in proc.stderr
    (skip,) = rows(db, "SELECT reason, detail FROM skipped_listings")
    assert skip["reason"] == "bad_header" and "uid" in skip["detail"]


def test_generic_csv_pay_columns_and_list_cells(tmp_path):
    db = tmp_path / "jobs.db"
    proc = run_cli(
        "import",
        str(DATA / "pay_columns.csv"),
        "--format",
        "csv",
        "--source",
        "payboard",
        "--map",
        "source_id=ref,title=role,posted_raw=listed,pay_min=min_pay,pay_max=max_pay,"
        "pay_type=pay_kind,pay_period=per,currency=cur,tags=skill_list",
        "--db",
        str(db),
        "--quiet",
    )
    assert proc.returncode == 0, proc.stderr
    jobs = jobs_of(db)
    cols = ("pay_type", "pay_min", "pay_max", "pay_currency", "pay_period")
    assert tuple(jobs["p-1"][c] for c in cols) == ("hourly", 40.0, 55.0, "EUR", "hour")
    assert tuple(jobs["p-2"][c] for c in cols) == (
        "salary",
        90000.0,
        120000.0,
        "USD",
        "year",
    )
    # fixed_budget with one bound: min == max, period from the pay type
    assert tuple(jobs["p-3"][c] for c in cols) == (
        "fixed",
        300.0,
        300.0,
        "GBP",
        "project",
    )
    assert jobs["p-4"]["pay_type"] == "unknown"
    assert jobs["p-5"]["pay_type"] == "unknown"  # 0 - 0 is no figure
    # list cells are stored as JSON lists, not Python reprs
    payloads = {
        r["source_id"]: json.loads(r["payload"])
        for r in rows(
            db,
            "SELECT source_id, payload_text(payload, payload_dict) AS payload FROM raw_listings",
        )
    }
    assert payloads["p-1"]["tags"] == ["Translation", "German"]
    assert payloads["p-2"]["tags"] == ["SQL", "Python", "Airflow"]
    assert payloads["p-4"]["tags"] == []
    assert payloads["p-5"]["tags"] == "['Xero', 'Bookkeeping'"  # not a list: as written
    assert {"Translation"} <= set(json.loads(jobs["p-1"]["skills"]))
    assert "SQL" in json.loads(jobs["p-2"]["skills"])


def test_generic_json_array_file(tmp_path):
    db = tmp_path / "jobs.db"
    path = DATA / "array_board.json"
    proc = run_cli(
        "import",
        str(path),
        "--format",
        "jsonl",
        "--source",
        "arrayboard",
        "--map",
        "source_id=id,title=title,posted_raw=posted,pay_min=pay.low,pay_max=pay.high,"
        "pay_period=pay.unit,currency=pay.ccy,tags=tags",
        "--db",
        str(db),
        "--quiet",
    )
    assert proc.returncode == 0, proc.stderr
    jobs = jobs_of(db)
    assert sorted(jobs) == ["a-1", "a-2"]
    a1 = jobs["a-1"]
    assert (a1["pay_type"], a1["pay_min"], a1["pay_max"], a1["pay_period"]) == (
        "hourly",
        30.0,
        45.0,
        "hour",
    )
    assert a1["category"] == "mobile development"
    assert "Flutter" in json.loads(a1["skills"])
    a2 = jobs["a-2"]
    assert a2["title"] == "Rédacteur web SEO – articles de blog"
    # per word is no pay period of the project: no pay is made up, the reason is kept
    assert a2["pay_type"] == "unknown" and a2["category"] == "writing"
    (issue,) = rows(
        db,
        "SELECT * FROM normalize_issues WHERE job_id = 'arrayboard:a-2' AND field = 'pay'",
    )
    assert issue["raw_value"] == "0.08-None EUR per word"
    skips = {
        (r["reason"], r["url"]) for r in rows(db, "SELECT * FROM skipped_listings")
    }
    assert skips == {("not_object", f"{path}:[2]"), ("no_id", f"{path}:[3]")}
