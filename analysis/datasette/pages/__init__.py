"""The Datasette plugin that makes the table pages readable and every page of them fast.

Registered by ``analysis.serve``.

**Paging.**  For a table with ``plugins: jobtrends: page_key: posted`` (a NOT NULL
column with an index on it), the SQL of page 2...N sorted by that column gets a
redundant range ``posted <= :value`` (``>=`` ascending) in front of Datasette's
``(posted < :value or posted is null or (posted = :value and job_id > :id))``.
The range is implied by that clause (the column is never null), so the rows are the
same; but SQLite can only start an index walk at the page from a range, and without
it every next page walks the index from the first row (1.3 s for the last pages at
5 M postings; a CSV stream of all rows pages through all of them).  Page 1 gets the
primary key as tie-breaker (``order by posted desc, job_id``): Datasette 0.65 adds it
only from page 2 on, so rows sharing a ``posted`` value could come in another order on
page 1 than the next-page clause assumes, and be shown twice or skipped.  The
rewrites are made on the SQL the table page sends for its rows (``startup`` wraps
each database's ``execute``); the row count and facets have no ``_next`` clause and no
ORDER BY, and are untouched.
  **Keys first.**  A filtered page's rows (``select <columns> from jobs where ...
order by ... limit 51``) are selected as ``rowid in (select rowid from jobs where ...
order by ... limit 51)``, the outer ``jobs`` read by rowid only (``NOT INDEXED``):
when the filter is no index walk (a search's 10,000
matches, ``?country__isblank=1``), SQLite sorts the matches' rowids and sort keys
instead of every column of every match (descriptions included) and reads 51 whole
rows (2.7x less CPU for a capped search at 1 M postings; an index walk costs ~0.1 ms
more).
  For a table whose metadata has
``plugins: jobtrends: column_order: [...]`` the rows show those columns first, in that
order, then the rest in table order (``templates/_table.html`` is Datasette's own
template with the loops going through :func:`column_order`; values are the same
escaped cells Datasette renders).  On every table page the block of column
descriptions is folded into a ``<details>`` ("About the N columns"); each header
keeps its description in the column menu.  Cell truncation is Datasette's
``truncate_cells_html`` setting (``analysis.serve.SETTINGS``).
"""

from __future__ import annotations

import re

from datasette import hookimpl
from datasette.utils import escape_sqlite, to_css_class
from markupsafe import Markup, escape

from analysis.datasette.export import execute_in_stream
from analysis.datasette.plugin import configured_tables, table_config


def page_key_rewriter(table: str, key: str, pk: str):
    """A function making the rewrites of :mod:`this module <analysis.datasette.pages>`.

    >>> add = page_key_rewriter("jobs", "posted", "job_id")
    >>> add("select * from jobs where (posted < :p0 or posted is null or (posted = :p0 and x))")
    'select * from jobs where posted <= :p0 and (posted < :p0 or posted is null or (posted = :p0 and x))'
    >>> add("select * from jobs where (posted > :p1 or (posted = :p1 and x))")
    'select * from jobs where posted >= :p1 and (posted > :p1 or (posted = :p1 and x))'
    >>> add("select * from jobs order by posted desc limit 51")
    'select * from jobs order by posted desc, job_id limit 51'
    >>> add("select a, b from jobs where rowid in (select rowid from f order by rowid"
    ...     " desc limit 9) order by posted desc, job_id limit 51")
    'select a, b from jobs not indexed where rowid in (select rowid from jobs where rowid in (select rowid from f order by rowid desc limit 9) order by posted desc, job_id limit 51) order by posted desc, job_id limit 51'
    >>> facet = ("select a as value, count(*) as count from (select a, b from jobs where"
    ...          " b = :p0 ) where a is not null group by a order by count desc, value limit 31")
    >>> add(facet) == facet  # a facet's SQL (Datasette's ?_facet=) is left alone
    True
    >>> add("select distinct a from jobs where b order by a limit 9")
    'select distinct a from jobs where b order by a limit 9'
    """
    col = re.escape(escape_sqlite(key))
    table_from = f"from {escape_sqlite(table)} "
    after = re.compile(
        rf"\(({col}) ([<>]) :(p\d+)( or {col} is null)? or \({col} = :\3 and "
    )
    page_one = re.compile(rf"( order by {col}(?: desc)?)( limit \d+)$")
    tiebreak = escape_sqlite(pk)
    # A table page's rows, as Datasette writes them: plain column names, then the
    # filters, the order and the page (not a facet's or a canned query's SQL).
    name = r"(?:\[[^\]]+\]|\w+)"
    rows = re.compile(
        rf"select ({name}(?:, {name})*) {re.escape(table_from)}(where .+ )"
        r"(order by [^()]+) limit (\d+)( offset \d+)?",
        re.DOTALL,
    )

    def add(sql: str) -> str:
        if table_from not in sql:
            return sql
        sql = page_one.sub(lambda m: f"{m[1]}, {tiebreak}{m[2]}", sql, count=1)
        sql = after.sub(lambda m: f"{m[1]} {m[2]}= :{m[3]} and {m[0]}", sql, count=1)
        return keys_first(sql)

    def keys_first(sql: str) -> str:
        page = rows.fullmatch(sql)
        if page is None or re.search(r"\b(?:group by|having)\b", page[2], re.I):
            return sql
        columns, where, order, limit, offset = page.groups()
        # NOT INDEXED: read the page's rows by rowid; SQLite would otherwise walk an
        # index in ORDER BY order testing each entry against the page (every entry
        # before the page, at page N).
        return (
            f"select {columns} {table_from}not indexed where rowid in (select rowid "
            f"{table_from}{where}{order} limit {limit}{offset or ''}) {order} "
            f"limit {limit}"
        )

    return add


@hookimpl
def startup(datasette):
    async def wrap_execute():
        rewriters = {}
        for database, table, key in configured_tables(datasette, "page_key"):
            pks = await datasette.get_database(database).primary_keys(table)
            if len(pks) != 1:
                raise ValueError(f"page_key needs a one-column primary key: {table}")
            rewriters.setdefault(database, []).append(
                page_key_rewriter(table, key, pks[0])
            )
        for name, db in datasette.databases.items():
            if name != "_internal":
                db.execute = paged_execute(db, rewriters.get(name, []))

    return wrap_execute


def paged_execute(db, rewriters):
    """``db.execute`` with the page rewrites and the CSV stream's retries
    (:func:`analysis.datasette.export.execute_in_stream`)."""
    original = db.execute

    async def execute(sql, *args, **kwargs):
        for add in rewriters:
            sql = add(sql)
        return await execute_in_stream(db, original, sql, *args, **kwargs)

    return execute


def column_order(names: list[str], first: list[str]) -> list[int]:
    """Positions of ``names`` with ``first`` (those present) leading, in that order.

    >>> column_order(["id", "a", "b", "c"], ["c", "zz", "a"])
    [0, 3, 1, 2]
    """
    keep = names[:1]  # the link column (primary key) stays where Datasette puts it
    lead = [n for n in first if n in names and n not in keep]
    rest = [n for n in names if n not in keep and n not in lead]
    return [names.index(n) for n in [*keep, *lead, *rest]]


def rows_html(display_rows, order: list[int]) -> Markup:
    """The ``<tr>`` rows of a table page's ``<tbody>``, cells in ``order``: the markup
    of ``_table.html``'s loop (every value escaped as Jinja's autoescape does; a link
    Datasette made is Markup already), built in one call instead of ~40 Jinja
    expressions per row, each an await in Datasette's async templates (~30 ms of a
    50-row page).

    >>> from types import SimpleNamespace as Row
    >>> cell = {"column": "title", "value": "<b>Tom & Jerry</b>", "value_type": "str"}
    >>> print(rows_html([Row(cells=[cell])], [0]))
    <tr><td class="col-title type-str">&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;</td></tr>
    """
    classes: dict[str, str] = {}
    out = []
    for row in display_rows:
        cells = row.cells
        tds = []
        for i in order:
            cell = cells[i]
            column = cell["column"]
            css = classes.get(column)
            if css is None:
                css = classes[column] = escape(to_css_class(column))
            tds.append(
                f'<td class="col-{css} type-{escape(cell["value_type"])}">'
                f"{escape(cell['value'])}</td>"
            )
        out.append(f"<tr>{''.join(tds)}</tr>")
    return Markup("\n".join(out))


@hookimpl
def extra_template_vars(view_name, database, table, datasette):
    if view_name not in ("table", "row"):
        return {}
    first = table_config(datasette, database, table).get("column_order") or []

    def order(display_columns) -> list[int]:
        return column_order([c["name"] for c in display_columns], list(first))

    return {"jobtrends_column_order": order, "jobtrends_rows_html": rows_html}


# Folds Datasette's list of column descriptions (table.html) into a <details>.
_FOLD_DESCRIPTIONS = """
document.querySelectorAll("dl.column-descriptions").forEach(function (dl) {
  var details = document.createElement("details");
  details.className = "jobtrends-column-descriptions";
  var summary = document.createElement("summary");
  summary.textContent = "About the " + dl.querySelectorAll("dt").length + " columns";
  details.appendChild(summary);
  dl.parentNode.insertBefore(details, dl);
  details.appendChild(dl);
});
"""


@hookimpl
def extra_body_script(view_name):
    if view_name == "table":
        return _FOLD_DESCRIPTIONS
    return ""
