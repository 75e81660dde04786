"""`jobtrends demo` - the whole path on the bundled fixtures, offline."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crawler.commands._options import db_option


@click.command("demo")
@click.option(
    "--a", "period_a", default="2022-11", show_default=True, help="First period."
)
@click.option(
    "--b", "period_b", default="2024-02", show_default=True, help="Second period."
)
@db_option
def command(period_a, period_b, db_path):
    """Serve fixtures/ on 127.0.0.1, crawl it with Scrapy, normalize, compare."""
    from analysis.compare import compare_periods, format_table
    from analysis.periods import parse_period
    from crawler.crawl_process import LOOPBACK_SETTINGS, run_spiders
    from crawler.db import connect
    from crawler.errors import UserError
    from crawler.fixture_server import FIXTURES, FixtureServer

    try:
        a, b = parse_period(period_a), parse_period(period_b)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    feeds_file = FIXTURES / "upwork" / "feeds.txt"
    if not feeds_file.is_file():
        raise UserError(
            f"{feeds_file} is missing: in a checkout, run `python -m fixtures.generate` from its"
            " root; an installed jobtrends ships it (reinstall with `pip install jobtrends`)"
        )
    log_file = str(Path(db_path).parent / "logs" / "demo.log")
    with FixtureServer() as server:
        click.echo(
            f"fixture server on {server.url}; crawling upwork and freelancer into {db_path}"
        )
        results = run_spiders(
            [
                (
                    "upwork",
                    {
                        "base_url": server.base_url("upwork"),
                        "feeds_file": str(feeds_file),
                    },
                ),
                ("freelancer", {"base_url": server.base_url("freelancer")}),
            ],
            db_path,
            settings=LOOPBACK_SETTINGS,
            log_file=log_file,
        )
    for result in results:
        click.echo(result.line())
    conn = connect(db_path)
    jobs = conn.execute("SELECT count(*) FROM jobs").fetchone()[0]
    click.echo(f"\n{jobs} normalized postings in {db_path}\n")
    click.echo(format_table(compare_periods(conn, a, b)))
    _store_report_estimates(conn, a, b)
    click.echo(
        f"\nBrowse the data: jobtrends serve --db {db_path}   (then open http://127.0.0.1:8001)"
    )
    if any(r.status != "finished" for r in results):
        click.echo(f"some runs did not finish cleanly - see {log_file}", err=True)
        sys.exit(1)


def _store_report_estimates(conn, a, b) -> None:
    """`jobtrends report --a A --b B --naive`'s estimates, for the browser's dashboard.

    Naive windows: the fixtures hold no postings a year before period B.
    """
    from analysis.report import ReportConfig, ReportError, build_report
    from analysis.report_store import store_estimates

    try:
        stored = store_estimates(
            conn, build_report(conn, ReportConfig(a=a, b=b, naive=True))
        )
    except ReportError as exc:
        click.echo(f"no report estimates for the dashboard: {exc}", err=True)
        return
    click.echo(f"stored {stored} report estimates for the dashboard (report --naive)")
