"""The freelancer spider: paging the projects API on the loopback fixture server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from crawler.fixture_server import FIXTURES
from tests.conftest import rows


def fixture_projects() -> dict[str, dict]:
    routes = json.loads((FIXTURES / "freelancer" / "routes.json").read_text())["routes"]
    out = {}
    for route in routes:
        data = json.loads((FIXTURES / "freelancer" / route["file"]).read_text())
        for p in data["result"]["projects"]:
            out[str(p["id"])] = p
    return out


def test_crawl_pages_until_empty_and_stores_every_project(crawl, fresh_server):
    projects = fixture_projects()
    _, db = crawl("freelancer", fresh_server)
    stored = rows(
        db,
        "SELECT source_id, payload_text(payload, payload_dict) AS payload FROM raw_listings",
    )
    assert {r["source_id"] for r in stored} == set(projects)
    for r in stored:
        assert json.loads(r["payload"]) == projects[r["source_id"]]  # exact object
    pages = [p for p in fresh_server.requests if "/projects/active/" in p]
    assert (
        len(pages)
        == len(set(pages))
        == len(
            json.loads((FIXTURES / "freelancer" / "routes.json").read_text())["routes"]
        )
    )
    assert all("full_description=true" in p and "job_details=true" in p for p in pages)


def test_fields_of_projects(crawl, fixture_server):
    projects = fixture_projects()
    _, db = crawl("freelancer", fixture_server)
    hourly = next(
        p
        for p in projects.values()
        if p["type"] == "hourly" and p["budget"].get("maximum")
    )
    job = rows(
        db, "SELECT * FROM jobs WHERE job_id = ?", (f"freelancer:{hourly['id']}",)
    )[0]
    assert job["title"] == hourly["title"]
    assert job["posted_at"] == datetime.fromtimestamp(
        hourly["time_submitted"], UTC
    ).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (
        job["pay_type"],
        job["pay_min"],
        job["pay_max"],
        job["pay_currency"],
        job["pay_period"],
    ) == (
        "hourly",
        hourly["budget"]["minimum"],
        hourly["budget"]["maximum"],
        hourly["currency"]["code"],
        "hour",
    )
    if hourly["currency"]["code"] == "USD":
        assert (
            job["hourly_usd_mid"]
            == (hourly["budget"]["minimum"] + hourly["budget"]["maximum"]) / 2
        )
    skills = set(json.loads(job["skills"]))
    assert skills, "skills from jobs[].name"
    foreign = next(
        (
            p
            for p in projects.values()
            if p["currency"]["code"] not in ("USD",) and p["type"] == "fixed"
        ),
        None,
    )
    if foreign:
        job = rows(
            db, "SELECT * FROM jobs WHERE job_id = ?", (f"freelancer:{foreign['id']}",)
        )[0]
        assert job["pay_currency"] == foreign["currency"]["code"]
        assert job["budget_usd"] is not None and job["hourly_usd_mid"] is None
    open_max = next(
        (p for p in projects.values() if p["budget"].get("maximum") is None), None
    )
    if open_max:
        job = rows(
            db, "SELECT * FROM jobs WHERE job_id = ?", (f"freelancer:{open_max['id']}",)
        )[0]
        assert job["pay_min"] == open_max["budget"]["minimum"]


def test_max_pages_bounds_paging(crawl, fresh_server):
    _, db = crawl("freelancer", fresh_server, "-a", "max_pages=2")
    pages = [p for p in fresh_server.requests if "/projects/active/" in p]
    assert len(pages) == 2
    assert rows(db, "SELECT count(*) n FROM raw_listings")[0]["n"] == 200
