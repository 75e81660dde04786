"""The dashboards, canned queries and table pages in a real browser.

Charts must draw marks (not just an empty <svg>), hostile HTML in a posting must never
run, and the console must stay free of errors.
"""

from __future__ import annotations

import json
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
    # Headline figures from the seed: the report's windows, 17 unique dated postings,
    # run 4 last.
    assert texts == {
        "compared": "2022-11 vs 2024-02",
        "postings": "17",
        "months": "2022-11 to 2024-02",
        "last-crawl": "2024-03-04 10:00",
        "pay-left-out": "0",
    }
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "dashboard.png"
    watched.page.screenshot(path=str(shot), full_page=True)
    assert watched.errors == []
    assert watched.outside == []  # Vega and the page's assets are all served locally


def test_dashboard_filters_apply(watched, site):
    watched.page.goto(f"{site}/-/dashboards/ai-freelance?source=beta")
    watched.page.locator("#chart-postings p").wait_for(timeout=15000)
    # beta: design 2022-11, software 2024-02, design 2024-02 (the undated posting has no month).
    assert watched.page.locator("#chart-postings p").inner_text() == "3"
    # No report was run for beta alone: the report charts say so instead of showing
    # the all-sources numbers.
    assert watched.page.locator("#chart-compared p").inner_text() == "no report yet"
    assert watched.errors == []


def _marks(page, chart: str, role: str) -> list[str]:
    """The aria-labels Vega gives the marks of one role ("point", "line"...) of a chart."""
    sel = f"#chart-{chart} svg.marks [aria-roledescription='{role}']"
    page.wait_for_function(
        "sel => document.querySelectorAll(sel).length > 0", arg=sel, timeout=15000
    )
    # Vega writes negative numbers with a real minus sign.
    return [
        (m.get_attribute("aria-label") or "").replace("\u2212", "-")
        for m in page.locator(sel).all()
    ]


SHARE = "% of unique postings naming the skill"  # the x title names the field


def _field(label: str, name: str) -> float:
    """A number from a mark's aria-label ("change_pct: -20; label: ...")."""
    return float(label.split(f"{name}: ", 1)[1].split(";", 1)[0])


def test_each_chart_draws_the_report_numbers(watched, site):
    """Every mark of the four question charts carries `jobtrends report`'s figure."""
    report = json.loads(Path(site.report).read_text())
    page = watched.page
    page.goto(f"{site}/-/dashboards/ai-freelance")
    volume = [
        r for r in report["volume"] if not r["suppressed"] and r["category"] != "other"
    ]
    points = _marks(page, "volume-change", "point")
    assert len(points) == len(volume) == 3
    for r in volume:
        label = next(
            p for p in points if f"{r['category']} ({r['n_a']} → {r['n_b']})" in p
        )
        assert _field(label, "change_pct") == round(r["pct"], 1), label
    pay = [r for r in report["pay"] if not r["suppressed"]]
    points = _marks(page, "pay-change", "point")
    assert len(points) == len(pay) == 2
    for r in pay:
        label = next(p for p in points if p.find(f"{r['category']} ($") >= 0)
        assert _field(label, "change_pct") == round(r["pct"], 1), label
    skills = [r for r in report["ai_skills"] if not r["suppressed"]]
    points = _marks(page, "ai-skills", "point")
    assert len(points) == 2 * len(skills)  # A and B (no base rate: no data before 2022)
    for r in skills:
        for share in (r["share_a_pct"], r["share_b_pct"]):
            assert any(
                f"({r['n_a']} → {r['n_b']})" in p
                and _field(p, SHARE) == round(share, 2)
                for p in points
            ), (r, points)
    # Postings per month: one small panel per category, one line each.
    assert len(_marks(page, "monthly", "line mark")) >= 3
    headers = page.locator("#chart-monthly svg text").all_text_contents()
    assert {"writing", "software-development", "design"} <= set(headers)
    assert watched.errors == []


def test_table_page_2_and_folded_descriptions(watched, site):
    page = watched.page
    page.goto(f"{site}/jobs/jobs?_size=5")
    # The column descriptions are folded away; the rows come first on the screen.
    fold = page.locator("details.jobtrends-column-descriptions")
    assert fold.count() == 1 and not fold.get_attribute("open")
    described = load_metadata()["databases"]["jobs"]["tables"]["jobs"]["columns"]
    assert f"About the {len(described)} columns" in fold.locator("summary").inner_text()
    first = page.locator("table.rows-and-columns tbody tr").first
    assert first.bounding_box()["y"] < 1000
    headers = page.locator("table.rows-and-columns thead th").all_inner_texts()
    headers = [h.split("\xa0")[0].strip() for h in headers]  # "posted ▲": the sort
    assert headers[:4] == ["job_id", "posted", "title", "category"]
    seen = set(page.locator("td.col-job_id").all_inner_texts())
    page.click("a[href*='_next=']")
    page.wait_for_url("**_next=**")
    again = set(page.locator("td.col-job_id").all_inner_texts())
    assert len(again) == 5 and not (seen & again)
    assert watched.errors == []


def test_public_sign_in_flow(watched, public_site):
    """Anonymous: sent to the login page.  Signed in: the dashboard draws without SQL."""
    base, password = public_site
    page = watched.page
    page.goto(f"{base}/jobs/jobs")
    assert page.url == f"{base}/-/login"
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/-/dashboards/ai-freelance")
    assert len(_marks(page, "volume-change", "point")) == 3
    assert watched.errors == []


def test_crawl_health_dashboard_renders_every_chart(watched, site):
    _render_dashboard(watched, site, "crawl-health")
    # One coverage line per field (the figures are checked in tests/test_datasette.py).
    assert (
        watched.page.locator("#chart-coverage svg.marks g.mark-line path").count() == 3
    )
    assert watched.errors == []
    assert watched.outside == []


def test_canned_query_page_shows_rows(watched, site):
    page = watched.page
    page.goto(f"{site}/jobs/volume_change_by_category")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() == 3
    first = rows.nth(0).inner_text()
    assert "software-development" in first and "200.0" in first
    # Named parameters are form fields with the values the query used: the defaults.
    assert [
        page.input_value(f"input[name={name}]")
        for name in ("a_start", "a_end", "b_start", "b_end", "source")
    ] == ["2022-11-01", "2022-12-01", "2024-02-01", "2024-03-01", "all"]
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
