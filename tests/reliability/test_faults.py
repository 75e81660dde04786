"""Under each fault a crawl finishes: good listings stored once, losses recorded, exit status honest.

All scenarios crawl at once (module fixture: one fixture server and one `jobtrends crawl`
subprocess each, a few in parallel) and each test then reads its own scenario's outcome.
Most crawl freelancer with ``max_pages=3`` (pages at offsets 0, 100, 200).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from crawler import faults as F
from crawler.fixture_server import FIXTURES, FixtureServer
from tests.conftest import FAST, ROOT, cli_env
from tests.reliability.conftest import (
    FREELANCER_API,
    QUICK,
    freelancer_ids,
    freelancer_page,
    query,
    stored_ids,
    upwork_feed_ids,
)

QUICK_SETTINGS = dict(p.split("=", 1) for p in QUICK[1::2])
PAGE2 = f"{FREELANCER_API}?limit=100&offset=100&full_description=true&job_details=true"
UPWORK_FEED = (
    "https://www.upwork.com/ab/feed/jobs/rss?q=bookkeeping&sort=recency&paging=0%3B50"
)
UPWORK_PATH = "/upwork/ab/feed/jobs/rss"
P0 = "freelancer/api/projects-active-0.json"


def _repeat_first_20_of_page1(data: dict) -> None:
    data["result"]["projects"] = freelancer_page(0)[:20] + data["result"]["projects"]


def _drop_result(data: dict) -> None:
    data["result_v2"] = data.pop("result")


@dataclass
class Scenario:
    faults: list  # the queue for the scenario's path prefix
    expected: set[str]  # listing ids that must be stored (each once)
    exit_ok: bool  # exit status 0 expected?
    skipped: dict[str, int] = field(
        default_factory=dict
    )  # reason -> count in skipped_listings
    spider: str = "freelancer"
    prefix: str = FREELANCER_API
    extra: tuple = ("-a", "max_pages=3")
    stats: dict = field(default_factory=dict)  # stats JSON entries that must match
    max_api_requests: int | None = None


ALL3 = freelancer_ids(0, 100, 200)
PAGE1 = freelancer_ids(0)
RENAMED = {str(p["id"]) for i, p in enumerate(freelancer_page(100)) if i % 10 == 0}
TRUNC_AT = int(len((FIXTURES / "upwork/feeds/bookkeeping-p0.xml").read_bytes()) * 0.6)

SCENARIOS: dict[str, Scenario] = {
    "clean": Scenario([], ALL3, True),
    "429_retry_after": Scenario(
        [F.status(429, "1")], ALL3, True, stats={"jobtrends/retry_after_waits": 1}
    ),
    "503_retry_after": Scenario(
        [F.OK, F.status(503, "1")], ALL3, True, stats={"jobtrends/retry_after_waits": 1}
    ),
    "burst_500_502": Scenario(
        [F.OK, F.status(500), F.status(502)], ALL3, True, stats={"retry/count": 2}
    ),
    "burst_given_up": Scenario(
        [F.OK, F.status(500), F.status(502), F.status(500)],
        PAGE1,
        False,
        {"http_500": 1},
        stats={"retry/max_reached": 1},
    ),
    # twisted retries once by itself on a reused connection; the second reset is Scrapy's
    "connection_reset": Scenario(
        [F.OK, F.reset(), F.reset()], ALL3, True, max_api_requests=5
    ),
    "slow_once": Scenario(
        [F.OK, F.slow(2.5)],
        ALL3,
        True,
        extra=("-a", "max_pages=3", "-s", "DOWNLOAD_TIMEOUT=1"),
    ),
    "slow_always": Scenario(
        [F.OK, F.slow(2.5), F.slow(2.5), F.slow(2.5)],
        PAGE1,
        False,
        {"timeout": 1},
        extra=("-a", "max_pages=3", "-s", "DOWNLOAD_TIMEOUT=1"),
    ),
    "truncated_json": Scenario([F.OK, F.truncated(0.5)], PAGE1, False, {"bad_json": 1}),
    "invalid_utf8": Scenario([F.OK, F.invalid_utf8()], ALL3, True, {"bad_encoding": 1}),
    "corrupt_gzip": Scenario(
        [F.OK, F.corrupt_gzip()], PAGE1, False, {"corrupt_compression": 1}
    ),
    "oversized_body": Scenario(
        [F.OK, F.oversized(3_000_000)],
        PAGE1,
        False,
        {"too_large": 1},
        extra=("-a", "max_pages=3", "-s", "DOWNLOAD_MAXSIZE=1000000"),
    ),
    "redirect_loop": Scenario(
        [F.OK] + [F.redirect_to(PAGE2)] * 40, PAGE1, False, {"redirect_loop": 1}
    ),
    "renamed_id_field": Scenario(
        [F.OK, F.rename_field("id", "project_id", every=10)],
        ALL3 - RENAMED,
        True,
        {"no_id": len(RENAMED)},
    ),
    "renamed_result": Scenario(
        [F.OK, F.json_edit(_drop_result)], PAGE1, False, {"no_projects": 1}
    ),
    "repeated_listings": Scenario(
        [F.OK, F.json_edit(_repeat_first_20_of_page1)], ALL3, True
    ),
    "pagination_cycle": Scenario(
        [F.OK, F.OK, F.OK, F.serve_file(P0)],
        ALL3,
        True,
        extra=("-a", "max_pages=1000"),
        stats={"jobtrends/pagination_repeat": 1},
        max_api_requests=4,
    ),
    "always_full_page": Scenario(
        [F.serve_file(P0)] * 200,
        PAGE1,
        True,
        extra=("-a", "max_pages=1000"),
        stats={"jobtrends/pagination_repeat": 1},
        max_api_requests=2,
    ),
    "malformed_xml_truncated": Scenario(
        [F.truncated(0.6)],
        upwork_feed_ids("bookkeeping-p0.xml", TRUNC_AT),
        False,
        {"truncated_xml": 1},
        spider="upwork",
        prefix=UPWORK_PATH,
        extra=("-a", f"feeds={UPWORK_FEED}", "-a", "max_pages=1"),
    ),
    "malformed_xml_item": Scenario(
        [F.rewrite(lambda b: b.replace(b"</title>", b"</title><broken & <", 1))],
        upwork_feed_ids("bookkeeping-p0.xml"),
        True,
        {"malformed_xml": 1},
        spider="upwork",
        prefix=UPWORK_PATH,
        extra=("-a", f"feeds={UPWORK_FEED}", "-a", "max_pages=1"),
    ),
}


@dataclass
class Outcome:
    status: str | None
    db: Path
    log: str
    requests: list[str]


def _settings(extra: tuple) -> tuple[dict, dict]:
    """Spider args and Scrapy settings from a scenario's ``-a``/``-s`` pairs."""
    args, settings = {}, dict(QUICK_SETTINGS)
    for flag, pair in zip(extra[::2], extra[1::2], strict=False):
        key, _, value = pair.partition("=")
        (args if flag == "-a" else settings)[key] = value
    return args, settings


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Every scenario crawled at once in one Scrapy process, each against its own server."""
    folder = tmp_path_factory.mktemp("faults")
    servers, specs = {}, []
    try:
        for name, scenario in SCENARIOS.items():
            server = servers[name] = FixtureServer(FIXTURES).start()
            server.faults[scenario.prefix] = list(scenario.faults)
            args, settings = _settings(scenario.extra)
            specs.append(
                {
                    "spider": scenario.spider,
                    "db": str(folder / f"{name}.db"),
                    "settings": settings,
                    "args": {**args, "base_url": server.base_url(scenario.spider)},
                }
            )
        (folder / "specs.json").write_text(json.dumps(specs))
        log = folder / "crawl.log"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.reliability._multicrawl",
                str(folder / "specs.json"),
                str(log),
            ],
            cwd=str(ROOT),
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        status = {
            json.loads(line)["db"]: json.loads(line)["status"]
            for line in proc.stdout.splitlines()
            if line.startswith("{")
        }
        text = log.read_text()
        return {
            name: Outcome(
                status.get(str(folder / f"{name}.db")),
                folder / f"{name}.db",
                text,
                list(servers[name].requests),
            )
            for name in SCENARIOS
        }
    finally:
        for server in servers.values():
            server.stop()


def test_cli_exit_status_reflects_a_given_up_page(crawl, fresh_server):
    """Through the real CLI: a page given up after retries -> exit 1, status partial, page recorded."""
    fresh_server.faults[FREELANCER_API] = [
        F.OK,
        F.status(503),
        F.status(503),
        F.status(503),
    ]
    proc, db = crawl(
        "freelancer",
        fresh_server,
        *QUICK[len(FAST) :],
        "-a",
        "max_pages=2",
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "partial" in proc.stdout and "did not finish cleanly" in proc.stderr
    assert set(stored_ids(db, "freelancer")) == PAGE1
    assert [r["reason"] for r in query(db, "SELECT reason FROM skipped_listings")] == [
        "http_503"
    ]


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_fault(name, outcomes):
    scenario, outcome = SCENARIOS[name], outcomes[name]
    context = f"{name}: status {outcome.status}; requests {outcome.requests[:12]}"
    assert outcome.db.exists(), context
    # every good listing stored exactly once, nothing else stored
    ids = stored_ids(outcome.db, scenario.spider)
    assert len(ids) == len(set(ids)), context
    assert set(ids) == scenario.expected, (
        f"lost {len(scenario.expected - set(ids))}, extra {len(set(ids) - scenario.expected)}\n{context}"
    )
    # the run record tells what happened
    (run,) = query(outcome.db, "SELECT * FROM crawl_runs")
    stats = json.loads(run["stats"])
    # `jobtrends crawl` exits 0 exactly when every run's status is finished
    assert (run["status"] == "finished") == scenario.exit_ok, (
        f"{run['status']} {context}"
    )
    assert outcome.status == run["status"]
    if not scenario.exit_ok:
        assert run["status"] in ("partial", "failed"), context
    reasons: dict[str, int] = {}
    for r in query(outcome.db, "SELECT reason, url, detail FROM skipped_listings"):
        reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
        assert r["url"] and r["detail"], f"skip without url/detail: {dict(r)}"
        assert r["reason"] in outcome.log or r["url"] in outcome.log, (
            "every skip is logged"
        )
    for reason, count in scenario.skipped.items():
        assert reasons.get(reason) == count, f"{reasons}\n{context}"
    assert run["skipped"] == sum(reasons.values()), context
    if not scenario.exit_ok:
        assert reasons, f"a lost page must be recorded with its reason\n{context}"
    for key, value in scenario.stats.items():
        assert stats.get(key) == value, f"{key}={stats.get(key)}\n{context}"
    api = [p for p in outcome.requests if p.startswith(scenario.prefix)]
    if scenario.max_api_requests is not None:
        assert len(api) <= scenario.max_api_requests, context


def test_repeated_listings_are_counted_as_duplicates(outcomes):
    outcome = outcomes["repeated_listings"]
    (run,) = query(outcome.db, "SELECT * FROM crawl_runs")
    assert run["new"] == len(ALL3)
    assert run["duplicates"] + run["unchanged"] == 20


def test_oversized_body_is_not_read_into_memory(outcomes):
    """The size limit stops the download early: the crawl's peak memory stays far below the body."""
    outcome = outcomes["oversized_body"]
    (run,) = query(outcome.db, "SELECT stats FROM crawl_runs")
    stats = json.loads(run["stats"])
    assert stats.get("downloader/response_bytes", 0) < 3_000_000
