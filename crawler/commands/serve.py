"""`jobtrends serve`: browse the database in Datasette (dashboards, canned queries, search).

    jobtrends serve --db data/jobs.db --port 8001
"""

from __future__ import annotations

import click

from crawler.commands._options import db_option


@click.command("serve")
@db_option
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 = any free port).")
@click.option("--host", default=None,
              help="Address to bind. Default 127.0.0.1, or 0.0.0.0 with --public.")
@click.option("--public", is_flag=True,
              help="Serve to other machines: requires JOBTRENDS_PASSWORD_HASH, sign-in for "
                   "every page, and no arbitrary SQL unless --allow-sql.")
@click.option("--allow-sql", is_flag=True,
              help="With --public: let signed-in users run their own SQL (the dashboards "
                   "work without it).")
@click.option("--open", "open_browser", is_flag=True, help="Open a browser on the home page.")
def command(db_path: str, port: int, host: str | None, public: bool, allow_sql: bool,
            open_browser: bool) -> None:
    """Serve the database read-only in Datasette with dashboards and canned queries."""
    from analysis.serve import ServeError, serve

    try:
        serve(db_path, host=host, port=port, public=public, allow_sql=allow_sql,
              open_browser=open_browser)
    except ServeError as exc:
        raise click.UsageError(str(exc)) from None
