"""`jobtrends capture NAME` - record a source's responses as fixtures, or check for drift."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crawler.commands._options import db_option
from crawler.commands.crawl import parse_pairs


@click.command("capture")
@click.argument("name")
@click.option("--base-url", help="Where to fetch from (default: the real site).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Fixture folder (default: ./fixtures/NAME to capture, the shipped"
    " fixtures of NAME to --check).",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Do not write: compare live field structure with the stored fixtures.",
)
@click.option(
    "-a",
    "arg_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Spider argument (max_pages defaults to 2).",
)
@click.option(
    "-s", "setting_pairs", multiple=True, metavar="KEY=VALUE", help="Scrapy setting."
)
@db_option
def command(name, base_url, out_dir, check_only, arg_pairs, setting_pairs, db_path):
    """Save NAME's live responses as fixture files + routes.json, or report drift (--check)."""
    from crawler.capture import capture, check
    from crawler.crawl_process import spider_names

    if name not in spider_names():
        raise click.UsageError(
            f"unknown spider {name!r}: choose from {', '.join(spider_names())}"
        )
    if out_dir:
        out = Path(out_dir)
    else:
        from crawler.bundled import FIXTURES

        out = FIXTURES / name if check_only else Path("fixtures") / name
    args = dict(parse_pairs(arg_pairs, "-a"))
    settings = dict(parse_pairs(setting_pairs, "-s"))
    if check_only:
        if not (out / "routes.json").exists():
            raise click.UsageError(
                f"no {out / 'routes.json'} to compare with - capture first or give --out"
            )
        report = check(name, out, base_url=base_url, args=args, settings=settings)
        for drift in report:
            for line in drift.lines():
                click.echo(line)
        drifted = [d for d in report if d.drifted]
        click.echo(f"{len(report)} responses checked, {len(drifted)} drifted", err=True)
        sys.exit(1 if drifted or not report else 0)
    routes = capture(name, out, base_url=base_url, args=args, settings=settings)
    click.echo(f"captured {len(routes)} routes into {out} (routes.json updated)")
