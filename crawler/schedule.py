"""A foreground scheduler: cron entries from the config, one crawl process per run.

Config (TOML)::

    [[schedule]]
    spider = "upwork"
    cron = "17 */6 * * *"        # 5 fields (UTC); a 6th field gives seconds (croniter)
    jitter = 120                 # seconds of random delay, so sources are not hit on the dot
    args = { feeds_file = "feeds.txt" }
    settings = { DOWNLOAD_DELAY = "2" }
    resume = false               # true: resumable crawl (data/jobdir/<spider>/)

Rules the loop keeps:

- each run is ``python -m crawler.cli crawl SPIDER ...`` in its own process;
- a spider never runs twice at once: the run holds ``data/locks/<spider>.lock``
  (:mod:`crawler.locks`) - a due run whose lock is taken is skipped, not queued;
- after downtime, missed fire times collapse into one run: ``schedule_state`` keeps the
  last fire time per entry and the next one is computed from it;
- SIGTERM/SIGINT: no new runs; the signal is forwarded to the running crawls (Scrapy stops
  gracefully on the first one) and the scheduler waits for them (``stop_timeout``); a run
  stopped that way is recorded ``interrupted`` (reason ``shutdown``) and is not a failure:
  the scheduler exits 0, so a ``systemctl stop`` does not mark the unit failed.

    Scheduler(load_schedule(config), "data/jobs.db").run(max_runs=2)
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from croniter import croniter

from crawler.db import connect, iso
from crawler.errors import UserError
from crawler.locks import lock_path, try_lock
from crawler.run_record import close_killed_run
from crawler.suggest import unknown_names_message

logger = logging.getLogger("jobtrends.schedule")


@dataclass
class Entry:
    name: str  # schedule_state key: the spider, or "spider#2" for a second entry
    spider: str
    cron: str
    args: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    jitter: float = 0.0
    resume: bool = False


@dataclass
class Running:
    entry: Entry
    proc: subprocess.Popen
    started: float
    last_run_before: int
    log_file: str


# The keys a [[schedule]] entry may have (README, section Operate).
ENTRY_KEYS = ("name", "spider", "cron", "args", "settings", "jitter", "resume")


def load_schedule(config: dict) -> list[Entry]:
    """The ``[[schedule]]`` entries of a config, validated (ValueError says what is wrong)."""
    raw = config.get("schedule") or []
    if isinstance(raw, dict):
        raw = [raw]
    entries: list[Entry] = []
    counts: dict[str, int] = {}
    for i, item in enumerate(raw, 1):
        message = unknown_names_message("key", item, ENTRY_KEYS)
        if message:
            raise UserError(f"[[schedule]] entry {i}: {message}")
        spider, cron = item.get("spider"), item.get("cron")
        if not spider or not cron:
            raise UserError(
                f'[[schedule]] entry {i} needs spider = "NAME" and cron = "* * * * *"'
            )
        if not croniter.is_valid(cron):
            raise UserError(
                f"[[schedule]] entry {i}: cron {cron!r} is not a valid cron expression"
            )
        counts[spider] = counts.get(spider, 0) + 1
        name = spider if counts[spider] == 1 else f"{spider}#{counts[spider]}"
        entries.append(
            Entry(
                name=item.get("name", name),
                spider=spider,
                cron=cron,
                args={k: _arg(v) for k, v in (item.get("args") or {}).items()},
                settings={k: str(v) for k, v in (item.get("settings") or {}).items()},
                jitter=float(item.get("jitter", 0)),
                resume=bool(item.get("resume", False)),
            )
        )
    if not entries:
        raise UserError(
            "the config has no [[schedule]] entries - see README, section Operate"
        )
    return entries


def _arg(value) -> str:
    """A TOML value as a `-a KEY=VALUE` string: lists become comma-separated."""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def due_after(cron: str, last_fire: datetime) -> datetime:
    """The first fire time after ``last_fire``."""
    return croniter(cron, last_fire).get_next(datetime)


def crawl_command(
    entry: Entry, db_path: str, log_file: str, config_path: str | None
) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "crawler.cli",
        "crawl",
        entry.spider,
        "--db",
        str(db_path),
        "--log-file",
        log_file,
    ]
    if config_path:
        cmd += ["--config", str(config_path)]
    for key, value in entry.args.items():
        cmd += ["-a", f"{key}={value}"]
    settings = dict(entry.settings)
    if entry.resume:
        from crawler.resume import resume_settings

        settings = {**resume_settings(db_path), **settings}
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


class Scheduler:
    def __init__(
        self,
        entries: list[Entry],
        db_path: str,
        *,
        config: dict | None = None,
        config_path: str | None = None,
        tick: float = 1.0,
        stop_timeout: float = 120.0,
        clock=None,
    ):
        self.entries = entries
        self.db_path = str(db_path)
        self.config = config or {}
        self.config_path = config_path
        self.tick = tick
        self.stop_timeout = stop_timeout
        self.clock = clock or (lambda: datetime.now(UTC))
        self.running: dict[str, Running] = {}
        self.next_due: dict[str, datetime] = {}
        self.launch_at: dict[str, datetime] = {}  # due, waiting out its jitter
        self.stopping = False
        self.stop_signal: int | None = None
        self.launched = 0
        self.completed: list[
            tuple[Entry, int, list[int]]
        ] = []  # (entry, exit code, run ids)
        self.skipped: list[
            Entry
        ] = []  # due runs not started: the spider's lock was taken
        self.logs = Path(self.db_path).resolve().parent / "logs"

    # -- state in the database ---------------------------------------------------------
    def _state(self, conn, entry: Entry) -> datetime | None:
        row = conn.execute(
            "SELECT last_fire_at FROM schedule_state WHERE entry = ?", (entry.name,)
        ).fetchone()
        return _parse_iso(row[0]) if row else None

    def _save_fire(self, conn, entry: Entry, fired: datetime) -> None:
        conn.execute(
            "INSERT INTO schedule_state (entry, spider, last_fire_at) VALUES (?,?,?)"
            " ON CONFLICT(entry) DO UPDATE SET last_fire_at = excluded.last_fire_at, spider = excluded.spider",
            (entry.name, entry.spider, iso(fired)),
        )

    def plan(self, conn, now: datetime) -> None:
        """First due time per entry.  Missed fire times (downtime) collapse into one, now."""
        for entry in self.entries:
            last = self._state(conn, entry)
            if last is None:
                # First start: nothing was missed; remember now so later downtime is measured.
                self._save_fire(conn, entry, now.replace(microsecond=0))
                self.next_due[entry.name] = due_after(entry.cron, now)
                continue
            due = due_after(entry.cron, last)
            if due <= now:
                logger.info(
                    "%s: missed run(s) since %s - running once now",
                    entry.name,
                    iso(last),
                )
                self.next_due[entry.name] = now
            else:
                self.next_due[entry.name] = due

    # -- processes ---------------------------------------------------------------------
    def launch(self, conn, entry: Entry, now: datetime) -> bool:
        """Start one crawl process holding the spider's lock; False when it is taken."""
        # Record the fire first: a run that is skipped or crashes still counts as fired, so
        # a restart does not repeat it.
        self._save_fire(conn, entry, now.replace(microsecond=0))
        fd = try_lock(lock_path(self.db_path, entry.spider))
        if fd is None:
            logger.warning(
                "%s: previous %s run still holds its lock - skipping this run",
                entry.name,
                entry.spider,
            )
            self.skipped.append(entry)
            return False
        try:
            before = conn.execute(
                "SELECT coalesce(max(run_id), 0) FROM crawl_runs"
            ).fetchone()[0]
            stamp = now.strftime("%Y%m%dT%H%M%SZ")
            self.logs.mkdir(parents=True, exist_ok=True)
            log_file = str(self.logs / f"schedule-{entry.spider}-{stamp}.log")
            out = open(self.logs / f"schedule-{entry.spider}-{stamp}.out", "ab")  # noqa: SIM115 - the child's stdout, closed when it ends
            env = dict(os.environ)
            env.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
            try:
                # pass_fds: the crawl inherits the locked descriptor and holds the lock until
                # it exits, even if this scheduler dies first.  start_new_session: a Ctrl-C in
                # the terminal reaches only the scheduler, which forwards it once.
                proc = subprocess.Popen(
                    crawl_command(entry, self.db_path, log_file, self.config_path),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    pass_fds=(fd,),
                    start_new_session=True,
                    env=env,
                )
            finally:
                out.close()
        finally:
            os.close(fd)  # our copy only: the child's inherited copy keeps the lock
        self.running[entry.name] = Running(
            entry, proc, time.monotonic(), before, log_file
        )
        self.launched += 1
        logger.info("%s: started crawl pid %s (log %s)", entry.name, proc.pid, log_file)
        return True

    def reap(self, conn) -> None:
        for name, run in list(self.running.items()):
            code = run.proc.poll()
            if code is None:
                continue
            del self.running[name]
            run_ids = [
                r[0]
                for r in conn.execute(
                    "SELECT run_id FROM crawl_runs WHERE spider = ? AND run_id > ? ORDER BY run_id",
                    (run.entry.spider, run.last_run_before),
                )
            ]
            self._after_run(conn, run, code, run_ids)

    def _after_run(self, conn, run: Running, code: int, run_ids: list[int]) -> None:
        from crawler.monitors import check_run, has_checks, monitor_options

        options = monitor_options(self.config)
        for run_id in run_ids:
            status, reason = conn.execute(
                "SELECT status, finish_reason FROM crawl_runs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            if status == "running":
                # The crawl died without closing its record (killed, out of memory...):
                # interrupted, its counters taken from the rows it stored.
                close_killed_run(conn, run_id, f"process exited {code}")
                code = code or 1
            elif (
                self.stop_signal is not None
                and status == "interrupted"
                and reason == "shutdown"
            ):
                code = 0  # we asked it to stop and it stopped cleanly: not a failure
            # `jobtrends crawl` may have checked its runs already; check the rest here.
            if not has_checks(conn, run_id):
                report = check_run(conn, run_id, options)
                logger.info(report.line())
                if report.failed and code == 0:
                    code = 3
        conn.execute(
            "UPDATE schedule_state SET last_run_id = ?, last_exit = ? WHERE entry = ?",
            (run_ids[-1] if run_ids else None, code, run.entry.name),
        )
        self.completed.append((run.entry, code, run_ids))
        logger.info(
            "%s: crawl exited %s after %.1fs, runs %s",
            run.entry.name,
            code,
            time.monotonic() - run.started,
            run_ids or "none",
        )

    # -- signals -------------------------------------------------------------------------
    def _on_signal(self, signum, frame) -> None:
        # Forward every signal: Scrapy stops gracefully on the first, at once on the second.
        again = self.stopping
        self.stopping = True
        self.stop_signal = signum
        logger.info(
            "received %s%s: stopping %d running crawl(s)",
            signal.Signals(signum).name,
            " again" if again else "",
            len(self.running),
        )
        for run in self.running.values():
            with contextlib.suppress(ProcessLookupError):
                run.proc.send_signal(signum)

    def install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    # -- the loop ------------------------------------------------------------------------
    def run(
        self,
        *,
        once: bool = False,
        max_runs: int | None = None,
        until: datetime | None = None,
    ) -> list[tuple[Entry, int, list[int]]]:
        """Run until stopped (signal, ``until``, ``max_runs`` runs done, or ``once``)."""
        conn = connect(self.db_path)
        try:
            now = self.clock()
            if once:
                for entry in self.entries:
                    self.next_due[entry.name] = now
            else:
                self.plan(conn, now)
            while True:
                self.reap(conn)
                now = self.clock()
                if until is not None and now >= until:
                    self.stopping = True
                budget_left = max_runs is None or self.launched < max_runs
                if once and not self.next_due and not self.launch_at:
                    budget_left = False
                if not self.stopping and budget_left:
                    self._fire_due(conn, now, once=once, max_runs=max_runs)
                done_launching = (
                    self.stopping
                    or not budget_left
                    or (once and not self.next_due and not self.launch_at)
                )
                if done_launching and not self.running:
                    break
                time.sleep(self._sleep_for(now))
            return self.completed
        finally:
            self._stop_children()
            conn.close()

    def _fire_due(
        self, conn, now: datetime, *, once: bool, max_runs: int | None
    ) -> None:
        for entry in self.entries:
            due = self.next_due.get(entry.name)
            if due is not None and due <= now and entry.name not in self.launch_at:
                jitter = random.uniform(0, entry.jitter) if entry.jitter else 0.0
                self.launch_at[entry.name] = now + timedelta(seconds=jitter)
                if once:
                    del self.next_due[entry.name]
                else:
                    self.next_due[entry.name] = due_after(entry.cron, now)
            at = self.launch_at.get(entry.name)
            if at is not None and at <= now:
                if max_runs is not None and self.launched >= max_runs:
                    return
                if entry.name in self.running:
                    logger.warning(
                        "%s: previous run still going - skipping this run", entry.name
                    )
                    self._save_fire(conn, entry, now)
                else:
                    self.launch(conn, entry, now)
                del self.launch_at[entry.name]

    def _sleep_for(self, now: datetime) -> float:
        waits = [self.tick]
        for when in [*self.next_due.values(), *self.launch_at.values()]:
            waits.append(max((when - now).total_seconds(), 0.01))
        return max(min(waits), 0.01)

    def _stop_children(self) -> None:
        """Wait for running crawls (already signalled), killing them after stop_timeout."""
        deadline = time.monotonic() + self.stop_timeout
        for run in list(self.running.values()):
            if self.stop_signal is None and run.proc.poll() is None:
                run.proc.send_signal(signal.SIGTERM)
            try:
                run.proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                logger.warning(
                    "%s: crawl did not stop in %ss - killing it",
                    run.entry.name,
                    self.stop_timeout,
                )
                run.proc.kill()
                run.proc.wait()
        if self.running:
            try:
                conn = connect(self.db_path)
                try:
                    self.reap(conn)
                finally:
                    conn.close()
            except (sqlite3.Error, UserError):  # nice to have, not essential
                logger.exception("could not record the stopped runs")
