"""`jobtrends new-source NAME` - write the six pieces of a new source from templates."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("new-source")
@click.argument("name")
@click.option(
    "--root",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="The jobtrends checkout to write into.",
)
def command(name, root):
    """Scaffold source NAME: spider, mapping, fixtures, test, config table, taxonomy."""
    from crawler.scaffold import new_source

    for path in new_source(name, Path(root)):
        click.echo(f"wrote {path}")
    click.echo(
        f"next: python -m pytest tests/spiders/test_{name}.py, then make each piece the real"
        " source (docs/adding-a-source.md)"
    )
