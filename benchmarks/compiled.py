"""Would compiling the normalizer reach 20,000 listings/s per core?  Measured, not guessed.

    pip install mypy            # mypyc ships with mypy; needs gcc and the Python headers
    python -m benchmarks.compiled [--items 12000] [--pairs 4]

Copies ``crawler/`` and ``analysis/`` to a temporary directory, compiles the normalizer's
hot modules there with mypyc (the modules as they are, no annotations added), and times
``normalize_listing`` on the same distinct synthetic Upwork items with the compiled copy
and with this tree's pure-Python modules.  The two run back to back, ``--pairs`` times
(this machine's speed drifts: only a paired comparison means anything), and the median
of the per-pair ratios is printed.  Nothing is installed and the project is unchanged.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOT_MODULES = [
    "crawler/normalize/listing.py",
    "crawler/normalize/skills.py",
    "crawler/normalize/dates.py",
    "crawler/normalize/sources/_text.py",
    "crawler/normalize/sources/upwork.py",
]
MYPYC_FLAGS = [
    "--ignore-missing-imports",
    "--follow-imports=skip",
    "--disable-error-code",
    "annotation-unchecked",
]

# Runs in a child process whose first sys.path entry decides which modules it imports.
TIMER = """
import sys, time
from benchmarks.normalize import synth_upwork
from crawler.normalize import listing
items = synth_upwork({items})[200:]
for r in items[:300]:
    listing.normalize_listing("upwork", r.source_id, r.payload, fetched_at=r.fetched_at)
best = float("inf")
for _ in range(3):
    start = time.process_time()
    for r in items:
        listing.normalize_listing("upwork", r.source_id, r.payload, fetched_at=r.fetched_at)
    best = min(best, time.process_time() - start)
print(best / len(items), listing.__file__)
"""


def compile_copy(dest: Path) -> None:
    try:
        import mypyc  # noqa: F401
    except ImportError:
        raise SystemExit(
            "mypyc is not installed: run `pip install mypy` (it ships mypyc)"
        ) from None
    ignore = shutil.ignore_patterns("__pycache__", "*.so")
    for package in ("crawler", "analysis", "benchmarks"):
        shutil.copytree(ROOT / package, dest / package, ignore=ignore)
    done = subprocess.run(
        [sys.executable, "-m", "mypyc", *MYPYC_FLAGS, *HOT_MODULES],
        check=False,
        cwd=dest,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not list(dest.glob("crawler/normalize/listing.*.so")):
        raise SystemExit(
            f"mypyc failed (exit {done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )


def time_tree(tree: Path, items: int) -> float:
    out = subprocess.run(
        [sys.executable, "-c", TIMER.format(items=items)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    module = out[1]
    if Path(module).resolve().parents[2] != tree.resolve():
        raise SystemExit(f"timed {module}, not the tree under {tree}")
    return float(out[0])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=12_000)
    ap.add_argument("--pairs", type=int, default=4)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jobtrends-mypyc-") as tmp:
        tree = Path(tmp)
        print(f"compiling {len(HOT_MODULES)} modules with mypyc ...", flush=True)
        compile_copy(tree)
        ratios = []
        for n in range(args.pairs):
            pure = time_tree(ROOT, args.items)
            compiled = time_tree(tree, args.items)
            ratios.append(pure / compiled)
            print(
                f"pair {n + 1}: pure Python {1e6 * pure:6.1f} us, mypyc {1e6 * compiled:6.1f} us"
                f" per listing -> {ratios[-1]:.2f}x",
                flush=True,
            )
    print(
        f"median speed-up of compiling {', '.join(Path(m).stem for m in HOT_MODULES)}:"
        f" {statistics.median(ratios):.2f}x"
    )


if __name__ == "__main__":
    main()
