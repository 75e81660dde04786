"""`jobtrends serve`: browse the database in Datasette (dashboards, canned queries, search).

jobtrends serve --db data/jobs.db --port 8001
"""

from __future__ import annotations

import errno
import socket

import click

from crawler.commands._options import db_option
from crawler.errors import UserError


def check_port_free(host: str, port: int) -> None:
    """UserError (one line) when ``host:port`` cannot be listened on: busy, or no such address."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UserError(
                    f"port {port} on {host} is already in use - stop what listens there"
                    " or give another --port (0 = any free port)"
                ) from None
            raise UserError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            ) from None


@click.command("serve")
@db_option
@click.option(
    "--port",
    default=8001,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 = any free port).",
)
@click.option(
    "--host",
    default=None,
    help="Address to bind. Default 127.0.0.1, or 0.0.0.0 with --public.",
)
@click.option(
    "--public",
    is_flag=True,
    help="Serve to other machines: requires JOBTRENDS_PASSWORD_HASH, sign-in for "
    "every page, and no arbitrary SQL unless --allow-sql.",
)
@click.option(
    "--allow-sql",
    is_flag=True,
    help="With --public: let signed-in users run their own SQL (the dashboards "
    "work without it).",
)
@click.option(
    "--open", "open_browser", is_flag=True, help="Open a browser on the home page."
)
def command(
    db_path: str,
    port: int,
    host: str | None,
    public: bool,
    allow_sql: bool,
    open_browser: bool,
) -> None:
    """Serve the database read-only in Datasette with dashboards and canned queries."""
    from analysis.serve import ServeError, serve

    check_port_free(host or ("0.0.0.0" if public else "127.0.0.1"), port)
    try:
        serve(
            db_path,
            host=host,
            port=port,
            public=public,
            allow_sql=allow_sql,
            open_browser=open_browser,
        )
    except ServeError as exc:
        raise click.UsageError(str(exc)) from None
