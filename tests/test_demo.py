"""The README's first command: `jobtrends demo` crawls the fixtures and prints a comparison."""

from __future__ import annotations

import re

from tests.conftest import rows, run_cli


def test_demo_crawls_fixtures_and_prints_the_comparison(tmp_path):
    db = tmp_path / "demo.db"
    proc = run_cli("demo", "--db", str(db), check=True, timeout=600)
    out = proc.stdout
    # Both spiders ran through Scrapy and finished cleanly.
    runs = {r["spider"]: r for r in rows(db, "SELECT * FROM crawl_runs")}
    assert set(runs) == {"upwork", "freelancer"}
    assert all(r["status"] == "finished" and r["new"] > 100 for r in runs.values())
    # The printed table agrees with the database, category by category.
    expected = {
        r["category"]: (r["a"], r["b"])
        for r in rows(
            db,
            """
            SELECT category,
                   sum(posted_at >= '2022-11-01' AND posted_at < '2022-12-01') AS a,
                   sum(posted_at >= '2024-02-01' AND posted_at < '2024-03-01') AS b
            FROM jobs WHERE dup_of IS NULL GROUP BY category""",
        )
        if r["a"] or r["b"]
    }
    printed = {}
    for line in out.splitlines():
        m = re.match(r"^([A-Za-z&, ]+?)\s{2,}(\d+)\s+(\d+)\s+", line)
        if m and m.group(1).strip() in expected:
            printed[m.group(1).strip()] = (int(m.group(2)), int(m.group(3)))
    assert printed == expected
    # The planted story is visible: writing shrank, video editing grew.
    assert expected["writing"][1] < expected["writing"][0]
    assert (
        expected["video editing & production"][1]
        > expected["video editing & production"][0]
    )
    assert "jobtrends serve" in out
