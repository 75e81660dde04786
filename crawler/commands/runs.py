"""`jobtrends runs` - the crawl history (crawl_runs) and each run's monitor verdicts."""

from __future__ import annotations

import json
import sys

import click

from crawler.commands._options import db_option
from crawler.errors import UserError


def _failed_checks(conn, run_id: int) -> str:
    names = [
        r[0]
        for r in conn.execute(
            'SELECT "check" FROM run_checks WHERE run_id = ? AND passed = 0 ORDER BY "check"',
            (run_id,),
        )
    ]
    return ",".join(names)


def _check_spider(conn, spider: str) -> None:
    """A --spider that names no spider and no run's source is a typo: say the closest."""
    from crawler.crawl_process import spider_names
    from crawler.suggest import did_you_mean

    known = set(spider_names()) | {
        r[0] for r in conn.execute("SELECT DISTINCT spider FROM crawl_runs")
    }
    if spider not in known:
        raise UserError(
            f"--spider {spider!r} is no spider and no run's source{did_you_mean(spider, known)};"
            f" known: {', '.join(sorted(known))}"
        )


@click.command("runs")
@click.option("--spider", help="Only this spider's runs.")
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(1),
    help="How many runs.",
)
@click.option(
    "--check",
    "check_ids",
    multiple=True,
    type=int,
    metavar="RUN_ID",
    help="(Re)run the monitors on this run and print their verdicts.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (TOML) with [monitors] thresholds and webhook_url.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per run.")
@db_option
def command(spider, limit, check_ids, config_path, as_json, db_path):
    """List recent runs: status, pages, listings new/updated/unchanged, retries, errors."""
    from crawler.db import connect

    conn = connect(db_path, create=False, read_only=True)  # FileNotFoundError: one line
    try:
        from crawler.db import is_read_only
        from crawler.run_record import mark_interrupted

        if not is_read_only(conn):  # a read-only database is shown as it is
            mark_interrupted(
                conn
            )  # a SIGKILLed crawl's run is shown as 'interrupted', not 'running'
        if check_ids:
            from crawler.config import load_config
            from crawler.monitors import check_run, monitor_options

            try:
                options = monitor_options(load_config(config_path))
            except UserError as exc:
                raise click.UsageError(str(exc)) from None
            degraded = False
            for run_id in check_ids:
                try:
                    report = check_run(conn, run_id, options)
                except UserError as exc:
                    raise click.UsageError(str(exc)) from None
                for c in report.checks:
                    click.echo(
                        f"  {'ok  ' if c.passed else 'FAIL'} {c.check:<20} {c.detail}"
                    )
                click.echo(report.line())
                degraded |= bool(report.failed)
            sys.exit(3 if degraded else 0)
        if spider:
            _check_spider(conn, spider)
        where, params = ("WHERE spider = ?", [spider]) if spider else ("", [])
        rows = conn.execute(
            f"SELECT * FROM crawl_runs {where} ORDER BY run_id DESC LIMIT ?",
            [*params, limit],
        ).fetchall()
        if not rows:
            click.echo("no runs yet" + (f" for {spider}" if spider else ""), err=True)
            return
        if as_json:
            for r in rows:
                row = dict(r)
                row["stats"] = json.loads(row["stats"]) if row.get("stats") else None
                failed = _failed_checks(conn, r["run_id"])
                row["failed_checks"] = failed.split(",") if failed else []
                click.echo(json.dumps(row, sort_keys=True))
            return
        click.echo(
            f"{'run':>5} {'spider':<12} {'kind':<6} {'started':<20} {'secs':>6} {'status':<9} "
            f"{'pages':>5} {'new':>6} {'upd':>5} {'same':>6} {'retry':>5} {'err':>4}  checks failed / log"
        )
        for r in rows:
            secs = ""
            if r["finished_at"]:
                from datetime import datetime

                fmt = "%Y-%m-%dT%H:%M:%SZ"
                secs = str(
                    int(
                        (
                            datetime.strptime(r["finished_at"], fmt)
                            - datetime.strptime(r["started_at"], fmt)
                        ).total_seconds()
                    )
                )
            failed = _failed_checks(conn, r["run_id"])
            click.echo(
                f"{r['run_id']:>5} {r['spider']:<12} {r['kind']:<6} {r['started_at']:<20} {secs:>6} "
                f"{r['status']:<9} {r['pages'] or 0:>5} {r['new'] or 0:>6} {r['updated'] or 0:>5} "
                f"{r['unchanged'] or 0:>6} {r['retries'] or 0:>5} {r['errors'] or 0:>4}  "
                f"{failed or '-'} {r['log_path'] or ''}"
            )
    finally:
        conn.close()
