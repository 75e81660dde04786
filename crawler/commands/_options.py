"""Options shared by several commands."""

import click

from crawler.db import DEFAULT_DB

db_option = click.option(
    "--db",
    "db_path",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(),  # a folder or an unusable path: crawler.db.connect says so in one line
    help="SQLite database file.",
)
