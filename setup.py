"""Build hook: a wheel carries the data `demo`, `eval` and `capture --check` read.

They live at the top of a checkout (``fixtures/``, ``tests/labeled/``), where the tests
and their generators use them; a wheel gets a copy under ``crawler/_bundled/`` (without
the generators), and :mod:`crawler.bundled` finds whichever is there.  Everything else
about the build is in ``pyproject.toml``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = {
    "fixtures": "crawler/_bundled/fixtures",
    "tests/labeled": "crawler/_bundled/labeled",
}
NOT_DATA = shutil.ignore_patterns("*.py", "*.pyc", "__pycache__")


class build_py_with_data(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's folders
        for source, target in BUNDLED.items():
            shutil.copytree(
                ROOT / source,
                Path(self.build_lib) / target,
                ignore=NOT_DATA,
                dirs_exist_ok=True,
            )


setup(cmdclass={"build_py": build_py_with_data})
