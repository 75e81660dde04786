"""Where the data shipped with jobtrends lives, in a checkout or an installed wheel.

A checkout keeps the fixtures at ``fixtures/`` and the labeled sets at ``tests/labeled/``;
a wheel carries copies of them in ``crawler/_bundled/`` (``setup.py`` puts them there), so
`jobtrends demo`, `eval` and `capture --check` work from any folder after ``pip install``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent / "_bundled"
_CHECKOUT = Path(__file__).resolve().parent.parent


def _find(name: str, checkout_path: str) -> Path:
    shipped = _PACKAGE / name
    return shipped if shipped.is_dir() else _CHECKOUT / checkout_path


FIXTURES = _find("fixtures", "fixtures")  # what the fixture server serves
LABELED = _find("labeled", "tests/labeled")  # what `jobtrends eval` scores against
