"""Default values for the canned queries' parameters, shown in their forms.

Datasette 0.65 has no per-parameter default: a canned query's form shows what the
URL carries, and an empty box.  Each query in metadata.yml may list ``defaults``:

    postings_with_skill:
      params: [skill, limit]
      defaults:
        limit: "50"
        skill: {sql: "SELECT skill FROM skill_month GROUP BY skill ..."}

A request for that query (HTML, ``.json`` or ``.csv``) whose URL lacks a parameter, or
leaves it empty, gets the default put into its query string before Datasette sees it,
so the form shows the value the rows were computed with and a shared URL still says
it.  A ``{sql: ...}`` default is the first column of the first row of that query,
run on the same database for each request (the rollup tables make it a few ms);
``source`` and ``spider`` default to ``all``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

# /<database>/<query>, /<database>/<query>.json, .csv (the last two path segments, so
# a base_url prefix does not matter).
_QUERY_PATH = re.compile(r"/([^/]+)/([^/.]+)(?:\.(?:json|csv))?$")


def query_defaults(datasette, database: str, query: str) -> dict:
    """The ``defaults`` block of one canned query ({} when it has none)."""
    queries = datasette.metadata("queries", database=database, fallback=False) or {}
    config = queries.get(query)
    if not isinstance(config, dict):
        return {}
    return config.get("defaults") or {}


async def default_value(datasette, database: str, value) -> str:
    """A literal default as text; a ``{sql: ...}`` default run on ``database``."""
    if isinstance(value, dict):
        result = await datasette.get_database(database).execute(value["sql"])
        row = result.first()
        return "" if row is None or row[0] is None else str(row[0])
    return str(value)


async def with_defaults(
    datasette, database: str, defaults: dict, query_string: bytes
) -> bytes:
    """``query_string`` with each missing or empty defaulted parameter filled in."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    given = {key for key, value in pairs if value != ""}
    missing = [name for name in defaults if name not in given]
    if not missing:
        return query_string
    pairs = [(key, value) for key, value in pairs if key not in missing]
    for name in missing:
        pairs.append((name, await default_value(datasette, database, defaults[name])))
    return urlencode(pairs).encode("latin-1")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def filled(scope, receive, send):
            if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
                match = _QUERY_PATH.search(scope["path"])
                defaults = match and query_defaults(datasette, *match.groups())
                if defaults:
                    query_string = await with_defaults(
                        datasette,
                        match.group(1),
                        defaults,
                        scope.get("query_string", b""),
                    )
                    scope = dict(scope, query_string=query_string)
            return await app(scope, receive, send)

        return filled

    return wrap
