"""Calibration of the report's panel estimates: the issue's table, measured.

    python -m benchmarks.calibration [--sims 400] [--reps 399] [--seed 0]

Each scenario simulates ``--sims`` studies (13 categories, 3 of them controls, 40
months, the event after month 16, 30 %/year platform growth, a December trough) and
runs them through the functions `report` uses.  Columns: false flags per run (null
categories with q < 0.05; 10 null categories, 4 in the planted row), the false-flag rate
per null category, P(any false flag), and the share of 95 % intervals covering the truth
for volume, pay and AI-skill estimates.  The last rows cluster by
category instead of month, to show why months are the clusters.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from analysis.calibration import Scenario, calibrate

PLANTED = {
    "volume_effects": (0.67, 0.81, 0.84, 1.39, 1.10, 1.08),
    "pay_effects": (1.0, 0.80),
    "skill_after": (0.05, 0.03, 0.01, 0.02, 0.002),
}

SCENARIOS = [
    Scenario(month_sd=0.0, per_month=6700, label="Poisson only, 6.7k/month"),
    Scenario(month_sd=0.05, per_month=6700, label="month shocks 5 %, 6.7k/month"),
    Scenario(month_sd=0.10, per_month=6700, label="month shocks 10 %, 6.7k/month"),
    Scenario(
        month_sd=0.05,
        week_sd=0.05,
        per_month=170_000,
        label="month 5 % + week 5 %, 170k/month (study scale)",
    ),
    Scenario(
        month_sd=0.05,
        week_sd=0.05,
        per_month=170_000,
        label="planted effects, 170k/month",
        **PLANTED,
    ),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=400)
    parser.add_argument("--reps", type=int, default=399)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    head = (
        "| scenario | clusters | false flags per run | false-flag rate | P(any flag) |"
        " coverage volume | pay | AI skills |"
    )
    print(head)
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    started = time.perf_counter()
    runs = [(s, "month") for s in SCENARIOS] + [
        (SCENARIOS[1], "category"),
        (SCENARIOS[3], "category"),
    ]
    for k, (scenario, cluster) in enumerate(runs):
        r = calibrate(
            replace(scenario),
            sims=args.sims,
            seed=args.seed + k,
            reps=args.reps,
            cluster=cluster,
        )
        print(
            f"| {scenario.label} | {cluster} | {r['false_flags_per_run']:.2f} |"
            f" {r['false_flag_rate']:.3f} |"
            f" {r['p_any_flag']:.2f} | {r['coverage_volume']:.3f} |"
            f" {r['coverage_pay']:.3f} | {r['coverage_skills']:.3f} |",
            flush=True,
        )
    print(
        f"\n{args.sims} simulated studies per row, {args.reps} bootstrap draws each;"
        f" {time.perf_counter() - started:.0f} s"
    )
    from analysis.calibration import event_study_rejections

    print(
        "\n| event-study null (12 months each side) | pre-trend test rejects | post test rejects |"
    )
    print("|---|---:|---:|")
    for sd, n in ((0.0, 6700), (0.05, 6700), (0.10, 6700), (0.05, 170_000)):
        r = event_study_rejections(
            sims=args.sims, month_sd=sd, per_month=n, seed=args.seed
        )
        print(
            f"| month shocks {sd:.0%}, {n:,}/month | {r['pre_trend']:.3f} |"
            f" {r['post']:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
