"""`jobtrends crawl NAME... | --all` - run spiders into the database."""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from crawler.commands._options import db_option
from crawler.errors import UserError


def parse_pairs(pairs: tuple[str, ...], what: str) -> list[tuple[str, str]]:
    out = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.UsageError(f"{what} {pair!r} must look like KEY=VALUE")
        out.append((key.strip(), value))
    return out


def spider_args(names: list[str], pairs: list[tuple[str, str]]) -> dict[str, dict]:
    """``-a feeds=...`` applies to every spider; ``-a upwork.feeds=...`` to one."""
    args: dict[str, dict] = {name: {} for name in names}
    for key, value in pairs:
        spider, dot, option = key.partition(".")
        if dot and spider in args:
            args[spider][option] = value
        else:
            for name in names:
                args[name][key] = value
    return args


def check_before_crawling(
    names: list[str], args: dict[str, dict], db_path: str
) -> None:
    """Bad config files, option values and database paths as one-line usage errors, before
    Scrapy starts (inside the crawl they would only be a logged traceback).

    ``check_before_crawling(["freelancer"], {"freelancer": {"max_pages": "x"}}, "x.db")`` raises.
    """
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    from crawler.db import connect

    loader = SpiderLoader.from_settings(get_project_settings())
    for name in names:
        try:
            spider = loader.load(name)(**args[name])
            if hasattr(spider, "check_options"):
                spider.check_options()
        except (UserError, FileNotFoundError) as exc:
            raise click.UsageError(f"{exc} (spider {name})") from None
    try:
        connect(db_path).close()
    except (OSError, sqlite3.Error) as exc:
        raise click.UsageError(
            f"cannot open database {db_path}: {exc} - give a writable --db path"
        ) from None


def check_redis(url: str) -> None:
    """UserError (one line) when the Redis server of ``--redis`` cannot be reached."""
    import redis

    where = url.split("@")[-1]
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except ValueError as exc:
        raise UserError(f"--redis {where}: not a Redis URL ({exc})") from None
    except redis.exceptions.RedisError as exc:
        raise UserError(
            f"--redis {where}: cannot reach the Redis server ({exc})"
        ) from None


@click.command("crawl")
@click.argument("names", nargs=-1)
@click.option(
    "--all", "all_", is_flag=True, help="Run every spider with its configured options."
)
@click.option(
    "-a",
    "arg_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Spider argument (NAME.KEY=VALUE for one spider of several).",
)
@click.option(
    "-s", "setting_pairs", multiple=True, metavar="KEY=VALUE", help="Scrapy setting."
)
@click.option(
    "--base-url", help="Crawl a mirror: every URL's origin is replaced, paths kept."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (TOML).",
)
@click.option(
    "--full", is_flag=True, help="Do not stop at pages of already-stored listings."
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    help="Scrapy log file (default: logs/ beside the database).",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Resumable: an interrupted crawl continues where it stopped (data/jobdir/NAME/).",
)
@click.option(
    "--redis",
    "redis_url",
    metavar="redis://HOST:PORT/DB",
    help="Run as a Redis scale-out worker; items go to Redis for `jobtrends ingest`.",
)
@click.option(
    "--redis-idle",
    type=float,
    default=5.0,
    show_default=True,
    help="With --redis: stop after the shared queue stayed empty this long.",
)
@db_option
def command(
    names,
    all_,
    arg_pairs,
    setting_pairs,
    base_url,
    config_path,
    full,
    log_file,
    resume,
    redis_url,
    redis_idle,
    db_path,
):
    """Crawl NAME... (or --all) into the database and normalize what is new."""
    from crawler.crawl_process import run_spiders, spider_names

    known = spider_names()
    names = list(known if all_ else names)
    if not names:
        raise click.UsageError(f"name a spider ({', '.join(known)}) or give --all")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.UsageError(
            f"unknown spider {unknown[0]!r}: choose from {', '.join(known)}"
        )
    args = spider_args(names, parse_pairs(arg_pairs, "-a"))
    for name in names:
        if base_url:
            args[name].setdefault(
                "base_url",
                base_url.rstrip("/") + ("" if len(names) == 1 else f"/{name}"),
            )
        if config_path:
            args[name].setdefault("config", config_path)
        if full:
            args[name]["full"] = "1"
    check_before_crawling(names, args, db_path)
    settings = dict(parse_pairs(setting_pairs, "-s"))
    from crawler.config import load_config
    from crawler.monitors import monitor_options

    config = load_config(config_path)
    try:
        monitor_options(config)
    except UserError as exc:
        raise click.UsageError(str(exc)) from None
    if resume or config.get("crawl", {}).get("resume"):
        from crawler.resume import resume_settings

        settings = {**resume_settings(db_path), **settings}
    if not log_file:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        log_file = str(
            Path(db_path).parent
            / "logs"
            / f"crawl-{'-'.join(names) if len(names) < 4 else 'all'}-{stamp}.log"
        )
    if redis_url:
        import json

        from crawler.redis_scale import crawl_on_redis

        if len(names) != 1:
            raise click.UsageError(
                "--redis runs one spider per process: name exactly one spider"
            )
        check_redis(redis_url)
        click.echo(
            f"crawling {names[0]} on {redis_url.split('@')[-1]} (log: {log_file})",
            err=True,
        )
        summary = crawl_on_redis(
            names[0],
            args[names[0]],
            redis_url,
            settings=settings,
            log_file=log_file,
            idle=redis_idle,
        )
        click.echo(json.dumps(summary))
        sys.exit(0 if summary["reason"] == "finished" else 1)
    from crawler.locks import hold_spider_locks, release

    locks = hold_spider_locks(
        db_path, names
    )  # the scheduler's lock: one run per spider
    click.echo(
        f"crawling {', '.join(names)} into {db_path} (log: {log_file})", err=True
    )
    settings.setdefault("JOBTRENDS_PROGRESS", "True")
    try:
        results = run_spiders(
            [(n, args[n]) for n in names], db_path, settings=settings, log_file=log_file
        )
    finally:
        for fd in locks:
            release(fd)
    for result in results:
        click.echo(result.line())
    from crawler.monitors import check_runs

    reports = check_runs(db_path, [r.run_id for r in results], config)
    for report in reports:
        click.echo(report.line(), err=True)
    bad = [r for r in results if r.status != "finished"]
    if bad:
        click.echo(
            f"{len(bad)} run(s) did not finish cleanly - see {log_file}", err=True
        )
        sys.exit(1)
    if any(report.failed for report in reports):
        sys.exit(
            3
        )  # degraded: the crawl worked, the monitors found the data suspicious
