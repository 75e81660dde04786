"""The normalizer's public API: pure parsers from source fields to canonical values.

``parse_pay``/``make_pay`` (pay.py), ``parse_posted``/``posted_flag`` (dates.py),
``usd_figures`` (fx.py), ``categorize``/``taxonomy_lookup`` (categories.py),
``match_skills`` (skills.py), ``find_reposts``/``mark_reposts`` (reposts.py).  None of
them reads the clock or does I/O beyond loading data/ once; none raises on bad input.
"""

from crawler.normalize.categories import (
    CANONICAL_CATEGORIES,
    TAXONOMY_VERSION,
    Category,
    categorize,
    classify,
    count_unmapped,
    rule_scores,
    taxonomy_lookup,
    unmapped_values,
)
from crawler.normalize.dates import parse_posted, posted_flag
from crawler.normalize.fx import HOURS_PER_PERIOD, usd_figures, usd_rate
from crawler.normalize.pay import Pay, make_pay, parse_pay, parse_pay_detail
from crawler.normalize.reposts import find_reposts, mark_reposts, normalize_title
from crawler.normalize.skills import (
    AI_SKILLS,
    SKILLS,
    SKILLS_VERSION,
    Skill,
    match_skills,
)

# Bump when any rule or data file changes the output; stored on every jobs row.
NORMALIZER_VERSION = (
    "2026.12.1"  # pay in every currency (no USD default); learned categories
)

__all__ = [
    "AI_SKILLS",
    "CANONICAL_CATEGORIES",
    "HOURS_PER_PERIOD",
    "NORMALIZER_VERSION",
    "Pay",
    "SKILLS",
    "SKILLS_VERSION",
    "Skill",
    "TAXONOMY_VERSION",
    "Category",
    "categorize",
    "classify",
    "count_unmapped",
    "find_reposts",
    "make_pay",
    "mark_reposts",
    "match_skills",
    "normalize_listing",
    "normalize_title",
    "parse_pay",
    "parse_pay_detail",
    "parse_posted",
    "posted_flag",
    "rule_scores",
    "taxonomy_lookup",
    "unmapped_values",
    "usd_figures",
    "usd_rate",
]

# Last: listing.py reads NORMALIZER_VERSION from this package.
from crawler.normalize.listing import normalize_listing
