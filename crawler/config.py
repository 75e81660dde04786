"""Configuration: built-in defaults (crawler/default_config.toml) overlaid by a user file.

The user file is ``--config PATH``, else ``$JOBTRENDS_CONFIG``, else ``./jobtrends.toml`` if
it exists.  Tables merge key by key, so a user file only states what it changes.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

from crawler.errors import UserError

DEFAULT_CONFIG = Path(__file__).with_name("default_config.toml")


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def read_toml(path: str | os.PathLike) -> dict:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise UserError(
            f"config file {path} not found - check the --config path"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"config file {path} is not valid TOML: {exc}") from None


@lru_cache(maxsize=8)
def load_config(path: str | None = None) -> dict:
    """The effective configuration as a dict."""
    config = read_toml(DEFAULT_CONFIG)
    user = path or os.environ.get("JOBTRENDS_CONFIG")
    if not user and Path("jobtrends.toml").is_file():
        user = "jobtrends.toml"
    if user:
        config = _merge(config, read_toml(user))
    return config


def source_options(name: str, path: str | None = None) -> dict:
    return dict(load_config(path).get("sources", {}).get(name, {}))
