"""One raw listing -> one `jobs` row plus the issues met on the way (pure).

``normalize_listing`` never raises on bad input: a payload its source mapping cannot read
still yields a row (title empty, everything unknown) and a ``payload`` issue, so the raw
row keeps its reason and nothing is silently lost.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from crawler.normalize import (
    NORMALIZER_VERSION,
    classify,
    make_pay,
    match_skills,
    parse_pay_detail,
    parse_posted,
    posted_flag,
    taxonomy_lookup,
    usd_figures,
)
from crawler.normalize.countries import country_detail
from crawler.normalize.sources import mapper
from crawler.normalize.text import clean_title, repair_mojibake

Issue = tuple[
    str, str, "str | None", str, str
]  # job_id, field, raw value, reason, version

# The pay columns of a posting without pay (pay_type "unknown", every figure empty).
EMPTY_PAY = {
    "pay_type": "unknown",
    "pay_min": None,
    "pay_max": None,
    "pay_currency": None,
    "pay_period": None,
    "currency_rule": None,
    "hourly_usd_min": None,
    "hourly_usd_max": None,
    "hourly_usd_mid": None,
    "budget_usd": None,
    "salary_usd_year": None,
}


@lru_cache(maxsize=256)  # a crawl's listings share a handful of fetch times
def _parse_fetched(fetched_at: str | None) -> datetime:
    if fetched_at:
        try:
            dt = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
            return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime(2100, 1, 1, tzinfo=UTC)  # unknown fetch time: no "future" flag


def normalize_listing(
    source: str,
    source_id: str,
    payload: str,
    *,
    fetched_at: str | None,
    raw_sha256: str | None = None,
    url: str | None = None,
) -> tuple[dict, list[Issue]]:
    """Normalize one raw payload: ``normalize_listing("upwork", "~01ab", xml, fetched_at=...)``."""
    job_id = f"{source}:{source_id}"
    issues: list[Issue] = []

    def issue(field: str, raw, reason: str) -> None:
        issues.append(
            (
                job_id,
                field,
                None if raw is None else str(raw)[:500],
                reason,
                NORMALIZER_VERSION,
            )
        )

    row: dict = {
        "job_id": job_id,
        "source": source,
        "source_id": source_id,
        "fetched_at": fetched_at,
        "normalizer_version": NORMALIZER_VERSION,
        "raw_sha256": raw_sha256,
        "dup_of": None,
    }
    try:
        fields = mapper(source)(payload)
    except Exception as exc:  # noqa: BLE001 - any mapping failure is recorded, never raised
        issue(
            "payload", payload[:200], f"unreadable payload: {type(exc).__name__}: {exc}"
        )
        row.update(EMPTY_PAY)
        row.update(
            title=None,
            description=None,
            category="other",
            category_method="none",
            category_confidence=None,
            skills=[],
            has_ai_skill=0,
            posted_at=None,
            month=None,
        )
        return row, issues

    now = _parse_fetched(fetched_at)
    get = fields.get
    title = get("title") or None
    if title:
        title = clean_title(title)
    else:
        issue("title", None, "missing")
    description = get("description") or None
    if description:
        description = repair_mojibake(description)
    country_raw = get("country") or None
    remote = get("remote")
    country, reason = country_detail(country_raw)
    if country_raw and reason:
        issue("country", country_raw, reason)

    # Posted date
    posted_raw = get("posted_raw")
    posted = parse_posted(posted_raw, now=now) if posted_raw else None
    posted_at = month = flag = None
    if posted is None:
        issue("posted_at", posted_raw, "missing" if not posted_raw else "unparsed date")
    else:
        flag = posted_flag(posted, now=now)
        if flag:
            issue("posted_at", posted_raw, f"untrusted date: {flag}")
        else:
            posted_at = posted.replace(tzinfo=None, microsecond=0).isoformat() + "Z"
            month = posted_at[:7]

    # Pay
    pay, reason = None, None
    structured = get("pay")
    if structured:
        pay_raw = f"{structured.get('min')}-{structured.get('max')} {structured.get('currency')} per {structured.get('period')}"
        pay = make_pay(
            structured.get("min"),
            structured.get("max"),
            currency=structured.get("currency"),
            period=structured.get("period"),
            pay_type=structured.get("pay_type"),
            raw=pay_raw,
        )
        reason = None if pay else "no figure (0 or empty)"
    else:
        pay_raw = get("pay_text")
        if pay_raw:
            pay, reason = parse_pay_detail(
                pay_raw, currency_hint=get("currency_hint"), country=country
            )
        else:
            pay_raw = None
            reason = (
                "hourly without range" if get("hourly_without_range") else "not stated"
            )
    if pay is None:
        issue("pay", pay_raw, reason or "unparsed")
        row.update(EMPTY_PAY)
    else:
        if pay.currency is None:  # amounts kept; no USD figure without a currency
            issue("pay_currency", pay.raw, pay.currency_rule)
        figures = usd_figures(pay, (posted or now).date())
        note = figures["fx_note"]
        if note:
            issue("pay_usd", pay.raw, note)
        row.update(
            pay_type=pay.pay_type,
            pay_min=pay.min,
            pay_max=pay.max,
            pay_currency=pay.currency,
            pay_period=pay.period,
            currency_rule=pay.currency_rule,
            hourly_usd_min=figures["hourly_usd_min"],
            hourly_usd_max=figures["hourly_usd_max"],
            hourly_usd_mid=figures["hourly_usd_mid"],
            budget_usd=figures["budget_usd"],
            salary_usd_year=figures["salary_usd_year"],
        )

    # Skills and category
    text = description or ""
    skills = match_skills(get("tags") or [], text, title=title)
    skill_dicts = []
    names = []
    has_ai = 0
    for s in skills:
        skill_dicts.append({"name": s.name, "is_ai": s.is_ai, "family": s.family})
        names.append(s.name)
        if s.is_ai:
            has_ai = 1
    source_category = get("source_category")
    decided = classify(source, source_category, title or "", text, names)
    if decided.method == "none" and title:
        issue("category", title, "no category is likely for this title")
    if source_category and taxonomy_lookup(source, source_category) is None:
        issue("category", source_category, "source category not in taxonomy")
    elif source_category and " > " in source_category:
        leaf = source_category.rsplit(" > ", 1)[1]
        if taxonomy_lookup(source, leaf) is None:
            issue("category", leaf, "occupation not in taxonomy: its parent was used")
    # The other columns in one call, after the parsers (no store per column).
    row.update(
        title=title,
        description=description,
        url=get("url") or url,  # the stored listing URL when the payload names none
        company=get("company"),
        country_raw=country_raw,
        location=get("location"),
        remote=None if remote is None else int(bool(remote)),
        country=country,
        posted_at_raw=posted_raw,
        posted_at=posted_at,
        month=month,
        posted_flag=flag,
        pay_raw=pay_raw,
        skills=skill_dicts,
        has_ai_skill=has_ai,
        source_category=source_category,
        category=decided.category,
        category_method=decided.method,
        category_confidence=decided.confidence,
    )
    return row, issues
