"""Hypothesis: the public parsers never raise, on random text and on mutated real forms."""

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.normalize import (
    Pay,
    categorize,
    match_skills,
    parse_pay,
    parse_pay_detail,
    parse_posted,
    posted_flag,
)
from crawler.normalize.categories import METHODS

NOW = datetime(2024, 7, 20, 12, tzinfo=UTC)
REAL_PAY = [
    "$15.00-$35.00",
    "Budget: $500",
    "$120k – $150k",
    "₹50,000/month",
    "1.200,50 €",
    "CA$80k",
    "Hourly Range: $30.00-$54.00",
    "USD 40–60 per hour",
    "A$ 90,000 p.a.",
    "CHF 120'000",
    "$100+",
    "299 Kč",
    "423.923 KD",
    "₹1,50,000 per month",
    "от 100 000 до 150 000 руб.",
    "年収 600万円〜800万円",
    "40\u202f000\u00a0€ brut",
    "$119. 95",
    ".75 €",
    "kr 45 000/mån",
    "2 299,- €",
]
REAL_DATES = [
    "Fri, 19 Jul 2024 04:41:00 +0000",
    "2024-07-19T04:41:00",
    "July 19, 2024 04:41 UTC",
    "1721364060",
    "1721364060000",
    "3 hours ago",
    "30+ days ago",
    "2d",
]
ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
FAST = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def mutated(draw, seeds):
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        ch = draw(
            st.sampled_from(
                list("0123456789$€£.,-–k/ +:") + [draw(st.text(ALPHABET, max_size=2))]
            )
        )
        if op == "insert":
            text = text[:i] + ch + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + 1 :]
        else:
            text = text[:i] + ch + text[i + 1 :]
    return text


@FAST
@given(
    st.one_of(st.text(ALPHABET, max_size=80), mutated(REAL_PAY)),
    st.sampled_from([None, "USD", "EUR", "CAD", "zz", ""]),
    st.sampled_from([None, "US", "Norway", "de", "Atlantis", ""]),
)
def test_parse_pay_never_raises(text, hint, country):
    pay, reason = parse_pay_detail(text, currency_hint=hint, country=country)
    assert (pay is None) != (reason is None)
    assert not (reason or "").startswith("unparsed:"), reason  # no exception inside
    if pay is not None:
        assert isinstance(pay, Pay) and pay.pay_type in {"hourly", "fixed", "salary"}
        assert pay.min is None or pay.max is None or pay.min <= pay.max
        assert pay.currency is None or len(pay.currency) == 3
        assert (pay.currency is None) == pay.currency_rule.startswith(
            ("ambiguous:", "no_currency")
        )
    assert parse_pay(text, currency_hint=hint, country=country) == pay


@FAST
@given(
    st.one_of(
        st.text(ALPHABET, max_size=60),
        mutated(REAL_DATES),
        st.integers(-(10**15), 10**15),
    )
)
def test_parse_posted_never_raises(text):
    dt = parse_posted(text, now=NOW)
    if dt is not None:
        assert dt.utcoffset().total_seconds() == 0
        posted_flag(dt, now=NOW)


@FAST
@given(
    st.text(ALPHABET, max_size=40),
    st.one_of(st.none(), st.text(ALPHABET, max_size=30)),
    st.text(ALPHABET, max_size=80),
    st.text(ALPHABET, max_size=200),
    st.lists(st.text(ALPHABET, max_size=15), max_size=5),
)
def test_categorize_never_raises(source, source_category, title, text, skills):
    category, method = categorize(source, source_category, title, text, skills)
    assert method in METHODS


@FAST
@given(
    st.lists(
        st.one_of(st.text(ALPHABET, max_size=20), st.none(), st.integers()), max_size=6
    ),
    st.one_of(st.none(), st.text(ALPHABET, max_size=300)),
)
def test_match_skills_never_raises(tags, text):
    skills = match_skills(tags, text)
    assert len({s.name for s in skills}) == len(skills)
