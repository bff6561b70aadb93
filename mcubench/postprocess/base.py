from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

import pandas as pd

from ..component import Component
from ..errors import ConfigError


class Postprocess(Component):
    """Session-level transformation of the report table (`--postprocess NAME`, configured with
    `-c NAME.KEY=VALUE`). Postprocesses run in the order given, each on the previous one's output.

    `process` may set `self.failure` to a message: the session then fails (exit code 1) even when
    every run passed (validate_report does). `session_dir` is the session's folder, set by the
    caller before `process` for postprocesses that write files (plot), which report what they wrote
    in `notes`."""

    kind = "postprocess"

    def __init__(self, config=None):
        super().__init__(config)
        self.failure = ""
        self.session_dir: Path | None = None
        self.notes: list[str] = []

    def process(self, df: pd.DataFrame) -> pd.DataFrame:
        raise NotImplementedError


def split_list(value: str) -> list[str]:
    """`a, b ,c` -> ["a", "b", "c"] (empty items dropped)."""
    return [v.strip() for v in value.split(",") if v.strip()]


def match_columns(df: pd.DataFrame, patterns: list[str], owner: str) -> list[str]:
    """Columns matching any of the (fnmatch, case-sensitive) patterns, in the table's order; a
    pattern that matches nothing is an error listing the columns."""
    for pat in patterns:
        if not any(fnmatchcase(c, pat) for c in df.columns):
            raise ConfigError(f"{owner}: no column matches {pat!r}; columns: "
                              + ", ".join(map(str, df.columns)))
    return [c for c in df.columns if any(fnmatchcase(c, p) for p in patterns)]
