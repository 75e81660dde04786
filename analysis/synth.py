"""Seeded generator of raw listings in the sources' real formats, with planted effects.

Listings come out as :class:`crawler.db.RawRow` rows exactly as the spiders would
store them: an Upwork RSS ``<item>`` (payload format ``xml``) or a Freelancer projects-API
object (``json``).  Volumes, pay and AI skills follow an :class:`analysis.effects.EffectPlan`,
so an analysis run on the output should find what was planted.

Generation streams month by month (one month's small specs in memory, payloads built
lazily), deterministic for a seed and the arguments.

Example: ``next(generate(date(2022, 11, 1), date(2022, 11, 30), rows=10)).source``
"""

from __future__ import annotations

import json
import math
import random
import re
from bisect import bisect
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path

from analysis.effects import (
    SEED_STUDY,
    EffectPlan,
    month_index,
    platform_growth,
    seasonality,
    seasonality_realistic,
)
from analysis.synth_vocab import (
    AI_SENTENCES,
    AI_SKILLS,
    AI_TITLES,
    CATEGORIES,
    CITIES,
    CLOSINGS,
    COMPANY_PARTS,
    COUNTRIES,
    CURRENCIES,
    DOCS,
    LANGUAGES,
    NICHES,
    TOPICS,
    UPWORK_QUERIES,
)
from crawler.db import RawRow
from crawler.payloads import MONTH_NAMES, json_payload

SOURCES = ("upwork", "freelancer")
SOURCE_WEIGHTS = {"upwork": 0.7, "freelancer": 0.3}
REPOST_WINDOW = timedelta(days=60)

# Freelancer job entries for AI skills (all under "Websites, IT & Software").
_FL_AI_JOBS = {
    "Chatbot Development": (201, "Chatbot"),
    "ChatGPT": (202, "ChatGPT"),
    "Large Language Model": (203, "Large Language Models"),
    "Prompt Engineering": (204, "Prompt Engineering"),
    "OpenAI API": (205, "OpenAI"),
}
_UPWORK_CATEGORY_TO_CANONICAL = {
    name: cat for cat, spec in CATEGORIES.items() for name in spec["upwork_categories"]
}


@dataclass(frozen=True)
class Noise:
    """Real-data noise for ``synth``; the default (all off) keeps volumes exact.

    ``month_sd``/``week_sd``: standard deviation of multiplicative log-normal shocks per
    category and month / week (mean-one, seeded by ``seed``); ``month_length``: volume
    proportional to days (a 31-day month gets 31/28 of February's); ``season``:
    ``"cosine"`` (Nov = Feb, the exact test scenario) or ``"realistic"``.
    """

    month_sd: float = 0.0
    week_sd: float = 0.0
    month_length: bool = False
    season: str = "cosine"
    seed: int = 0

    def shock(self, sd: float, *key) -> float:
        """Mean-one log-normal factor for ``key`` (same key, same factor)."""
        if sd <= 0:
            return 1.0
        z = random.Random(repr((self.seed, *key))).gauss(0.0, 1.0)
        return math.exp(sd * z - sd * sd / 2)


EXACT = Noise()
# What `jobtrends synth` plants by default: month and week swings of about 5 %, a
# December trough, and per-day volumes that do not depend on the month's length.
REALISTIC = Noise(month_sd=0.05, week_sd=0.05, month_length=True, season="realistic")


@dataclass(slots=True)
class Posting:
    """One generated posting with the truth the analysis should recover."""

    source: str
    source_id: str
    category: str  # canonical
    source_category: str
    posted_at: datetime
    title: str
    paragraphs: list[str]
    skills: list[str]
    ai_skills: list[str]
    hourly: bool
    pay_min: float | None  # hourly rate or fixed budget in `currency`
    pay_max: float | None
    currency: str = "USD"
    country: str | None = None
    client_id: int = 0
    repost_of: str | None = None
    url: str = ""
    fetched_at: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def month(self) -> str:
        return f"{self.posted_at.year:04d}-{self.posted_at.month:02d}"


# ---------------------------------------------------------------- volume table


def _months(start: date, end: date) -> list[tuple[date, float]]:
    """(first day of month, share of the month's days inside [start, end])."""
    out = []
    cur = date(start.year, start.month, 1)
    while cur <= end:
        nxt = date(cur.year + (cur.month == 12), cur.month % 12 + 1, 1)
        lo, hi = max(cur, start), min(nxt - timedelta(days=1), end)
        out.append((cur, ((hi - lo).days + 1) / (nxt - cur).days))
        cur = nxt
    return out


def volume_table(
    start: date,
    end: date,
    *,
    rows: int,
    effects: EffectPlan = SEED_STUDY,
    sources: Iterable[str] = SOURCES,
    growth_per_year: float = 0.0,
    seasonal_amplitude: float = 0.1,
    noise: Noise = EXACT,
) -> dict[tuple[date, str, str], int]:
    """Postings per (month, source, category), summing exactly to ``rows``.

    Example: ``sum(volume_table(date(2023,1,1), date(2023,12,31), rows=500).values()) == 500``
    """
    sources = tuple(sources)
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise ValueError(
            f"unknown source(s) {sorted(unknown)}; choose from {list(SOURCES)}"
        )
    if end < start:
        raise ValueError("end date is before start date")
    weights: dict[tuple[date, str, str], float] = {}
    season = seasonality_realistic if noise.season == "realistic" else seasonality
    for month, covered in _months(start, end):
        if noise.month_length:
            nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
            covered *= (nxt - month).days / 30.4375
        level = (
            covered
            * platform_growth(month, growth_per_year)
            * season(month, seasonal_amplitude)
        )
        for source in sources:
            for cat, spec in CATEGORIES.items():
                weights[(month, source, cat)] = (
                    level
                    * SOURCE_WEIGHTS[source]
                    * spec["weight"]
                    * effects.volume_factor(cat, month)
                    * noise.shock(noise.month_sd, "month", month.isoformat(), cat)
                )
    total = sum(weights.values())
    exact = {k: rows * w / total for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    # Largest remainder keeps the total exact; ties are broken by key order (deterministic).
    missing = rows - sum(counts.values())
    by_remainder = sorted(exact, key=lambda k: (-(exact[k] - counts[k]), k))
    for k in by_remainder[:missing]:
        counts[k] += 1
    return counts


# ---------------------------------------------------------------- text


class _Slots(dict):
    """Template slots drawn only when a template uses them (format_map calls __missing__)."""

    def __init__(self, rng: random.Random, spec: dict):
        super().__init__()
        self.rng, self.spec = rng, spec

    def __missing__(self, key: str):
        rng = self.rng
        if key == "n":
            value = 2 + rng._randbelow(8)  # = randint(2, 9)
        elif key == "stack":
            stacks = self.spec.get("stacks", _DEFAULT_STACKS)
            value = stacks[rng._randbelow(len(stacks))]
        else:
            words = _SLOT_WORDS[key]
            value = words[rng._randbelow(len(words))]
        self[key] = value
        return value


_DEFAULT_STACKS = ["React"]
_SLOT_WORDS = {"niche": NICHES, "topic": TOPICS, "language": LANGUAGES, "doc": DOCS}


def _fill(template: str, slots: _Slots) -> str:
    """Fill a template; one posting shares its slots, so title and text name one topic."""
    if "{" not in template:
        return template
    return template.format_map(slots)


_WORD = re.compile(r"[A-Za-z0-9]+")


def _slug(title: str, limit: int = 80) -> str:
    words = _WORD.findall(title)
    return "-".join(words)[:limit].strip("-") or "job"


def _paragraphs(
    rng: random.Random, spec: dict, slots: _Slots, ai_skills: list[str]
) -> list[str]:
    # The opening sentence stays first; a sorted sample of the others keeps their order.
    below = rng._randbelow  # see _new_posting
    pool = spec["sentences"]
    picked = sorted(_sample(rng, range(1, len(pool)), min(len(pool) - 1, 2 + below(3))))
    sentences = [_fill(pool[i], slots) for i in [0, *picked]]
    sentences += [AI_SENTENCES[s] for s in ai_skills]
    first, rest = sentences[:2], sentences[2:]
    paragraphs = [" ".join(first)]
    if rest:
        paragraphs.append(" ".join(rest))
    first_parts, second_parts = COMPANY_PARTS
    company = f"{first_parts[below(len(first_parts))]} {second_parts[below(len(second_parts))]}"
    size = 2 + below(59)  # = randint(2, 60)
    paragraphs.append(
        f"About us: {company} is a team of {size} based in {CITIES[below(len(CITIES))]}."
        f" {CLOSINGS[below(len(CLOSINGS))]}"
    )
    return paragraphs


def _sample(rng: random.Random, population, k: int) -> list:
    """``rng.sample(population, k)``, draw for draw, without its per-call checks.

    The same algorithm as CPython's (3.11): pool swaps for small populations, rejection
    from a set for large ones.  Having it here also keeps the generator's output from
    depending on the standard library's implementation.
    """
    n = len(population)
    if not 0 <= k <= n:
        raise ValueError("Sample larger than population or is negative")
    below = rng._randbelow
    result = [None] * k
    setsize = 21
    if k > 5:
        setsize += 4 ** math.ceil(math.log(k * 3, 4))
    if n <= setsize:
        pool = list(population)
        for i in range(k):
            j = below(n - i)
            result[i] = pool[j]
            pool[j] = pool[n - i - 1]
    else:
        selected: set[int] = set()
        for i in range(k):
            j = below(n)
            while j in selected:
                j = below(n)
            selected.add(j)
            result[i] = population[j]
    return result


_CUM_WEIGHTS: dict[int, tuple[tuple, list[float]]] = {}


def _weighted(rng: random.Random, pairs):
    """One item of (item, weight) pairs; cumulative weights are computed once per list."""
    cached = _CUM_WEIGHTS.get(id(pairs))
    if cached is None:
        items, weights = zip(*pairs, strict=False)
        cum, total = [], 0.0
        for w in weights:
            total += w
            cum.append(total)
        cached = _CUM_WEIGHTS[id(pairs)] = (items, cum, cum[-1] + 0.0, len(cum) - 1)
    items, cum, total, hi = cached
    # rng.choices(items, cum_weights=cum, k=1)[0], without its checks and list.
    return items[bisect(cum, rng.random() * total, 0, hi)]


_MONTHS = MONTH_NAMES
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _iso(dt: datetime) -> str:
    """``2024-07-19T04:41:10Z`` for a UTC datetime (strftime is the generator's hot spot)."""
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}Z"


def _rfc822(dt: datetime) -> str:
    """``Fri, 19 Jul 2024 04:41:10 +0000`` for a UTC datetime, as in RSS pubDate."""
    return (
        f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1][:3]} {dt.year:04d}"
        f" {dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} +0000"
    )


def _posted_on(dt: datetime) -> str:
    """``July 19, 2024 04:41`` as in the feed's Posted On line."""
    return f"{_MONTHS[dt.month - 1]} {dt.day:02d}, {dt.year:04d} {dt.hour:02d}:{dt.minute:02d}"


def _nice_budget(x: float) -> float:
    """Round a budget the way clients write them: 5, 50, 150, 1,000, 2,500."""
    if x < 20:
        return float(max(5, round(x / 5) * 5))
    if x < 200:
        return float(round(x / 10) * 10)
    if x < 2000:
        return float(round(x / 50) * 50)
    return float(round(x / 500) * 500)


# ---------------------------------------------------------------- postings


@dataclass(slots=True)
class _Slot:
    posted_at: datetime
    source: str
    category: str
    ai_skills: tuple[str, ...]


def iter_postings(
    start: date,
    end: date,
    *,
    rows: int,
    seed: int = 0,
    effects: EffectPlan = SEED_STUDY,
    sources: Iterable[str] = SOURCES,
    repost_rate: float = 0.05,
    hourly_share: float | Mapping[str, float] | None = None,
    growth_per_year: float = 0.0,
    seasonal_amplitude: float = 0.1,
    noise: Noise = EXACT,
    months: Iterable[date] | None = None,
    streams: str = "month",
) -> Iterator[Posting]:
    """Generated postings in time order, with their planted truth (category, repost_of...).

    ``hourly_share``: None uses each category's own share; a float applies to all; a
    mapping overrides per category.

    ``streams="month"``: each month draws from its own random stream (seeded by
    ``seed`` and the month), starts the AI-skill error diffusion where the months before
    leave it (computed from the volume table, not by generating them) and takes its
    reposts from its own originals; so a month's postings are the same whether the
    other months are generated, before it or in another process.  ``months`` (first
    days of months) then limits the output to those months.  ``streams="serial"``: one
    stream through all months, reposts across month ends (how the committed fixtures
    were generated; ``months`` must be None).
    Example: ``[p.category for p in iter_postings(date(2023,1,1), date(2023,1,31), rows=3)]``
    """
    if rows < 0:
        raise ValueError("rows must be >= 0")
    if not 0.0 <= repost_rate < 1.0:
        raise ValueError("repost_rate must be in [0, 1)")
    table = volume_table(
        start,
        end,
        rows=rows,
        effects=effects,
        sources=sources,
        growth_per_year=growth_per_year,
        seasonal_amplitude=seasonal_amplitude,
        noise=noise,
    )
    if streams not in ("month", "serial"):
        raise ValueError("streams must be 'month' or 'serial'")
    if streams == "serial" and months is not None:
        raise ValueError("months needs streams='month'")
    shares = _hourly_shares(hourly_share)
    serial = random.Random(seed) if streams == "serial" else None
    carry: dict[tuple[str, str, str], float] = {}  # error diffusion for AI skill counts
    pools: dict[
        tuple[str, str], deque
    ] = {}  # (day, originals) per source+category, 60 days
    fl_seq: dict[int, int] = {}
    wanted = None if months is None else set(months)
    for month in sorted({k[0] for k in table}):
        if wanted is not None and month not in wanted:
            continue
        if serial is None:
            rng = random.Random(f"{seed}:{month.isoformat()}")
            carry = _carry_at(month, table, effects)
            pools = {}
        else:
            rng = serial
        cells = [
            (source, cat, n)
            for (m, source, cat), n in table.items()
            if m == month and n
        ]
        first = max(start, month)
        nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        days = (min(end, nxt - timedelta(days=1)) - first).days + 1
        phases = [rng.random() for _ in cells]
        # Cumulative share of each cell's postings by the end of each day: even, or
        # weighted by week shocks (weeks counted from a fixed Monday, per category).
        cum = [_day_shares(first, days, cat, noise) for _, cat, _ in cells]
        # Day by day, so memory holds one day's slots however many rows are asked for.
        for day in range(days):
            t0 = datetime(first.year, first.month, first.day, tzinfo=UTC) + timedelta(
                days=day
            )
            slots = []
            for (source, cat, n), phase, c in zip(cells, phases, cum, strict=False):
                # A cell's n postings spread over the days; the sum over days is exactly n.
                if c is None:
                    k = math.floor(n * (day + 1) / days + phase) - math.floor(
                        n * day / days + phase
                    )
                else:
                    k = math.floor(n * c[day + 1] + phase) - math.floor(
                        n * c[day] + phase
                    )
                if k:
                    slots.extend(
                        _day_slots(rng, t0, source, cat, k, month, effects, carry)
                    )
            slots.sort(key=lambda s: (s.posted_at, s.source, s.category))
            yield from _postings_for(
                rng, slots, pools, repost_rate, effects, shares, fl_seq
            )


def _carry_at(
    month: date, table: Mapping[tuple[date, str, str], int], effects: EffectPlan
) -> dict[tuple[str, str, str], float]:
    """The AI-skill error diffusion's carry at the start of ``month``: the fractional
    part of the postings the months before owed each (source, category, skill) - what
    generating them would leave, without generating them."""
    owed: dict[tuple[str, str, str], float] = {}
    for (m, source, cat), n in table.items():
        if m >= month or not n:
            continue
        for skill, where in AI_SKILLS.items():
            if cat in where:
                key = (source, cat, skill)
                owed[key] = owed.get(key, 0.0) + n * effects.ai_share(*where[cat], m)
    return {key: value - math.floor(value) for key, value in owed.items()}


def month_starts(start: date, end: date) -> list[date]:
    """First days of the months ``iter_postings(start, end, ...)`` generates."""
    return [month for month, _ in _months(start, end)]


def _day_shares(first: date, days: int, cat: str, noise: Noise) -> list[float] | None:
    """Cumulative share of a month's postings after 0..days days; None = even spread."""
    if noise.week_sd <= 0:
        return None
    epoch = date(2000, 1, 3).toordinal()  # a Monday
    weights = [
        noise.shock(noise.week_sd, "week", (first.toordinal() + d - epoch) // 7, cat)
        for d in range(days)
    ]
    total, out, acc = sum(weights), [0.0], 0.0
    for w in weights:
        acc += w
        out.append(acc / total)
    out[-1] = 1.0
    return out


def _hourly_shares(
    hourly_share: float | Mapping[str, float] | None,
) -> dict[str, float]:
    """Share of hourly jobs per category: each category's own, one for all, or overrides."""
    own = {cat: spec["hourly_share"] for cat, spec in CATEGORIES.items()}
    if hourly_share is None:
        return own
    if isinstance(hourly_share, Mapping):
        return {**own, **hourly_share}
    return dict.fromkeys(own, float(hourly_share))


def _day_slots(rng, t0, source, cat, k, month, effects, carry) -> list[_Slot]:
    per_slot: list[list[str]] = [[] for _ in range(k)]
    for skill, where in AI_SKILLS.items():
        if cat not in where:
            continue
        # Error diffusion: the count of postings with a skill tracks its share within one.
        key = (source, cat, skill)
        carry[key] = carry.get(key, 0.0) + k * effects.ai_share(*where[cat], month)
        hits = min(k, int(carry[key]))
        carry[key] -= hits
        for i in _sample(rng, range(k), hits):
            per_slot[i].append(skill)
    return [
        _Slot(t0 + timedelta(seconds=rng._randbelow(86400)), source, cat, tuple(skills))
        for skills in per_slot
    ]


def _postings_for(
    rng, slots, pools, repost_rate, effects, hourly_share, fl_seq
) -> Iterator[Posting]:
    """Turn slots into postings; a share become reposts of a recent original."""
    for slot in slots:
        pool = pools.setdefault((slot.source, slot.category), deque())
        today = slot.posted_at.date()
        while pool and (today - pool[0][0]).days > 59:
            pool.popleft()
        candidates: list[Posting] = []
        # Draw first: the candidate search then only runs for the few reposts.
        if repost_rate and pool and rng.random() < repost_rate:
            days = [entry for entry in pool if entry[0] < today]
            if days:
                candidates = [
                    p
                    for p in rng.choice(days)[1]
                    if timedelta(hours=24)
                    <= slot.posted_at - p.posted_at
                    <= REPOST_WINDOW
                ]
        if candidates:
            yield _repost(rng, rng.choice(candidates), slot, fl_seq)
            continue
        posting = _new_posting(rng, slot, effects, hourly_share, fl_seq)
        # Keep a few originals per day and cell: enough to draw reposts from, bounded memory.
        if not pool or pool[-1][0] != today:
            pool.append((today, []))
        if len(pool[-1][1]) < 8:
            pool[-1][1].append(posting)
        yield posting


def _client_id(rng: random.Random) -> int:
    return 10_000_000 + rng._randbelow(70_000_000)  # = randrange(10M, 80M)


def _new_id(
    rng: random.Random, source: str, posted_at: datetime, fl_seq: dict[int, int]
) -> str:
    if source == "upwork":
        return "~01" + f"{rng.getrandbits(72):018x}"
    # Freelancer ids grow with time: one block of a million ids per month since 2020.
    m = month_index(posted_at.date()) - month_index(date(2020, 1, 1))
    seq = fl_seq[m] = fl_seq.get(m, 0) + 1
    return str(10_000_000 + m * 1_000_000 + seq)


def _new_posting(
    rng: random.Random,
    slot: _Slot,
    effects: EffectPlan,
    hourly_share: dict[str, float],
    fl_seq: dict[int, int],
) -> Posting:
    spec = CATEGORIES[slot.category]
    cat = slot.category
    ai = list(slot.ai_skills)
    slots = _Slots(rng, spec)
    below = rng._randbelow  # rng.choice(seq) is seq[below(len(seq))]: same draws
    titles = AI_TITLES[ai[0]] if ai and rng.random() < 0.6 else spec["titles"]
    title = _fill(titles[below(len(titles))], slots)
    hourly = rng.random() < hourly_share[cat]
    month = slot.posted_at.date().replace(day=1)
    currency = "USD"
    rate = 1.0
    if slot.source == "freelancer":
        cur = _weighted(rng, CURRENCIES)
        currency, rate = cur["code"], cur["exchange_rate"]
    if hourly:
        mid = (
            spec["hourly_usd"]
            * effects.pay_factor(cat, month)
            * math.exp(rng.gauss(0, 0.3))
        )
        # rng.uniform(a, b) is a + (b - a) * rng.random()
        lo = mid * (0.6 + (0.85 - 0.6) * rng.random())
        hi = mid * (1.15 + (1.6 - 1.15) * rng.random())
        lo, hi = max(3.0, round(lo / rate)), max(5.0, round(hi / rate))
        pay_min, pay_max = float(min(lo, hi)), float(max(lo, hi))
    else:
        budget = spec["budget_usd"] * math.exp(rng.gauss(0, 0.7)) / rate
        pay_min = _nice_budget(budget)
        pay_max = (
            _nice_budget(budget * (1.5 + (4 - 1.5) * rng.random()))
            if slot.source == "freelancer"
            else None
        )
    skills = _sample(rng, spec["skills"], rng.randint(3, min(6, len(spec["skills"]))))
    skills = skills + ai
    if slot.source == "upwork":
        names = spec["upwork_categories"]
        source_category = names[below(len(names))]
    else:
        source_category = spec["freelancer_jobs"][0][2][1]
    source_id = _new_id(rng, slot.source, slot.posted_at, fl_seq)
    posting = Posting(
        source=slot.source,
        source_id=source_id,
        category=cat,
        source_category=source_category,
        posted_at=slot.posted_at,
        title=title,
        paragraphs=_paragraphs(rng, spec, slots, ai),
        skills=skills,
        ai_skills=ai,
        hourly=hourly,
        pay_min=pay_min,
        pay_max=pay_max,
        currency=currency,
        country=_weighted(rng, COUNTRIES),
        client_id=_client_id(rng),
    )
    _decorate(rng, posting)
    return posting


def _repost(
    rng: random.Random, original: Posting, slot: _Slot, fl_seq: dict[int, int]
) -> Posting:
    """The same client posts the same job again: same title and text, new id and time."""
    posting = replace(
        original,
        source_id=_new_id(rng, original.source, slot.posted_at, fl_seq),
        posted_at=slot.posted_at,
        repost_of=original.repost_of or original.source_id,
        skills=list(original.skills),
        paragraphs=list(original.paragraphs),
        extra={},
    )
    _decorate(rng, posting)
    return posting


def _decorate(rng: random.Random, p: Posting) -> None:
    """Per-listing details: url, fetch time and the real formats' quirks."""
    below = rng._randbelow  # see _new_posting
    # = rng.randint(120, 3 * 3600)
    p.fetched_at = _iso(p.posted_at + timedelta(seconds=120 + below(3 * 3600 - 119)))
    if p.source == "upwork":
        p.url = f"https://www.upwork.com/jobs/{_slug(p.title)}_%7E{p.source_id[1:]}?source=rss"
        p.extra["no_skills"] = rng.random() < 0.05
        p.extra["no_range"] = p.hourly and rng.random() < 0.08
        p.extra["no_country"] = rng.random() < 0.06
    else:
        jobs = CATEGORIES[p.category]["freelancer_jobs"]
        p.extra["jobs"] = [jobs[0]] + _sample(
            rng, jobs[1:], rng.randint(1, min(3, len(jobs) - 1))
        )
        p.extra["seo_url"] = f"{_job_seo(jobs[0][1])}/{_slug(p.title, 60)}"
        p.url = f"https://www.freelancer.com/projects/{p.extra['seo_url']}"
        p.extra["bids"] = below(61)  # = randint(0, 60)
        p.extra["no_max"] = not p.hourly and rng.random() < 0.1
        p.extra["owner_id"] = p.client_id
        p.extra["duration"] = _DURATIONS[below(4)]
        p.extra["hours"] = _HOURS[below(4)]


_DURATIONS = (
    "less_than_one_week",
    "one_to_four_weeks",
    "one_to_three_months",
    "three_to_six_months",
)
_HOURS = (10, 20, 30, 40)


_SEO: dict[str, str] = {}  # job names come from a fixed vocabulary


def _job_seo(name: str) -> str:
    seo = _SEO.get(name)
    if seo is None:
        seo = _SEO[name] = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return seo


# ---------------------------------------------------------------- formats


def _money(x: float, decimals: bool) -> str:
    return f"${x:,.2f}" if decimals else f"${x:,.0f}"


def upwork_description(p: Posting) -> str:
    """The HTML inside an Upwork feed item's <description> CDATA."""
    body = "<br /><br />".join(escape(par, quote=False) for par in p.paragraphs)
    out = [body, "<br /><br />"]
    if p.hourly:
        if not p.extra.get("no_range"):
            out.append(
                f"<b>Hourly Range</b>: {_money(p.pay_min, True)}-{_money(p.pay_max, True)}\n\n<br />"
            )
    else:
        out.append(f"<b>Budget</b>: {_money(p.pay_min, False)}\n\n<br />")
    out.append(f"<b>Posted On</b>: {_posted_on(p.posted_at)} UTC")
    # Category and skill names stand as Upwork wrote them ("Article & Blog Writing").
    out.append(f"<br /><b>Category</b>: {p.source_category}")
    if p.extra.get("no_skills"):
        out.append("\n")
    else:
        # The real feed pads the list with runs of spaces after each comma.
        out.append("<br /><b>Skills</b>:" + ",     ".join(p.skills) + "    \n")
    if p.country and not p.extra.get("no_country"):
        out.append(f"<br /><b>Country</b>: {p.country}\n")
    out.append(f'<br /><a href="{p.url}">click to apply</a>\n')
    return "".join(out)


def upwork_item(p: Posting, *, link: str | None = None) -> str:
    """One ``<item>`` of an Upwork job feed, as it stands in the document."""
    link = link or p.url
    desc = upwork_description(p)
    return (
        "<item>\n"
        f"      <title><![CDATA[{p.title} - Upwork]]></title>\n"
        f"      <link>{escape(link)}</link>\n"
        f"      <description><![CDATA[{desc}]]></description>\n"
        f"      <content:encoded><![CDATA[{desc}]]></content:encoded>\n"
        f"      <pubDate>{_rfc822(p.posted_at)}</pubDate>\n"
        f"      <guid>{escape(link)}</guid>\n"
        "    </item>"
    )


# json_payload's exact output, with one encoder instead of one per listing.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
assert _encode({"a": "é", "b": [1.5, None]}) == json_payload(
    {"a": "é", "b": [1.5, None]}
)
_CURRENCY_BY_CODE: dict[str, dict] = {}
for _currency, _weight in CURRENCIES:
    _CURRENCY_BY_CODE.setdefault(
        _currency["code"], _currency
    )  # the first, as next() did
del _currency, _weight


def freelancer_project(p: Posting) -> dict:
    """One project object of Freelancer's projects API (full_description, job_details)."""
    currency = _CURRENCY_BY_CODE.get(p.currency) or next(
        c for c, _ in CURRENCIES if c["code"] == p.currency
    )
    ts = int(p.posted_at.timestamp())
    description = "\n\n".join(p.paragraphs)
    jobs = [
        {
            "id": jid,
            "name": name,
            "category": {"id": cid, "name": cname},
            "active_project_count": None,
            "seo_url": _job_seo(name),
            "seo_info": None,
            "local": False,
        }
        for jid, name, (cid, cname) in p.extra["jobs"]
    ]
    for skill in p.ai_skills:
        jid, name = _FL_AI_JOBS[skill]
        jobs.append(
            {
                "id": jid,
                "name": name,
                "category": {"id": 1, "name": "Websites, IT & Software"},
                "active_project_count": None,
                "seo_url": _job_seo(name),
                "seo_info": None,
                "local": False,
            }
        )
    mid = (p.pay_min + (p.pay_max or p.pay_min)) / 2
    bids = p.extra["bids"]
    return {
        "id": int(p.source_id),
        "owner_id": p.extra["owner_id"],
        "title": p.title,
        "status": "active",
        "sub_status": None,
        "seo_url": p.extra["seo_url"],
        "currency": dict(currency),
        "description": description,
        "jobs": jobs,
        "submitdate": ts,
        "preview_description": description[:250],
        "deleted": False,
        "nonpublic": False,
        "hidebids": False,
        "type": "hourly" if p.hourly else "fixed",
        "bidperiod": 7,
        "budget": {
            "minimum": p.pay_min,
            "maximum": None if p.extra.get("no_max") else p.pay_max,
        },
        "hourly_project_info": (
            {
                "commitment": {"hours": p.extra["hours"], "interval": "week"},
                "duration_enum": p.extra["duration"],
            }
            if p.hourly
            else None
        ),
        "featured": False,
        "urgent": bids % 17 == 0,
        "bid_stats": {
            "bid_count": bids,
            "bid_avg": round(mid * 1.1, 2) if bids else None,
        },
        "time_submitted": ts,
        "time_updated": ts + 60 * (bids % 30),
        "upgrades": {
            "featured": False,
            "sealed": False,
            "nonpublic": False,
            "fulltime": False,
            "urgent": bids % 17 == 0,
            "qualified": False,
            "NDA": False,
        },
        "language": "en",
        "hireme": False,
        "frontend_project_status": "open",
        "local": False,
        "negotiated": False,
        "pool_ids": ["freelancer"],
        "enterprise_ids": [],
        "is_escrow_project": False,
    }


def to_raw(p: Posting) -> RawRow:
    """The RawRow a spider would store for this posting."""
    if p.source == "upwork":
        return RawRow(
            "upwork", p.source_id, upwork_item(p), "xml", p.url, p.fetched_at, "synth"
        )
    payload = _encode(freelancer_project(p))
    return RawRow(
        "freelancer", p.source_id, payload, "json", p.url, p.fetched_at, "synth"
    )


def generate(
    start: date,
    end: date,
    *,
    rows: int,
    seed: int = 0,
    effects: EffectPlan = SEED_STUDY,
    sources: Iterable[str] = SOURCES,
    repost_rate: float = 0.05,
    hourly_share: float | Mapping[str, float] | None = None,
    growth_per_year: float = 0.0,
    seasonal_amplitude: float = 0.1,
    noise: Noise = EXACT,
    processes: int = 1,
) -> Iterator[RawRow]:
    """Stream ``rows`` raw listings between ``start`` and ``end`` (inclusive), in time order.

    ``processes`` > 1 generates months in that many processes (each month has its own
    random stream, see :func:`iter_postings`): the same listings in the same order
    whatever the number of processes; memory holds a few chunks per process.
    Example: ``list(generate(date(2022, 11, 1), date(2022, 11, 30), rows=5, seed=1))``
    """
    args = {
        "rows": rows,
        "seed": seed,
        "effects": effects,
        "sources": tuple(sources),
        "repost_rate": repost_rate,
        "hourly_share": hourly_share,
        "growth_per_year": growth_per_year,
        "seasonal_amplitude": seasonal_amplitude,
        "noise": noise,
    }
    months = month_starts(start, end)
    if processes <= 1 or len(months) < 2:
        for posting in iter_postings(start, end, **args):
            yield to_raw(posting)
        return
    yield from _generate_parallel(start, end, args, months, processes)


_CHUNK = 2000  # listings per message from a generating process
_DONE = "month done"


def _generate_months(start, end, args, months, out) -> None:
    """A generating process: each of ``months`` as chunks of RawRows, then _DONE.

    Stops when the reading process is gone (killed before it could stop this one).
    """
    import multiprocessing
    import queue as queue_module

    reader = multiprocessing.parent_process()

    def send(message) -> None:
        while True:
            try:
                out.put(message, timeout=1.0)
                return
            except queue_module.Full:
                if reader is not None and not reader.is_alive():
                    # The chunks in the pipe will never be read: exit without waiting
                    # for the queue's feeder thread to flush them.
                    out.cancel_join_thread()
                    raise SystemExit(0) from None

    try:
        for month in months:
            chunk = []
            for posting in iter_postings(start, end, months=[month], **args):
                chunk.append(to_raw(posting))
                if len(chunk) >= _CHUNK:
                    send(chunk)
                    chunk = []
            send(chunk)
            send(_DONE)
    except Exception as exc:
        # Any failure is passed to the reading process (which would otherwise wait on
        # this queue for ever) and then raised here with its traceback.
        send(RuntimeError(f"synth process failed: {exc!r}"))
        raise


def _generate_parallel(start, end, args, months, processes) -> Iterator[RawRow]:
    """Month i comes from process i % processes, read in month order through bounded
    queues (a process runs at most a few chunks ahead)."""
    import multiprocessing
    import queue as queue_module

    ctx = multiprocessing.get_context("spawn")
    n = min(processes, len(months))
    queues = [ctx.Queue(maxsize=4) for _ in range(n)]
    procs = [
        ctx.Process(
            target=_generate_months,
            args=(start, end, args, months[k::n], queues[k]),
            daemon=True,
        )
        for k in range(n)
    ]
    for proc in procs:
        proc.start()
    try:
        for i in range(len(months)):
            proc, source = procs[i % n], queues[i % n]
            while True:
                try:
                    chunk = source.get(timeout=1.0)
                except queue_module.Empty:
                    if proc.exitcode is not None:  # died without a word (killed)
                        raise RuntimeError(
                            f"synth process exited with {proc.exitcode}"
                        ) from None
                    continue
                if isinstance(chunk, Exception):
                    raise chunk
                if chunk == _DONE:
                    break
                yield from chunk
        for proc in procs:
            proc.join()
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join()


# ---------------------------------------------------------------- fixture tree

UPWORK_FEED_PATH = "/ab/feed/jobs/rss"
FREELANCER_API_PATH = "/api/projects/0.1/projects/active/"
_CATEGORY_LINE = re.compile(r"<b>Category</b>: ([^<\n]+)")


def upwork_queries(item: str) -> list[str]:
    """Search queries whose feed would hold this item (its category's, plus "chatbot")."""
    found = _CATEGORY_LINE.search(item)
    queries = []
    if found:
        cat = _UPWORK_CATEGORY_TO_CANONICAL.get(found.group(1).strip())
        if cat:
            queries.append(UPWORK_QUERIES[cat])
    if "Chatbot Development" in item:
        queries.append("chatbot")
    return queries


def upwork_feed_url(query: str, offset: int = 0, page_size: int = 50) -> str:
    """Real-form feed URL: ``https://www.upwork.com/ab/feed/jobs/rss?q=writing&sort=recency&paging=0%3B50``."""
    return (
        f"https://www.upwork.com{UPWORK_FEED_PATH}?q={query.replace(' ', '+')}"
        f"&sort=recency&paging={offset}%3B{page_size}"
    )


def upwork_feed(query: str, items: list[str], *, built: datetime) -> str:
    """An RSS 2.0 document as Upwork served its job feeds."""
    link = upwork_feed_url(query)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:atom="http://www.w3.org/2005/Atom">\n'
        "  <channel>\n"
        f"    <title>{escape(query)} - Upwork</title>\n"
        "    <link>https://www.upwork.com</link>\n"
        f"    <description>Upwork jobs matching &quot;{escape(query)}&quot;, newest first</description>\n"
        "    <language>en-us</language>\n"
        f"    <pubDate>{_rfc822(built)}</pubDate>\n"
        f'    <atom:link href="{escape(link)}" rel="self" type="application/rss+xml" />\n'
        "    <docs>http://www.rssboard.org/rss-specification</docs>\n"
        "    <generator>Upwork</generator>\n"
        "    <image>\n"
        "      <url>https://www.upwork.com/favicon.ico</url>\n"
        "      <title>Upwork</title>\n"
        "      <link>https://www.upwork.com</link>\n"
        "    </image>\n"
    )
    body = "".join(f"    {item}\n" for item in items)
    return head + body + "  </channel>\n</rss>\n"


def write_fixture_tree(
    out_dir: str | Path,
    listings: Iterable[RawRow],
    *,
    feed_page: int = 50,
    api_page: int = 100,
    overlap_queries: Iterable[str] = (),
    extra_upwork_items: Mapping[str, list[str]] | None = None,
) -> dict[str, int]:
    """Write ``out_dir/upwork`` feeds and ``out_dir/freelancer`` API pages with routes.json.

    Upwork items are grouped by search query (a chatbot item is in two feeds), newest
    first, ``feed_page`` per page, the last page shorter; in ``overlap_queries`` the second
    page repeats the first page's last two items, as when new jobs arrive between two
    fetches.  ``extra_upwork_items`` appends raw item texts to a query's last page.
    Freelancer projects go ``api_page`` per page, newest first, ending with an empty page.
    Returns counts per source.  Example: ``write_fixture_tree("fx", generate(...))``
    """
    out = Path(out_dir)
    by_query: dict[str, list[tuple[str, str]]] = {}
    projects: list[tuple[str, str]] = []
    latest = datetime(2000, 1, 1, tzinfo=UTC)
    for raw in listings:
        latest = max(
            latest,
            datetime.strptime(raw.fetched_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),
        )
        if raw.source == "upwork":
            for q in upwork_queries(raw.payload):
                by_query.setdefault(q, []).append((raw.fetched_at, raw.payload))
        elif raw.source == "freelancer":
            projects.append((raw.fetched_at, raw.payload))
    counts = {"upwork": 0, "freelancer": 0}
    overlap = set(overlap_queries)
    extra = dict(extra_upwork_items or {})
    if by_query or extra:
        feeds = out / "upwork" / "feeds"
        feeds.mkdir(parents=True, exist_ok=True)
        routes, urls = [], []
        for query in sorted(set(by_query) | set(extra)):
            items = [
                payload for _, payload in sorted(by_query.get(query, []), reverse=True)
            ]
            if query in overlap and len(items) > feed_page:
                items = (
                    items[:feed_page]
                    + items[feed_page - 2 : feed_page]
                    + items[feed_page:]
                )
            pages = [items[i : i + feed_page] for i in range(0, len(items), feed_page)]
            if not pages or len(pages[-1]) == feed_page:
                pages.append(
                    []
                )  # the spider stops at the first page shorter than a full one
            pages[-1] = pages[-1] + extra.get(query, [])
            slug = query.replace(" ", "-")
            for n, page in enumerate(pages):
                name = f"feeds/{slug}-p{n}.xml"
                (out / "upwork" / name).write_text(
                    upwork_feed(query, page, built=latest), encoding="utf-8"
                )
                routes.append(
                    {
                        "path": UPWORK_FEED_PATH,
                        "query": {
                            "q": query,
                            "sort": "recency",
                            "paging": f"{n * feed_page};{feed_page}",
                        },
                        "file": name,
                        "content_type": "application/rss+xml; charset=utf-8",
                    }
                )
                counts["upwork"] += len(page)
            urls.append(upwork_feed_url(query, 0, feed_page))
        _write_json(out / "upwork" / "routes.json", {"routes": routes})
        (out / "upwork" / "feeds.txt").write_text(
            "\n".join(urls) + "\n", encoding="utf-8"
        )
    if projects:
        pages_dir = out / "freelancer" / "api"
        pages_dir.mkdir(parents=True, exist_ok=True)
        ordered = [payload for _, payload in sorted(projects, reverse=True)]
        routes = []
        offsets = list(range(0, len(ordered), api_page)) + [
            len(ordered) + (-len(ordered)) % api_page
        ]
        for n, offset in enumerate(offsets):
            chunk = [json.loads(s) for s in ordered[offset : offset + api_page]]
            envelope = {
                "status": "success",
                "result": {
                    "projects": chunk,
                    "total_count": len(ordered),
                    "users": None,
                    "selected_bids": None,
                },
                "request_id": f"{0x5F3A9C00 + n:x}b1e2d4c6a8f0e1d2c3b4a5f6",
            }
            name = f"api/projects-active-{offset}.json"
            _write_json(out / "freelancer" / name, envelope, indent=None)
            routes.append(
                {
                    "path": FREELANCER_API_PATH,
                    "query": {
                        "limit": str(api_page),
                        "offset": str(offset),
                        "full_description": "true",
                        "job_details": "true",
                    },
                    "file": name,
                    "content_type": "application/json",
                }
            )
            counts["freelancer"] += len(chunk)
        _write_json(out / "freelancer" / "routes.json", {"routes": routes})
    return counts


def _write_json(path: Path, obj, indent: int | None = 2) -> None:
    path.write_text(
        json.dumps(obj, ensure_ascii=False, indent=indent) + "\n", encoding="utf-8"
    )
