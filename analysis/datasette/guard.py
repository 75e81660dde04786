"""The Datasette plugin that makes `jobtrends serve --public` safe to publish.

Registered by ``analysis.serve`` next to ``plugin.py``.  Four guards, each small:

* **SQLite limits** (``prepare_connection``): every connection Datasette opens gets
  :data:`LIMITS` through ``Connection.setlimit``.  A string or blob longer than
  ``SQLITE_LIMIT_LENGTH`` is an error ("string or blob too big") instead of a
  gigabyte made in one step (``randomblob(1e9)``, ``zeroblob``, ``printf('%.*c')``,
  ``replace``/``group_concat`` chains), which Datasette's time limit cannot stop: the
  progress handler runs between steps, and one step is one function call.
  ``printf``/``format`` are replaced by :func:`bounded_printf`, which refuses huge
  widths before SQLite spends seconds producing a string it then throws away.
* **Sign-in first** (``forbidden``): an anonymous visitor refused a page is sent to
  ``/-/login`` instead of a bare "Forbidden".
* **Login throttle** (``asgi_wrapper``): after :data:`LOGIN_FAILURES` failed sign-ins
  from one client address within :data:`LOGIN_WINDOW_S` seconds, further attempts
  get HTTP 429 until the window has passed.  Behind a reverse proxy on the same
  machine the client address is the one the proxy sends in ``X-Forwarded-For``
  (uvicorn trusts it from 127.0.0.1).
* **CSV without formulas** (``asgi_wrapper``): every CSV Datasette sends (table,
  query, ``?_stream=on``) has each cell that a spreadsheet would run as a formula -
  one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return - prefixed
  with ``'``.  Plain numbers (``-3.5``) stay as they are.  The rows Datasette sends
  one message each leave in :data:`CSV_CHUNK` pieces (a third less server CPU per
  CSV than one write per row).  A CSV whose reader went
  away is stopped (:func:`until_disconnect`): Datasette would otherwise go on
  paging through every row of an abandoned ``?_stream=on`` download.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import re
import sqlite3
import time
from urllib.parse import parse_qs

from datasette import hookimpl
from datasette.utils.asgi import Response

from analysis.datasette import export

# SQLite's per-connection limits (sqlite3.SQLITE_LIMIT_*): name -> value.
LIMITS: dict[str, int] = {
    # Longest string or blob: above any stored posting or payload (the longest
    # description in the project's data is tens of kB), far below a memory bomb.
    "SQLITE_LIMIT_LENGTH": 2_000_000,
    "SQLITE_LIMIT_SQL_LENGTH": 100_000,
    "SQLITE_LIMIT_COLUMN": 200,
    "SQLITE_LIMIT_EXPR_DEPTH": 200,
    "SQLITE_LIMIT_COMPOUND_SELECT": 50,
    "SQLITE_LIMIT_FUNCTION_ARG": 32,
    "SQLITE_LIMIT_LIKE_PATTERN_LENGTH": 1_000,
    "SQLITE_LIMIT_VARIABLE_NUMBER": 1_000,
}

# A conversion with a written width or precision of 7 digits or more: %1234567d
_HUGE_WIDTH = re.compile(r"%[-+ #0!,]*\d*\.?\d{7,}")

LOGIN_PATH = "/-/login"
LOGIN_FAILURES = 5
LOGIN_WINDOW_S = 15 * 60.0


@hookimpl
def prepare_connection(conn):
    for name, value in LIMITS.items():
        conn.setlimit(getattr(sqlite3, name), value)
    bounded = bounded_printf()
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded)


def bounded_printf():
    """SQLite's printf/format, refusing a width or precision over SQLITE_LIMIT_LENGTH.

    The length limit keeps printf's result small, but ``printf('%.*c', 1e9, 'x')``
    still spends seconds of CPU producing it character by character in one step
    (SQLite 3.40: 5 s) - past Datasette's time limit.  Any number argument at least
    as large as the limit is refused before the built-in printf of a private
    in-memory connection formats the rest.

    >>> f = bounded_printf()
    >>> f("%s=%.2f", "pay", 12.345)
    'pay=12.35'
    >>> f("%.*c", 10**9, "x")
    Traceback (most recent call last):
    ...
    ValueError: printf width or precision over 2000000
    """
    limit = LIMITS["SQLITE_LIMIT_LENGTH"]
    helper = sqlite3.connect(":memory:", check_same_thread=False)
    helper.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limit)

    def printf(*args):
        fmt = args[0] if args and isinstance(args[0], str) else ""
        if (
            "*" in fmt
            and any(isinstance(a, int) and abs(a) >= limit for a in args[1:])
            or _HUGE_WIDTH.search(fmt)
        ):
            raise ValueError(f"printf width or precision over {limit}")
        marks = ", ".join("?" * len(args))
        return helper.execute(f"SELECT printf({marks})", args).fetchone()[0]

    return printf


@hookimpl
def forbidden(datasette, request, message):
    if request.actor is None and request.path != LOGIN_PATH:
        return Response.redirect(datasette.urls.path(LOGIN_PATH))
    return None


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        throttle = LoginThrottle()

        async def guarded(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if scope["path"] == LOGIN_PATH and scope["method"] == "POST":
                return await throttle(app, scope, receive, send)
            if is_csv_request(scope):
                return await csv_response(app, scope, receive, send)
            return await app(scope, receive, send)

        return guarded

    return wrap


class LoginThrottle:
    """Failed sign-ins per client address; refuses more than LOGIN_FAILURES per window.

    A sign-in failed when datasette-auth-passwords answers with its form again (200)
    rather than a redirect with the ``ds_actor`` cookie.
    """

    def __init__(
        self,
        failures: int = LOGIN_FAILURES,
        window_s: float = LOGIN_WINDOW_S,
        clock=time.monotonic,
    ):
        self.failures, self.window_s, self.clock = failures, window_s, clock
        self.seen: dict[str, list[float]] = {}

    def recent(self, client: str) -> list[float]:
        now = self.clock()
        times = [t for t in self.seen.get(client, []) if now - t < self.window_s]
        if times:
            self.seen[client] = times
        else:
            self.seen.pop(client, None)
        return times

    async def __call__(self, app, scope, receive, send):
        client = (scope.get("client") or ("?", 0))[0]
        times = self.recent(client)
        if len(times) >= self.failures:
            wait = int(self.window_s - (self.clock() - times[0])) + 1
            response = Response.text(
                f"Too many failed sign-ins from {client}: try again in {wait} s.",
                status=429,
                headers={"Retry-After": str(wait)},
            )
            return await response.asgi_send(send)
        status = {}

        async def watching_send(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await app(scope, receive, watching_send)
        if status.get("code") == 200:  # the form again: wrong name or password
            self.seen.setdefault(client, []).append(self.clock())
        elif status.get("code") in (301, 302, 303):
            self.seen.pop(client, None)


def is_csv_request(scope) -> bool:
    """A request Datasette answers with CSV: ``*.csv`` or ``?_format=csv``."""
    if scope["path"].endswith(".csv"):
        return True
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return query.get("_format") == ["csv"]


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A record that may hold a formula cell: one starts the record or follows a comma,
# possibly inside quotes.  Records without one pass through untouched.
_MAYBE_FORMULA = re.compile(r'[,\n]"?[=+\-@\t\r]')


def neutralize_cell(value: str) -> str:
    """``value`` made inert for spreadsheets: a leading ``'`` before a formula start.

    >>> neutralize_cell("=HYPERLINK(1)"), neutralize_cell("-2.5"), neutralize_cell("@a")
    ("'=HYPERLINK(1)", '-2.5', "'@a")
    """
    if value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class CsvNeutralizer:
    """Rewrites a CSV byte stream record by record (quoted newlines included).

    >>> n = CsvNeutralizer()
    >>> n.feed(b'a,b\\r\\n=1+1,"x\\r\\n') + n.feed(b'y",-3\\r\\n') + n.close()
    b'a,b\\r\\n\\'=1+1,"x\\r\\ny",-3\\r\\n'
    """

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.pending = ""  # text after the last complete record
        self.quotes = 0  # '"' seen in self.pending (odd: inside a quoted cell)

    def feed(self, data: bytes) -> bytes:
        text = self.pending + self.decoder.decode(data)
        end, quotes, start = 0, 0, 0
        while True:
            newline = text.find("\n", start)
            if newline < 0:
                break
            quotes += text.count('"', start, newline)
            start = newline + 1
            if quotes % 2 == 0:
                end = start
        self.pending = text[end:]
        return self._records(text[:end])

    def close(self) -> bytes:
        text, self.pending = self.pending + self.decoder.decode(b"", final=True), ""
        return self._records(text)

    @staticmethod
    def _records(text: str) -> bytes:
        if not _MAYBE_FORMULA.search("\n" + text):
            return text.encode("utf-8")
        # Datasette writes with csv.writer's defaults, so records without a formula
        # cell come out of this round trip byte for byte as they went in.
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        for record in csv.reader(io.StringIO(text, newline="")):
            writer.writerow([neutralize_cell(cell) for cell in record])
        return out.getvalue().encode("utf-8")


async def csv_response(app, scope, receive, send) -> None:
    """A CSV through :func:`until_disconnect` and :func:`neutralizing_send`; for a
    stream (``_stream``), the :mod:`~analysis.datasette.export` state its page queries
    report to, and an incomplete stream ended visibly (:class:`ExportIncomplete`)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    state = export.StreamState() if query.get("_stream") else None
    token = export.current.set(state)
    try:
        await until_disconnect(app, scope, receive, neutralizing_send(send, state))
    finally:
        export.current.reset(token)
    if state is not None and state.marked:
        # The marker line is sent; closing without the end of the chunked body
        # tells the client the transfer did not complete.
        raise export.ExportIncomplete(state.failed)


async def until_disconnect(app, scope, receive, send) -> None:
    """Run ``app`` for a GET request, cancelling it when the client disconnects.

    uvicorn drops what is sent after a disconnect without telling the app, and
    Datasette's CSV stream never reads ``receive``: it would run to the last row.
    Here a watcher reads ``receive`` and cancels the app on ``http.disconnect``.
    """
    first = await receive()  # the (empty) body of a GET
    gone = asyncio.Event()

    async def app_receive():
        nonlocal first
        if first is not None:
            message, first = first, None
            return message
        await gone.wait()
        return {"type": "http.disconnect"}

    task = asyncio.ensure_future(app(scope, app_receive, send))

    async def watch():
        while (await receive())["type"] != "http.disconnect":
            pass
        gone.set()
        task.cancel()

    watcher = asyncio.ensure_future(watch())
    try:
        await task
    except asyncio.CancelledError:
        if not gone.is_set():
            raise  # cancelled from outside, not by the watcher
    finally:
        watcher.cancel()


# Datasette sends a CSV one row per message; the body goes on in pieces of this size
# (the first message at once, so the download starts with the header row).
CSV_CHUNK = 256 * 1024


def neutralizing_send(send, stream: export.StreamState | None = None):
    """An ASGI ``send`` that passes a CSV response body through :class:`CsvNeutralizer`,
    in :data:`CSV_CHUNK` pieces (one write per row costs more than the rows' text).

    Once ``stream`` has failed (:meth:`~analysis.datasette.export.StreamState.check`),
    what Datasette writes (its error text) is dropped and the body ends with the
    stream's marker line instead, still ``more_body``."""
    neutralizer = CsvNeutralizer()
    active = {"on": False}
    buffered = bytearray()
    started = {"body": False}

    async def wrapped(message):
        if message["type"] == "http.response.start":
            headers = [
                (k, v)
                for k, v in message.get("headers", [])
                if k.lower() != b"content-length"
            ]
            kind = {k.lower(): v for k, v in headers}.get(b"content-type", b"")
            active["on"] = kind.startswith((b"text/csv", b"text/plain"))
            if active["on"]:
                message = {**message, "headers": headers}
        elif message["type"] == "http.response.body" and active["on"]:
            if stream is not None and stream.failed is None:
                stream.check(message)
            failed = stream is not None and stream.failed is not None
            if not failed:
                buffered.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if more and (failed or started["body"] and len(buffered) < CSV_CHUNK):
                return
            started["body"] = True
            body = neutralizer.feed(bytes(buffered))
            buffered.clear()
            if not more:
                body += neutralizer.close()
                if failed:
                    body += stream.end()
                    more = True
            message = {**message, "body": body, "more_body": more}
        await send(message)

    return wrapped
