"""Datasette as the browser view of a jobtrends database.

    >>> datasette_args(db_path, host="127.0.0.1", port=8001, public=False,
    ...                allow_sql=True)[:3]
    ['serve', '...jobs.db', '--metadata']

How the file is opened, and why
-------------------------------
The database is served as a *mutable* file (no ``-i``/``--immutable``, no ``--nolock``).
Datasette then opens every read connection with the URI ``file:...?mode=ro``: read-only,
with SQLite's normal locking, so a crawl can keep writing in WAL mode while pages are
served and every query sees one consistent snapshot.

* ``-i`` (``immutable=1``) tells SQLite the file can never change: it skips locking and
  caches row counts, so a page read during a crawl's commit can be torn or stale.
* ``--nolock`` adds ``nolock=1``: no file locks either, same risk.
* A read-only WAL reader needs the ``-shm``/``-wal`` files next to the database (the
  crawler's connections create them) or a writable folder to create them in.

Datasette never writes to this file: it has no write path configured and no plugin
that writes.  ``sql_time_limit_ms`` stays at 1000 and facet suggestions are off (they
cost over a second per table page at millions of rows).

The jobtrends plugin
--------------------
Datasette runs as ``python -m analysis.serve`` (``DATASETTE_COMMAND``): Datasette's own
command line with ``analysis/datasette/plugin.py`` registered first.  For tables with a
``plugins: jobtrends:`` block in metadata.yml (``jobs``), ``hand_to_plugin`` gives the
plugin the default facets (answered from ``jobs_facet_counts``/``jobs_facet_totals``,
stored by the rollup refresh) and the search (capped to the newest matches), which keep
the table page and searches under the 1 s limit at millions of postings.

``--public`` mode
-----------------
Listens on 0.0.0.0 unless a host is given, and refuses to start unless a password hash
is configured in ``JOBTRENDS_PASSWORD_HASH`` (make one with
``datasette hash-password``; user name from ``JOBTRENDS_USER``, default ``admin``).
Everything then requires signing in at ``/-/login`` (datasette-auth-passwords; an
anonymous visitor is redirected there, and failed sign-ins are throttled), and
arbitrary SQL is off (``default_allow_sql off``) unless ``allow_sql``: signed-in users
still get tables, facets, search, canned queries and the dashboards, whose chart
queries run as stored queries (``analysis/datasette/dashboard_queries.py``).  Every
connection gets SQLite length limits (``analysis/datasette/guard.py``) and CSV cells
cannot start a spreadsheet formula.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from crawler.errors import UserError

METADATA_PATH = Path(__file__).parent / "datasette" / "metadata.yml"

# The name the packaged metadata uses for the database; replaced by the file's stem.
TEMPLATE_DB_NAME = "jobs"

PASSWORD_HASH_ENV = "JOBTRENDS_PASSWORD_HASH"
USER_ENV = "JOBTRENDS_USER"

SETTINGS: dict[str, str] = {
    "sql_time_limit_ms": "1000",
    "suggest_facets": "off",
    "facet_time_limit_ms": "150",
    "max_returned_rows": "1000",
    "allow_download": "off",
    # Long descriptions and payloads end in "..." on table pages (the row page and
    # the JSON/CSV keep them whole).
    "truncate_cells_html": "140",
    # A CSV stream of all rows (?_stream=on) runs to the end: at 5 M postings it is
    # several GB, over Datasette's default 100 MB cap.
    "max_csv_mb": "0",
}


# Datasette's command line with the jobtrends plugins registered (see run_datasette).
DATASETTE_COMMAND = [sys.executable, "-m", "analysis.serve"]

# Prefix of the temp folder that holds the generated metadata of one `serve`; the
# Datasette process removes it when it stops (run_datasette).
TEMP_PREFIX = "jobtrends-serve-"

# The plugins `serve` registers: name -> module (analysis/datasette/).
PLUGINS = {
    "jobtrends": "analysis.datasette.plugin",
    "jobtrends-guard": "analysis.datasette.guard",
    "jobtrends-dashboard-queries": "analysis.datasette.dashboard_queries",
    "jobtrends-pages": "analysis.datasette.pages",
    "jobtrends-query-defaults": "analysis.datasette.query_defaults",
}


class ServeError(UserError):
    """A configuration problem the user can fix; the message says how."""


def load_metadata() -> dict:
    """The packaged metadata (analysis/datasette/metadata.yml) as a dict."""
    with METADATA_PATH.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def build_metadata(db_name: str, *, public: bool, allow_sql: bool) -> dict:
    """Packaged metadata adapted to one database name and access mode.

    >>> build_metadata("demo", public=False, allow_sql=True)["databases"].keys()
    dict_keys(['demo'])
    """
    meta = copy.deepcopy(load_metadata())
    if db_name != TEMPLATE_DB_NAME:
        meta["databases"] = {db_name: meta["databases"].pop(TEMPLATE_DB_NAME)}
        for dashboard in (
            meta.get("plugins", {}).get("datasette-dashboards", {}).values()
        ):
            items = [
                *dashboard.get("charts", {}).values(),
                *dashboard.get("filters", {}).values(),
            ]
            for item in items:
                if item.get("db") == TEMPLATE_DB_NAME:
                    item["db"] = db_name
    for table in meta["databases"][db_name].get("tables", {}).values():
        hand_to_plugin(table)
    if public:
        user = os.environ.get(USER_ENV, "admin")
        meta["allow"] = {"id": "*"}  # every page needs a signed-in actor
        meta.setdefault("plugins", {})["datasette-auth-passwords"] = {
            f"{user}_password_hash": {"$env": PASSWORD_HASH_ENV}
        }
        if allow_sql:
            meta["allow_sql"] = {"id": "*"}
    return meta


def hand_to_plugin(table: dict) -> None:
    """Give a table's search and default facets to the jobtrends plugin, in place.

    Only for tables with a ``plugins: jobtrends:`` block in metadata.yml.  The file
    itself stays plain Datasette metadata (it works without the plugin, only slower);
    served by ``jobtrends serve``, the plugin (analysis/datasette/plugin.py) answers
    facets from stored counts and caps searches.

    >>> t = {"fts_table": "f", "facets": ["a"], "plugins": {"jobtrends": {"facet_counts": "c"}}}
    >>> hand_to_plugin(t); t["facets"], t["plugins"]["jobtrends"]["fts_table"]
    ([{'jobtrends': 'a'}], 'f')
    """
    config = table.get("plugins", {}).get("jobtrends")
    if config is None:
        return
    for key in ("fts_table", "fts_pk", "searchmode"):
        if key in table:
            config[key] = table.pop(key)
    if config.get("facet_counts"):
        table["facets"] = [
            {"jobtrends": facet} if isinstance(facet, str) else facet
            for facet in table.get("facets", [])
        ]


def write_metadata(meta: dict, folder: str | os.PathLike | None = None) -> Path:
    """Write ``meta`` as JSON into ``folder`` (a new temp folder by default)."""
    # Key order matters: it is the order of dashboard filters and charts on the page.
    text = json.dumps(meta, indent=1)
    folder = Path(folder) if folder else Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    path = folder / f"metadata-{hashlib.sha256(text.encode()).hexdigest()[:12]}.json"
    path.write_text(text, encoding="utf-8")
    return path


def bring_schema_up_to_date(db_path: Path) -> None:
    """Add what the browser needs to a database made by an older jobtrends.

    ``crawler.db.ensure_db`` (every jobtrends command runs it): the ``posted`` sort
    column and its indexes, ``report_estimates``.  A no-op on a current database; on
    an older 5 M-posting one, building the indexes takes about a minute, once.
    """
    from crawler.db import connect

    connect(db_path, create=False).close()


def check_public_ready(public: bool) -> None:
    """Raise ServeError when public mode has no authentication configured."""
    if public and not os.environ.get(PASSWORD_HASH_ENV, "").startswith(
        "pbkdf2_sha256$"
    ):
        raise ServeError(
            f"--public needs a password: set {PASSWORD_HASH_ENV} to a hash from "
            "`datasette hash-password` (and optionally JOBTRENDS_USER), or serve without --public"
        )


def datasette_args(
    db_path: str | os.PathLike,
    *,
    host: str | None = None,
    port: int = 8001,
    public: bool = False,
    allow_sql: bool = False,
    open_browser: bool = False,
    metadata_dir: str | os.PathLike | None = None,
) -> list[str]:
    """Arguments for ``datasette`` (after the program name) serving ``db_path``.

    Writes the adapted metadata file (into ``metadata_dir`` or a temp folder).

    >>> datasette_args(db_path, port=8001)[0:2]
    ['serve', '...jobs.db']
    """
    check_public_ready(public)
    db_path = Path(db_path)
    if not db_path.is_file():
        raise ServeError(
            f"database {db_path} does not exist - run `jobtrends demo` or `jobtrends crawl` first"
        )
    if host is None:
        host = "0.0.0.0" if public else "127.0.0.1"
    bring_schema_up_to_date(db_path)
    meta = build_metadata(db_path.stem, public=public, allow_sql=allow_sql)
    metadata_path = write_metadata(meta, metadata_dir)
    args = [
        "serve",
        str(db_path),
        "--metadata",
        str(metadata_path),
        "--host",
        host,
        "--port",
        str(port),
    ]
    settings = dict(SETTINGS)
    if public and not allow_sql:
        settings["default_allow_sql"] = "off"
    for name, value in settings.items():
        args += ["--setting", name, value]
    if open_browser:
        args.append("--open")
    return args


def serve(
    db_path: str | os.PathLike,
    *,
    host: str | None = None,
    port: int = 8001,
    public: bool = False,
    allow_sql: bool = False,
    open_browser: bool = False,
) -> None:
    """Replace this process with Datasette serving ``db_path`` (does not return).

    >>> serve("data/jobs.db", port=8001)  # doctest: +SKIP
    """
    args = datasette_args(
        db_path,
        host=host,
        port=port,
        public=public,
        allow_sql=allow_sql,
        open_browser=open_browser,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    # exec keeps one process: Ctrl-C and a test's terminate() reach Datasette itself.
    os.execv(sys.executable, [*DATASETTE_COMMAND, *args])


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (for tests and benchmarks)."""
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def wait_until_ready(
    base_url: str, proc: subprocess.Popen | None = None, timeout: float = 30.0
) -> None:
    """Poll ``base_url``/-/versions.json until Datasette answers; raise if it died.

    >>> wait_until_ready("http://127.0.0.1:8001", timeout=5)  # doctest: +SKIP
    """
    import time
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"datasette exited with status {proc.returncode} before it was ready"
            )
        try:
            with urllib.request.urlopen(
                f"{base_url}/-/versions.json", timeout=2
            ) as resp:
                if resp.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):  # public mode: up, but wants a signed-in actor
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"datasette did not answer at {base_url} within {timeout} s"
            )
        time.sleep(0.1)


def start_background(
    db_path: str | os.PathLike,
    *,
    port: int,
    host: str = "127.0.0.1",
    timeout: float = 30.0,
    **kwargs,
) -> subprocess.Popen:
    """Start Datasette on ``db_path`` in a child process and wait until it answers.

    The caller stops it with ``proc.terminate()``.

    >>> proc = start_background("data/jobs.db", port=free_port())  # doctest: +SKIP
    """
    args = datasette_args(db_path, host=host, port=port, **kwargs)
    # A file, not a pipe: a pipe nobody reads would block Datasette once it fills.
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [*DATASETTE_COMMAND, *args],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        wait_until_ready(f"http://{host}:{port}", proc, timeout)
    except BaseException as exc:
        proc.terminate()
        proc.wait(10)
        log.seek(0)
        raise RuntimeError(
            f"{exc}; datasette said: {log.read().decode()[-2000:]}"
        ) from exc
    return proc


def register_plugins() -> None:
    """Register the jobtrends plugins; unload every plugin that renders cells as HTML.

    The plugins come from the installed package (no ``--plugins-dir``: nothing is
    loaded from a folder named on the command line).  A ``render_cell`` plugin that
    happens to be installed (datasette-render-markdown, -html, -images...) is
    unregistered: posting text is shown escaped, never rendered.
    """
    import importlib

    from datasette.plugins import DEFAULT_PLUGINS, pm

    for plugin in list(pm.get_plugins()):
        name = getattr(plugin, "__name__", "")
        if name not in DEFAULT_PLUGINS and any(
            hook.name == "render_cell" for hook in pm.get_hookcallers(plugin) or []
        ):
            pm.unregister(plugin)
    for name, module in PLUGINS.items():
        plugin = importlib.import_module(module)
        if not pm.is_registered(plugin):
            pm.register(plugin, name=name)


def _own_temp_folder(argv: list[str]) -> Path | None:
    """The temp folder `datasette_args` made for this run's metadata, if it made one."""
    if "--metadata" not in argv[:-1]:
        return None
    folder = Path(argv[argv.index("--metadata") + 1]).parent
    temp = Path(tempfile.gettempdir())
    if folder.parent == temp and folder.name.startswith(TEMP_PREFIX):
        return folder
    return None


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(128 + signum)


def run_datasette(argv: list[str]) -> None:
    """Datasette's own command line, with the jobtrends plugins registered.

    Removes the temp folder holding the generated metadata when Datasette stops
    (Ctrl-C, SIGTERM, or a failure to start).

    >>> run_datasette(["serve", "data/jobs.db"])  # doctest: +SKIP
    """
    import shutil
    import signal

    from datasette.cli import cli

    register_plugins()
    folder = _own_temp_folder(argv)
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again for the
    # handler it found: make that an exit that runs the cleanup below.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        cli.main(args=argv, prog_name="datasette")
    finally:
        if folder is not None:
            shutil.rmtree(folder)


if __name__ == "__main__":
    run_datasette(sys.argv[1:])
