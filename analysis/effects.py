"""Planted effects for the synthetic generator: volume and pay paths around an event date.

The expected monthly volume of a category is::

    base(category) * platform_growth(month) * seasonality(month) * effect(category, month)

``effect`` is 1 up to the event month, ramps linearly to the planted factor at the
``full`` month (2024-02 for the seed study) and stays there.  Seasonality is a cosine
with its peak at the turn of the year (between December and January), so November and
February share one seasonal factor; with the default ``growth_per_year=0`` a naive
"Nov 2022 vs Feb 2024" comparison of counts recovers the planted volume factor exactly
(up to rounding).  With growth ``g`` the naive ratio is ``factor * (1+g) ** (15/12)``.

Example: ``SEED_STUDY.volume_factor("writing", date(2024, 2, 1)) == 0.67``
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date


def month_index(d: date) -> int:
    """Months since year 0, so differences count months: ``month_index(date(2024,2,1)) - month_index(date(2022,11,1)) == 15``."""
    return d.year * 12 + d.month - 1


@dataclass(frozen=True)
class EffectPlan:
    """Planted changes: category volume and hourly-pay factors, AI skill appearance.

    ``volume`` and ``pay`` map a canonical category to the factor reached at ``full``
    (0.67 = -33 %).  ``ai_skills`` is True when AI skills follow their before/after shares
    (analysis.synth_vocab.AI_SKILLS); False keeps the "before" share all along.
    """

    event: date = date(2022, 11, 30)
    full: date = date(2024, 2, 1)
    volume: dict[str, float] = field(default_factory=dict)
    pay: dict[str, float] = field(default_factory=dict)
    ai_skills: bool = True

    def ramp(self, month: date) -> float:
        """0 up to the event month, 1 from the ``full`` month on, linear in between."""
        span = month_index(self.full) - month_index(self.event)
        done = month_index(month) - month_index(self.event)
        if span <= 0:
            return 1.0 if done > 0 else 0.0
        return min(1.0, max(0.0, done / span))

    def volume_factor(self, category: str, month: date) -> float:
        return 1.0 + (self.volume.get(category, 1.0) - 1.0) * self.ramp(month)

    def pay_factor(self, category: str, month: date) -> float:
        return 1.0 + (self.pay.get(category, 1.0) - 1.0) * self.ramp(month)

    def ai_share(self, before: float, after: float, month: date) -> float:
        """Share of a category's postings carrying an AI skill in ``month``."""
        if not self.ai_skills:
            return before
        return before + (after - before) * self.ramp(month)


# The seed study's figures, Nov 2022 -> Feb 2024.
SEED_STUDY = EffectPlan(
    volume={
        "writing": 0.67,
        "translation": 0.81,
        "customer service": 0.84,
        "video editing & production": 1.39,
        "web design": 1.10,
        "graphic design": 1.08,
    },
    pay={"translation": 0.80},
)

NO_EFFECTS = EffectPlan(ai_skills=False)


def seasonality(month: date, amplitude: float) -> float:
    """Cosine seasonal factor peaking at the turn of the year; Nov and Feb are equal.

    Example: ``seasonality(date(2022, 11, 1), 0.1) == seasonality(date(2024, 2, 1), 0.1)``
    """
    # Month numbers 1..12; the peak sits at 12.5 (= 0.5), halfway between Dec and Jan.
    return 1.0 + amplitude * math.cos(2 * math.pi * (month.month - 0.5) / 12)


# A seasonal profile with the shape freelance platforms show: a December trough, a
# January restart, a summer dip; November and February differ (1.00 vs 1.05).
# Deviations from 1 at amplitude 0.1; scaled linearly with the amplitude.
REALISTIC_SEASON = (
    0.08,
    0.05,
    0.05,
    0.0,
    -0.02,
    -0.05,
    -0.07,
    -0.05,
    0.0,
    0.02,
    0.0,
    -0.12,
)


def seasonality_realistic(month: date, amplitude: float) -> float:
    """``REALISTIC_SEASON`` scaled to ``amplitude``: Nov != Feb, December lowest.

    Example: ``seasonality_realistic(date(2024, 2, 1), 0.1) == 1.05``
    """
    return 1.0 + REALISTIC_SEASON[month.month - 1] * amplitude / 0.1


def platform_growth(
    month: date, growth_per_year: float, *, anchor: date = date(2022, 11, 1)
) -> float:
    """Compound platform growth relative to ``anchor`` (1.0 in the anchor month).

    Example: ``platform_growth(date(2023, 11, 1), 0.14) == 1.14`` (approximately)
    """
    months = month_index(month) - month_index(anchor)
    return (1.0 + growth_per_year) ** (months / 12)
