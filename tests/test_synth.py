"""The synthetic generator: determinism, real formats, planted effects, streaming, reposts."""

from __future__ import annotations

import inspect
import json
import re
import sqlite3
import statistics
import time
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from analysis.effects import NO_EFFECTS, SEED_STUDY, EffectPlan, seasonality
from analysis.synth import (
    _UPWORK_CATEGORY_TO_CANONICAL,
    REALISTIC,
    generate,
    iter_postings,
    month_starts,
    to_raw,
    volume_table,
    write_fixture_tree,
)
from crawler.payloads import json_payload, rss_items

ROOT = Path(__file__).resolve().parent.parent
NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "atom": "http://www.w3.org/2005/Atom",
}
NOV22, FEB24 = "2022-11", "2024-02"


def _unique_counts(postings) -> Counter:
    return Counter((p.category, p.month) for p in postings if p.repost_of is None)


# ------------------------------------------------------------------ determinism


def test_same_seed_same_payloads_and_other_seed_differs():
    args = {"rows": 400, "seed": 7}
    a = [
        (r.source, r.source_id, r.payload)
        for r in generate(date(2023, 1, 1), date(2023, 3, 31), **args)
    ]
    b = [
        (r.source, r.source_id, r.payload)
        for r in generate(date(2023, 1, 1), date(2023, 3, 31), **args)
    ]
    c = [
        (r.source, r.source_id, r.payload)
        for r in generate(date(2023, 1, 1), date(2023, 3, 31), rows=400, seed=8)
    ]
    assert a == b
    assert a != c
    assert len({(s, i) for s, i, _ in a}) == 400  # ids unique


def test_generate_streams_in_time_order_without_building_all_rows():
    gen = generate(date(2022, 1, 1), date(2024, 6, 30), rows=20_000_000, seed=1)
    assert inspect.isgenerator(gen)
    t0 = time.perf_counter()
    first = list(islice(gen, 200))
    # 20 million rows could not be built in this time: the generator yields lazily.
    assert time.perf_counter() - t0 < 5
    assert len(first) == 200
    times = [
        p.posted_at
        for p in islice(
            iter_postings(date(2022, 12, 1), date(2023, 2, 28), rows=600), 600
        )
    ]
    assert times == sorted(times)
    assert times[0].date() >= date(2022, 12, 1) and times[-1].date() <= date(
        2023, 2, 28
    )


def test_volume_table_sums_exactly_and_rejects_bad_input():
    table = volume_table(date(2022, 3, 15), date(2023, 2, 10), rows=12_345)
    assert sum(table.values()) == 12_345
    assert min(k[0] for k in table) == date(2022, 3, 1)
    with pytest.raises(ValueError):
        volume_table(
            date(2022, 1, 1), date(2022, 12, 31), rows=10, sources=("monster",)
        )
    with pytest.raises(ValueError):
        volume_table(date(2023, 1, 1), date(2022, 12, 31), rows=10)


# ------------------------------------------------------------------ formats


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    out = tmp_path_factory.mktemp("tree")
    raws = list(generate(date(2023, 11, 1), date(2024, 2, 29), rows=1500, seed=3))
    counts = write_fixture_tree(out, raws, overlap_queries=("web development",))
    return out, raws, counts


def test_upwork_feeds_are_valid_rss_with_the_fields(tree):
    out, raws, _ = tree
    by_payload = {r.payload: r for r in raws if r.source == "upwork"}
    routes = json.loads((out / "upwork" / "routes.json").read_text())["routes"]
    assert routes and all(r["path"] == "/ab/feed/jobs/rss" for r in routes)
    seen_payloads = set()
    pages_per_query: dict[str, list[int]] = {}
    for route in routes:
        body = (out / "upwork" / route["file"]).read_bytes()
        assert b'xmlns:content="http://purl.org/rss/1.0/modules/content/"' in body
        assert b'xmlns:atom="http://www.w3.org/2005/Atom"' in body
        root = ET.fromstring(body)
        channel = root.find("channel")
        assert root.tag == "rss" and root.get("version") == "2.0"
        assert channel.findtext("title") == f"{route['query']['q']} - Upwork"
        assert channel.findtext("language") == "en-us"
        assert channel.find("atom:link", NS).get("rel") == "self"
        items = channel.findall("item")
        offset = int(route["query"]["paging"].split(";")[0])
        pages_per_query.setdefault(route["query"]["q"], []).append((offset, len(items)))
        for item, text in zip(items, rss_items(body), strict=False):
            link = item.findtext("link")
            assert re.search(r"_%7E01[0-9a-f]{18}\?source=rss$", link)
            assert item.findtext("guid") == link
            assert item.findtext("title").endswith(" - Upwork")
            desc = item.findtext("description")
            assert item.findtext("content:encoded", namespaces=NS) == desc
            assert "<b>Posted On</b>: " in desc and "<b>Category</b>: " in desc
            assert (
                ("<b>Hourly Range</b>" in desc)
                or ("<b>Budget</b>" in desc)
                or "Budget" not in desc
            )
            assert parsedate_to_datetime(
                item.findtext("pubDate")
            ).utcoffset() == timedelta(0)
            # What a spider cuts from the page is exactly the generated payload.
            assert text in by_payload
            assert by_payload[text].source_id == "~" + re.search(
                r"%7E(01[0-9a-f]{18})", link
            ).group(1)
            seen_payloads.add(text)
    assert seen_payloads == set(by_payload)
    for q, pages in pages_per_query.items():
        sizes = [n for _, n in sorted(pages)]
        assert all(n == 50 for n in sizes[:-1]) and sizes[-1] < 50, q
        assert [o for o, _ in sorted(pages)] == [50 * i for i in range(len(pages))]
    feeds = (out / "upwork" / "feeds.txt").read_text().split()
    assert len(feeds) == len(pages_per_query)
    assert all(
        u.startswith("https://www.upwork.com/ab/feed/jobs/rss?q=")
        and u.endswith("&sort=recency&paging=0%3B50")
        for u in feeds
    )


def test_overlap_query_repeats_two_items_across_pages(tree):
    out, _, _ = tree
    p0 = rss_items((out / "upwork" / "feeds" / "web-development-p0.xml").read_bytes())
    p1 = rss_items((out / "upwork" / "feeds" / "web-development-p1.xml").read_bytes())
    assert p1[:2] == p0[-2:]


def test_upwork_quirks_present(tree):
    _, raws, _ = tree
    items = [r.payload for r in raws if r.source == "upwork"]
    assert any("<b>Skills</b>" not in i for i in items)
    assert any(
        "<b>Budget</b>: $" in i and re.search(r"<b>Budget</b>: \$\d{1,3},\d{3}", i)
        for i in items
    )
    assert any(
        re.search(r"<b>Hourly Range</b>: \$\d+\.\d\d-\$\d+\.\d\d", i) for i in items
    )
    assert any(",     " in i and "    \n<br /><b>Country</b>" in i for i in items)
    cats = {re.search(r"<b>Category</b>: ([^<\n]+)", i).group(1) for i in items}
    assert cats <= set(_UPWORK_CATEGORY_TO_CANONICAL)


def test_freelancer_pages_have_the_api_envelope(tree):
    out, raws, counts = tree
    by_id = {r.source_id: r for r in raws if r.source == "freelancer"}
    routes = json.loads((out / "freelancer" / "routes.json").read_text())["routes"]
    offsets = [int(r["query"]["offset"]) for r in routes]
    assert offsets == [100 * i for i in range(len(routes))]
    seen = []
    for route in routes:
        assert route["path"] == "/api/projects/0.1/projects/active/"
        assert route["query"] == {
            "limit": "100",
            "offset": route["query"]["offset"],
            "full_description": "true",
            "job_details": "true",
        }
        env = json.loads(
            (out / "freelancer" / route["file"]).read_text(encoding="utf-8")
        )
        assert env["status"] == "success" and isinstance(env["request_id"], str)
        assert set(env["result"]) == {
            "projects",
            "total_count",
            "users",
            "selected_bids",
        }
        assert env["result"]["total_count"] == len(by_id)
        for project in env["result"]["projects"]:
            assert json_payload(project) == by_id[str(project["id"])].payload
            assert project["type"] in ("fixed", "hourly")
            assert (
                isinstance(project["time_submitted"], int)
                and project["submitdate"] == project["time_submitted"]
            )
            assert (project["hourly_project_info"] is None) == (
                project["type"] == "fixed"
            )
            assert project["jobs"] and all(
                {"id", "name", "category"} <= set(j) for j in project["jobs"]
            )
            assert project["currency"]["code"] in {
                "USD",
                "EUR",
                "GBP",
                "INR",
                "AUD",
                "CAD",
            }
            seen.append(project["id"])
    assert env["result"]["projects"] == []  # the last page is empty
    assert len(seen) == len(set(seen)) == len(by_id) == counts["freelancer"]
    projects = [json.loads(r.payload) for r in by_id.values()]
    assert any(p["budget"]["maximum"] is None for p in projects)
    assert any(p["currency"]["code"] != "USD" for p in projects)


# ------------------------------------------------------------------ planted effects


def _by_category(table) -> Counter:
    counts = Counter()
    for (month, _source, cat), n in table.items():
        counts[(cat, month.strftime("%Y-%m"))] += n
    return counts


def test_postings_follow_the_volume_table_exactly():
    args = {"rows": 3000, "seed": 4, "growth_per_year": 0.1, "seasonal_amplitude": 0.2}
    table = volume_table(
        date(2022, 10, 15),
        date(2023, 3, 31),
        rows=3000,
        growth_per_year=0.1,
        seasonal_amplitude=0.2,
    )
    made = Counter(
        (p.posted_at.date().replace(day=1), p.source, p.category)
        for p in iter_postings(date(2022, 10, 15), date(2023, 3, 31), **args)
    )
    assert made == +Counter(table)


def test_seed_study_volumes_are_recovered_by_the_naive_comparison():
    exact = _by_category(
        volume_table(date(2022, 11, 1), date(2024, 2, 29), rows=2_000_000)
    )
    for cat in SEED_STUDY.volume.keys() | {"web & software development", "legal"}:
        ratio = exact[(cat, FEB24)] / exact[(cat, NOV22)]
        assert ratio == pytest.approx(SEED_STUDY.volume.get(cat, 1.0), abs=0.002), cat
    counts = _unique_counts(
        iter_postings(date(2022, 11, 1), date(2024, 2, 29), rows=9000, repost_rate=0.0)
    )
    for cat, factor in SEED_STUDY.volume.items():
        assert counts[(cat, FEB24)] / counts[(cat, NOV22)] == pytest.approx(
            factor, abs=0.06
        ), cat


def test_category_lines_in_payloads_carry_the_effect():
    counts = Counter()
    for raw in generate(
        date(2022, 11, 1),
        date(2024, 2, 29),
        rows=5000,
        sources=("upwork",),
        repost_rate=0.0,
    ):
        cat = _UPWORK_CATEGORY_TO_CANONICAL[
            re.search(r"<b>Category</b>: ([^<\n]+)", raw.payload).group(1)
        ]
        posted = parsedate_to_datetime(
            re.search(r"<pubDate>(.*?)</pubDate>", raw.payload).group(1)
        )
        counts[(cat, posted.strftime("%Y-%m"))] += 1
    assert counts[("writing", FEB24)] / counts[("writing", NOV22)] == pytest.approx(
        0.67, abs=0.07
    )
    assert counts[("video editing & production", FEB24)] / counts[
        ("video editing & production", NOV22)
    ] == pytest.approx(1.39, abs=0.12)


def test_translation_hourly_pay_falls_twenty_percent():
    mids = {"before": [], "after": []}
    for raw in generate(
        date(2022, 6, 1),
        date(2024, 6, 30),
        rows=12_000,
        sources=("upwork",),
        hourly_share=1.0,
        repost_rate=0.0,
        seed=2,
    ):
        if "<b>Category</b>: Translation" not in raw.payload:
            continue
        found = re.search(r"Hourly Range</b>: \$([\d.]+)-\$([\d.]+)", raw.payload)
        month = parsedate_to_datetime(
            re.search(r"<pubDate>(.*?)</pubDate>", raw.payload).group(1)
        ).strftime("%Y-%m")
        if found and (month <= NOV22 or month >= FEB24):
            mids["before" if month <= NOV22 else "after"].append(
                sum(map(float, found.groups())) / 2
            )
    ratio = statistics.median(mids["after"]) / statistics.median(mids["before"])
    assert ratio == pytest.approx(0.80, abs=0.07)
    assert len(mids["before"]) > 80 and len(mids["after"]) > 80


def test_ai_skills_appear_after_the_event():
    skill_months, ml_months = Counter(), Counter()
    for p in iter_postings(
        date(2022, 6, 1), date(2024, 3, 31), rows=12_000, repost_rate=0.0
    ):
        ml_months[p.month] += p.category == "machine learning & AI"
        for s in p.ai_skills:
            skill_months[(s, p.month)] += 1
    before = [f"2022-{m:02d}" for m in range(6, 12)]
    after = [FEB24, "2024-03"]
    # Counts track share x volume within one per source (error diffusion), so they are exact
    # enough to check the planted shares: 4 % before, 84 % at full effect (x21 = +2000 %).
    for months, share in ((before, 0.04), (after, 0.84)):
        got = sum(skill_months[("Chatbot Development", m)] for m in months)
        assert got == pytest.approx(share * sum(ml_months[m] for m in months), abs=2.5)
    assert sum(skill_months[("Chatbot Development", m)] for m in before) > 0
    for skill in ("ChatGPT", "Large Language Model", "Prompt Engineering"):
        assert (
            sum(n for (s, m), n in skill_months.items() if s == skill and m <= NOV22)
            == 0
        )
        assert skill_months[(skill, FEB24)] > 5


def test_no_effects_and_seasonal_only_series():
    flat = _by_category(
        volume_table(
            date(2022, 1, 1),
            date(2024, 12, 31),
            rows=1_000_000,
            effects=NO_EFFECTS,
            seasonal_amplitude=0.3,
        )
    )
    writing = {m: n for (c, m), n in flat.items() if c == "writing"}
    # Purely seasonal: the same month a year apart is equal, winter above summer, Nov = Feb.
    assert writing["2023-07"] == pytest.approx(writing["2022-07"], abs=1)
    assert writing["2023-01"] / writing["2023-07"] == pytest.approx(
        seasonality(date(2023, 1, 1), 0.3) / seasonality(date(2023, 7, 1), 0.3),
        rel=0.002,
    )
    assert writing["2023-01"] > writing["2023-04"] > writing["2023-07"]
    assert writing["2024-02"] == pytest.approx(writing["2022-11"], abs=1)


def test_uniform_growth_multiplies_every_category():
    counts = _by_category(
        volume_table(
            date(2022, 11, 1),
            date(2023, 11, 30),
            rows=1_000_000,
            effects=NO_EFFECTS,
            growth_per_year=0.14,
            seasonal_amplitude=0.0,
        )
    )
    for cat in ("writing", "translation", "web & software development"):
        assert counts[(cat, "2023-11")] / counts[(cat, "2022-11")] == pytest.approx(
            1.14, abs=0.001
        ), cat


def test_effect_ramp_is_linear_between_event_and_full_month():
    plan = EffectPlan(volume={"writing": 0.5})
    assert plan.volume_factor("writing", date(2022, 11, 1)) == 1.0
    assert plan.volume_factor("writing", date(2024, 2, 1)) == 0.5
    assert plan.volume_factor("writing", date(2024, 9, 1)) == 0.5
    assert plan.volume_factor("writing", date(2023, 6, 1)) == pytest.approx(
        1 - 0.5 * 7 / 15
    )


# ------------------------------------------------------------------ reposts


@pytest.mark.parametrize("rate", [0.05, 0.2])
def test_repost_share_about_as_planted(rate):
    postings = list(
        iter_postings(
            date(2023, 1, 1), date(2023, 12, 31), rows=8000, repost_rate=rate, seed=5
        )
    )
    reposts = [p for p in postings if p.repost_of]
    assert len(reposts) / len(postings) == pytest.approx(rate, rel=0.2)
    first = {p.source_id: p for p in postings if p.repost_of is None}
    for p in reposts:
        orig = first[p.repost_of]
        assert p.source_id != orig.source_id and p.source == orig.source
        assert (
            p.title == orig.title
            and p.paragraphs == orig.paragraphs
            and p.client_id == orig.client_id
        )
        assert timedelta(hours=24) <= p.posted_at - orig.posted_at <= timedelta(days=60)


# ------------------------------------------------------------------ command and fixtures


def test_synth_command_stores_raw_listings(tmp_path):
    from crawler.cli import main

    db = tmp_path / "s.db"
    result = CliRunner().invoke(
        main,
        [
            "synth",
            "--db",
            str(db),
            "--rows",
            "700",
            "--start",
            "2023-01-01",
            "--end",
            "2023-03-31",
            "--no-normalize",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM raw_listings").fetchone()[0] == 700
    assert dict(
        conn.execute("SELECT payload_format, count(*) FROM raw_listings GROUP BY 1")
    ).keys() == {"xml", "json"}
    kind, status, new = conn.execute(
        "SELECT kind, status, new FROM crawl_runs"
    ).fetchone()
    assert (kind, status, new) == ("synth", "finished", 700)


def test_synth_command_rejects_bad_dates_and_writes_a_tree(tmp_path):
    from crawler.cli import main

    bad = CliRunner().invoke(
        main, ["synth", "--db", str(tmp_path / "x.db"), "--start", "2023-13-01"]
    )
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    out = tmp_path / "tree"
    ok = CliRunner().invoke(
        main,
        [
            "synth",
            "--rows",
            "300",
            "--start",
            "2023-01-01",
            "--end",
            "2023-02-28",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert (out / "upwork" / "routes.json").exists() and (
        out / "freelancer" / "routes.json"
    ).exists()
    assert not (tmp_path / "x.db").exists()


def test_committed_fixtures_match_the_generator(tmp_path):
    """fixtures/generate.py is deterministic and the committed files are its current output."""
    from fixtures.generate import main as write_fixtures

    write_fixtures(tmp_path)
    for source in ("upwork", "freelancer"):
        fresh = sorted(
            p.relative_to(tmp_path)
            for p in (tmp_path / source).rglob("*")
            if p.is_file()
        )
        committed = sorted(
            p.relative_to(ROOT / "fixtures")
            for p in (ROOT / "fixtures" / source).rglob("*")
            if p.is_file()
        )
        assert fresh == committed
        for rel in fresh:
            assert (tmp_path / rel).read_bytes() == (
                ROOT / "fixtures" / rel
            ).read_bytes(), rel
    no_id = [
        i
        for f in (tmp_path / "upwork" / "feeds").glob("*.xml")
        for i in rss_items(f.read_bytes())
        if not re.search(r"<link>[^<]*%7E01[0-9a-f]{18}", i)
    ]
    assert len(no_id) == 1


def test_fast_date_formats_match_the_standard_library():
    from email.utils import format_datetime

    from analysis.synth import _iso, _posted_on, _rfc822
    from crawler.db import iso

    for p in iter_postings(date(2023, 12, 25), date(2024, 1, 5), rows=60, seed=9):
        assert _rfc822(p.posted_at) == format_datetime(p.posted_at)
        assert _posted_on(p.posted_at) == p.posted_at.strftime("%B %d, %Y %H:%M")
        assert _iso(p.posted_at) == iso(p.posted_at)


def test_sample_draws_like_the_standard_library():
    """synth's _sample (the generator's hot path) makes random.sample's exact draws."""
    import random

    from analysis.synth import _sample

    for seed in range(40):
        ours, theirs = random.Random(seed), random.Random(seed)
        for n in (1, 5, 21, 22, 60, 400):
            for k in {0, 1, min(n, 3), min(n, 6), min(n, 25)}:
                assert _sample(ours, range(n), k) == theirs.sample(range(n), k)
        assert ours.random() == theirs.random()  # the streams stay in step
    with pytest.raises(ValueError):
        _sample(random.Random(0), [1, 2], 3)


def test_realistic_noise_month_length_season_and_shocks():
    from dataclasses import replace as dc_replace

    from analysis.synth import REALISTIC, Noise

    flat = Noise(month_length=True)
    table = _by_category(
        volume_table(
            date(2023, 1, 1),
            date(2023, 3, 31),
            rows=900_000,
            noise=flat,
            effects=NO_EFFECTS,
            seasonal_amplitude=0.0,
        )
    )
    # Per day, January (31 days) and February (28) carry the same volume.
    jan, feb = "2023-01", "2023-02"
    assert table[("writing", feb)] / 28 == pytest.approx(
        table[("writing", jan)] / 31, rel=0.01
    )
    seasonal = Noise(season="realistic")
    nov, feb24 = "2022-11", "2024-02"
    t = _by_category(
        volume_table(
            date(2022, 11, 1),
            date(2024, 2, 29),
            rows=2_000_000,
            noise=seasonal,
            effects=NO_EFFECTS,
        )
    )
    assert t[("legal", feb24)] / t[("legal", nov)] == pytest.approx(
        1.05, abs=0.01
    )  # Nov != Feb
    # Month shocks: seeded, about the asked spread, and the total stays exact.
    noisy = dc_replace(REALISTIC, week_sd=0.0)
    a = volume_table(
        date(2021, 1, 1),
        date(2024, 12, 31),
        rows=3_000_000,
        noise=noisy,
        effects=NO_EFFECTS,
    )
    b = volume_table(
        date(2021, 1, 1),
        date(2024, 12, 31),
        rows=3_000_000,
        noise=noisy,
        effects=NO_EFFECTS,
    )
    assert a == b and sum(a.values()) == 3_000_000
    other = volume_table(
        date(2021, 1, 1),
        date(2024, 12, 31),
        rows=3_000_000,
        noise=dc_replace(noisy, seed=1),
        effects=NO_EFFECTS,
    )
    assert other != a
    by = _by_category(a)
    months = sorted({m for (_, m) in by})
    ratios = [by[("writing", m)] / by[("legal", m)] for m in months]
    spread = float(np.std(np.log(ratios)))
    assert 0.04 < spread < 0.11  # two categories' 5 % shocks: sd of the ratio ~7 %


def test_week_shocks_keep_monthly_totals_exact():
    from analysis.synth import Noise

    noise = Noise(week_sd=0.3)
    args = {"rows": 4000, "seed": 2, "noise": noise, "repost_rate": 0.0}
    table = volume_table(date(2023, 1, 1), date(2023, 2, 28), rows=4000, noise=noise)
    made = Counter(
        (p.posted_at.date().replace(day=1), p.source, p.category)
        for p in iter_postings(date(2023, 1, 1), date(2023, 2, 28), **args)
    )
    assert made == +Counter(table)


# ------------------------------------------------------------------ per-month streams


def test_months_generate_alone_the_same_and_processes_do_not_change_the_output():
    args = {"rows": 2400, "seed": 6, "noise": REALISTIC, "repost_rate": 0.1}
    first, last = date(2023, 10, 1), date(2024, 1, 31)
    whole = list(iter_postings(first, last, **args))
    months = month_starts(first, last)
    assert len(months) == 4
    # Each month on its own (last month first) equals that month of the whole run.
    for month in reversed(months):
        alone = list(iter_postings(first, last, months=[month], **args))
        assert alone and alone == [p for p in whole if p.month == month.isoformat()[:7]]
    serial = [to_raw(p) for p in whole]
    assert list(generate(first, last, processes=2, **args)) == serial
    assert list(generate(first, last, processes=3, **args)) == serial
    # The serial stream (the committed fixtures') is another, still seeded, sequence.
    other = list(iter_postings(first, last, streams="serial", **args))
    assert other != whole and len(other) == len(whole)
    with pytest.raises(ValueError):
        list(iter_postings(first, last, streams="serial", months=months, **args))


def test_month_streams_keep_ai_skill_counts_exact_across_month_ends():
    # The error diffusion starts each month where the months before leave it, so the
    # count over many months stays within one of share x volume.
    skill, months = Counter(), Counter()
    for p in iter_postings(
        date(2023, 1, 1), date(2023, 12, 31), rows=9000, repost_rate=0.0, seed=4
    ):
        months[p.month] += (
            p.category == "machine learning & AI" and p.source == "upwork"
        )
        if p.source == "upwork":
            skill[p.month] += "Chatbot Development" in p.ai_skills
    plan = SEED_STUDY
    expected = sum(
        n * plan.ai_share(0.04, 0.84, date(int(m[:4]), int(m[5:]), 1))
        for m, n in months.items()
    )
    assert sum(skill.values()) == pytest.approx(expected, abs=1.0)


def test_synth_command_processes_store_the_same_listings(tmp_path):
    from crawler.cli import main

    stored = []
    for processes in ("1", "2"):
        db = tmp_path / f"p{processes}.db"
        args = ["synth", "--db", str(db), "--rows", "500", "--start", "2023-01-01"]
        args += ["--end", "2023-04-30", "--processes", processes]
        result = CliRunner().invoke(main, [*args, "--no-normalize", "--quiet"])
        assert result.exit_code == 0, result.output
        conn = sqlite3.connect(db)
        stored.append(
            conn.execute(
                "SELECT source, source_id, payload_sha256 FROM raw_listings ORDER BY rowid"
            ).fetchall()
        )
    assert len(stored[0]) == 500 and stored[0] == stored[1]
    bad = CliRunner().invoke(
        main, ["synth", "--db", str(tmp_path / "x.db"), "--processes", "0"]
    )
    assert bad.exit_code == 2 and "--processes" in bad.output
