"""Seeded synthetic `jobs` rows with planted effects, for tests and benchmarks.

Unlike ``analysis.synth`` (raw payloads for the whole pipeline) this writes normalized
rows straight into ``jobs`` so analysis invariants can be checked on known truth.

    >>> rows = make_jobs(Scenario(days=[date(2024, 2, 1)], rates={"writing": 5}))
    >>> len(rows) > 0
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from analysis.periods import Period

AI_SKILLS = ("chatgpt", "prompt engineering", "llm fine-tuning")
OTHER_SKILLS = ("seo", "excel", "wordpress", "photoshop")


def days_of(periods: Iterable[Period]) -> list[date]:
    """Every day inside the given periods, sorted, without repeats."""
    out = set()
    for p in periods:
        d = p.start
        while d < p.end_exclusive:
            out.add(d)
            d += timedelta(days=1)
    return sorted(out)


@dataclass
class Scenario:
    """What to generate. Rates are unique postings per day per category before effects."""

    days: list[date]
    rates: dict[str, float]
    event: date = date(2022, 11, 30)
    # category -> multiplicative volume effect after the event (0.67 = -33 %).
    effects: dict[str, float] = field(default_factory=dict)
    # category -> multiplicative hourly pay effect after the event.
    pay_effects: dict[str, float] = field(default_factory=dict)
    pay_medians: dict[str, float] = field(default_factory=dict)
    pay_sigma: float = 0.5
    # Multiplier applied to every category on a day (seasonality, platform growth).
    day_factor: Callable[[date], float] = lambda d: 1.0
    # Share of postings that are hourly (the rest fixed-price), as a function of the day.
    hourly_share: Callable[[date], float] = lambda d: 0.5
    # Share of postings mentioning an AI skill, as a function of the day.
    ai_share: Callable[[date], float] = lambda d: 0.02
    dup_share: float = 0.0  # extra reposts per unique posting (rows with dup_of set)
    noise: str = "poisson"  # or "none": expected counts with stochastic rounding
    source: str = "synthetic"
    seed: int = 7


def seasonal(amplitude: float, peak_month: int = 11) -> Callable[[date], float]:
    """A yearly cycle: 1 + amplitude * cos(2 pi (month - peak) / 12)."""
    return lambda d: (
        1.0 + amplitude * math.cos(2 * math.pi * (d.month - peak_month) / 12)
    )


def make_jobs(s: Scenario) -> list[dict]:
    return list(iter_jobs(s))


def iter_jobs(s: Scenario) -> Iterator[dict]:
    """Yield job dicts (crawler.db.JOB_COLUMNS keys plus a skills list)."""
    rng = np.random.default_rng(s.seed)
    serial = 0
    for day in s.days:
        after = day > s.event
        factor = s.day_factor(day)
        for cat, rate in s.rates.items():
            mean = rate * factor * (s.effects.get(cat, 1.0) if after else 1.0)
            if s.noise == "poisson":
                n = int(rng.poisson(mean))
            else:
                n = int(mean) + int(rng.random() < mean - int(mean))
            if n == 0:
                continue
            hourly = rng.random(n) < s.hourly_share(day)
            pay_median = s.pay_medians.get(cat, 30.0) * (
                s.pay_effects.get(cat, 1.0) if after else 1.0
            )
            mids = pay_median * np.exp(rng.normal(0.0, s.pay_sigma, n))
            spread = rng.uniform(0.1, 0.4, n)
            ai = rng.random(n) < s.ai_share(day)
            ai_pick = rng.integers(0, len(AI_SKILLS), n)
            other_pick = rng.integers(0, len(OTHER_SKILLS), n)
            seconds = rng.integers(0, 86400, n)
            for i in range(n):
                serial += 1
                job = _job(
                    s,
                    serial,
                    day,
                    int(seconds[i]),
                    cat,
                    bool(hourly[i]),
                    float(mids[i]),
                    float(spread[i]),
                    AI_SKILLS[ai_pick[i]] if ai[i] else None,
                    OTHER_SKILLS[other_pick[i]],
                )
                yield job
                if s.dup_share and rng.random() < s.dup_share:
                    serial += 1
                    repost = dict(job)
                    repost["job_id"] = f"{s.source}:{serial}"
                    repost["source_id"] = str(serial)
                    repost["dup_of"] = job["job_id"]
                    yield repost


def _job(
    s: Scenario,
    serial: int,
    day: date,
    second: int,
    cat: str,
    hourly: bool,
    mid: float,
    spread: float,
    ai_skill: str | None,
    other_skill: str,
) -> dict:
    posted = f"{day.isoformat()}T{second // 3600:02d}:{second % 3600 // 60:02d}:{second % 60:02d}Z"
    skills = [{"name": other_skill, "is_ai": False, "family": "general"}]
    if ai_skill:
        skills.append({"name": ai_skill, "is_ai": True, "family": "ai"})
    lo, hi = mid * (1 - spread), mid * (1 + spread)
    return {
        "job_id": f"{s.source}:{serial}",
        "source": s.source,
        "source_id": str(serial),
        "title": f"{cat} job {serial}",
        "description": "",
        "url": None,
        "company": f"client{serial % 997}",
        "country": ("US", "GB", "IN", "PH", None)[serial % 5],
        "location": None,
        "remote": 1,
        "posted_at": posted,
        "posted_at_raw": posted,
        "posted_flag": None,
        "month": posted[:7],
        "category": cat,
        "source_category": cat,
        "category_method": "synthetic",
        "pay_type": "hourly" if hourly else "fixed",
        "pay_min": lo if hourly else None,
        "pay_max": hi if hourly else None,
        "pay_currency": "USD",
        "pay_period": "hour" if hourly else "project",
        "pay_raw": None,
        "currency_rule": "source",
        "hourly_usd_min": lo if hourly else None,
        "hourly_usd_max": hi if hourly else None,
        "hourly_usd_mid": mid if hourly else None,
        "budget_usd": None if hourly else round(mid * 20, 2),
        "salary_usd_year": None,
        "skills": skills,
        "has_ai_skill": int(ai_skill is not None),
        "dup_of": None,
        "fetched_at": posted,
        "normalizer_version": "synthetic",
        "raw_sha256": None,
    }


def seed_db(conn, scenario: Scenario, batch: int = 20000) -> int:
    """Write a scenario's rows through crawler.db.save_jobs; returns rows written."""
    from crawler.db import save_jobs

    written, chunk = 0, []
    for job in iter_jobs(scenario):
        chunk.append(job)
        if len(chunk) >= batch:
            written += save_jobs(conn, chunk)
            chunk = []
    if chunk:
        written += save_jobs(conn, chunk)
    return written
