"""Fault presets for the fixture server: what real sites do to crawlers, as data.

Each function returns one fault dict for ``FixtureServer.faults[prefix]`` (a queue,
one fault consumed per request to that path prefix; ``OK`` lets one request through):

    server.faults["/freelancer/api/"] = [OK, truncated(0.5)]   # page 2 cut in half
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable

OK: dict = {}  # no fault for this request (keeps the queue's position)


def status(code: int, retry_after: str | None = None) -> dict:
    """An HTTP error, optionally with ``Retry-After``: ``status(429, "1")``."""
    return {
        "status": code,
        "headers": {"Retry-After": retry_after} if retry_after else {},
    }


def reset() -> dict:
    """The connection is closed before any response byte."""
    return {"action": "reset"}


def slow(seconds: float) -> dict:
    """The real response, after ``seconds`` (longer than DOWNLOAD_TIMEOUT: a timeout)."""
    return {"delay": seconds}


def rewrite(fn: Callable[[bytes], bytes], **extra) -> dict:
    """The real response body passed through ``fn``."""
    return {"rewrite": fn, **extra}


def truncated(fraction: float = 0.5) -> dict:
    """The real body cut after ``fraction`` of its bytes (a half-written response)."""
    return rewrite(lambda body: body[: int(len(body) * fraction)])


def invalid_utf8(field: bytes = b"title") -> dict:
    """Bytes that are not UTF-8 at the start of the first JSON string field ``field``."""
    pattern = re.compile(rb'("' + re.escape(field) + rb'"\s*:\s*")')
    return rewrite(
        lambda body: pattern.sub(lambda m: m.group(1) + b"\xff\xfe\xc3(", body, count=1)
    )


def corrupt_gzip() -> dict:
    """``Content-Encoding: gzip`` with a gzip header and a broken stream after it."""
    broken = (
        gzip.compress(b'{"status": "success", "result": {"projects": []}}')[:12]
        + b"\x00garbage" * 50
    )
    return {
        "status": 200,
        "body": broken,
        "headers": {"Content-Encoding": "gzip"},
        "content_type": "application/json",
    }


def oversized(extra_bytes: int) -> dict:
    """The real body padded with ``extra_bytes`` of whitespace (valid JSON, too big)."""
    return rewrite(lambda body: body + b" " * extra_bytes)


def redirect_to(location: str) -> dict:
    """A 302 to ``location`` (to itself: a redirect loop)."""
    return {"status": 302, "headers": {"Location": location}}


def json_edit(fn: Callable[[dict], None]) -> dict:
    """The real JSON body, edited in place by ``fn(data)``."""

    def apply(body: bytes) -> bytes:
        data = json.loads(body)
        fn(data)
        return json.dumps(data).encode("utf-8")

    return rewrite(apply)


def rename_field(old: str, new: str, every: int = 10) -> dict:
    """Freelancer page whose every ``every``-th project has ``old`` renamed to ``new``."""

    def edit(data: dict) -> None:
        for i, project in enumerate(data["result"]["projects"]):
            if i % every == 0 and old in project:
                project[new] = project.pop(old)

    return json_edit(edit)


def serve_file(path: str) -> dict:
    """Another fixture file's body (path below fixtures/): a cycle or an always-full page."""
    return {"file": path}
