"""Time windows for comparisons: a month (``2024-02``) or a day range.

>>> parse_period("2024-02")
Period(start=datetime.date(2024, 2, 1), end_exclusive=datetime.date(2024, 3, 1), label='2024-02')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import click

ACCEPTED = "YYYY-MM (a calendar month) or YYYY-MM-DD..YYYY-MM-DD (inclusive day range)"

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    """Half-open window [start, end_exclusive) of posting dates."""

    start: date
    end_exclusive: date
    label: str

    @property
    def days(self) -> int:
        return (self.end_exclusive - self.start).days

    @property
    def start_iso(self) -> str:
        """Lower bound comparable with jobs.posted_at strings."""
        return f"{self.start.isoformat()}T00:00:00Z"

    @property
    def end_iso(self) -> str:
        return f"{self.end_exclusive.isoformat()}T00:00:00Z"

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end_exclusive


def add_months(day: date, months: int) -> date:
    """First-of-month arithmetic. ``add_months(date(2024, 1, 1), 2) == date(2024, 3, 1)``."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def _shift_day(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def shift_years(period: Period, years: int) -> Period:
    """The same calendar window ``years`` earlier (negative) or later.

    >>> shift_years(parse_period("2024-02"), -2).label
    '2022-02'
    """
    start = _shift_day(period.start, years)
    end = _shift_day(period.end_exclusive, years)
    if _MONTH.match(period.label):
        label = f"{start.year:04d}-{start.month:02d}"
    else:
        label = f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}"
    return Period(start, end, label)


def parse_period(text: str) -> Period:
    """Parse ``YYYY-MM`` or ``YYYY-MM-DD..YYYY-MM-DD`` (both ends inclusive).

    Raises click.UsageError naming the accepted forms.

    >>> parse_period("2024-01-01..2024-01-31").days
    31
    """
    value = (text or "").strip()
    match = _MONTH.match(value)
    try:
        if match:
            start = date(int(match.group(1)), int(match.group(2)), 1)
            return Period(start, add_months(start, 1), value)
        match = _RANGE.match(value)
        if match:
            start = date.fromisoformat(match.group(1))
            last = date.fromisoformat(match.group(2))
            if last < start:
                raise click.UsageError(
                    f"period {text!r} ends before it starts; use {ACCEPTED}"
                )
            return Period(start, last + timedelta(days=1), value)
    except ValueError:
        pass
    raise click.UsageError(f"cannot read period {text!r}; use {ACCEPTED}")


def parse_day(text: str) -> date:
    """Parse ``YYYY-MM-DD`` or raise click.UsageError."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise click.UsageError(f"cannot read date {text!r}; use YYYY-MM-DD") from None


def month_label(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
