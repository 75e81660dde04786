"""Named points where a test can stop this process, instead of a timer.

``JOBTRENDS_KILL_AT=<point>:<count>[:<signal>]`` (several joined by ``,``) sends this
process ``signal`` (default ``KILL``; ``INT``, ``TERM``...) the ``count``-th time the code
passes ``point``.  A crash test then lands at the same place on every machine, however
fast: ``JOBTRENDS_KILL_AT=normalize.written:2`` dies right after the second chunk of
normalized jobs committed.

Points (grep ``kill_point(`` for the list): ``crawl.stored`` (a crawl committed a batch of
raw listings), ``crawl.closing`` (a crawl stored everything and is about to normalize),
``normalize.written`` (a chunk of jobs committed), ``normalize.derive`` (every chunk
written, reposts and rollups not yet), ``import.batch`` (an import committed a batch).

>>> parse_spec("normalize.written:2, crawl.stored:1:INT")
{'normalize.written': (2, <Signals.SIGKILL: 9>), 'crawl.stored': (1, <Signals.SIGINT: 2>)}
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

ENV = "JOBTRENDS_KILL_AT"


def parse_spec(text: str) -> dict[str, tuple[int, signal.Signals]]:
    """``"point:count[:SIGNAL],..."`` as {point: (count, signal)}."""
    points: dict[str, tuple[int, signal.Signals]] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, _, rest = part.strip().partition(":")
        count, _, sig = rest.partition(":")
        sig = sig.strip().upper() or "KILL"
        points[name] = (
            int(count or 1),
            signal.Signals[f"SIG{sig.removeprefix('SIG')}"],
        )
    return points


_POINTS = parse_spec(os.environ.get(ENV, ""))
_hits: Counter[str] = Counter()
_lock = threading.Lock()


def kill_point(name: str) -> None:
    """Signal this process if ``JOBTRENDS_KILL_AT`` names ``name`` and its count is up."""
    if not _POINTS or name not in _POINTS:
        return
    with _lock:
        _hits[name] += 1
        hit = _hits[name]
    count, sig = _POINTS[name]
    if hit == count:
        os.kill(os.getpid(), sig)
