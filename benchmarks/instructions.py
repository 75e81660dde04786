"""Instructions per listing of ``normalize_listing``: a speed figure this machine can repeat.

    python -m benchmarks.instructions [--items 2800] [--tree PATH] [--bulk]
        [--source upwork|freelancer|fixtures]

Seconds on a shared virtual machine drift by 2-3x from one minute to the next, so a
change of 10 % can't be seen in them.  This counts the CPU instructions instead, with
valgrind's callgrind (Debian package ``valgrind``), which gives the same total for the
same code and inputs whatever else the machine is doing.  It runs the same script twice
under callgrind, once normalizing ``--items`` distinct synthetic Upwork items and once
only preparing them, and prints the difference per listing.  ``--tree`` measures another
checkout (say a ``git worktree`` of an older commit) on the same items, for an A/B.
``--source freelancer`` counts synthetic Freelancer projects instead; ``--source
fixtures`` the real-shaped listings of fixtures/ (Upwork feed items and Freelancer API
projects: non-ASCII text, entities, other currencies, titles the category model has
never seen), each once, ``--items`` at most.
``--bulk`` counts what a bulk ``normalize`` worker does per listing instead: synthetic
Upwork and Freelancer listings through ``normalize_chunk`` and ``_pack`` (the jobs,
job_skills and issue rows handed to the writer), the SQLite writes left out.
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import pickle, sys
from crawler.normalize.listing import normalize_listing
items = pickle.load(open(sys.argv[1], "rb"))
for source, source_id, payload, fetched_at in items[:50]:  # warm-up: data, imports
    normalize_listing(source, source_id, payload, fetched_at=fetched_at)
try:  # the category model is a data file too (loaded once per process)
    from crawler.normalize.classifier import default_classifier
    default_classifier()
except ImportError:  # a checkout from before the classifier
    pass
if sys.argv[2] == "run":
    for source, source_id, payload, fetched_at in items[50:]:
        normalize_listing(source, source_id, payload, fetched_at=fetched_at)
"""

BULK_SCRIPT = """
import pickle, sys
from crawler.normalize.bulk import _pack, normalize_chunk
from crawler.normalize import fx
rows = pickle.load(open(sys.argv[1], "rb"))
_pack(normalize_chunk(rows[:50]))  # warm-up: data files, lazy imports
fx._converter()  # loaded once before the workers fork
try:
    from crawler.normalize.classifier import default_classifier
    default_classifier()
except ImportError:
    pass
if sys.argv[2] == "run":
    _pack(normalize_chunk(rows[50:]))
"""


def count(tree: Path, script: str, items: str, mode: str) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            script,
            items,
            mode,
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or not found:
        raise SystemExit(
            f"callgrind failed (exit {done.returncode}):\n{done.stderr[-2000:]}"
        )
    return int(found.group(1))


def fixture_listings() -> list[tuple[str, str, str, str]]:
    """(source, source_id, payload, fetched_at) of every Upwork feed item and Freelancer
    API project in fixtures/, interleaved (payloads as the spiders store them)."""
    import json

    from benchmarks.normalize import upwork_payloads
    from crawler.payloads import json_payload

    fetched = "2024-07-20T12:00:00Z"
    upwork = [
        ("upwork", f"fixture-{i}", item, fetched)
        for i, item in enumerate(dict.fromkeys(upwork_payloads()))
    ]
    freelancer = []
    for path in sorted((ROOT / "fixtures" / "freelancer" / "api").glob("*.json")):
        for project in json.loads(path.read_text())["result"]["projects"]:
            freelancer.append(
                ("freelancer", str(project["id"]), json_payload(project), fetched)
            )
    out = []
    for i in range(max(len(upwork), len(freelancer))):
        out.extend(part[i] for part in (upwork, freelancer) if i < len(part))
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=2800)
    ap.add_argument(
        "--tree",
        type=Path,
        action="append",
        help="another checkout to measure on the same items (repeatable)",
    )
    ap.add_argument(
        "--bulk",
        action="store_true",
        help="count a bulk normalize worker's work (normalize_chunk + _pack) on"
        " synthetic Upwork and Freelancer listings",
    )
    ap.add_argument(
        "--source",
        choices=("upwork", "freelancer", "fixtures"),
        default="upwork",
        help="which listings normalize_listing is counted on (default: synthetic Upwork"
        " items)",
    )
    args = ap.parse_args(argv)
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed: `apt-get install valgrind`")
    from benchmarks.normalize import synth_upwork

    if args.bulk:
        from analysis.synth import generate

        raws = list(
            generate(date(2022, 1, 1), date(2024, 6, 30), rows=args.items + 250, seed=7)
        )[200:]
        rows = [
            (r.source, r.source_id, r.payload, r.fetched_at, None, None) for r in raws
        ]
        what = (
            "distinct synthetic Upwork and Freelancer listings, normalize_chunk + _pack"
        )
    elif args.source == "fixtures":
        rows = fixture_listings()[: args.items + 50]
        raws = rows
        what = "fixture listings (Upwork items and Freelancer projects, each once)"
    else:
        if args.source == "upwork":
            raws = synth_upwork(args.items + 250)[200:]
        else:
            from analysis.synth import generate

            raws = list(
                generate(
                    date(2022, 1, 1),
                    date(2024, 6, 30),
                    rows=args.items + 250,
                    seed=7,
                    sources=["freelancer"],
                )
            )[200:]
        rows = [(r.source, r.source_id, r.payload, r.fetched_at) for r in raws]
        what = f"distinct synthetic {args.source.title()} listings"
    with tempfile.TemporaryDirectory(prefix="jobtrends-icount-") as tmp:
        items, script = os.path.join(tmp, "items.pkl"), os.path.join(tmp, "run.py")
        with open(items, "wb") as fh:
            pickle.dump(rows, fh)
        Path(script).write_text(BULK_SCRIPT if args.bulk else SCRIPT)
        n = len(raws) - 50
        for tree in [ROOT, *(args.tree or [])]:
            print(f"{tree}: counting under callgrind (about a minute) ...", flush=True)
            per = (
                count(tree, script, items, "run") - count(tree, script, items, "setup")
            ) / n
            print(
                f"{tree}: {per:,.0f} instructions per listing ({n:,} {what})",
                flush=True,
            )


if __name__ == "__main__":
    main()
