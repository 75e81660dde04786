"""A loopback HTTP server that answers like the real sources, from files in ``fixtures/``.

``/<source>/<path>?<query>`` is looked up in ``fixtures/<source>/routes.json`` (query
compared as a set of decoded parameters, so order does not matter), else served from
``fixtures/<source>/<path>`` when that is a file.  ``/robots.txt`` is
``fixtures/robots.txt``.  Every request is logged in ``server.requests`` so tests can
assert what was (and was not) fetched, and ``server.max_in_flight`` / ``server.spans``
what a site would see of concurrency and timing.

Faults for reliability tests: ``server.faults`` maps a path prefix to a list of fault
dicts consumed one per request (``{"status": 429, "headers": {"Retry-After": "2"}}``,
``{"status": 500}``, ``{"body": b"..."}``, ``{"delay": 3}``, ``{"action": "reset"}``,
``{"rewrite": fn}`` (the real body through ``fn(bytes) -> bytes``: truncated, mutated...),
``{"file": "freelancer/api/x.json"}`` (another fixture's body), ``{"hold": event}`` (answer
only once the ``threading.Event`` is set: a test holds a crawl at a known page while it
signals it), ``{}`` (no fault this time); presets in ``crawler/faults.py``).

Run it by hand: ``python -m crawler.fixture_server --port 8765``.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections import defaultdict
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from crawler.bundled import FIXTURES

HOLD_LIMIT = 300  # seconds a held request waits at most (a test that never releases it)

_TYPES = {
    ".json": "application/json; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/gzip",
}


@lru_cache(maxsize=64)
def _routes(root: str, source: str) -> list[dict]:
    path = Path(root) / source / "routes.json"
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8")).get("routes", [])


def _query_matches(want, have: dict[str, str]) -> bool:
    if want == "*":
        return True
    want = want or {}
    return {k: str(v) for k, v in want.items()} == have


def resolve(root: Path, path: str, query: str) -> tuple[Path, dict] | None:
    """The fixture file and route options answering ``path?query``, or None."""
    parts = path.lstrip("/").split("/", 1)
    source, rest = parts[0], "/" + (parts[1] if len(parts) > 1 else "")
    have = dict(parse_qsl(query, keep_blank_values=True))
    for route in _routes(str(root), source):
        if route.get("path") == rest and _query_matches(route.get("query"), have):
            return root / source / route["file"], route
    candidate = (root / path.lstrip("/")).resolve()
    if candidate.is_file() and root.resolve() in candidate.parents:
        return candidate, {}
    return None


class _Handler(BaseHTTPRequestHandler):
    server_version = "jobtrends-fixtures/1.0"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: tests read server.requests instead
        pass

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict | None = None
    ):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_rewritten(self, server: FixtureServer, parts, fault: dict) -> None:
        """Serve the fixture (or ``fault["file"]``) through ``fault["rewrite"](bytes) -> bytes``."""
        if "file" in fault:
            file, route = server.root / fault["file"], {}
        else:
            found = resolve(server.root, parts.path, parts.query)
            if found is None:
                self._send(404, b"not found", "text/plain; charset=utf-8")
                return
            file, route = found
        body = file.read_bytes()
        if fault.get("rewrite") is not None:
            body = fault["rewrite"](body)
        ctype = (
            fault.get("content_type")
            or route.get("content_type")
            or _TYPES.get(file.suffix, "application/octet-stream")
        )
        self._send(int(fault.get("status", 200)), body, ctype, fault.get("headers"))

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        server: FixtureServer = self.server.owner  # type: ignore[attr-defined]
        started = server.enter()
        try:
            self._get(server)
        finally:
            server.leave(self.path, started)

    def _get(self, server: FixtureServer):
        parts = urlsplit(self.path)
        server.record(self.path)
        fault = server.next_fault(parts.path)
        if fault is not None and fault.get("action") == "reset":
            self.close_connection = True
            self.connection.close()
            return
        if fault is not None and fault.get("hold") is not None:
            fault["hold"].wait(HOLD_LIMIT)
        if fault is not None and fault.get("delay"):
            time.sleep(float(fault["delay"]))
        if fault is not None and ("status" in fault or "body" in fault):
            body = fault.get("body", b"")
            if isinstance(body, str):
                body = body.encode("utf-8")
            self._send(
                int(fault.get("status", 200)),
                body,
                fault.get("content_type", "text/plain; charset=utf-8"),
                fault.get("headers"),
            )
            return
        if fault is not None and ("rewrite" in fault or "file" in fault):
            self._send_rewritten(server, parts, fault)
            return
        if parts.path == "/robots.txt":
            robots = server.root / "robots.txt"
            body = (
                robots.read_bytes()
                if robots.is_file()
                else b"User-agent: *\nAllow: /\n"
            )
            self._send(200, body, "text/plain; charset=utf-8")
            return
        found = resolve(server.root, parts.path, parts.query)
        if found is None:
            self._send(404, b"not found", "text/plain; charset=utf-8")
            return
        file, route = found
        try:
            body = file.read_bytes()
        except OSError:
            self._send(404, b"not found", "text/plain; charset=utf-8")
            return
        ctype = route.get("content_type") or _TYPES.get(
            file.suffix, "application/octet-stream"
        )
        self._send(int(route.get("status", 200)), body, ctype, route.get("headers"))


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hung up (a killed crawl, a timeout test) is not a server error.
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class FixtureServer:
    """``with FixtureServer() as server: server.base_url("upwork")``"""

    def __init__(
        self, root: Path | str = FIXTURES, host: str = "127.0.0.1", port: int = 0
    ):
        self.root = Path(root)
        self.requests: list[str] = []
        # Requests being answered now, the most at any moment, and (path, arrival, end)
        # on the monotonic clock of every answered request: what a site would observe.
        self.in_flight = 0
        self.max_in_flight = 0
        self.spans: list[tuple[str, float, float]] = []
        self.faults: dict[str, list[dict]] = defaultdict(list)
        self._lock = threading.Lock()
        self.httpd = _QuietServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def base_url(self, source: str) -> str:
        return f"{self.url}/{source}"

    def enter(self) -> float:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return time.monotonic()

    def leave(self, path: str, started: float) -> None:
        with self._lock:
            self.in_flight -= 1
            self.spans.append((path, started, time.monotonic()))

    def record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    def next_fault(self, path: str) -> dict | None:
        with self._lock:
            for prefix, queue in self.faults.items():
                if path.startswith(prefix) and queue:
                    return queue.pop(0)
        return None

    def start(self) -> FixtureServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="fixture-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Serve fixtures/ on 127.0.0.1 like the real sources."
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--root", default=str(FIXTURES))
    args = parser.parse_args()
    server = FixtureServer(args.root, port=args.port)
    print(f"serving {args.root} on {server.url} (Ctrl-C to stop)", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
