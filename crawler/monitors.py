"""Checks after each run, computed from the local crawl history (no cloud service).

``check_run(conn, run_id, options)`` compares one run with the spider's earlier runs and
writes one ``run_checks`` row per check:

- ``zero_items``: the run stored no listing at all;
- ``items_vs_median``: listings seen fell below ``min_items_fraction`` of the median of
  the last ``history_runs`` runs;
- ``coverage_posted_at`` / ``coverage_pay`` / ``coverage_category``: the share of the
  run's listings (``raw_listings.last_run_id = run_id``) whose job row has a date, a pay
  type, a category other than ``other``, dropped more than ``max_coverage_drop`` points
  below the median of earlier runs (their coverage is read back from ``run_checks``, as
  it was when they ran: later runs move ``last_run_id``);
- ``error_rate`` / ``retry_rate``: errors per page and retries per request above limits.

A failed check turns a finished run's status into ``degraded`` and, when ``[monitors]
webhook_url`` is set, POSTs a JSON alert whose ``event`` names what happened:
``jobtrends.run_degraded``, or ``jobtrends.run_interrupted`` / ``run_partial`` /
``run_failed`` for a run that did not finish (its status is kept).  Example::

    report = check_run(conn, 12, monitor_options(load_config()))
"""

from __future__ import annotations

import json
import logging
import sqlite3
import statistics
import urllib.request
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from crawler.db import iso, transaction, utcnow
from crawler.errors import UserError

logger = logging.getLogger(__name__)

DEFAULTS = {
    "history_runs": 5,  # N: earlier runs the median is taken over
    "min_history": 3,  # fewer earlier runs than this: comparisons pass with a note
    "min_items_fraction": 0.5,
    "max_coverage_drop": 20.0,  # percentage points
    "max_error_rate": 0.1,  # errors per page
    "max_retry_rate": 0.25,  # retries per request
    "min_requests_for_rates": 20,  # rates over fewer requests are noise: not judged
    "webhook_url": "",
    "webhook_timeout": 10.0,
}

COVERAGE_SQL = {
    "posted_at": "j.posted_at IS NOT NULL",
    "pay": "coalesce(j.pay_type, 'unknown') != 'unknown'",
    "category": "coalesce(j.category, 'other') != 'other'",
}

# Runs that count as history: failed runs would drag the median down, and degraded ones
# are left out so that a broken source stays flagged instead of becoming the new normal.
HISTORY_STATUSES = ("finished", "partial")
# Only a run that finished cleanly is turned "degraded" (it worked, its data look wrong);
# failed, partial or interrupted runs keep their status, which says more.
DEGRADABLE = ("finished",)


@dataclass
class Check:
    check: str
    passed: bool
    value: float | None
    threshold: float | None
    detail: str


@dataclass
class RunReport:
    run_id: int
    spider: str
    status: str
    checks: list[Check] = field(default_factory=list)
    alerted: bool = False

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def line(self) -> str:
        if not self.failed:
            return f"run {self.run_id} ({self.spider}): all {len(self.checks)} checks passed"
        names = ", ".join(f"{c.check} ({c.detail})" for c in self.failed)
        return f"run {self.run_id} ({self.spider}): {self.event.upper()} - {names}"

    @property
    def event(self) -> str:
        """What happened, for the alert: ``degraded`` (a run that worked, data look wrong),
        else the run's own status (``interrupted``, ``partial``, ``failed``)."""
        return "degraded" if self.status in DEGRADABLE + ("degraded",) else self.status


def monitor_options(config: dict | None) -> dict:
    """``[monitors]`` of a config merged over the defaults (ValueError on a bad value)."""
    options = dict(DEFAULTS)
    for key, value in ((config or {}).get("monitors") or {}).items():
        default = DEFAULTS.get(key)
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            try:
                value = type(default)(value)
            except (TypeError, ValueError):
                raise UserError(
                    f"[monitors] {key} = {value!r} must be a number"
                ) from None
        elif (
            key == "webhook_url"
            and value
            and not str(value).startswith(("http://", "https://"))
        ):
            raise UserError(
                "[monitors] webhook_url must start with http:// or https://"
            )
        options[key] = value
    return options


def safe_url(url: str) -> str:
    """Only scheme and host: webhook paths and queries often carry the secret token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}"


def run_coverage(conn: sqlite3.Connection, run_id: int) -> tuple[int, dict[str, float]]:
    """(listings of the run, {field: share 0..1}) over the run's listings' job rows."""
    cols = ", ".join(
        f"sum(CASE WHEN {cond} THEN 1 ELSE 0 END)" for cond in COVERAGE_SQL.values()
    )
    row = conn.execute(
        f"SELECT count(*), {cols} FROM raw_listings r"
        " JOIN jobs j ON j.job_id = r.source || ':' || r.source_id"
        " WHERE r.last_run_id = ?",
        (run_id,),
    ).fetchone()
    n = row[0] or 0
    shares = {
        name: (row[i + 1] or 0) / n if n else 0.0 for i, name in enumerate(COVERAGE_SQL)
    }
    return n, shares


def _history(
    conn: sqlite3.Connection, run: sqlite3.Row, limit: int
) -> list[sqlite3.Row]:
    marks = ",".join("?" * len(HISTORY_STATUSES))
    return conn.execute(
        f"SELECT * FROM crawl_runs WHERE spider = ? AND kind = ? AND run_id < ?"
        f" AND status IN ({marks}) ORDER BY run_id DESC LIMIT ?",
        (run["spider"], run["kind"], run["run_id"], *HISTORY_STATUSES, limit),
    ).fetchall()


def _seen(run) -> int:
    return (run["new"] or 0) + (run["updated"] or 0) + (run["unchanged"] or 0)


def evaluate(conn: sqlite3.Connection, run_id: int, options: dict) -> list[Check]:
    """The checks of one run (nothing written)."""
    run = conn.execute(
        "SELECT * FROM crawl_runs WHERE run_id = ?", (run_id,)
    ).fetchone()
    if run is None:
        raise UserError(f"no run {run_id} in crawl_runs - see `jobtrends runs`")
    history = _history(conn, run, int(options["history_runs"]))
    enough = len(history) >= int(options["min_history"])
    checks: list[Check] = []
    seen = _seen(run)
    checks.append(Check("zero_items", seen > 0, seen, 1, f"{seen} listings seen"))

    fraction = float(options["min_items_fraction"])
    if enough and history:
        median = statistics.median(_seen(h) for h in history)
        floor = fraction * median
        checks.append(
            Check(
                "items_vs_median",
                seen >= floor,
                seen,
                floor,
                f"{seen} listings vs median {median:g} of {len(history)} runs",
            )
        )
    else:
        checks.append(
            Check(
                "items_vs_median",
                True,
                seen,
                None,
                f"not enough history ({len(history)} earlier runs)",
            )
        )

    n, shares = run_coverage(conn, run_id)
    drop_limit = float(options["max_coverage_drop"])
    for name, share in shares.items():
        check = f"coverage_{name}"
        pct = round(100 * share, 2)
        marks = ",".join("?" * len(HISTORY_STATUSES))
        earlier = [
            r[0]
            for r in conn.execute(
                "SELECT c.value FROM run_checks c JOIN crawl_runs r ON r.run_id = c.run_id"
                ' WHERE c."check" = ? AND r.spider = ? AND r.kind = ? AND c.run_id < ?'
                f" AND r.status IN ({marks}) AND c.value IS NOT NULL ORDER BY c.run_id DESC LIMIT ?",
                (
                    check,
                    run["spider"],
                    run["kind"],
                    run_id,
                    *HISTORY_STATUSES,
                    int(options["history_runs"]),
                ),
            )
        ]
        if n == 0:
            checks.append(Check(check, True, None, None, "no listings in this run"))
        elif len(earlier) >= int(options["min_history"]) and earlier:
            median = statistics.median(earlier)
            floor = median - drop_limit
            checks.append(
                Check(
                    check,
                    pct >= floor,
                    pct,
                    floor,
                    f"{pct:g}% of {n} listings vs median {median:g}% of earlier runs",
                )
            )
        else:
            checks.append(
                Check(
                    check, True, pct, None, f"{pct:g}% of {n} listings (no history yet)"
                )
            )

    pages = run["pages"] or 0
    errors, retries = run["errors"] or 0, run["retries"] or 0
    judged = pages + retries >= int(options["min_requests_for_rates"])
    note = "" if judged else " (too few requests to judge)"
    error_rate = errors / max(pages, 1)
    limit = float(options["max_error_rate"])
    checks.append(
        Check(
            "error_rate",
            error_rate <= limit or not judged,
            round(error_rate, 4),
            limit,
            f"{errors} errors over {pages} pages{note}",
        )
    )
    retry_rate = retries / max(pages + retries, 1)
    limit = float(options["max_retry_rate"])
    checks.append(
        Check(
            "retry_rate",
            retry_rate <= limit or not judged,
            round(retry_rate, 4),
            limit,
            f"{retries} retries over {pages + retries} requests{note}",
        )
    )
    return checks


def post_alert(url: str, report: RunReport, timeout: float = 10.0) -> bool:
    """POST the report as JSON; True when the receiver answered 2xx.  Never raises."""
    body = json.dumps(
        {
            "event": f"jobtrends.run_{report.event}",
            "run_id": report.run_id,
            "spider": report.spider,
            "status": report.status,
            "failed": [asdict(c) for c in report.failed],
            "summary": report.line(),
        }
    ).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            ok = 200 <= response.status < 300
    except Exception as exc:  # noqa: BLE001 - an alert must never break the crawl that triggered it
        logger.warning("webhook %s failed: %s", safe_url(url), type(exc).__name__)
        return False
    logger.info("webhook %s answered for run %s", safe_url(url), report.run_id)
    return ok


def check_run(
    conn: sqlite3.Connection, run_id: int, options: dict | None = None
) -> RunReport:
    """Evaluate a run, store ``run_checks``, degrade it on failure, alert the webhook."""
    options = monitor_options({"monitors": options or {}})
    checks = evaluate(conn, run_id, options)
    now = iso(utcnow())
    with transaction(conn):
        conn.execute("DELETE FROM run_checks WHERE run_id = ?", (run_id,))
        conn.executemany(
            'INSERT INTO run_checks (run_id, "check", passed, value, threshold, detail, checked_at)'
            " VALUES (?,?,?,?,?,?,?)",
            [
                (run_id, c.check, int(c.passed), c.value, c.threshold, c.detail, now)
                for c in checks
            ],
        )
        if any(not c.passed for c in checks):
            marks = ",".join("?" * len(DEGRADABLE))
            conn.execute(
                f"UPDATE crawl_runs SET status = 'degraded' WHERE run_id = ?"
                f" AND status IN ({marks})",
                (run_id, *DEGRADABLE),
            )
    run = conn.execute(
        "SELECT spider, status FROM crawl_runs WHERE run_id = ?", (run_id,)
    ).fetchone()
    report = RunReport(run_id, run["spider"], run["status"], checks)
    if report.failed and options.get("webhook_url"):
        report.alerted = post_alert(
            options["webhook_url"], report, float(options["webhook_timeout"])
        )
    return report


def has_checks(conn: sqlite3.Connection, run_id: int) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM run_checks WHERE run_id = ? LIMIT 1", (run_id,)
        ).fetchone()
        is not None
    )


def check_runs(db_path, run_ids, config: dict | None = None) -> list[RunReport]:
    """``check_run`` for each run id in the database file (used after `jobtrends crawl`)."""
    from crawler.db import connect

    options = monitor_options(config)
    conn = connect(db_path)
    try:
        return [
            check_run(conn, run_id, options) for run_id in run_ids if run_id is not None
        ]
    finally:
        conn.close()
