"""Fixture refresh for maintainers: record a source's live responses, or report drift.

``capture(name, out_dir, base_url=...)`` runs the spider with a downloader middleware that
writes every 200 response body under ``out_dir/captured/`` and adds a ``routes.json``
entry (path relative to the base URL, the query as a parameter set), so the fixture
server answers the same requests with the recorded bodies.  Nothing is stored in the
database.

``check(name, fixtures_dir, base_url=...)`` captures into a temporary folder and compares
each live response's *field structure* with the stored fixture answering the same
request: JSON key paths (``result.projects[].time_submitted``) or XML element paths
(``rss/channel/item/pubDate``).  A field that disappeared is what breaks a spider or a
normalizer silently.

    drift = check("freelancer", Path("fixtures/freelancer"))
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from crawler.errors import UserError
from crawler.fixture_server import resolve

_EXT = {
    "json": ".json",
    "xml": ".xml",
    "rss": ".xml",
    "html": ".html",
    "text/plain": ".txt",
}


def _ext(content_type: str) -> str:
    for key, ext in _EXT.items():
        if key in content_type:
            return ext
    return ".bin"


def route_path(url: str, base_url: str) -> tuple[str, dict[str, str]]:
    """A request URL as a route: (path below the base URL's path, query parameters)."""
    parts, base = urlsplit(url), urlsplit(base_url.rstrip("/"))
    path = parts.path
    if base.path and path.startswith(base.path):
        path = path[len(base.path) :] or "/"
    return path, dict(parse_qsl(parts.query, keep_blank_values=True))


class CaptureMiddleware:
    """Downloader middleware writing each successful response as a fixture file."""

    def __init__(self, crawler):
        settings = crawler.settings
        self.out = Path(settings.get("JOBTRENDS_CAPTURE_DIR"))
        self.base_url = settings.get("JOBTRENDS_CAPTURE_BASE")
        self.routes: list[dict] = []
        self.out.mkdir(parents=True, exist_ok=True)
        from scrapy import signals

        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if response.status != 200 or request.url.endswith("/robots.txt"):
            return response
        path, query = route_path(response.url, self.base_url)
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        slug = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")[:60] or "root"
        digest = hashlib.sha1(response.url.encode()).hexdigest()[:8]
        name = f"captured/{slug}-{digest}{_ext(ctype)}"
        (self.out / name).parent.mkdir(parents=True, exist_ok=True)
        (self.out / name).write_bytes(response.body)
        self.routes.append(
            {
                "path": path,
                "query": query,
                "file": name,
                "content_type": ctype or "application/octet-stream",
            }
        )
        return response

    def spider_closed(self, spider, reason):
        merge_routes(self.out / "routes.json", self.routes)


def merge_routes(path: Path, new: list[dict]) -> None:
    """Add routes; a route for the same (path, query) is replaced, others are kept."""
    data = json.loads(path.read_text()) if path.exists() else {"routes": []}
    keys = {(r["path"], json.dumps(r.get("query"), sort_keys=True)) for r in new}
    kept = [
        r
        for r in data.get("routes", [])
        if (r.get("path"), json.dumps(r.get("query"), sort_keys=True)) not in keys
    ]
    data["routes"] = kept + new
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def capture(
    name: str,
    out_dir: Path,
    *,
    base_url: str | None = None,
    args: dict | None = None,
    settings: dict | None = None,
) -> list[dict]:
    """Crawl ``name`` once (``max_pages`` 2 unless given) and record its responses."""
    from scrapy.crawler import CrawlerProcess

    from crawler.crawl_process import project_settings, spider_names

    if name not in spider_names():
        raise UserError(
            f"unknown spider {name!r}: choose from {', '.join(spider_names())}"
        )
    args = dict(args or {})
    args.setdefault("max_pages", "2")
    if base_url:
        args["base_url"] = base_url
    base = project_settings("")
    overrides = {
        "JOBTRENDS_DB": "",  # no database: no incremental stop, nothing stored
        "ITEM_PIPELINES": {},
        "EXTENSIONS": {"crawler.run_record.RunRecorder": None},
        "DOWNLOADER_MIDDLEWARES": {
            **base.getdict("DOWNLOADER_MIDDLEWARES"),
            # below HttpCompressionMiddleware (590): decoded bodies
            "crawler.capture.CaptureMiddleware": 580,
        },
        "JOBTRENDS_CAPTURE_DIR": str(out_dir),
        "JOBTRENDS_CAPTURE_BASE": base_url or "",
        **(settings or {}),
    }
    process = CrawlerProcess(project_settings("", overrides))
    crawler = process.create_crawler(name)
    process.crawl(crawler, **args)
    process.start()
    routes_file = Path(out_dir) / "routes.json"
    return json.loads(routes_file.read_text())["routes"] if routes_file.exists() else []


# -- structure and drift -----------------------------------------------------------------
def json_paths(value, prefix: str = "") -> set[str]:
    """``{"a": [{"b": 1}]}`` -> ``{"a", "a[]", "a[].b"}``."""
    paths: set[str] = set()
    if isinstance(value, dict):
        for key, child in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            paths.add(path)
            paths |= json_paths(child, path)
    elif isinstance(value, list):
        path = f"{prefix}[]"
        for child in value:
            paths.add(path)
            paths |= json_paths(child, path)
    return paths


def xml_paths(body: bytes) -> set[str]:
    """Element paths of an XML document: ``rss/channel/item/title``."""
    from lxml import etree

    paths: set[str] = set()
    stack: list[str] = []
    for event, element in etree.iterparse(
        _BytesIO(body), events=("start", "end"), recover=True, huge_tree=True
    ):
        if event == "start":
            tag = (
                etree.QName(element).localname if isinstance(element.tag, str) else "?"
            )
            stack.append(tag)
            paths.add("/".join(stack))
        else:
            stack.pop()
            element.clear()
    return paths


def _BytesIO(body: bytes):
    import io

    return io.BytesIO(body)


def structure(body: bytes, content_type: str = "") -> set[str] | None:
    """The field paths of a body (JSON or XML), or None for other formats."""
    head = body.lstrip()[:1]
    if "json" in content_type or head in (b"{", b"["):
        try:
            return json_paths(json.loads(body))
        except ValueError:
            return None
    if "xml" in content_type or head == b"<":
        try:
            return xml_paths(body)
        except (ValueError, SyntaxError):  # lxml's parse errors are SyntaxErrors
            return None
    return None


@dataclass
class Drift:
    path: str
    query: dict
    fixture: str | None
    missing: list[str] = field(default_factory=list)  # in the fixture, gone live
    added: list[str] = field(default_factory=list)  # live only
    note: str = ""

    @property
    def drifted(self) -> bool:
        return bool(self.missing or self.added or self.note)

    def lines(self) -> list[str]:
        where = f"{self.path}?{'&'.join(f'{k}={v}' for k, v in self.query.items())}"
        if not self.drifted:
            return [f"ok     {where} (same fields as {self.fixture})"]
        out = [f"DRIFT  {where} vs {self.fixture or 'no fixture'} {self.note}".rstrip()]
        out += [f"  - {p}" for p in self.missing] + [f"  + {p}" for p in self.added]
        return out


def compare(fixtures_dir: Path, live_dir: Path, live_routes: list[dict]) -> list[Drift]:
    """Each live response's structure against the stored fixture for the same request."""
    fixtures_dir = Path(fixtures_dir)
    stored = (
        json.loads((fixtures_dir / "routes.json").read_text()).get("routes", [])
        if (fixtures_dir / "routes.json").exists()
        else []
    )
    report = []
    for route in live_routes:
        query_text = "&".join(f"{k}={v}" for k, v in route["query"].items())
        found = resolve(
            fixtures_dir.parent, f"/{fixtures_dir.name}{route['path']}", query_text
        )
        note = ""
        if found is None:
            # Same endpoint, other parameters: compare with any fixture of that path.
            same_path = [r for r in stored if r.get("path") == route["path"]]
            if not same_path:
                report.append(
                    Drift(
                        route["path"], route["query"], None, note="(no stored fixture)"
                    )
                )
                continue
            found = (fixtures_dir / same_path[0]["file"], same_path[0])
        file, froute = found
        live = structure(
            (live_dir / route["file"]).read_bytes(), route.get("content_type", "")
        )
        old = structure(file.read_bytes(), froute.get("content_type", ""))
        if live is None or old is None:
            report.append(
                Drift(
                    route["path"],
                    route["query"],
                    file.name,
                    note="" if live == old else "(format changed)",
                )
            )
            continue
        report.append(
            Drift(
                route["path"],
                route["query"],
                str(file.relative_to(fixtures_dir)),
                sorted(old - live),
                sorted(live - old),
                note,
            )
        )
    return report


def check(
    name: str,
    fixtures_dir: Path,
    *,
    base_url: str | None = None,
    args: dict | None = None,
    settings: dict | None = None,
) -> list[Drift]:
    """Capture live responses into a temporary folder and compare them with the fixtures."""
    with tempfile.TemporaryDirectory(prefix=f"capture-{name}-") as tmp:
        routes = capture(
            name, Path(tmp), base_url=base_url, args=args, settings=settings
        )
        return compare(Path(fixtures_dir), Path(tmp), routes)
