"""Everything mcubench writes lives under one home folder: $MCUBENCH_HOME, default ~/.mcubench."""
from __future__ import annotations

import os
from pathlib import Path

import yaml

from .errors import ConfigError


def home_dir() -> Path:
    root = Path(os.environ.get("MCUBENCH_HOME") or Path.home() / ".mcubench").expanduser()
    root.mkdir(parents=True, exist_ok=True)
    return root.resolve()


def sessions_dir() -> Path:
    return home_dir() / "sessions"


def cache_dir() -> Path:
    return home_dir() / "cache"


def tools_dir() -> Path:
    return home_dir() / "tools"


def plugins_dir() -> Path:
    return home_dir() / "plugins"


def db_path() -> Path:
    return home_dir() / "results.db"


def user_config() -> dict:
    """$MCUBENCH_HOME/config.yml: model_paths (list), model_groups (name -> list), config (key -> value
    defaults applied to every run)."""
    path = home_dir() / "config.yml"
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with model_paths / model_groups / config")
    return data
