"""`jobtrends import PATH... --format FORMAT` - archives and datasets, stored like a crawl."""

from __future__ import annotations

import re
import sqlite3

import click

from crawler.commands._options import db_option
from crawler.errors import UserError

FORMAT_NAMES = (
    "upwork-rss",
    "upwork-csv",
    "upwork-api",
    "csv",
    "jsonl",
    "scrapy-feed",
)
_SOURCE_RE = re.compile(r"[a-z][a-z0-9_]*")


def parse_map(values: tuple[str, ...]) -> dict[str, str]:
    """``("title=job_title,posted_raw=date",)`` -> ``{"title": "job_title", ...}``."""
    out: dict[str, str] = {}
    for value in values:
        for pair in value.split(","):
            if not pair.strip():
                continue
            key, sep, column = pair.partition("=")
            if not sep or not key.strip() or not column.strip():
                raise click.UsageError(
                    f"--map {pair!r} must look like FIELD=COLUMN (e.g. title=job_title)"
                )
            out[key.strip()] = column.strip()
    return out


def check_source(fmt, source: str | None, mapping_given: bool) -> None:
    """The --source / --map rules of each format, as one-line usage errors."""
    from crawler.normalize.sources import has_own_mapping

    if fmt.source and source and source != fmt.source:
        raise click.UsageError(
            f"--format {fmt.name} stores listings under source {fmt.source!r}: drop --source"
        )
    if fmt.name == "scrapy-feed" and source:
        raise click.UsageError(
            "scrapy-feed items carry their own source: drop --source"
        )
    if not fmt.needs_map and mapping_given:
        raise click.UsageError(
            f"--map applies to --format csv or jsonl, not {fmt.name}"
        )
    if fmt.needs_source:
        if not source:
            raise click.UsageError(
                f"--format {fmt.name} needs --source NAME (the name to store listings under)"
            )
        if not _SOURCE_RE.fullmatch(source):
            raise click.UsageError(
                f"--source {source!r}: use lowercase letters, digits and _ (e.g. kaggle_jobs)"
            )
        if has_own_mapping(source):
            raise click.UsageError(
                f"source {source!r} has its own mapping: import its raw payloads with --format "
                f"scrapy-feed (or upwork-rss/upwork-csv), or choose another --source name"
            )


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--format",
    "format_name",
    required=True,
    type=click.Choice(FORMAT_NAMES),
    help="Input format (see the README's 'Import archives').",
)
@click.option("--source", help="Source name to store under (csv/jsonl: required).")
@click.option(
    "--map",
    "map_values",
    multiple=True,
    metavar="FIELD=COLUMN,...",
    help="Column mapping for csv/jsonl, e.g. source_id=id,title=job_title,posted_raw=date.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Config file whose [sources.NAME] import_map holds a default mapping.",
)
@click.option(
    "--strict", is_flag=True, help="Stop with exit status 1 at the first bad row."
)
@click.option(
    "--batch-size",
    type=int,
    default=None,
    help="Listings per transaction [default: 50,000; 10,000 when normalizing].",
)
@click.option(
    "--no-normalize",
    is_flag=True,
    help="Store raw listings only (bulk loads); run `jobtrends normalize` afterwards.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@db_option
def command(
    paths,
    format_name,
    source,
    map_values,
    config_path,
    strict,
    batch_size,
    no_normalize,
    quiet,
    db_path,
):
    """Import saved feeds, datasets or scrapy feed exports from PATH... into the database.

    Listings go the way of a crawl: exact payloads into raw_listings (origin file:line),
    the normalizer, rollups, and a crawl_runs row of kind 'import'.  Bad rows are
    listed in skipped_listings; the import exits non-zero only when nothing could be
    read or --strict is given.
    """
    from crawler.config import source_options
    from crawler.db import connect
    from crawler.importers import FORMATS, ImportFailed, run_import
    from crawler.importers.generic import parse_mapping

    fmt = FORMATS[format_name]
    pairs = parse_map(map_values)
    check_source(fmt, source, bool(pairs))
    mapping = None
    if fmt.needs_map:
        configured = source_options(source, config_path).get("import_map", {})
        if not isinstance(configured, dict):
            raise click.UsageError(
                f"[sources.{source}] import_map in the config must be a table"
            )
        try:
            mapping = parse_mapping({**configured, **pairs})
        except UserError as exc:
            raise click.UsageError(
                f"{exc} (give --map or [sources.{source}] import_map)"
            ) from None
    if batch_size is not None and batch_size < 1:
        raise click.UsageError("--batch-size must be at least 1")
    conn = connect(db_path)
    try:
        report = run_import(
            conn,
            list(paths),
            format_name,
            source=source,
            mapping=mapping,
            strict=strict,
            progress=not quiet,
            batch_size=batch_size,
            normalize=not no_normalize,
        )
    except ImportFailed as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.OperationalError as exc:  # storage: a full disk, an I/O error
        raise UserError(
            f"--db {db_path}: {exc} - the import stopped; the batches committed before"
            " it are kept (`jobtrends runs` shows the run)"
        ) from None
    finally:
        conn.close()
    for line in report.lines():
        click.echo(line)
