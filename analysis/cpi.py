"""US CPI-U (analysis/cpi_u.csv) for `report --real`: posted rates in constant dollars.

>>> from analysis.periods import parse_period
>>> round(cpi_ratio(parse_period("2024-02"), parse_period("2022-11")), 4)
1.0424
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from analysis.periods import Period, add_months, month_label
from crawler.errors import UserError

CPI_FILE = Path(__file__).with_name("cpi_u.csv")


@cache
def cpi_u() -> dict[str, float]:
    """month (YYYY-MM) -> index value, read from the shipped file."""
    with CPI_FILE.open(encoding="utf-8") as fh:
        rows = csv.reader(line for line in fh if not line.startswith("#"))
        next(rows)
        return {month: float(value) for month, value in rows}


def period_cpi(period: Period) -> float:
    """Mean CPI-U over the months the period touches; UserError naming a missing month."""
    table = cpi_u()
    months, day = [], period.start.replace(day=1)
    while day < period.end_exclusive:
        months.append(month_label(day))
        day = add_months(day, 1)
    missing = [m for m in months if m not in table]
    gaps = [m for m in missing if min(table) < m < max(table)]
    if gaps:
        raise UserError(
            f"BLS published no CPI-U value for {', '.join(gaps)}; choose windows that"
            " avoid it, or drop --real"
        )
    if missing:
        raise UserError(
            f"no CPI-U value for {', '.join(missing)} in {CPI_FILE.name} (it covers"
            f" {min(table)}..{max(table)}); drop --real or add the BLS values"
        )
    return sum(table[m] for m in months) / len(months)


def cpi_ratio(to: Period, frm: Period) -> float:
    """Factor turning dollars of period ``frm`` into dollars of period ``to``."""
    return period_cpi(to) / period_cpi(frm)
