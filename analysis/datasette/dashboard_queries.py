"""The Datasette plugin that runs the dashboards' chart queries as stored queries.

datasette-dashboards draws a chart by fetching ``/<db>.json?sql=<the chart's SQL>``
from the browser, which needs the ``execute-sql`` permission: with it, a signed-in
user of ``serve --public`` could run any SQL; without it, no chart draws.  This plugin
answers those requests itself when, and only when, the SQL is exactly one of the
configured chart queries (after the plugin's own ``[[ ... ]]`` filter substitution),
so the dashboards work while arbitrary SQL stays off:

* ``asgi_wrapper`` sends ``GET /<db>.json?sql=...`` whose SQL is a chart query to
  ``/-/jobtrends/dashboard-query/<db>.json`` (any other SQL goes on to Datasette,
  which refuses it without ``execute-sql``);
* that route checks ``view-instance``/``view-database`` like a canned query, checks
  the SQL again and runs it with its parameters bound from the query string
  (missing ones as ``''``, as Datasette does);
* the dashboard pages themselves check ``execute-sql`` before drawing: for requests
  under ``/-/dashboards/`` by a signed-in actor, ``permission_allowed`` says yes.
"""

from __future__ import annotations

import contextvars
from urllib.parse import parse_qs, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import derive_named_parameters, sqlite3
from datasette.utils.asgi import Forbidden, NotFound, Response
from datasette_dashboards import replace_opts_in_query

ROUTE = "/-/jobtrends/dashboard-query/"
DASHBOARDS_PREFIX = "/-/dashboards/"
# Chart queries are ours, not the visitor's: they may return more rows than a table
# page (a month x category grid), up to this many.
MAX_ROWS = 10_000

_on_dashboard_page = contextvars.ContextVar("jobtrends_dashboard_page", default=False)


def chart_queries(datasette, database: str, args) -> set[str]:
    """Every chart SQL of ``database`` as datasette-dashboards sends it for ``args``."""
    config = datasette.plugin_config("datasette-dashboards") or {}
    found = set()
    for dashboard in config.values():
        filters = dashboard.get("filters") or {}
        options = {key: args[key] for key in filters if key in args}
        for chart in (dashboard.get("charts") or {}).values():
            if chart.get("db") == database and chart.get("query"):
                found.add(replace_opts_in_query(chart["query"], options))
    return found


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def routed(scope, receive, send):
            if scope["type"] == "http":
                path = scope["path"]
                if path.startswith(DASHBOARDS_PREFIX):
                    token = _on_dashboard_page.set(True)
                    try:
                        return await app(scope, receive, send)
                    finally:
                        _on_dashboard_page.reset(token)
                scope = _to_stored_query(datasette, scope)
            await app(scope, receive, send)

        return routed

    return wrap


def _to_stored_query(datasette, scope):
    """``scope`` sent to this plugin's route when it asks for a chart's SQL."""
    path = scope["path"]
    if scope["method"] != "GET" or not path.endswith(".json") or path.count("/") != 1:
        return scope
    database = path[1 : -len(".json")]
    args = {
        k: v[-1]
        for k, v in parse_qs(
            scope.get("query_string", b"").decode("utf-8"), keep_blank_values=True
        ).items()
    }
    if database not in datasette.databases or "sql" not in args:
        return scope
    if args["sql"] not in chart_queries(datasette, database, args):
        return scope
    new_path = f"{ROUTE}{database}.json"
    return {
        **scope,
        "path": new_path,
        "raw_path": new_path.encode(),
        "query_string": urlencode(args).encode(),
    }


@hookimpl
def register_routes():
    return [
        (r"^/-/jobtrends/dashboard-query/(?P<database>[^/]+)\.json$", dashboard_query)
    ]


async def dashboard_query(request, datasette):
    database = request.url_vars["database"]
    if database not in datasette.databases:
        raise NotFound(f"Database not found: {database}")
    await datasette.ensure_permissions(
        request.actor, [("view-database", database), "view-instance"]
    )
    sql = request.args.get("sql") or ""
    if sql not in chart_queries(datasette, database, request.args):
        raise Forbidden("only the dashboards' chart queries run here")
    db = datasette.get_database(database)
    names = await derive_named_parameters(db, sql)
    params = {name: request.args.get(name) or "" for name in names}
    try:
        results = await db.execute(sql, params, truncate=False)
    except QueryInterrupted:
        return Response.json(
            {"ok": False, "error": "query took too long", "rows": []}, status=400
        )
    except sqlite3.Error as exc:
        return Response.json({"ok": False, "error": str(exc), "rows": []}, status=400)
    rows = [
        dict(zip(results.columns, row, strict=False)) for row in results.rows[:MAX_ROWS]
    ]
    return Response.json(
        {"ok": True, "rows": rows, "truncated": len(results.rows) > MAX_ROWS}
    )


@hookimpl(trylast=True)
def permission_allowed(actor, action):
    # trylast: the last answer wins, so this overrides default_allow_sql=off for the
    # dashboard pages' own check, and for nothing else.
    if action == "execute-sql" and actor is not None and _on_dashboard_page.get():
        return True
    return None
