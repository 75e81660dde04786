"""`jobtrends synth` - generate seeded raw listings with planted effects (real formats)."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from itertools import islice

import click

from crawler.commands._options import db_option

BATCH = 20_000


def _parse_day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.UsageError(
            f"{option} {value!r} is not a date: use YYYY-MM-DD"
        ) from None


@click.command("synth")
@db_option
@click.option(
    "--rows", type=int, default=10_000, show_default=True, help="Listings to generate."
)
@click.option(
    "--start",
    default="2022-01-01",
    show_default=True,
    help="First posting date (YYYY-MM-DD).",
)
@click.option(
    "--end",
    default="2024-06-30",
    show_default=True,
    help="Last posting date (YYYY-MM-DD).",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed (same seed, same listings).",
)
@click.option(
    "--no-effects",
    is_flag=True,
    help="Plant nothing: flat categories, pay and AI skills.",
)
@click.option(
    "--growth-per-year",
    type=float,
    default=0.0,
    show_default=True,
    help="Platform growth per year, e.g. 0.14 for +14 %.",
)
@click.option(
    "--seasonal-amplitude",
    type=float,
    default=0.1,
    show_default=True,
    help="Seasonal swing (default shape: December trough, Nov != Feb; --exact: cosine,"
    " Nov = Feb).",
)
@click.option(
    "--month-shock",
    type=float,
    default=0.05,
    show_default=True,
    help="Sd of per-category monthly volume shocks (log scale; 0 = exact volumes).",
)
@click.option(
    "--week-shock",
    type=float,
    default=0.05,
    show_default=True,
    help="Sd of per-category weekly volume shocks (log scale; 0 = even spread).",
)
@click.option(
    "--exact",
    is_flag=True,
    help="The noise-free test scenario: no shocks, cosine season (Nov = Feb), equal"
    " volume per month whatever its length.",
)
@click.option(
    "--noise-seed", type=int, default=0, show_default=True, help="Seed of the shocks."
)
@click.option(
    "--repost-rate",
    type=float,
    default=0.05,
    show_default=True,
    help="Share of postings that are reposts of a job from the last 60 days.",
)
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Choice(["upwork", "freelancer"]),
    help="Only these sources (repeatable; default both).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Write feed/API files (fixture-tree layout) here instead of a database.",
)
@click.option(
    "--processes",
    type=int,
    default=1,
    show_default=True,
    help="Generate months in this many processes (same listings whatever the number).",
)
@click.option("--no-normalize", is_flag=True, help="Store raw listings only.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def command(
    db_path,
    rows,
    start,
    end,
    seed,
    no_effects,
    growth_per_year,
    seasonal_amplitude,
    month_shock,
    week_shock,
    exact,
    noise_seed,
    repost_rate,
    sources,
    out_dir,
    processes,
    no_normalize,
    quiet,
):
    """Generate ROWS synthetic Upwork/Freelancer listings with the seed study's effects planted.

    Example: jobtrends synth --db data/synth.db --rows 100000 --seed 0
    """
    from analysis.effects import NO_EFFECTS, SEED_STUDY
    from analysis.synth import EXACT, REALISTIC, generate, write_fixture_tree

    first, last = _parse_day(start, "--start"), _parse_day(end, "--end")
    if last < first:
        raise click.UsageError(f"--end {end} is before --start {start}: swap them")
    if rows < 0:
        raise click.UsageError("--rows must be 0 or more")
    if processes < 1:
        raise click.UsageError("--processes must be 1 or more")
    if not 0.0 <= repost_rate < 1.0:
        raise click.UsageError(
            "--repost-rate must be at least 0 and below 1, e.g. 0.05"
        )
    if seasonal_amplitude < 0 or seasonal_amplitude >= 1:
        raise click.UsageError(
            "--seasonal-amplitude must be at least 0 and below 1, e.g. 0.1"
        )
    if growth_per_year <= -1:
        raise click.UsageError(
            "--growth-per-year must be above -1, e.g. 0.14 for +14 % a year"
        )
    if min(month_shock, week_shock) < 0 or max(month_shock, week_shock) > 1:
        raise click.UsageError(
            "--month-shock/--week-shock must be in [0, 1], e.g. 0.05"
        )
    noise = (
        EXACT
        if exact
        else replace(
            REALISTIC, month_sd=month_shock, week_sd=week_shock, seed=noise_seed
        )
    )
    args = {
        "rows": rows,
        "seed": seed,
        "effects": NO_EFFECTS if no_effects else SEED_STUDY,
        "sources": tuple(sources) or ("upwork", "freelancer"),
        "repost_rate": repost_rate,
        "growth_per_year": growth_per_year,
        "seasonal_amplitude": seasonal_amplitude,
    }
    listings = generate(first, last, noise=noise, processes=processes, **args)
    if not quiet:
        from tqdm import tqdm

        listings = tqdm(
            listings, total=rows, unit=" listings", desc="synth", mininterval=0.5
        )
    if out_dir:
        counts = write_fixture_tree(out_dir, listings)
        click.echo(
            f"wrote {counts['upwork']} Upwork feed items and {counts['freelancer']}"
            f" Freelancer projects under {out_dir}"
        )
        return
    _store(
        db_path,
        listings,
        args={
            **args,
            "effects": "none" if no_effects else "seed_study",
            "noise": asdict(noise),
            "start": start,
            "end": end,
        },
        normalize=not no_normalize,
        quiet=quiet,
    )


def _store(db_path: str, listings, *, args: dict, normalize: bool, quiet: bool) -> None:
    from crawler.db import connect, finish_run, save_raw, start_run, transaction
    from crawler.normalize.bulk import after_store, enqueue, normalize_keys

    conn = connect(db_path)
    run_id = start_run(
        conn, "synth", kind="synth", args={**args, "sources": list(args["sources"])}
    )
    new = updated = unchanged = 0
    try:
        it = iter(listings)
        while batch := list(islice(it, BATCH)):
            with transaction(conn):  # what changed is queued with it, as a crawl does
                counts = save_raw(conn, batch, run_id=run_id, in_transaction=True)
                if normalize:
                    enqueue(conn, counts.changed_keys, run_id)
            new, updated, unchanged = (
                new + counts.new,
                updated + counts.updated,
                unchanged + counts.unchanged,
            )
    except BaseException:
        finish_run(
            conn, run_id, status="failed", new=new, updated=updated, unchanged=unchanged
        )
        raise
    finish_run(
        conn,
        run_id,
        status="finished",
        finish_reason="finished",
        items=new + updated + unchanged,
        new=new,
        updated=updated,
        unchanged=unchanged,
    )
    click.echo(
        f"stored {new} new, {updated} updated, {unchanged} unchanged raw listings (run {run_id})"
    )
    if not normalize:
        return
    stats = normalize_keys(conn, (), run_id=run_id, progress=not quiet)
    after_store(conn, stats.months)
    click.echo(f"normalized {stats.listings} listings")
