"""A crawl writes while Datasette reads, a second writer runs at once, and hostile text rides
along: readers never see "database is locked", both writers finish, each listing is stored
once, hostile listing text stays inert in the browser, and config secrets appear nowhere.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from analysis.serve import free_port, start_background
from crawler import faults as F
from crawler.db import connect
from crawler.fixture_server import FIXTURES, FixtureServer
from crawler.locks import lock_path, release, try_lock
from tests.conftest import FAST, JOBTRENDS, ROOT, cli_env, require_tool
from tests.reliability.conftest import (
    FREELANCER_API,
    assert_consistent,
    freelancer_ids,
    freelancer_page,
    query,
    stored_ids,
)

XSS_TITLE = "<script>window.__xss=1</script> Python scraper needed"
XSS_DESCRIPTION = '<img src=x onerror="window.__xss=2"> scrape <a href="javascript:window.__xss=3">this</a>'
SECRET = "T0KEN-5ecret-9f8e7d"
ALL = freelancer_ids(0, 100, 200, 300, 400, 500, 600)
HOSTILE_ID = freelancer_page(0)[0]["id"]


def _hostile(data: dict) -> None:
    projects = data.get("result", {}).get("projects") or []
    if not projects or projects[0]["id"] != HOSTILE_ID:
        return
    project = projects[0]
    project["title"], project["description"] = XSS_TITLE, XSS_DESCRIPTION
    project["preview_description"] = XSS_DESCRIPTION


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=20) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("live")
    db = folder / "jobs.db"
    connect(db).close()
    config = folder / "jobtrends.toml"
    config.write_text(
        f'[monitors]\nwebhook_url = "http://127.0.0.1:9/hooks/{SECRET}"\n'
        f'[sources.freelancer]\nproxy_password = "{SECRET}"\n'
    )
    port = free_port()
    datasette = start_background(db, port=port, timeout=60)
    base = f"http://127.0.0.1:{port}/{db.stem}"
    reads: list[tuple[int, str]] = []
    stop = threading.Event()

    def reader():
        paths = [
            "/raw_listings.json?_size=5",
            ".json?sql=" + urllib.parse.quote("select count(*) from jobs"),
            "/latest_crawl_runs.json?spider=freelancer",
            "/jobs.json?_search=python&_size=5",
        ]
        i = 0
        while not stop.is_set():
            reads.append(_get(base + paths[i % len(paths)]))
            i += 1

    try:
        with FixtureServer(FIXTURES) as server:
            # every page a little slow, so the readers overlap many commits; both writers
            # read the hostile version of page 0's first listing (the job follows the
            # payload stored last, so a normal version from one writer would replace it)
            server.faults[FREELANCER_API] = [
                {**F.json_edit(_hostile), **F.slow(0.1)}
            ] * 31
            thread = threading.Thread(target=reader, daemon=True)
            thread.start()
            cmd = [
                *JOBTRENDS,
                "crawl",
                "freelancer",
                "--db",
                str(db),
                "--base-url",
                server.base_url("freelancer"),
                "--config",
                str(config),
                *FAST,
                "-s",
                "JOBTRENDS_BATCH_SIZE=25",
                "--full",
            ]
            # `crawl` takes the spider's lock, keeping two crawls of one spider apart; this
            # test wants two writers at once, so it holds the lock and hands it to both.
            lock = try_lock(lock_path(db, "freelancer"))
            try:
                writers = [
                    subprocess.Popen(
                        [*cmd, "--log-file", str(folder / f"crawl{i}.log")],
                        cwd=str(ROOT),
                        env=cli_env(),
                        stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE,
                        text=True,
                        pass_fds=(lock,),
                    )
                    for i in (1, 2)
                ]
                results = [
                    (w.wait(timeout=240), w.stdout.read(), w.stderr.read())
                    for w in writers
                ]
            finally:
                release(lock)
            stop.set()
            thread.join(30)
        yield {
            "db": db,
            "base": base,
            "reads": reads,
            "writers": results,
            "folder": folder,
        }
    finally:
        stop.set()
        datasette.terminate()
        datasette.wait(10)


def test_readers_never_see_a_locked_database(live):
    reads = live["reads"]
    assert len(reads) >= 20, f"only {len(reads)} reads overlapped the crawl"
    assert not [b for _s, b in reads if "locked" in b.lower()]
    assert {s for s, _b in reads} == {200}, {s for s, _b in reads}


def test_two_writers_at_once_both_finish_and_store_each_listing_once(live):
    for code, _out, err in live["writers"]:
        assert code == 0, err[-2000:]
    assert_consistent(live["db"])
    ids = stored_ids(live["db"], "freelancer")
    assert len(ids) == len(set(ids)) and set(ids) == ALL
    assert [r[0] for r in query(live["db"], "SELECT status FROM crawl_runs")] == [
        "finished",
        "finished",
    ]


def test_canned_query_parameters_are_bound_over_http(live):
    base = live["base"]
    status, body = _get(
        base + "/latest_crawl_runs.json?_shape=objects&spider=freelancer"
    )
    assert status == 200 and len(json.loads(body)["rows"]) == 2
    for attack in ["freelancer' OR '1'='1", "x'; DROP TABLE jobs; --", '" OR 1=1 --']:
        status, body = _get(
            base
            + "/latest_crawl_runs.json?_shape=objects&spider="
            + urllib.parse.quote(attack)
        )
        assert status == 200 and json.loads(body)["rows"] == [], attack
    status, body = _get(base + ".json?sql=" + urllib.parse.quote("DELETE FROM jobs"))
    assert status >= 400
    assert query(live["db"], "SELECT count(*) FROM jobs")[0][0] == len(ALL)


def test_hostile_listing_is_inert_in_the_browser(live):
    chromium = Path("/usr/bin/chromium")
    require_tool(str(chromium), "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import LAUNCH_ARGS

    (job_id,) = [
        r[0]
        for r in query(live["db"], "SELECT job_id FROM jobs WHERE title LIKE '%__xss%'")
    ]
    pages = [
        "/jobs?_search=scraper",
        "/jobs/" + urllib.parse.quote(job_id.replace(":", "~3A")),
        "/postings_mentioning?phrase=scraper",
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for path in pages:
                page.goto(live["base"] + path)
                page.wait_for_load_state("networkidle")
                assert "window.__xss=1" in page.inner_text("body"), (
                    path
                )  # shown, as text
                assert page.evaluate("typeof window.__xss") == "undefined", path
                assert page.locator("img[src=x]").count() == 0
                hrefs = [a.get_attribute("href") or "" for a in page.locator("a").all()]
                assert not [
                    h for h in hrefs if h.strip().lower().startswith("javascript:")
                ], path
            assert dialogs == []
        finally:
            browser.close()


def test_no_config_secret_in_logs_database_or_datasette(live):
    texts = [p.read_text(errors="replace") for p in live["folder"].glob("*.log")]
    conn = sqlite3.connect(live["db"])
    texts.append("\n".join(conn.iterdump()))
    conn.close()
    for path in [
        "/-/metadata.json",
        "/-/settings.json",
        "/crawl_runs.json?_shape=objects",
        "/-/plugins.json",
    ]:
        texts.append(
            _get(
                live["base"].rsplit("/", 1)[0] + path
                if path.startswith("/-/")
                else live["base"] + path
            )[1]
        )
    assert texts and all(SECRET not in t for t in texts)
