"""Random and mutated payloads against every source mapping and normalize_listing.

A mapping (``crawler/normalize/sources/<name>.py`` ``to_job``) may refuse a payload only
with ValueError (its documented contract); ``normalize_listing`` never raises and
records every failure as an issue.  Seeds are real payloads cut from the fixtures,
then truncated, byte-flipped, field-dropped, type-swapped, or replaced by junk.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crawler.normalize.sources as sources_pkg
from crawler.fixture_server import FIXTURES
from crawler.normalize.listing import normalize_listing
from crawler.payloads import json_payload, rss_items

SOURCES = sorted(
    m.name
    for m in pkgutil.iter_modules(sources_pkg.__path__)
    if not m.name.startswith("_")
)
COUNTS = {"mapping": 0, "normalize": 0}


def _seeds() -> list[str]:
    """Real payloads: RSS items and JSON objects found in the fixture files."""
    seeds: list[str] = []
    for path in sorted(FIXTURES.rglob("*")):
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        body = path.read_bytes()
        if path.suffix in (".xml", ".rss"):
            seeds += rss_items(body)[:3]
        elif path.suffix == ".json" and path.name != "routes.json":
            try:
                data = json.loads(body)
            except ValueError:
                continue
            objs = (
                data
                if isinstance(data, list)
                else next(
                    (
                        v
                        for v in _walk(data)
                        if isinstance(v, list) and v and isinstance(v[0], dict)
                    ),
                    [data],
                )
            )
            seeds += [json_payload(o) for o in objs[:3] if isinstance(o, dict)]
        elif path.suffix == ".html":
            seeds.append(body[:5000].decode("utf-8", "replace"))
    return seeds


def _walk(obj, depth=0):
    if depth > 3:
        return
    if isinstance(obj, dict):
        for v in obj.values():
            yield v
            yield from _walk(v, depth + 1)


SEEDS = _seeds()
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@st.composite
def payloads(draw) -> str:
    seed = draw(st.sampled_from(SEEDS))
    how = draw(
        st.sampled_from(["asis", "truncate", "flip", "drop", "swap", "junk", "text"])
    )
    rnd = random.Random(draw(st.integers(0, 2**32)))
    if how == "truncate":
        return seed[: rnd.randrange(len(seed) + 1)]
    if how == "flip":
        chars = list(seed)
        for _ in range(rnd.randint(1, 8)):
            if chars:
                chars[rnd.randrange(len(chars))] = rnd.choice(
                    '<>&"{}[],:\\\x00\ufffd\U0001f600 '
                )
        return "".join(chars)
    if how in ("drop", "swap") and seed.startswith("{"):
        data = json.loads(seed)
        keys = list(data)
        for key in rnd.sample(keys, min(len(keys), rnd.randint(1, 4))):
            if how == "drop":
                data.pop(key)
            else:
                data[key] = draw(JUNK)
        return json.dumps(data)
    if how == "junk":
        return json.dumps(draw(JUNK))
    if how == "text":
        return draw(st.text(max_size=200))
    return seed


def _mapper(source: str):
    return importlib.import_module(f"crawler.normalize.sources.{source}").to_job


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=st.sampled_from(SOURCES), payload=payloads())
def test_mappings_refuse_only_with_value_error(source, payload):
    COUNTS["mapping"] += 1
    try:
        fields = _mapper(source)(payload)
    except ValueError:
        return
    assert isinstance(fields, dict)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=st.sampled_from(SOURCES), payload=payloads())
def test_normalize_listing_never_raises_and_records_failures(source, payload):
    COUNTS["normalize"] += 1
    row, issues = normalize_listing(
        source, "fuzz-1", payload, fetched_at="2024-01-15T12:00:00Z"
    )
    assert row["job_id"] == f"{source}:fuzz-1"
    try:
        _mapper(source)(payload)
    except ValueError:
        # an unreadable payload is never silently accepted: it is one of the issues
        assert any(field == "payload" for _job, field, *_ in issues), issues


def test_fuzz_case_count():
    """The figures the report quotes (runs after the two fuzz tests in file order)."""
    assert COUNTS["mapping"] >= 150 and COUNTS["normalize"] >= 150, COUNTS
    print(f"fuzz cases: {COUNTS}, seeds: {len(SEEDS)}, sources: {len(SOURCES)}")
