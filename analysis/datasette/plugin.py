"""The Datasette plugin of `jobtrends serve`: stored facet counts and capped search.

Loaded by ``analysis.serve`` (registered in Datasette's plugin manager before its CLI
runs; no ``--plugins-dir``).  It acts only on tables whose metadata has a ``jobtrends``
plugin block, which ``analysis.serve.build_metadata`` fills from metadata.yml:

    plugins:
      jobtrends:
        facet_counts: jobs_facet_counts   # stored counts per month (crawler/rollups.py)
        facet_totals: jobs_facet_totals   # the same summed per value (unfiltered page)
        facet_combos: jobs_facet_combos   # the same summed over months (no month filter)
        facets: [source, category, ...]   # served from them when the filters allow
        fts_table: jobs_fts               # search, capped at search_cap matches
        search_cap: 10000

Why: at 5 million postings one facet is a GROUP BY over every row (0.4-8 s), and a
search for a common word matches ~700,000 postings that must be fetched, counted and
sorted (2-3 s).  Datasette's 1 s limit cuts both off.

* **Facets** of the unfiltered table, and of any filter on the counted columns
  (``?category=ai-ml``, ``?month__gte=2024-01``, ``?remote=1&country=US``...), are
  read from ``jobs_facet_totals`` / ``sum(n)`` over ``jobs_facet_combos`` (the
  counts summed over months, a few thousand rows; ``jobs_facet_counts``, tens of
  thousands, when the filter names a month).  Other filters, searches and ``_where``
  get a GROUP BY over the rows (one query for all the facets).  The counts are
  refreshed with the rollups at the end of every crawl, import and normalize, in the
  same transaction; when postings were stored after that (a crawl is running), the
  facet header says "stored counts of <time>".
* **Row counts** of a filter made of Datasette's column filters on the counted
  columns (``?remote=1``, ``?country=US&pay_type=hourly``, ``?month__gte=2024-01``:
  Datasette's ``select count(*) from jobs where "c" = :p0 ...``) are ``sum(n)`` over
  ``jobs_facet_combos`` (``jobs_facet_counts`` for a month) while the counts are current
  (no posting stored since the last refresh; else the ``count(*)``, which at 5 M
  postings counts millions of index entries: 0.7 s for a filter every posting passes).
* **Search** (``?_search=``, ``?_search_title=``) looks at the ``search_cap`` most
  recently stored matches (FTS5 walks rowids backwards: cheap for any word), so the
  page, its row count and its facets stay well under the limit.  When a word matches
  more, the description above the rows says how many and that only the newest are
  shown.
* **Raw payloads**: every connection gets ``payload_text(payload, payload_dict)``
  (crawler/raw_codec.py): the canned query ``raw_payloads`` shows compressed payloads
  as text (no ``render_cell``: serve allows no plugin that renders cells).
"""

from __future__ import annotations

import re

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet
from datasette.filters import FilterArguments, Filters
from datasette.utils import (
    escape_sqlite,
    path_with_added_args,
    path_with_removed_args,
    sqlite3,
)
from datasette.utils.asgi import BadRequest

from crawler import raw_codec

PLUGIN = "jobtrends"
FACET_TYPE = "jobtrends"
# Request arguments that select rows some other way than column filters: facets
# then need the rows themselves.
_ROW_SELECTORS = ("_search", "_where", "_through", "_fts_table", "_fts_pk")
# Counting the matches of a search for the description stops here.
_MATCH_COUNT_LIMIT = 100_000


# Datasette's row count of a filtered table page: ``select count(*) from jobs where
# <the filters' clauses> `` (one trailing space).
_COUNT = re.compile(r"select count\(\*\) from (\w+) where (.+) ", re.DOTALL)
# What the clauses of Datasette's column filters (=, !=, >=, in, like, glob, date,
# is null, is blank...) are made of: columns, named parameters, operators.  A where
# clause of these tokens alone, on columns the counts have, means the same over the
# stored counts as over the rows; anything else (a search, ``_where`` SQL, a literal,
# a subquery) is left to Datasette's count.
_FILTER_TOKEN = re.compile(
    r"""\s+|"(\w+)"|\[(\w+)\]|(\w+)|:p\d+|!=|<>|<=|>=|=|<|>|\(|\)|,|''"""
)
_FILTER_WORDS = {"and", "or", "not", "in", "is", "null", "like", "glob", "date"}
# The clause of a search (filters_from_request below) when it is a page's only one.
_SEARCH_ONLY = re.compile(
    r"rowid in \((select rowid from \w+ where \w+ match"
    r" (?:escape_fts\(:jt_search_\d+\)|:jt_search_\d+) order by rowid desc limit \d+)\)"
)


def filter_columns(where: str, allowed: set[str]) -> set[str] | None:
    """The columns a where clause of Datasette's column filters names, or None when it
    holds anything else (a word that is no filter keyword and not in ``allowed``).

    >>> allowed = {"month", "remote", "country"}
    >>> sorted(filter_columns('"month" >= :p0 and remote in (:p1, :p2)', allowed))
    ['month', 'remote']
    >>> filter_columns('("country" is null or "country" = \'\')', allowed)
    {'country'}
    >>> filter_columns("rowid in (select rowid from f where f match :p0)", allowed)
    >>> filter_columns('"remote" = 1', allowed)
    """
    columns, at = set(), 0
    while at < len(where):
        token = _FILTER_TOKEN.match(where, at)
        if token is None:
            return None
        column = token[1] or token[2] or token[3]
        if column and column.lower() not in _FILTER_WORDS:
            if column not in allowed:
                return None
            columns.add(column)
        at = token.end()
    return columns


def table_config(datasette, database: str, table: str | None) -> dict:
    """This plugin's settings for one table ({} when it has none)."""
    if not table:
        return {}
    config = datasette.plugin_config(
        PLUGIN, database=database, table=table, fallback=False
    )
    return config or {}


def configured_tables(datasette, setting: str):
    """(database, table, value) for each table whose plugin block sets ``setting``."""
    for database in list(datasette.databases):
        tables = (datasette.metadata(database=database) or {}).get("tables") or {}
        for table in tables:
            value = table_config(datasette, database, table).get(setting)
            if value:
                yield database, table, value


@hookimpl
def startup(datasette):
    async def count_from_stored():
        for database, table, counts in configured_tables(datasette, "facet_counts"):
            combos = table_config(datasette, database, table).get("facet_combos")
            stored_row_counts(datasette.get_database(database), table, counts, combos)

    return count_from_stored


async def combos_ready(execute, combos: str | None, counts_table: str) -> bool:
    """True when ``combos`` (the counts summed over months) holds the counts' sums: it
    exists and has rows unless the counts have none (a database from before the table
    has it empty until the next rollup refresh)."""
    if not combos:
        return False
    try:
        row = (
            await execute(
                f"select exists(select 1 from {escape_sqlite(combos)})"
                f" or not exists(select 1 from {escape_sqlite(counts_table)})"
            )
        ).rows[0]
    except sqlite3.OperationalError:  # no such table
        return False
    return bool(row[0])


def stored_row_counts(
    db, table: str, counts_table: str, combos: str | None = None
) -> None:
    """Make ``db`` answer the row count of a filter on the counted columns of ``table``
    from ``counts_table`` (from ``combos``, its sums over months, when the filter
    names no month)."""
    original = db.execute
    columns: set[str] = set()

    async def current() -> bool:
        if not columns:
            if not await db.table_exists(counts_table):
                return False
            columns.update(set(await db.table_columns(counts_table)) - {"n"})
        row = (
            await original(
                "select (select value from meta where key = 'facet_counts_max_rowid')"
                f" = (select cast(coalesce(max(rowid), 0) as text)"
                f" from {escape_sqlite(table)})"
            )
        ).rows[0]
        return bool(row[0])

    async def execute(sql, *args, **kwargs):
        match = _COUNT.fullmatch(sql)
        search = _SEARCH_ONLY.fullmatch(match[2]) if match else None
        if search and match[1] == table:
            # A search alone: count the capped matches without reading their rows
            # (the full-text index is jobs' own, kept by triggers: each match is a
            # row of jobs).  35 ms -> 4 ms for 10,000 matches at 1 M postings.
            sql = f"select count(*) from ({search[1]})"
        elif match and match[1] == table:
            try:
                fresh = await current()
            except sqlite3.Error:  # no meta table or counts yet: Datasette's count
                fresh = False
            filtered = filter_columns(match[2], columns) if fresh else None
            if filtered:
                source = counts_table
                if "month" not in filtered and await combos_ready(
                    original, combos, counts_table
                ):
                    source = combos
                sql = (
                    f"select coalesce(sum(n), 0) from {escape_sqlite(source)}"
                    f" where {match[2]}"
                )
        return await original(sql, *args, **kwargs)

    db.execute = execute


@hookimpl
def prepare_connection(conn):
    raw_codec.register(conn)


@hookimpl
def register_facet_classes():
    return [StoredCountsFacet]


class StoredCountsFacet(ColumnFacet):
    """A column facet answered from stored counts when the request's filters allow."""

    type = FACET_TYPE

    async def facet_results(self):
        configs, seen = [], set()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            if column not in seen:
                seen.add(column)
                configs.append((source_and_config, column))
        if not configs:
            return [], []
        columns = [column for _, column in configs]
        budget = self.ds.setting("facet_time_limit_ms") * len(columns)
        stored = await self._stored_state()
        where = self._stored_where(stored) if stored else None
        if where is None or not set(columns) <= stored["columns"]:
            label = "column"
            counted = await self._live_counts(columns, budget)
        else:
            label = (
                "column" if stored["current"] else f"stored counts of {stored['as_of']}"
            )
            counted = await self._stored_counts(stored, where, columns, budget)
        facet_size = self.get_facet_size()
        qs_pairs = self.get_querystring_pairs()
        results, timed_out = [], []
        for source_and_config, column in configs:
            if counted is None:
                timed_out.append(column)
                continue
            results.append(
                self._result(
                    column,
                    counted[column],
                    facet_size,
                    qs_pairs,
                    source_and_config,
                    label,
                )
            )
        return results, timed_out

    async def _live_counts(self, columns: list[str], budget_ms: int) -> dict | None:
        """{column: [(value, count), ...]} over the request's rows, or None (timed out).

        One GROUP BY over all facet columns at once, summed per column here: the rows
        (e.g. a search's matches) are read once instead of once per facet.
        """
        cols = ", ".join(escape_sqlite(c) for c in columns)
        sql = f"select {cols}, count(*) from ({self.sql}) group by {cols}"
        try:
            rows = (
                await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=budget_ms,
                )
            ).rows
        except QueryInterrupted:
            return None
        counted = {}
        for i, column in enumerate(columns):
            sums: dict = {}
            for row in rows:
                if row[i] is not None:
                    sums[row[i]] = sums.get(row[i], 0) + row[-1]
            counted[column] = sorted(sums.items(), key=_facet_order)
        return counted

    async def _stored_counts(
        self, stored: dict, where, columns, budget_ms
    ) -> dict | None:
        """{column: [(value, count), ...]} from the stored counts, or None (timed out)."""
        clauses, params, source = where
        limit = self.get_facet_size() + 1
        counted = {}
        for column in columns:
            col = escape_sqlite(column)
            if not clauses and stored["totals"]:
                sql = (
                    f"select value, n from {escape_sqlite(stored['totals'])} "
                    f"where facet = :facet and value is not null"
                )
                args = {"facet": column}
            else:
                sql = (
                    f"select {col}, sum(n) from {escape_sqlite(source)} where "
                    f"{' and '.join([*clauses, f'{col} is not null'])} group by {col}"
                )
                args = params
            try:
                rows = (
                    await self.ds.execute(
                        self.database,
                        f"{sql} order by 2 desc, 1 limit {limit}",
                        args,
                        truncate=False,
                        custom_time_limit=budget_ms,
                    )
                ).rows
            except QueryInterrupted:
                return None
            counted[column] = [(row[0], row[1]) for row in rows]
        return counted

    def _result(self, column, rows, facet_size, qs_pairs, source_and_config, label):
        """One facet in the shape ColumnFacet gives (what the templates and JSON expect)."""
        values = []
        for value, count in rows[:facet_size]:
            column_qs = f"{column}__exact" if column.startswith("_") else column
            selected = (column_qs, str(value)) in qs_pairs
            if selected:
                toggle = self.ds.urls.path(
                    _path_with_removed(self.request, column_qs, str(value))
                )
            else:
                toggle = self.ds.urls.path(
                    path_with_added_args(self.request, {column_qs: value})
                )
            values.append(
                {
                    "value": value,
                    "label": value,
                    "count": count,
                    "toggle_url": self.ds.absolute_url(self.request, toggle),
                    "selected": selected,
                }
            )
        return {
            "name": column,
            "type": label,
            "hideable": source_and_config["source"] != "metadata",
            "toggle_url": self.ds.urls.path(
                _path_with_removed(self.request, "_facet", column)
            ),
            "results": values,
            "truncated": len(rows) > facet_size,
        }

    async def _stored_state(self) -> dict | None:
        """Where the stored counts are and whether postings were stored since, or None."""
        config = table_config(self.ds, self.database, self.table)
        counts_table = config.get("facet_counts")
        if not counts_table:
            return None
        db = self.ds.get_database(self.database)
        try:
            meta = dict(
                (
                    await db.execute(
                        "select key, value from meta where key in "
                        "('facet_counts_max_rowid', 'facet_counts_refreshed_at')"
                    )
                ).rows
            )
            if "facet_counts_max_rowid" not in meta:
                return None  # never refreshed (a database from before this table)
            max_rowid = (
                await db.execute(
                    f"select coalesce(max(rowid), 0) from {escape_sqlite(self.table)}"
                )
            ).rows[0][0]
            columns = set(await db.table_columns(counts_table)) - {"n"}
            totals = config.get("facet_totals")
            if totals and not await db.table_exists(totals):
                totals = None
            combos = config.get("facet_combos")
            if not await combos_ready(db.execute, combos, counts_table):
                combos = None
        except sqlite3.Error:
            return None
        return {
            "table": counts_table,
            "totals": totals,
            "combos": combos,
            "columns": columns,
            "current": str(max_rowid) == meta["facet_counts_max_rowid"],
            "as_of": (meta.get("facet_counts_refreshed_at") or "?").replace("T", " "),
        }

    def _stored_where(self, stored: dict) -> tuple[list[str], dict, str] | None:
        """The request's filters as SQL over the stored counts, or None if they can't
        be: (clauses, parameters, the table they apply to: the counts summed over
        months unless the filter names a month).

        ``_next`` is ignored on purpose: the facets describe the whole filtered table,
        not the rows after the current page.
        """
        args = self.request.args
        if any(key.startswith(_ROW_SELECTORS) for key in args):
            return None
        pairs = [
            (key, value)
            for key in args
            if not (key.startswith("_") and "__" not in key)
            for value in args.getlist(key)
        ]
        filters = Filters(sorted(pairs))
        filtered = {column for column, _, _ in filters.selections()}
        if not filtered <= stored["columns"]:
            return None
        source = stored["table"]
        if stored["combos"] and "month" not in filtered:
            source = stored["combos"]
        return (*filters.build_where_clauses(source), source)


def _facet_order(item: tuple) -> tuple:
    """Datasette's facet order (count desc, then value) for SQLite's mixed types."""
    value, count = item
    rank = 2 if isinstance(value, bytes) else 1 if isinstance(value, str) else 0
    return (-count, rank, value)


def _path_with_removed(request, key: str, value: str) -> str:
    return path_with_removed_args(request, {key: value})


@hookimpl(trylast=True)
def filters_from_request(request, database, table, datasette):
    """``?_search=`` / ``?_search_<column>=`` over the newest ``search_cap`` matches.

    trylast: Datasette applies each hook's extra_context in turn, and its own search
    hook (which finds no fts_table for this table) says supports_search False.
    """
    config = table_config(datasette, database, table)
    fts = config.get("fts_table")
    if not fts:
        return None

    async def inner():
        extra = {"supports_search": True}
        searches = [
            (key, request.args[key])
            for key in request.args
            if key.startswith("_search") and key != "_searchmode" and request.args[key]
        ]
        if not searches:
            return FilterArguments([], extra_context=extra)
        db = datasette.get_database(database)
        mode = request.args.get("_searchmode") or config.get("searchmode", "escaped")
        cap = int(config.get("search_cap", 10_000))
        fts_sql = escape_sqlite(fts)
        fts_columns = await db.table_columns(fts)
        clauses, params, descriptions = [], {}, []
        for i, (key, text) in enumerate(searches):
            column = key[len("_search_") :] if key != "_search" else None
            if column is not None and column not in fts_columns:
                raise BadRequest("Cannot search by that column")
            target = fts_sql if column is None else escape_sqlite(column)
            param = f"jt_search_{i}"
            match = f":{param}" if mode == "raw" else f"escape_fts(:{param})"
            matching = f"select rowid from {fts_sql} where {target} match {match}"
            params[param] = text
            try:
                total = (
                    await db.execute(
                        f"select count(*) from ({matching} limit {_MATCH_COUNT_LIMIT + 1})",
                        {param: text},
                    )
                ).rows[0][0]
            except sqlite3.OperationalError as exc:  # raw mode: FTS5 syntax errors
                raise BadRequest(f"Search failed: {exc}") from exc
            clauses.append(f"rowid in ({matching} order by rowid desc limit {cap})")
            where = (
                f'search matches "{text}"'
                if column is None
                else (f'search column "{column}" matches "{text}"')
            )
            if total > cap:
                many = (
                    f"over {_MATCH_COUNT_LIMIT:,}"
                    if total > _MATCH_COUNT_LIMIT
                    else f"{total:,}"
                )
                where += (
                    f" (the {cap:,} most recently stored of {many} matches;"
                    " add words to narrow)"
                )
            descriptions.append(where)
            extra["search"] = text
        return FilterArguments(clauses, params, descriptions, extra)

    return inner
