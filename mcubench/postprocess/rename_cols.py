from __future__ import annotations

import pandas as pd

from ..config import Key
from ..errors import ConfigError
from .base import Postprocess, split_list


class RenameCols(Postprocess):
    """Rename report columns, e.g.
    `-c 'rename_cols.mapping=Invoke Instructions:Cycles,Total ROM:ROM'`."""

    name = "rename_cols"
    description = "rename columns: OLD:NEW pairs, comma-separated"
    keys = (Key("mapping", str, "", "OLD:NEW pairs separated by commas"),)

    def process(self, df: pd.DataFrame) -> pd.DataFrame:
        mapping = {}
        for pair in split_list(self["mapping"]):
            old, sep, new = pair.partition(":")
            if not sep or not old.strip() or not new.strip():
                raise ConfigError(f"rename_cols.mapping: {pair!r} is not OLD:NEW")
            if old.strip() not in df.columns:
                raise ConfigError(f"rename_cols.mapping: no column {old.strip()!r}; columns: "
                                  + ", ".join(map(str, df.columns)))
            mapping[old.strip()] = new.strip()
        return df.rename(columns=mapping)
