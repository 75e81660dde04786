"""`jobtrends train-categories` - retrain the title classifier on the database's own
labeled rows.

The labels are the jobs whose category the source's own taxonomy settled
(``category_method = 'taxonomy'``: an Upwork occupation, a Remotive category...); the
project's written titles are added unless ``--no-written``.  The model is written as a
``.npz`` file of plain arrays; the normalizer uses it once the configuration names it
(``[categories] model = "PATH"`` in jobtrends.toml, or ``$JOBTRENDS_CATEGORY_MODEL``),
and ``jobtrends normalize`` re-applies it to stored listings.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import click

from crawler.commands._options import db_option
from crawler.errors import UserError


def labeled_rows(conn: sqlite3.Connection, source: str | None = None) -> list[tuple]:
    """(title, category, broad source category key or None) of every job a source
    taxonomy categorized, duplicates (``dup_of``) left out."""
    from crawler.normalize.categories import broad_key

    sql = (
        "SELECT source, title, category, source_category FROM jobs"
        " WHERE category_method = 'taxonomy' AND dup_of IS NULL"
        " AND title IS NOT NULL AND title != ''"
    )
    args: tuple = ()
    if source:
        sql += " AND source = ?"
        args = (source,)
    return [
        (title, category, broad_key(src, source_category))
        for src, title, category, source_category in conn.execute(sql, args)
    ]


@click.command("train-categories")
@db_option
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Model file to write (default: category_model.npz next to the database).",
)
@click.option("--source", help="Only this source's labeled rows.")
@click.option(
    "--folds",
    type=click.IntRange(0, 20),
    default=5,
    show_default=True,
    help="Cross-validate the recipe on the rows first and print its accuracy (0: skip).",
)
@click.option(
    "--written/--no-written",
    default=True,
    show_default=True,
    help="Add the project's written training titles to the database's rows.",
)
def command(db_path, out_path, source, folds, written):
    """Train the category classifier on this database's source-labeled jobs."""
    from crawler.db import connect
    from crawler.normalize.category_model import (
        cross_validate,
        fit_with_broad,
        load_training_titles,
        save_model,
    )

    conn = connect(db_path, create=False)
    try:
        rows = labeled_rows(conn, source)
    finally:
        conn.close()
    counts = Counter(cat for _, cat, _ in rows)
    if len(rows) < 50 or len(counts) < 3:
        raise UserError(
            f"{db_path} has {len(rows)} jobs labeled by a source taxonomy in"
            f" {len(counts)} categories: need at least 50 in 3 categories"
            " (import or crawl a source with its own categories first)"
        )
    titles = [t for t, _, _ in rows]
    labels = [c for _, c, _ in rows]
    broads = [b for _, _, b in rows]
    extra = load_training_titles() if written else None
    click.echo(f"{len(rows)} labeled jobs in {len(counts)} categories:")
    for cat, n in counts.most_common():
        click.echo(f"  {n:>7}  {cat}")
    if folds >= 2:
        plain, _ = cross_validate(titles, labels, folds=folds, extra=extra)
        acc = sum(p == y for p, y in zip(plain, labels, strict=False)) / len(labels)
        click.echo(f"title-only accuracy, {folds}-fold cross-validation: {acc:.1%}")
    pipeline, priors, layers = fit_with_broad(titles, labels, broads, extra)
    out = (
        Path(out_path)
        if out_path
        else Path(db_path).resolve().with_name("category_model.npz")
    )
    save_model(
        pipeline,
        out,
        trained_on=f"{Path(db_path).name}: {len(rows)} jobs"
        + (f" + {len(extra[0])} written titles" if extra else ""),
        priors=priors,
        layers=layers,
    )
    if layers:
        click.echo(f"broad source categories with a learned layer: {', '.join(layers)}")
    click.echo(f"wrote {out}")
    click.echo(
        f'use it: add  [categories] model = "{out}"  to jobtrends.toml (or set'
        " JOBTRENDS_CATEGORY_MODEL), then run `jobtrends normalize`"
    )
