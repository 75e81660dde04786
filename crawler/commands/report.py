"""`jobtrends report`: volume, pay and AI-skill changes around an event, with CIs."""

from __future__ import annotations

import click

from crawler.commands._options import db_option


def _default_b(conn) -> str:
    """The last *complete* month: a month the data stops in would read as a fall."""
    from analysis.panel_report import last_complete_month

    row = conn.execute("SELECT max(month) FROM jobs WHERE dup_of IS NULL").fetchone()
    if not row or not row[0]:
        raise click.UsageError(
            "the database has no postings; run `jobtrends demo` or `jobtrends crawl` first"
        )
    month = last_complete_month(conn)
    if not month:
        raise click.UsageError(
            f"the data cover no complete month (latest postings in {row[0]}); give --b"
            " as a day range, e.g. --b 2024-06-01..2024-06-14"
        )
    return month


@click.command("report")
@click.option(
    "--a",
    "period_a",
    default=None,
    help="Before period (YYYY-MM or YYYY-MM-DD..YYYY-MM-DD); default: the event's month.",
)
@click.option(
    "--b",
    "period_b",
    default=None,
    help="After period, same forms; default: the last complete month of the data.",
)
@click.option(
    "--event", default="2022-11-30", show_default=True, help="Event date YYYY-MM-DD."
)
@click.option(
    "--control",
    default=None,
    help="Comma-separated control categories (default: engineering & architecture,"
    " accounting & finance, admin support).",
)
@click.option(
    "--naive",
    is_flag=True,
    help="Compare A and B as given (two endpoints) instead of calendar-aligned windows.",
)
@click.option(
    "--min-count",
    default=30,
    show_default=True,
    type=click.IntRange(1),
    help="Flag changes with fewer unique postings than this on either side.",
)
@click.option(
    "--reps",
    default=1000,
    show_default=True,
    type=click.IntRange(50),
    help="Bootstrap replicates.",
)
@click.option("--seed", default=20221130, show_default=True, help="Bootstrap seed.")
@click.option("--source", default=None, help="Only this source (spider name).")
@click.option(
    "--real",
    is_flag=True,
    help="Deflate posted hourly rates by US CPI-U (two-window view; shipped BLS series).",
)
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Write report.md, report.json, CSVs and PNG charts here.",
)
@db_option
def command(
    period_a,
    period_b,
    event,
    control,
    naive,
    min_count,
    reps,
    seed,
    source,
    real,
    out_dir,
    db_path,
) -> None:
    """Which categories lost volume and pay after the event, and which AI skills grew."""
    from analysis.data import CATEGORIES
    from analysis.periods import month_label, parse_day, parse_period
    from analysis.report import DEFAULT_CONTROL, ReportConfig, ReportError, build_report
    from analysis.report_output import format_report, write_report
    from analysis.report_store import store_estimates
    from crawler.db import connect

    event_day = parse_day(event)
    conn = connect(db_path, create=False, read_only=True)
    a = parse_period(period_a or month_label(event_day))
    b = parse_period(period_b or _default_b(conn))
    controls = DEFAULT_CONTROL
    if control:
        controls = tuple(c.strip() for c in control.split(",") if c.strip())
        unknown = [c for c in controls if c not in CATEGORIES]
        if unknown:
            raise click.UsageError(
                f"unknown control categories {unknown}; choose from: {', '.join(CATEGORIES)}"
            )
    config = ReportConfig(
        a=a,
        b=b,
        event=event_day,
        control=controls,
        naive=naive,
        min_count=min_count,
        reps=reps,
        seed=seed,
        source=source,
        real=real,
    )
    try:
        report = build_report(conn, config)
    except ReportError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(format_report(report))
    stored = store_estimates(conn, report)
    click.echo(f"stored {stored} estimates in report_estimates (the browser's dashboard)")
    if out_dir:
        for path in write_report(report, out_dir):
            click.echo(f"wrote {path}")
