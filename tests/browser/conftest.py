"""Browser fixtures: Debian's chromium driven by Playwright (no `playwright install`).

Skipped, with the reason, when /usr/bin/chromium is missing (CI installs it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis.serve import free_port, start_background
from tests.conftest import require_tool

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--headless=new",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an asyncio loop running in this thread
    # while it is open, which would break later tests that call asyncio.run().
    require_tool(str(CHROMIUM), "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Site(str):
    """The base URL of a served seed database; ``.report`` is its report.json."""

    report: Path


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Path:
    from tests.test_datasette import seed_database

    return seed_database(tmp_path_factory.mktemp("browser") / "jobs.db")


@pytest.fixture(scope="session")
def site(seeded):
    """Datasette on the seeded database (see tests/test_datasette.py), on a free port."""
    port = free_port()
    proc = start_background(seeded, port=port, metadata_dir=seeded.parent)
    try:
        url = Site(f"http://127.0.0.1:{port}")
        url.report = seeded.parent / "jobs-report" / "report.json"
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def public_site(seeded, tmp_path_factory):
    """The same database served with --public; yields (base URL, admin password)."""
    from datasette_auth_passwords.utils import hash_password

    password = "browser-s3cret"
    env = {"JOBTRENDS_PASSWORD_HASH": hash_password(password)}
    port = free_port()
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        proc = start_background(
            seeded,
            port=port,
            public=True,
            metadata_dir=tmp_path_factory.mktemp("public"),
        )
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    try:
        yield f"http://127.0.0.1:{port}", password
    finally:
        proc.terminate()
        proc.wait(10)


class PageWatch:
    """A page that records console errors, uncaught exceptions and dialogs."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.outside: list[str] = []  # requests that would leave 127.0.0.1 (blocked)
        page.route("**/*", self._route)
        page.on(
            "console", lambda msg: msg.type == "error" and self.errors.append(msg.text)
        )
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("dialog", self._dialog)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        yield PageWatch(page)
    finally:
        context.close()
