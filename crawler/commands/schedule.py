"""`jobtrends schedule` - run the config's [[schedule]] entries in the foreground."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta

import click

from crawler.commands._options import db_option
from crawler.errors import UserError


def parse_until(text: str | None) -> datetime | None:
    """``+90`` (seconds from now) or an ISO time (``2026-01-01T06:00:00Z``)."""
    if not text:
        return None
    now = datetime.now(UTC)
    if text.startswith("+"):
        try:
            return now + timedelta(seconds=float(text[1:]))
        except ValueError:
            raise click.UsageError(
                f"--until {text!r}: give +SECONDS or an ISO time"
            ) from None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.UsageError(
            f"--until {text!r}: give +SECONDS or an ISO time like 2026-01-01T06:00:00Z"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@click.command("schedule")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (TOML) with [[schedule]] entries (default: $JOBTRENDS_CONFIG or ./jobtrends.toml).",
)
@click.option(
    "--once", is_flag=True, help="Run every entry once now, wait for the runs, exit."
)
@click.option(
    "--max-runs",
    type=click.IntRange(1),
    help="Exit after this many runs have finished.",
)
@click.option(
    "--until",
    "until_text",
    metavar="TIME|+SECONDS",
    help="Start no run after this time; exit when idle.",
)
@click.option(
    "--tick",
    type=click.FloatRange(0.05),
    default=1.0,
    show_default=True,
    help="Seconds between checks of the clock and the running crawls.",
)
@click.option(
    "--stop-timeout",
    type=click.FloatRange(0),
    default=None,
    help="Seconds to wait for crawls after SIGTERM before killing them (default: config or 120).",
)
@db_option
def command(config_path, once, max_runs, until_text, tick, stop_timeout, db_path):
    """Crawl on a schedule: cron per spider, one process per run, one run per spider at a time."""
    from crawler.config import load_config
    from crawler.schedule import Scheduler, load_schedule

    until = parse_until(until_text)
    config = load_config(config_path)
    try:
        entries = load_schedule(config)
        from crawler.monitors import monitor_options

        monitor_options(
            config
        )  # a bad threshold should stop us now, not after the first run
    except UserError as exc:
        raise click.UsageError(str(exc)) from None
    from crawler.crawl_process import spider_class, spider_names
    from crawler.suggest import did_you_mean, unknown_names_message

    known = spider_names()
    for entry in entries:
        if entry.spider not in known:
            raise click.UsageError(
                f"[[schedule]] spider {entry.spider!r} is unknown"
                f"{did_you_mean(entry.spider, known)}: choose from {', '.join(known)}"
            )
        message = unknown_names_message(
            "option", entry.args, spider_class(entry.spider).option_names()
        )
        if message:
            raise click.UsageError(f"[[schedule]] {entry.name} args: {message}")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s"
    )
    options = config.get("scheduler", {})
    scheduler = Scheduler(
        entries,
        db_path,
        config=config,
        config_path=config_path,
        tick=tick,
        stop_timeout=stop_timeout
        if stop_timeout is not None
        else float(options.get("stop_timeout", 120)),
    )
    scheduler.install_signals()
    click.echo(
        f"scheduling {', '.join(f'{e.name} [{e.cron}]' for e in entries)} into {db_path}",
        err=True,
    )
    completed = scheduler.run(once=once, max_runs=max_runs, until=until)
    for entry, code, run_ids in completed:
        click.echo(
            f"{entry.name:<15} exit {code}  runs {','.join(map(str, run_ids)) or '-'}"
        )
    for entry in scheduler.skipped:
        click.echo(
            f"{entry.name:<15} skipped: a {entry.spider} crawl still holds its lock",
            err=True,
        )
    if scheduler.skipped and not completed:
        click.echo(
            f"nothing ran: all {len(scheduler.skipped)} due run(s) skipped because their "
            "spider's previous crawl still holds its lock",
            err=True,
        )
    if scheduler.stop_signal is not None:
        click.echo(
            "stopped by signal; running crawls were stopped cleanly and recorded as "
            "interrupted (shutdown)",
            err=True,
        )
    # Exit non-zero when any run failed or was degraded, so a cron wrapper notices.
    codes = [code for _, code, _ in completed]
    sys.exit(3 if 3 in codes else (1 if any(codes) else 0))
