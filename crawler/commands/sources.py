"""`jobtrends sources` - every spider: what it collects, its options, its manners, its last run.

jobtrends sources --db data/jobs.db
jobtrends sources hackernews lever --json
"""

from __future__ import annotations

import inspect
import json
import sqlite3
import sys
from pathlib import Path

import click

from crawler.commands._options import db_option

# Settings that say how hard a spider leans on a site.
POLITENESS_KEYS = (
    "ROBOTSTXT_OBEY",
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "DOWNLOAD_DELAY",
    "RANDOMIZE_DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "RETRY_ENABLED",
    "RETRY_TIMES",
    "RETRY_HTTP_CODES",
    "DOWNLOAD_TIMEOUT",
    "USER_AGENT",
)


def describe(spider_cls) -> str:
    """One line on what a spider collects: its class docstring's first line, else its module's.

    ``describe(LeverSpider)`` -> ``"Postings of Lever-hosted company job boards (...)."``
    """
    doc = (
        spider_cls.__dict__.get("__doc__")
        or inspect.getmodule(spider_cls).__doc__
        or ""
    )
    paragraph = doc.strip().split("\n\n", 1)[0]
    text = " ".join(line.strip() for line in paragraph.splitlines()).replace("``", "")
    # Only the first sentence when the paragraph runs on.
    end = text.find(". ")
    return text[: end + 1] if end > 0 else text


def politeness(spider_cls, settings) -> dict:
    """The politeness settings a spider runs with: project settings + its custom_settings."""
    effective = settings.copy()
    spider_cls.update_settings(effective)
    out = {}
    for key in POLITENESS_KEYS:
        value = effective.get(key)
        out[key] = list(value) if isinstance(value, (list, tuple)) else value
    return out


def last_run(conn: sqlite3.Connection | None, spider: str) -> dict | None:
    """The spider's latest crawl_runs row as a dict, or None."""
    if conn is None:
        return None
    row = conn.execute(
        "SELECT run_id, started_at, finished_at, status, pages, new, updated, unchanged, skipped,"
        " retries, errors FROM crawl_runs WHERE spider = ? AND kind = 'crawl'"
        " ORDER BY run_id DESC LIMIT 1",
        (spider,),
    ).fetchone()
    return dict(row) if row else None


def open_if_exists(db_path: str) -> sqlite3.Connection | None:
    """A read-only connection, or None when the database does not exist yet (never creates it)."""
    from crawler.db import check_db_path, open_read_only

    check_db_path(db_path)
    if not Path(db_path).is_file():
        return None

    conn = open_read_only(db_path)
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'crawl_runs'"
    ).fetchone():
        conn.close()
        return None
    return conn


def source_rows(
    db_path: str, *, names: list[str] | None = None, config_path: str | None = None
) -> list[dict]:
    """One dict per spider: name, about, options (config defaults), politeness, last_run."""
    from scrapy.spiderloader import SpiderLoader

    from crawler.config import source_options
    from crawler.crawl_process import project_settings, spider_names

    settings = project_settings(db_path)
    loader = SpiderLoader.from_settings(settings)
    # The abstract base class carries a name too: it is no source.
    known = [
        n for n in spider_names() if loader.load(n).__module__ != "crawler.spiders.base"
    ]
    unknown = [n for n in names or [] if n not in known]
    if unknown:
        raise click.UsageError(
            f"unknown spider {unknown[0]!r}: choose from {', '.join(known)}"
        )
    conn = open_if_exists(db_path)
    try:
        out = []
        for name in names or known:
            cls = loader.load(name)
            options = source_options(name, config_path)
            if "base_url" not in options and getattr(cls, "default_base_url", ""):
                options = {"base_url": cls.default_base_url, **options}
            out.append(
                {
                    "name": name,
                    "about": describe(cls),
                    "options": options,
                    "politeness": politeness(cls, settings),
                    "last_run": last_run(conn, name),
                }
            )
        return out
    finally:
        if conn is not None:
            conn.close()


def _option_text(value) -> str:
    if isinstance(value, list):
        shown = ", ".join(str(v) for v in value[:3])
        return (
            f"[{shown}, ... ({len(value)} in all)]" if len(value) > 3 else f"[{shown}]"
        )
    return json.dumps(value) if value == "" else str(value)


def politeness_line(p: dict) -> str:
    """``robots.txt obeyed; AutoThrottle on (start 1.0 s, max 30.0 s, target 1.0); ...``"""
    parts = ["robots.txt obeyed" if p["ROBOTSTXT_OBEY"] else "robots.txt IGNORED"]
    if p["AUTOTHROTTLE_ENABLED"]:
        parts.append(
            f"AutoThrottle on (start {p['AUTOTHROTTLE_START_DELAY']} s, max "
            f"{p['AUTOTHROTTLE_MAX_DELAY']} s, target {p['AUTOTHROTTLE_TARGET_CONCURRENCY']})"
        )
    else:
        parts.append("AutoThrottle off")
    parts.append(f"delay {p['DOWNLOAD_DELAY']} s")
    parts.append(
        f"{p['CONCURRENT_REQUESTS_PER_DOMAIN']} per domain ({p['CONCURRENT_REQUESTS']} in all)"
    )
    if p["RETRY_ENABLED"]:
        codes = ",".join(str(c) for c in p["RETRY_HTTP_CODES"] or [])
        parts.append(f"retries {p['RETRY_TIMES']} (HTTP {codes})")
    else:
        parts.append("no retries")
    parts.append(f"timeout {p['DOWNLOAD_TIMEOUT']} s")
    return "; ".join(parts)


def run_line(run: dict | None) -> str:
    if run is None:
        return "never run"
    when = (run["finished_at"] or run["started_at"] or "")[:16].replace("T", " ")
    return (
        f"{when} {run['status']}: new {run['new']}, updated {run['updated']}, unchanged "
        f"{run['unchanged']}, skipped {run['skipped']}, errors {run['errors']} (run {run['run_id']})"
    )


@click.command("sources")
@click.argument("names", nargs=-1)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file (TOML).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per spider.")
@db_option
def command(names, config_path, as_json, db_path):
    """List every spider (or NAME...): what it collects, options, politeness, last run."""
    try:
        rows = source_rows(db_path, names=list(names) or None, config_path=config_path)
    except sqlite3.DatabaseError as exc:
        raise click.UsageError(
            f"cannot read {db_path}: {exc} - is it a jobtrends database?"
        ) from None
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, sort_keys=True, default=str))
        return
    for i, row in enumerate(rows):
        if i:
            click.echo("")
        click.echo(f"{row['name']}: {row['about']}")
        options = ", ".join(
            f"{k} = {_option_text(v)}" for k, v in row["options"].items()
        )
        click.echo(f"  options:    {options or '(none in the config)'}")
        click.echo(f"  politeness: {politeness_line(row['politeness'])}")
        click.echo(f"  last run:   {run_line(row['last_run'])}")
    sys.stdout.flush()
