"""Write the database shapes of earlier jobtrends versions, from the git history.

``python tests/data/schemas/make_schemas.py`` (from a clone with its history) writes one
``<name>.sql`` per entry of ``VERSIONS``: the DDL that version's code ran on a new
database, taken verbatim from its modules at that commit.  tests/test_migrations.py builds
databases from these files and opens them with today's code.  Add an entry when a release
changes the schema; the files are committed, so the tests need no history.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]

# name -> (commit, [(module, constant holding DDL)...])
VERSIONS = {
    # the first schema: before crawl_runs.duplicates, the facet rollups and run checks
    "first": (
        "f865d9a",
        [("crawler/db.py", "SCHEMA"), ("crawler/db.py", "FTS_SCHEMA")],
    ),
    # the last shape before numbered migrations (PRAGMA user_version 0)
    "before-migrations": (
        "0f06877",
        [
            ("crawler/db.py", "SCHEMA"),
            ("crawler/db.py", "FTS_SCHEMA"),
            ("crawler/normalize/bulk.py", "QUEUE_DDL"),
            ("crawler/run_record.py", "OWNERS_DDL"),
        ],
    ),
}


def constant(source: str, name: str) -> str:
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise KeyError(name)


def main() -> None:
    for name, (commit, parts) in VERSIONS.items():
        chunks = [
            f"-- jobtrends schema at commit {commit} (written by make_schemas.py)\n"
        ]
        for module, const in parts:
            source = subprocess.run(
                ["git", "show", f"{commit}:{module}"],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            ddl = constant(source, const).strip()
            chunks.append(
                f"-- {module} {const}\n{ddl}{'' if ddl.endswith(';') else ';'}\n"
            )
        (HERE / f"{name}.sql").write_text("\n".join(chunks), encoding="utf-8")
        print(f"wrote {name}.sql")


if __name__ == "__main__":
    main()
