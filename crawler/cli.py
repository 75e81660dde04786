"""The `jobtrends` command line: a thin click group over library functions.

Every module in ``crawler/commands/`` that defines a click command named ``command`` is
registered under the command's own name, so adding a verb means adding one module.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import click

import crawler.commands
from crawler.errors import UserError


class JobtrendsGroup(click.Group):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for info in sorted(
            pkgutil.iter_modules(crawler.commands.__path__), key=lambda m: m.name
        ):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"crawler.commands.{info.name}")
            cmd = getattr(module, "command", None)
            if isinstance(cmd, click.Command):
                self.add_command(cmd)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            # User-fixable errors: one line, exit status 2; anything else is a bug and
            # keeps its traceback.
            if os.environ.get("JOBTRENDS_DEBUG"):
                raise
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=JobtrendsGroup)
@click.version_option(package_name="jobtrends")
def main() -> None:
    """jobtrends: crawl freelance and remote job listings, normalize them, measure change."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    # Offline-safe: tldextract (used by Scrapy's cookie middleware) must not download lists.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")


if __name__ == "__main__":
    main()
