"""`jobtrends normalize` - re-run the normalizer over stored raw listings."""

from __future__ import annotations

import click

from crawler.commands._options import db_option


@click.command("normalize")
@click.option("--source", help="Only this source's listings.")
@click.option("--since", help="Only listings seen since this date (YYYY-MM-DD).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Normalizing processes (default: one per core for large jobs).",
)
@click.option(
    "--chunk",
    type=click.IntRange(1),
    default=None,
    help="Listings per transaction (default 5000).",
)
@db_option
def command(source, since, quiet, workers, chunk, db_path):
    """Rebuild `jobs` (and rollups) from `raw_listings` with the current normalizer."""
    from crawler.db import connect
    from crawler.normalize import NORMALIZER_VERSION
    from crawler.normalize.bulk import CHUNK, normalize_db

    if since:
        from datetime import date

        try:
            date.fromisoformat(since)
        except ValueError:
            raise click.UsageError(
                f"--since {since!r} is not a date: use YYYY-MM-DD"
            ) from None
    conn = connect(db_path, create=False)
    stats = normalize_db(
        conn,
        source=source,
        since=since,
        progress=not quiet,
        workers=workers,
        chunk=chunk or CHUNK,
    )
    click.echo(
        f"normalized {stats.listings} listings with normalizer {NORMALIZER_VERSION}"
    )
    for field, share in stats.coverage().items():
        click.echo(f"  coverage {field:<10} {share:6.1%}")
    if stats.issue_reasons:
        click.echo("  top reasons for unparsed values:")
        for (field, reason), count in stats.issue_reasons.most_common(8):
            click.echo(f"    {count:>7}  {field}: {reason}")
