"""The dashboards, canned queries and table pages in a real browser.

Charts must draw marks (not just an empty <svg>), hostile HTML in a posting must never
run, and the console must stay free of errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.serve import load_metadata

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output"

DASHBOARDS = load_metadata()["plugins"]["datasette-dashboards"]

# Vega marks that mean "something was drawn": lines, bars, points.
MARKS = "svg.marks g.mark-line path, svg.marks g.mark-rect path, svg.marks g.mark-symbol path"


def _render_dashboard(watch, site: str, slug: str) -> dict[str, str]:
    page = watch.page
    page.goto(f"{site}/-/dashboards/{slug}")
    texts = {}
    for chart_slug, chart in DASHBOARDS[slug]["charts"].items():
        card = page.locator(f"#chart-{chart_slug}")
        if chart["library"] == "vega-lite":
            card.locator("svg.marks").wait_for(timeout=15000)
            page.wait_for_function(
                "sel => document.querySelectorAll(sel).length > 0",
                arg=MARKS.replace("svg.marks", f"#chart-{chart_slug} svg.marks"),
                timeout=15000,
            )
        elif chart["library"] == "metric":
            card.locator("p").wait_for(timeout=15000)
            texts[chart_slug] = card.locator("p").inner_text()
    return texts


def test_ai_dashboard_renders_every_chart(watched, site):
    texts = _render_dashboard(watched, site, "ai-freelance")
    # Headline figures from the seed: 17 unique dated postings, 2 sources, run 4 last.
    assert texts == {"postings": "17", "sources": "2", "months": "2022-11 to 2024-02",
                     "last-crawl": "2024-03-04 10:00", "pay-left-out": "0"}
    # The %-change bars: one per category with postings in period A.
    bars = watched.page.locator("#chart-change svg.marks g.mark-rect path")
    assert bars.count() == 3
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "dashboard.png"
    watched.page.screenshot(path=str(shot), full_page=True)
    assert watched.errors == []
    assert watched.outside == []  # Vega and the page's assets are all served locally


def test_dashboard_filters_apply(watched, site):
    watched.page.goto(f"{site}/-/dashboards/ai-freelance?source=beta&a_start=2022-11-01"
                      "&a_end=2022-12-01&b_start=2024-02-01&b_end=2024-03-01")
    watched.page.locator("#chart-postings p").wait_for(timeout=15000)
    # beta: design 2022-11, software 2024-02, design 2024-02 (the undated posting has no month).
    assert watched.page.locator("#chart-postings p").inner_text() == "3"
    assert watched.errors == []


def test_crawl_health_dashboard_renders_every_chart(watched, site):
    _render_dashboard(watched, site, "crawl-health")
    # One coverage line per field (the figures are checked in tests/test_datasette.py).
    assert watched.page.locator("#chart-coverage svg.marks g.mark-line path").count() == 3
    assert watched.errors == []
    assert watched.outside == []


def test_canned_query_page_shows_rows(watched, site):
    page = watched.page
    page.goto(f"{site}/jobs/volume_change_by_category")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 3
    first = rows.nth(0).inner_text()
    assert "software-development" in first and "200.0" in first
    # Named parameters are form fields with the values the query used.
    page.fill("input[name=source]", "alpha")
    page.click("input[type=submit]")
    page.wait_for_url("**source=alpha**")
    assert page.locator("table.rows-and-columns tbody tr").count() == 2
    assert watched.errors == []


@pytest.mark.parametrize(
    "path",
    [
        "/jobs/jobs",
        "/jobs/jobs?_search=scraper",
        "/jobs/jobs/beta~3Ax1",
        "/jobs/postings_with_skill?skill=python",
        "/jobs/jobs?_facet=title",
        "/jobs/raw_listings",
    ],
)
def test_posting_html_never_runs(watched, site, path):
    page = watched.page
    page.goto(f"{site}{path}")
    page.wait_for_load_state("networkidle")
    body = page.content()
    # The hostile title is on the page, as text.
    if "raw_listings" not in path:
        assert "window.__xss=1" in page.inner_text("body")
    for link in page.locator("a").all():
        href = link.get_attribute("href") or ""
        assert not href.strip().lower().startswith("javascript:"), href
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert watched.dialogs == []
    assert "<script>window.__xss" not in body
    assert page.locator("img[src=x]").count() == 0
    assert watched.errors == []
