"""`jobtrends compare --a 2022-11 --b 2024-02`: raw two-period comparison per category."""

from __future__ import annotations

import click

from crawler.commands._options import db_option


@click.command("compare")
@click.option(
    "--a",
    "period_a",
    required=True,
    help="First period: YYYY-MM or YYYY-MM-DD..YYYY-MM-DD.",
)
@click.option("--b", "period_b", required=True, help="Second period, same forms.")
@click.option("--source", default=None, help="Only this source (spider name).")
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Also write compare.md, compare_categories.csv, compare_skills.csv here.",
)
@click.option(
    "--top-skills", default=15, show_default=True, help="Skills shown in the terminal."
)
@db_option
def command(
    period_a: str,
    period_b: str,
    source: str | None,
    out_dir: str | None,
    top_skills: int,
    db_path: str,
) -> None:
    """Compare unique postings and median hourly pay per category between two periods."""
    from analysis.compare import compare_periods, format_table, write_outputs
    from analysis.periods import parse_period
    from crawler.db import connect

    a, b = parse_period(period_a), parse_period(period_b)
    conn = connect(db_path, create=False, read_only=True)
    result = compare_periods(conn, a, b, source=source)
    if result.total_a == 0 and result.total_b == 0:
        raise click.UsageError(
            f"no postings in {a.label} or {b.label} in {db_path}; pick periods with data"
        )
    click.echo(format_table(result, top_skills=top_skills))
    if out_dir:
        for path in write_outputs(result, out_dir):
            click.echo(f"wrote {path}")
