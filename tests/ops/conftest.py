"""Fixtures for the operations tests: generated source fixtures, redis-server, a webhook receiver.

The tests generate their own Freelancer-shaped API pages in tmp_path (so a test can serve a
changed copy, e.g. without dates) and serve them with the project's FixtureServer.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.fixture_server import FixtureServer
from tests.conftest import require_tool

API = "/api/projects/0.1/projects/active/"
BASE_EPOCH = 1_730_000_000  # 2024-10-27


def project(i: int, *, dated: bool = True) -> dict:
    out = {
        "id": 40_000_000 + i,
        "owner_id": 9_000 + i % 7,
        "title": f"Build a chatbot integration number {i}",
        "seo_url": f"python/build-chatbot-{i}",
        "description": f"<p>We need a Python developer for a chatbot, task {i}.</p>",
        "type": "hourly" if i % 2 else "fixed",
        "budget": {"minimum": 10 + i % 5, "maximum": 30 + i % 5},
        "currency": {"code": "USD"},
        "jobs": [{"name": "Python", "category": {"name": "Websites, IT & Software"}}],
    }
    if dated:
        out["time_submitted"] = BASE_EPOCH + 3600 * i
    return out


def write_freelancer(
    root: Path,
    *,
    pages: int = 3,
    per_page: int = 10,
    dated: bool = True,
    first_id: int = 0,
) -> list[str]:
    """Write ``pages`` full pages and an empty last page; return the listing ids."""
    folder = root / "freelancer"
    folder.mkdir(parents=True, exist_ok=True)
    routes, ids = [], []
    for page in range(pages + 1):
        projects = (
            []
            if page == pages
            else [
                project(first_id + page * per_page + k, dated=dated)
                for k in range(per_page)
            ]
        )
        ids += [str(p["id"]) for p in projects]
        name = f"page{page}.json"
        (folder / name).write_text(
            json.dumps({"status": "success", "result": {"projects": projects}})
        )
        routes.append(
            {
                "path": API,
                "file": name,
                "content_type": "application/json",
                "query": {
                    "limit": str(per_page),
                    "offset": str(page * per_page),
                    "full_description": "true",
                    "job_details": "true",
                },
            }
        )
    (folder / "routes.json").write_text(json.dumps({"routes": routes}, indent=1))
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    return ids


@pytest.fixture
def gen_root(tmp_path) -> Path:
    root = tmp_path / "fixtures"
    root.mkdir()
    return root


@pytest.fixture
def gen_server(gen_root):
    with FixtureServer(gen_root) as server:
        yield server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A private redis-server on a free loopback port, without persistence."""
    require_tool("redis-server", "apt-get install redis-server")
    exe = shutil.which("redis-server")
    port = free_port()
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        else:
            raise RuntimeError("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Receiver:
    """A webhook receiver on 127.0.0.1 that keeps every POSTed JSON body."""

    def __init__(self):
        self.bodies: list[dict] = []
        self.paths: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                owner.bodies.append(json.loads(self.rfile.read(length)))
                owner.paths.append(self.path)
                self.send_response(204)
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.httpd.shutdown()
    r.httpd.server_close()
