"""`jobtrends report`: volume, pay and AI-skill changes around an event, with CIs."""

from __future__ import annotations

import click

from crawler.commands._options import db_option
from crawler.errors import UserError


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


def _check_data(conn, source: str | None) -> tuple[str, str]:
    """The first and last posting days (of ``source``); a user error when there are none."""
    if source:
        sources = [r[0] for r in conn.execute("SELECT DISTINCT source FROM jobs")]
        if source not in sources:
            from crawler.suggest import did_you_mean

            raise UserError(
                f"--source {source!r} has no postings{did_you_mean(source, sources)};"
                f" sources in this database: {', '.join(sorted(sources)) or 'none'}"
            )
    where = " AND source = ?" if source else ""
    first, last = conn.execute(
        "SELECT min(substr(posted_at, 1, 10)), max(substr(posted_at, 1, 10)) FROM jobs"
        f" WHERE dup_of IS NULL AND posted_at IS NOT NULL{where}",
        [source] if source else [],
    ).fetchone()
    if not first:
        raise UserError(
            "the database has no dated postings; run `jobtrends demo` or `jobtrends crawl` first"
        )
    return first, last


def _explain_windows(conn, config, first: str, last: str) -> None:
    """Say which windows are compared and why, before the bootstrap starts; a window
    without postings is a user error naming what the user typed."""
    from analysis.report import choose_windows

    window_a, window_b, mode = choose_windows(config)
    if config.naive:
        click.echo(
            f"comparing {window_a.label} with {window_b.label} as given (--naive)",
            err=True,
        )
    else:
        years = window_b.start.year - window_a.start.year
        click.echo(
            f"comparing {window_a.label} with {window_b.label}: --b {config.b.label} moved back"
            f" {years} year(s) to end by the end of --a {config.a.label}, so both windows cover"
            " the same calendar days (seasons cancel); --naive compares"
            f" {config.a.label} with {config.b.label} as given",
            err=True,
        )

    def postings(window) -> int:
        return conn.execute(
            "SELECT count(*) FROM jobs WHERE posted_at >= ? AND posted_at < ?"
            " AND dup_of IS NULL" + (" AND source = ?" if config.source else ""),
            [
                window.start_iso,
                window.end_iso,
                *([config.source] if config.source else []),
            ],
        ).fetchone()[0]

    for window, typed in ((window_a, "--a"), (window_b, "--b")):
        if postings(window):
            continue
        what = (
            f"{typed} {window.label}"
            if window.label in (config.a.label, config.b.label)
            else f"{window.label} (the calendar-aligned window for {typed} {config.a.label}"
            f" and --b {config.b.label})"
        )
        naive_helps = not config.naive and typed == "--a" and postings(config.a) > 0
        hint = (
            f", or --naive to compare {config.a.label} with {config.b.label} as given"
            if naive_helps
            else ""
        )
        raise UserError(
            f"no postings in {what}; the data runs from {first} to {last}:"
            f" choose --a/--b within it{hint}"
        )


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
    first, last = _check_data(conn, source)
    _explain_windows(conn, config, first, last)
    try:
        report = build_report(conn, config)
    except ReportError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(format_report(report))
    stored = store_estimates(conn, report)
    click.echo(
        f"stored {stored} estimates in report_estimates (the browser's dashboard)"
    )
    if out_dir:
        for path in write_report(report, out_dir):
            click.echo(f"wrote {path}")
