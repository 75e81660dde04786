"""`jobtrends ingest --redis URL` - the single SQLite writer of a Redis scale-out crawl."""

from __future__ import annotations

import sys

import click

from crawler.commands._options import db_option


@click.command("ingest")
@click.option(
    "--redis",
    "redis_url",
    required=True,
    metavar="redis://HOST:PORT/DB",
    help="The Redis the crawl workers push items to.",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(0.5),
    default=30.0,
    show_default=True,
    help="Exit after this many seconds without items (it exits at once when the "
    "workers' crawl is done and every item is stored).",
)
@click.option(
    "--start-timeout",
    type=click.FloatRange(0.5),
    default=300.0,
    show_default=True,
    help="Exit when no first item came in this many seconds.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1),
    default=500,
    show_default=True,
    help="Items stored per transaction.",
)
@click.option(
    "--no-normalize",
    is_flag=True,
    help="Store raw listings only (run `jobtrends normalize` later).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (TOML) with [monitors] thresholds and webhook_url.",
)
@db_option
def command(
    redis_url,
    idle_timeout,
    start_timeout,
    batch_size,
    no_normalize,
    config_path,
    db_path,
):
    """Store the items crawl workers push to Redis, as `jobtrends crawl` would; one writer only."""
    import redis

    from crawler.redis_scale import ingest

    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise click.UsageError("--redis must look like redis://HOST:PORT/DB")
    click.echo(
        f"ingesting from Redis into {db_path} (exits {idle_timeout:g}s after the last item)",
        err=True,
    )
    try:
        result = ingest(
            redis_url,
            db_path,
            idle_timeout=idle_timeout,
            start_timeout=start_timeout,
            batch_size=batch_size,
            normalize=not no_normalize,
        )
    except redis.ConnectionError as exc:
        raise click.UsageError(
            f"cannot reach Redis ({exc.__class__.__name__}): is redis-server running?"
        ) from None
    click.echo(result.line())
    from crawler.config import load_config
    from crawler.monitors import check_runs

    reports = check_runs(db_path, list(result.runs.values()), load_config(config_path))
    for report in reports:
        click.echo(report.line(), err=True)
    unfinished = [
        s for s, line in result.statuses.items() if not line.startswith("finished")
    ]
    if unfinished:
        click.echo(
            f"{len(unfinished)} run(s) not finished ({', '.join(unfinished)}): requests or items "
            "are still missing - start a worker to resume, then `jobtrends ingest` again",
            err=True,
        )
        sys.exit(1)
    if any(report.failed for report in reports):
        sys.exit(3)
