"""`jobtrends capture`: record responses from the loopback server, then detect field drift."""

from __future__ import annotations

import json

from crawler.capture import json_paths, structure
from crawler.fixture_server import FixtureServer
from tests.conftest import run_cli
from tests.ops.conftest import write_freelancer


def test_capture_records_fixtures_the_server_can_replay(tmp_path, gen_root, gen_server):
    write_freelancer(gen_root, pages=3, per_page=5)
    out = tmp_path / "captured" / "freelancer"
    proc = run_cli(
        "capture",
        "freelancer",
        "--base-url",
        gen_server.base_url("freelancer"),
        "--out",
        str(out),
        "-a",
        "limit=5",
        "-a",
        "max_pages=3",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    routes = json.loads((out / "routes.json").read_text())["routes"]
    assert [r["query"]["offset"] for r in routes] == ["0", "5", "10"]
    assert all(r["path"] == "/api/projects/0.1/projects/active/" for r in routes)
    original = (gen_root / "freelancer" / "page1.json").read_bytes()
    assert (out / routes[1]["file"]).read_bytes() == original
    # The capture replays: a crawl of the captured folder stores the same 15 listings.
    with FixtureServer(out.parent) as replay:
        db = tmp_path / "r.db"
        run_cli(
            "crawl",
            "freelancer",
            "--db",
            str(db),
            "--base-url",
            replay.base_url("freelancer"),
            "-a",
            "limit=5",
            "-a",
            "max_pages=3",
            check=True,
        )
    import sqlite3

    assert (
        sqlite3.connect(db).execute("SELECT count(*) FROM raw_listings").fetchone()[0]
        == 15
    )

    # No change at the source: no drift.
    same = run_cli(
        "capture",
        "freelancer",
        "--check",
        "--base-url",
        gen_server.base_url("freelancer"),
        "--out",
        str(out),
        "-a",
        "limit=5",
        "-a",
        "max_pages=2",
    )
    assert same.returncode == 0, same.stdout + same.stderr
    assert "DRIFT" not in same.stdout and same.stdout.count("ok ") == 2

    # The source drops its date field and adds another: reported, exit status 1.
    write_freelancer(gen_root, pages=3, per_page=5, dated=False)
    page = json.loads((gen_root / "freelancer" / "page0.json").read_text())
    page["result"]["projects"][0]["bid_stats"] = {"bid_count": 3}
    (gen_root / "freelancer" / "page0.json").write_text(json.dumps(page))
    drift = run_cli(
        "capture",
        "freelancer",
        "--check",
        "--base-url",
        gen_server.base_url("freelancer"),
        "--out",
        str(out),
        "-a",
        "limit=5",
        "-a",
        "max_pages=2",
    )
    assert drift.returncode == 1
    assert "  - result.projects[].time_submitted" in drift.stdout
    assert "  + result.projects[].bid_stats.bid_count" in drift.stdout
    assert drift.stdout.count("DRIFT") == 2


def test_structure_of_json_and_xml():
    assert json_paths({"a": [{"b": 1}, {"c": None}], "d": {}}) == {
        "a",
        "a[]",
        "a[].b",
        "a[].c",
        "d",
    }
    rss = b"<rss><channel><item><title>x</title><pubDate>y</pubDate></item></channel></rss>"
    assert structure(rss, "application/rss+xml") == {
        "rss",
        "rss/channel",
        "rss/channel/item",
        "rss/channel/item/title",
        "rss/channel/item/pubDate",
    }
    assert structure(b"plain words", "text/plain") is None
