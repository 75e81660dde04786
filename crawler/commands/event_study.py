"""`jobtrends event-study`: per-bucket effects vs control, pre-trend test, placebo."""

from __future__ import annotations

import click

from crawler.commands._options import db_option


@click.command("event-study")
@click.option(
    "--event", default="2022-11-30", show_default=True, help="Event date YYYY-MM-DD."
)
@click.option(
    "--freq", type=click.Choice(["month", "week"]), default="month", show_default=True
)
@click.option(
    "--pre",
    default=None,
    type=click.IntRange(2),
    help="Buckets before (default 12 months / 26 weeks).",
)
@click.option(
    "--post",
    default=None,
    type=click.IntRange(1),
    help="Buckets after (default 12 months / 26 weeks).",
)
@click.option("--control", default=None, help="Comma-separated control categories.")
@click.option(
    "--treated",
    default=None,
    help="Comma-separated treated categories (default: all others).",
)
@click.option(
    "--placebo-date",
    default=None,
    help="Also estimate at this date (YYYY-MM-DD), before the event.",
)
@click.option("--source", default=None, help="Only this source (spider name).")
@click.option(
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Write event_study.json, event_study.csv and event_study.png here.",
)
@db_option
def command(
    event, freq, pre, post, control, treated, placebo_date, source, out_dir, db_path
) -> None:
    """Weekly or monthly estimates relative to the event for treated vs control categories."""
    import csv
    import json
    from pathlib import Path

    from analysis.data import CATEGORIES
    from analysis.event_study import (
        EventStudyConfig,
        event_study,
        event_study_dict,
        format_event_study,
    )
    from analysis.periods import parse_day
    from analysis.report import DEFAULT_CONTROL
    from crawler.db import connect

    def categories(text, what):
        names = tuple(c.strip() for c in text.split(",") if c.strip())
        unknown = [c for c in names if c not in CATEGORIES]
        if unknown:
            raise click.UsageError(
                f"unknown {what} categories {unknown}; choose from: {', '.join(CATEGORIES)}"
            )
        return names

    event_day = parse_day(event)
    placebo = parse_day(placebo_date) if placebo_date else None
    if placebo and placebo >= event_day:
        raise click.UsageError("--placebo-date must be before --event")
    default = 12 if freq == "month" else 26
    config = EventStudyConfig(
        event=event_day,
        freq=freq,
        pre=pre or default,
        post=post or default,
        control=categories(control, "control") if control else DEFAULT_CONTROL,
        treated=categories(treated, "treated") if treated else None,
        source=source,
        placebo=placebo,
    )
    conn = connect(db_path, create=False, read_only=True)
    result = event_study(conn, config)
    if not result.series:
        raise click.UsageError(
            "no estimates: the window around the event lacks postings in the control or treated"
            " categories (check --event, --pre/--post and --control)"
        )
    click.echo(format_event_study(result))
    if out_dir:
        from analysis.charts import event_study_chart

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "event_study.json").write_text(
            json.dumps(event_study_dict(result), indent=2), encoding="utf-8"
        )
        with (out / "event_study.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["category", "k", "coef", "se", "n_category", "n_control"])
            for s in result.series:
                for c in s.coefs:
                    writer.writerow([s.category, c.k, c.coef, c.se, c.n_cat, c.n_ctrl])
        event_study_chart(result, out / "event_study.png")
        for name in ("event_study.json", "event_study.csv", "event_study.png"):
            click.echo(f"wrote {out / name}")
