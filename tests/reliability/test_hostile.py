"""Hostile content and bad rows: one bad row never costs the good ones, remote content
never reads local files, every bomb stays small, every crawl ends by itself.

Each case is served by a loopback server on 127.0.0.1 (or written to a file) and run
through the real command line in a subprocess, whose peak RSS is read back with
``resource.getrusage(RUSAGE_CHILDREN)`` in a small wrapper process and asserted
(``PEAK_MB``), never its time.  The killed-import case stops the import at a kill point
the code itself announces (``JOBTRENDS_IMPORT_KILL_POINT``), then SIGKILLs it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.importers.upwork_csv import COLUMNS as UPWORK_COLUMNS
from tests.conftest import FAST, JOBTRENDS, ROOT, cli_env, run_cli
from tests.reliability.conftest import query


def import_mapped(path, fmt: str, source: str, mapping: str, db, *extra: str):
    """`jobtrends import PATH --format FMT --source S --map M --db DB [extra]`."""
    return run_cli(
        "import",
        str(path),
        "--format",
        fmt,
        "--source",
        source,
        "--map",
        mapping,
        "--db",
        str(db),
        *extra,
    )


PEAK_MB = 400
QUICK = [
    *FAST,
    "-s",
    "RETRY_TIMES=1",
    "-s",
    "RETRY_BACKOFF_MAX=0.2",
    "-s",
    "RETRY_BACKOFF_BASE=0.1",
]
UPWORK_HEADER = list(UPWORK_COLUMNS)


# -- helpers -------------------------------------------------------------------------------
_MEASURE = """
import json, resource, subprocess, sys
proc = subprocess.run(sys.argv[2:], capture_output=True, text=True, timeout=600)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
with open(sys.argv[1], "w") as fh:
    json.dump({"rc": proc.returncode, "out": proc.stdout, "err": proc.stderr, "peak_mb": peak}, fh)
"""


def measured(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, int]:
    """`jobtrends ARGS` in a subprocess: (its result, its peak RSS in MB, children included)."""
    out = tmp_path / f"measure-{time.monotonic_ns()}.json"
    subprocess.run(
        [sys.executable, "-c", _MEASURE, str(out), *JOBTRENDS, *args],
        cwd=str(ROOT),
        env=cli_env(),
        check=True,
        timeout=900,
    )
    got = json.loads(out.read_text())
    proc = subprocess.CompletedProcess(args, got["rc"], got["out"], got["err"])
    return proc, got["peak_mb"]


def upwork_db(folder: Path, rows: int) -> tuple[Path, Path]:
    """``folder/jobs.db`` holding ``rows`` imported Upwork CSV rows, and the CSV (``a.csv``)."""
    db, path = folder / "jobs.db", folder / "a.csv"
    write_csv(path, [upwork_row(i) for i in range(rows)])
    run_cli(
        "import",
        str(path),
        "--format",
        "upwork-csv",
        "--db",
        str(db),
        "--quiet",
        check=True,
    )
    return db, path


def import_upwork_raw(tmp_path: Path, path: Path, db: Path):
    """`jobtrends import PATH --format upwork-csv --no-normalize`, measured."""
    args = ["--format", "upwork-csv", "--db", str(db), "--quiet", "--no-normalize"]
    return measured(tmp_path, "import", str(path), *args)


def no_traceback(proc: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout, proc.stdout[-3000:]


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, (
        proc.returncode,
        proc.stdout[-2000:],
        proc.stderr[-2000:],
    )
    no_traceback(proc)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    return lines[0]


def skips(db: Path) -> list[sqlite3.Row]:
    return query(
        db, "SELECT reason, url, detail, excerpt FROM skipped_listings ORDER BY id"
    )


def upwork_row(i: int) -> list[str]:
    """A row of the shared Upwork CSV with real variety: accents, entities, newlines, quotes.

    Three physical lines (the description holds two newlines).
    """
    return [
        f"Shopify expert — café “Le Marché” #{i}",
        f"https://www.upwork.com/jobs/Shopify-expert_%7E01{i:016d}/?referrer_url_path=find_work_home",
        f'We need help &amp; fast.\nNo agencies, please!\n"Quoted" budget, negotiable {i}',
        f"2024-02-{1 + i % 28:02d} 09:09:54+00:00",
        "True" if i % 2 else "False",
        "15.0" if i % 2 else "",
        "35.0" if i % 2 else "",
        "" if i % 2 else "500.0",
        ["United States", "Ελλάδα", "Türkiye", ""][i % 4],
    ]


def write_csv(path: Path, rows: list[list[str]], header=UPWORK_HEADER) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


class HostileServer:
    """A loopback HTTP server answering from ``routes``: path -> (status, headers, body)."""

    def __init__(self):
        self.routes: dict[str, object] = {}
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                path = self.path.split("?", 1)[0]
                outer.requests.append(path)
                answer = outer.routes.get(path)
                if callable(answer):
                    answer = answer(path)
                status, headers, body = answer or (404, {}, b"not here")
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def xml(body: str) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": "application/xml"}, body.encode()


def sitemap_index(*locs: str) -> tuple[int, dict, bytes]:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return xml(
        f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    )


def urlset(*locs: str) -> tuple[int, dict, bytes]:
    entries = "".join(f"<url><loc>{loc}</loc></url>" for loc in locs)
    return xml(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )


def job_page(title: str, ident: str) -> tuple[int, dict, bytes]:
    posting = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": title,
        "identifier": {"@type": "PropertyValue", "value": ident},
        "datePosted": "2024-03-01",
        "description": "<p>Python &amp; SQL, no agencies</p>",
        "hiringOrganization": {"@type": "Organization", "name": "Zürich Data AG"},
    }
    html = (
        f'<html><head><title>{title}</title><script type="application/ld+json">'
        f"{json.dumps(posting, ensure_ascii=False)}</script></head><body>Job</body></html>"
    )
    return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()


def crawl_jsonld(tmp_path: Path, *extra: str, measure: bool = False):
    db = tmp_path / "jsonld.db"
    args = (
        "crawl",
        "jsonld",
        "--db",
        str(db),
        "--log-file",
        str(tmp_path / "jsonld.log"),
        *QUICK,
        "-s",
        "JOBTRENDS_NORMALIZE=False",
        *extra,
    )
    if measure:
        proc, peak = measured(tmp_path, *args)
    else:
        proc, peak = run_cli(*args, timeout=300), 0
    no_traceback(proc)
    return proc, db, peak


def last_run(db: Path) -> sqlite3.Row:
    return query(db, "SELECT * FROM crawl_runs ORDER BY run_id DESC LIMIT 1")[0]


# -- 1. imports: one bad row costs that row only --------------------------------------------
def test_csv_with_a_50mb_field_keeps_the_200_good_rows(tmp_path):
    path = tmp_path / "big-field.csv"
    write_csv(path, [upwork_row(i) for i in range(100)])
    with path.open("a", encoding="utf-8", newline="") as fh:
        fh.write('"' + "x" * (50 << 20) + '",' + ",".join(['""'] * 8) + "\n")
        csv.writer(fh).writerows(upwork_row(i) for i in range(100, 200))
    db = tmp_path / "i.db"
    proc, peak = import_upwork_raw(tmp_path, path, db)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert query(db, "SELECT count(*) FROM raw_listings")[0][0] == 200
    bad = skips(db)
    assert [(s["reason"], s["url"]) for s in bad] == [
        ("too_large", f"{path}:{2 + 100 * 3}")
    ]
    assert peak <= PEAK_MB, f"peak RSS {peak} MB"


def _generic_rows(n: int) -> list[str]:
    return [
        f"{i},Data entry – naïve “{i}” &amp; more,2024-03-{1 + i % 28:02d},€{10 + i % 7}/hr"
        for i in range(n)
    ]


def test_unclosed_quote_costs_one_row_not_the_rest_of_the_file(tmp_path):
    rows = _generic_rows(4936)
    lines = [
        "id,title,date,pay",
        *rows[:2000],
        '"2000,Unclosed “quote” – 24 inch monitor setup,2024-03-05,$5',  # line 2002
        *rows[2001:3000],
        '"2000b,Closed early: "24" monitor",2024-03-05,$5',  # line 3002: 3 columns
        *rows[3000:],
    ]
    path = tmp_path / "unclosed.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "g.db"
    proc = import_mapped(
        str(path),
        "csv",
        "hostile_csv",
        "source_id=id,title=title,posted_raw=date,pay=pay",
        str(db),
        "--quiet",
    )
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert query(db, "SELECT count(*) FROM raw_listings")[0][0] == 4935
    assert [(s["reason"], s["url"]) for s in skips(db)] == [
        ("bad_quoting", f"{path}:2002"),
        ("column_count", f"{path}:3002"),
    ]
    # --strict is unchanged: the first bad row stops the import, exit 1
    strict = import_mapped(
        str(path),
        "csv",
        "hostile_csv",
        "source_id=id,title=title,posted_raw=date",
        str(tmp_path / "s.db"),
        "--quiet",
        "--strict",
    )
    assert strict.returncode == 1 and "bad_quoting" in strict.stderr, strict.stderr
    no_traceback(strict)


def test_unclosed_quote_with_a_tail_over_the_field_limit(tmp_path):
    filler = "lorem ipsum dolor sit amet " * 250
    rows = [f"{i},Job {i} {filler},2024-03-01,$9" for i in range(2001, 5000)]
    path = tmp_path / "tail.csv"
    path.write_text(
        "\n".join(
            [
                "id,title,date,pay",
                *_generic_rows(2000),
                '"2000,never closed,2024-03-01,$1',
                *rows,
            ]
        )
        + "\n"
    )
    db = tmp_path / "t.db"
    proc, peak = measured(
        tmp_path,
        "import",
        str(path),
        "--format",
        "csv",
        "--source",
        "hostile_csv",
        "--map",
        "source_id=id,title=title,posted_raw=date",
        "--db",
        str(db),
        "--quiet",
        "--no-normalize",
    )
    no_traceback(proc)
    assert query(db, "SELECT count(*) FROM raw_listings")[0][0] == 4999
    assert [s["reason"] for s in skips(db)] == ["bad_quoting"]
    assert peak <= PEAK_MB, f"peak RSS {peak} MB"


def test_jsonl_poison_lines_are_one_reject_each(tmp_path):
    good = [
        json.dumps(
            {
                "id": f"j{i}",
                "title": f"Traductor/a español — {i}",
                "date": "2024-03-02",
            },
            ensure_ascii=False,
        )
        for i in range(50)
    ]
    deep = '{"id": "deep", "x": ' + "[" * 1_000_000 + "]" * 1_000_000 + "}"
    huge = (
        '{"id": "huge", "title": "n", "date": "2024-03-02", "pay": ' + "9" * 5000 + "}"
    )
    path = tmp_path / "poison.jsonl"
    path.write_text(
        "\n".join(
            [*good[:20], deep, *good[20:40], huge, "[1, 2]", "{broken", *good[40:]]
        )
        + "\n"
    )
    db = tmp_path / "j.db"
    proc, peak = measured(
        tmp_path,
        "import",
        str(path),
        "--format",
        "jsonl",
        "--source",
        "hostile_json",
        "--map",
        "source_id=id,title=title,posted_raw=date",
        "--db",
        str(db),
        "--quiet",
    )
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert query(db, "SELECT count(*) FROM raw_listings")[0][0] == 50
    assert [(s["reason"], s["url"]) for s in skips(db)] == [
        ("too_deep", f"{path}:21"),
        ("bad_number", f"{path}:42"),
        ("not_object", f"{path}:43"),
        ("bad_json", f"{path}:44"),
    ]
    assert peak <= PEAK_MB, f"peak RSS {peak} MB"


def test_gzip_bomb_input_is_refused_within_memory(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    rows = io.StringIO()
    csv.writer(rows).writerows([UPWORK_HEADER, *(upwork_row(i) for i in range(30))])
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    with path.open("wb") as fh:
        fh.write(packer.compress(rows.getvalue().encode()))
        zeros = b"0" * (1 << 20)
        for _ in range(1024):  # then 1 GiB of one endless line
            fh.write(packer.compress(zeros))
        fh.write(packer.flush())
    assert path.stat().st_size < 4 << 20
    db = tmp_path / "b.db"
    proc, peak = import_upwork_raw(tmp_path, path, db)
    no_traceback(proc)
    assert query(db, "SELECT count(*) FROM raw_listings")[0][0] == 30
    assert "too_large" in {s["reason"] for s in skips(db)}
    assert peak <= PEAK_MB, f"peak RSS {peak} MB"


def test_folder_import_never_reads_through_a_link_out_of_the_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "a.csv", [upwork_row(i) for i in range(5)])
    secret = tmp_path / "secret.csv"
    write_csv(secret, [upwork_row(i) for i in range(100, 103)])
    (folder / "passwd.csv").symlink_to("/etc/passwd")
    (folder / "secret.csv").symlink_to(secret)
    (folder / "inside.csv").symlink_to(
        folder / "a.csv"
    )  # a link inside the folder is fine
    db = tmp_path / "f.db"
    proc = run_cli(
        "import", str(folder), "--format", "upwork-csv", "--db", str(db), "--quiet"
    )
    no_traceback(proc)
    ids = {r[0] for r in query(db, "SELECT source_id FROM raw_listings")}
    assert len(ids) == 5 and not any(i.endswith(("100", "101", "102")) for i in ids)
    bad = skips(db)
    assert sorted(s["reason"] for s in bad) == ["outside_folder", "outside_folder"]
    assert all(s["excerpt"] in ("", None) for s in bad)
    dumped = "\n".join(
        str(tuple(r)) for r in query(db, "SELECT * FROM skipped_listings")
    )
    assert "root:" not in dumped and "Shopify" not in dumped


# -- 5. a killed import ----------------------------------------------------------------------
def _state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def test_killed_import_takes_its_reader_along_and_is_marked_interrupted(tmp_path):
    path = tmp_path / "many.csv"
    write_csv(path, [upwork_row(i) for i in range(40_000)])
    db, point = tmp_path / "k.db", tmp_path / "kill-point.json"
    script = (
        "import sys; from crawler.db import connect; from crawler.importers import run_import; "
        "run_import(connect(sys.argv[1]), [sys.argv[2]], 'upwork-csv', parallel=True, "
        "batch_size=50, normalize=False)"
    )
    env = {**cli_env(), "JOBTRENDS_IMPORT_KILL_POINT": str(point)}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(db), str(path)],
        cwd=str(ROOT),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300
        while not point.exists():  # the import says when it reached its kill point
            assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "kill point never reached"
            time.sleep(0.05)
        who = json.loads(point.read_text())
        assert who["pid"] == proc.pid and who["reader"]
        assert _state(who["reader"]) not in (None, "Z"), (
            "the reader should be alive, blocked on its queue"
        )
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 60
    while _state(who["reader"]) not in (
        None,
        "Z",
    ):  # the kernel ends it with its parent
        assert time.monotonic() < deadline, (
            "the reading process outlived its killed parent"
        )
        time.sleep(0.05)
    assert query(db, "SELECT status FROM crawl_runs")[0][0] == "running"
    runs = run_cli("runs", "--db", str(db), "--json")
    assert runs.returncode == 0, runs.stderr
    assert json.loads(runs.stdout.splitlines()[0])["status"] == "interrupted"
    assert query(db, "PRAGMA integrity_check")[0][0] == "ok"
    assert query(db, "SELECT count(*) FROM raw_listings")[0][0] == 50


# -- 8. storage errors -----------------------------------------------------------------------
def test_full_disk_surfaces_as_it_is_and_counts_only_what_was_committed(tmp_path):
    from crawler.db import connect
    from crawler.importers import run_import

    path = tmp_path / "rows.csv"
    write_csv(path, [upwork_row(i) for i in range(3000)])
    db = tmp_path / "full.db"
    conn = connect(db)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(
        f"PRAGMA max_page_count = {pages + 60}"
    )  # the disk fills after a few batches
    with pytest.raises(sqlite3.OperationalError, match="database or disk is full"):
        run_import(conn, [str(path)], "upwork-csv", batch_size=100, normalize=False)
    conn.close()
    stored = query(db, "SELECT count(*) FROM raw_listings")[0][0]
    assert 0 < stored < 3000
    run = last_run(db)
    assert (
        run["status"] == "failed" and "database or disk is full" in run["finish_reason"]
    )
    assert run["new"] == stored


# -- 9. bad --db -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [
        ["runs"],
        ["import", "{csv}", "--format", "upwork-csv", "--quiet"],
        ["normalize"],
        ["compare", "--a", "2024-01", "--b", "2024-02"],
        ["sources"],
        ["crawl", "upwork", "-a", "feeds=http://127.0.0.1:9/x"],
    ],
)
@pytest.mark.parametrize("case", ["not_sqlite", "file_as_folder", "folder"])
def test_every_bad_db_is_one_line_exit_2(tmp_path, command, case):
    """Commands that write, read or only show a database: each problem is one line, exit 2."""
    csv_path = tmp_path / "a.csv"
    write_csv(csv_path, [upwork_row(1)])
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not SQLite \x00\xff" * 100)
    db = {
        "not_sqlite": junk,
        "file_as_folder": junk / "sub" / "jobs.db",
        "folder": tmp_path,
    }[case]
    args = [a.replace("{csv}", str(csv_path)) for a in command]
    line = one_line_error(run_cli(*args, "--db", str(db)))
    assert str(db) in line or str(junk) in line, line


def _read_only_mount(folder: Path, mount: Path) -> bool:
    mount.mkdir()
    steps = [
        ["mount", "--bind", str(folder), str(mount)],
        ["mount", "-o", "remount,bind,ro", str(mount)],
    ]
    for step in steps:
        if subprocess.run(step, capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", str(mount)], capture_output=True, check=False)
            return False
    return True


def test_read_only_database_is_readable_and_writes_are_one_line(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    db, csv_path = upwork_db(folder, 40)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    if (
        os.geteuid() == 0
    ):  # root writes anywhere: a read-only mount is the read-only folder
        ro = tmp_path / "ro"
        if not _read_only_mount(folder, ro):
            pytest.skip(
                "running as root without permission to mount a read-only folder"
            )
    else:
        ro = folder
        db.chmod(0o444)
        folder.chmod(0o555)
    try:
        ro_db = ro / "jobs.db"
        runs = run_cli("runs", "--db", str(ro_db), "--json")
        assert runs.returncode == 0, runs.stderr
        assert json.loads(runs.stdout.splitlines()[0])["new"] == 40
        sources = run_cli("sources", "upwork", "--db", str(ro_db))
        assert sources.returncode == 0 and "Traceback" not in sources.stderr, (
            sources.stderr
        )
        line = one_line_error(
            run_cli(
                "import",
                str(csv_path),
                "--format",
                "upwork-csv",
                "--db",
                str(ro_db),
                "--quiet",
            )
        )
        assert "read-only" in line
        line = one_line_error(
            run_cli(
                "import",
                str(csv_path),
                "--format",
                "upwork-csv",
                "--db",
                str(ro / "new.db"),
                "--quiet",
            )
        )
        assert "read-only" in line
        made = sorted(p.name for p in ro.iterdir())
        assert made == ["a.csv", "jobs.db"]  # no -wal/-shm were made
    finally:
        if ro != folder:
            subprocess.run(["umount", str(ro)], check=True)
        else:
            folder.chmod(0o755)


# -- 2-4, 7, 10. crawls of hostile servers ------------------------------------------------
def test_sitemap_file_urls_are_never_followed(tmp_path):
    local = tmp_path / "local.html"
    local.write_bytes(job_page("LOCAL SECRET POSTING", "local-1")[2])
    with HostileServer() as server:
        server.routes["/sitemap.xml"] = urlset(
            local.as_uri(), "file:///etc/passwd", f"{server.url}/jobs/1"
        )
        server.routes["/jobs/1"] = job_page("Analista de datos — São Paulo", "remote-1")
        _, db, _ = crawl_jsonld(
            tmp_path,
            "-a",
            f"sitemaps={server.url}/sitemap.xml",
            "-a",
            f"file_root={tmp_path}",
        )
    payloads = [
        r[0]
        for r in query(
            db, "SELECT payload_text(payload, payload_dict) FROM raw_listings"
        )
    ]
    assert len(payloads) == 1 and "São Paulo" in payloads[0]
    everything = "\n".join(
        str(tuple(r))
        for t in ("raw_listings", "skipped_listings")
        for r in query(db, f"SELECT * FROM {t}")
    )
    assert "LOCAL SECRET" not in everything and "root:" not in everything
    assert "url_scheme" in {s["reason"] for s in skips(db)}
    assert last_run(db)["status"] == "partial"


def test_gzipped_sitemap_bomb_stays_small(tmp_path):
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [
        packer.compress(
            b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        )
    ]
    zeros = b" " * (1 << 20)
    parts += [packer.compress(zeros) for _ in range(2048)]  # 2 GiB of blanks
    parts.append(packer.flush())
    bomb = b"".join(parts)
    assert len(bomb) < 4 << 20
    with HostileServer() as server:
        server.routes["/bomb.xml.gz"] = (
            200,
            {"Content-Type": "application/gzip"},
            bomb,
        )
        server.routes["/ok.xml"] = urlset(f"{server.url}/jobs/7")
        server.routes["/jobs/7"] = job_page("Rédacteur technique", "r-7")
        _, db, peak = crawl_jsonld(
            tmp_path,
            "-a",
            f"sitemaps={server.url}/bomb.xml.gz,{server.url}/ok.xml",
            measure=True,
        )
    assert peak <= PEAK_MB, f"peak RSS {peak} MB"
    assert query(db, "SELECT count(*) FROM raw_listings")[0][0] == 1
    assert ("too_large", f"{server.url}/bomb.xml.gz") in {
        (s["reason"], s["url"]) for s in skips(db)
    }


def test_sitemap_index_chain_and_fan_out_end_within_their_budget(tmp_path):
    with HostileServer() as server:
        server.routes["/jobs.xml"] = urlset(f"{server.url}/jobs/1")
        server.routes["/jobs/1"] = job_page("Ingeniero/a de datos", "c-1")

        def chain(path):  # /chain/N.xml -> /chain/N+1.xml, forever
            n = int(path.rsplit("/", 1)[1].split(".")[0])
            return sitemap_index(f"{server.url}/chain/{n + 1}.xml")

        def fan(path):  # every index lists 50 more indexes
            name = path.rsplit("/", 1)[1].removesuffix(".xml")
            return sitemap_index(
                *(f"{server.url}/fan/{name}-{i}.xml" for i in range(50))
            )

        server.routes.update({f"/chain/{n}.xml": chain for n in range(100_000)})
        server.routes["/fan/f.xml"] = fan
        server.routes.update({f"/fan/f-{i}.xml": fan for i in range(50)})
        server.routes.update(
            {f"/fan/f-{i}-{j}.xml": fan for i in range(50) for j in range(50)}
        )
        runs = {}
        for name, sitemaps, extra in [
            # the default max_sitemap_depth (4) ends a chain of indexes by itself
            ("chain", "/jobs.xml,/chain/0.xml", []),
            # max_sitemaps bounds a fan-out of 50 x 50 x 50 indexes
            ("fan", "/jobs.xml,/fan/f.xml", ["-a", "max_sitemaps=80"]),
            # any depth allowed: the crawl's fetch budget (CLOSESPIDER_PAGECOUNT) ends it
            (
                "budget",
                "/jobs.xml,/chain/0.xml",
                ["-a", "max_sitemap_depth=100000", "-s", "CLOSESPIDER_PAGECOUNT=25"],
            ),
        ]:
            server.requests.clear()
            folder = tmp_path / name
            folder.mkdir()
            urls = ",".join(server.url + s for s in sitemaps.split(","))
            _, db, _ = crawl_jsonld(folder, "-a", f"sitemaps={urls}", *extra)
            runs[name] = (
                last_run(db),
                list(server.requests),
                {s["reason"] for s in skips(db)},
            )
    run, requests, reasons = runs["chain"]
    assert "/chain/4.xml" in requests and "/chain/5.xml" not in requests
    assert (
        run["status"] == "partial" and run["new"] == 1 and "budget_exhausted" in reasons
    )
    run, requests, reasons = runs["fan"]
    assert len([p for p in requests if p.startswith("/fan/")]) <= 80
    assert (
        run["status"] == "partial" and run["new"] == 1 and "budget_exhausted" in reasons
    )
    run, requests, reasons = runs["budget"]
    assert (
        run["finish_reason"] == "closespider_pagecount" and run["status"] == "partial"
    )
    assert (
        run["new"] == 1 and len([p for p in requests if p.startswith("/chain/")]) < 40
    )


def crawl_remotive(server: HostileServer, db, log, *extra: str, **kwargs):
    """`jobtrends crawl remotive` against the hostile server's /remotive mirror."""
    return run_cli(
        "crawl",
        "remotive",
        "--db",
        str(db),
        "--base-url",
        f"{server.url}/remotive",
        "--log-file",
        str(log),
        *extra,
        **kwargs,
    )


def _remotive_job(job_id, **extra) -> dict:
    return {
        "id": job_id,
        "url": f"https://remotive.com/remote-jobs/software-dev/job-{job_id}",
        "title": "Développeur·se Python (H/F)",
        "company_name": "Ünïcode & Söhne",
        "category": "Software Development",
        "publication_date": "2024-12-02T12:21:29",
        "salary": "€60k – €75k",
        "description": "<p>Django &amp; PostgreSQL</p>",
        **extra,
    }


def test_spider_json_poison_costs_one_listing_not_the_page(tmp_path):
    good = json.dumps(_remotive_job(501), ensure_ascii=False)
    deep = (
        json.dumps(_remotive_job(502))[:-1]
        + ', "x": '
        + "[" * 200_000
        + "]" * 200_000
        + "}"
    )
    huge = json.dumps(_remotive_job(503))[:-1] + ', "n": ' + "7" * 5000 + "}"
    page = (
        '{"job-count": 4, "jobs": ['
        + ",".join([good, deep, huge, json.dumps(_remotive_job(504))])
        + "]}"
    ).encode()
    with HostileServer() as server:
        server.routes["/remotive/api/remote-jobs"] = (
            200,
            {"Content-Type": "application/json"},
            page,
        )
        db = tmp_path / "r.db"
        proc = crawl_remotive(server, str(db), str(tmp_path / "r.log"), *QUICK)
    no_traceback(proc)
    assert sorted(r[0] for r in query(db, "SELECT source_id FROM raw_listings")) == [
        "501",
        "504",
    ]
    assert sorted(s["reason"] for s in skips(db)) == ["bad_number", "too_deep"]
    assert query(db, "SELECT count(*) FROM jobs")[0][0] == 2


def test_retry_after_beyond_the_cap_is_given_up_at_once(tmp_path):
    with HostileServer() as server:
        server.routes["/remotive/api/remote-jobs"] = (
            429,
            {"Retry-After": "100000"},
            b"slow down",
        )
        db = tmp_path / "ra.db"
        # RETRY_BACKOFF_MAX as shipped (60 s): the old code waited 4 x 60 s here
        proc = crawl_remotive(
            server, str(db), str(tmp_path / "ra.log"), *FAST, timeout=200
        )
        assert server.requests.count("/remotive/api/remote-jobs") == 1
    no_traceback(proc)
    stats = json.loads(last_run(db)["stats"])
    assert stats["jobtrends/retry_after_too_long"] == 1
    assert [s["reason"] for s in skips(db)] == ["http_429"]


def test_cross_host_redirect_is_refused_unless_allowed(tmp_path):
    with HostileServer() as server:
        other = server.url.replace("127.0.0.1", "localhost")
        page = json.dumps({"jobs": [_remotive_job(601)]}).encode()
        server.routes["/remotive/api/remote-jobs"] = (
            302,
            {"Location": f"{other}/elsewhere/jobs"},
            b"",
        )
        server.routes["/elsewhere/jobs"] = (
            200,
            {"Content-Type": "application/json"},
            page,
        )
        db = tmp_path / "rd.db"
        proc = crawl_remotive(server, str(db), str(tmp_path / "rd.log"), *QUICK)
        assert "/elsewhere/jobs" not in server.requests
        assert [s["reason"] for s in skips(db)] == ["redirect_offsite"]
        allowed = crawl_remotive(
            server,
            str(tmp_path / "ok.db"),
            str(tmp_path / "ok.log"),
            *QUICK,
            "-s",
            "JOBTRENDS_REDIRECT_HOSTS=localhost",
        )
    no_traceback(proc)
    assert allowed.returncode == 0, allowed.stderr
    assert [
        r[0] for r in query(tmp_path / "ok.db", "SELECT source_id FROM raw_listings")
    ] == ["601"]


def test_busy_port_and_unreachable_redis_are_one_line(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = one_line_error(
            run_cli("serve", "--db", str(tmp_path / "s.db"), "--port", str(port))
        )
    assert "already in use" in line
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        dead = closed.getsockname()[1]
    line = one_line_error(
        run_cli(
            "crawl",
            "upwork",
            "--db",
            str(tmp_path / "c.db"),
            "--redis",
            f"redis://127.0.0.1:{dead}/0",
        )
    )
    assert "cannot reach the Redis server" in line


# -- the command line's options, fuzzed: never a traceback ------------------------------------
_VALUES = st.one_of(
    # No NUL: no shell or exec() can pass one in an argument (argv is C strings), and
    # CliRunner would otherwise report Python's "embedded null byte" as a CLI failure.
    st.text(st.characters(blacklist_characters="\x00"), max_size=12),
    st.sampled_from(
        [
            "",
            "-1",
            "0",
            "99999999999999999999",
            "2024-13",
            "2024-02",
            "1e9",
            "nan",
            "..",
            "/",
            "/etc/passwd",
            "ä\u202e",
            "--help",
            "=",
            "a=b",
            "x,y",
        ]
    ),
)
_COMMANDS = {
    "runs": ["--limit", "--spider", "--check"],
    "compare": ["--a", "--b", "--source", "--top-skills", "--out"],
    "report": ["--event", "--a", "--b", "--control", "--min-count", "--reps", "--seed"],
    "event-study": [
        "--event",
        "--pre",
        "--post",
        "--freq",
        "--control",
        "--treated",
        "--placebo-date",
    ],
    "import": ["--format", "--source", "--map", "--batch-size", "--config"],
    "normalize": ["--since", "--source", "--workers"],
    "sources": ["--config"],
}


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory):
    return upwork_db(tmp_path_factory.mktemp("fuzz"), 20)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_cli_options_fuzz_never_traceback(fuzz_db, data):
    from click.testing import CliRunner

    from crawler.cli import main

    db, path = fuzz_db
    name = data.draw(st.sampled_from(sorted(_COMMANDS)))
    options = data.draw(st.lists(st.sampled_from(_COMMANDS[name]), max_size=4))
    args = [name]
    if name == "import":
        args.append(str(path))
    for option in options:
        args += [option, data.draw(_VALUES)]
    args += [
        "--db",
        str(
            data.draw(st.sampled_from([db, db.parent / "missing.db", path, db.parent]))
        ),
    ]
    result = CliRunner().invoke(
        main, args, catch_exceptions=True, env={"JOBTRENDS_DEBUG": ""}
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(
            f"jobtrends {args!r} raised {result.exception!r}\n{result.output}"
        ) from result.exception
    assert result.exit_code in (0, 1, 2, 3), (args, result.exit_code, result.output)
