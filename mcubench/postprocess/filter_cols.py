from __future__ import annotations

import pandas as pd

from ..config import Key
from .base import Postprocess, match_columns, split_list


class FilterCols(Postprocess):
    """Keep or drop report columns by name or pattern, e.g.
    `-c filter_cols.keep='Model,Backend,*Instructions'` or `-c filter_cols.drop='*Time'`."""

    name = "filter_cols"
    description = "keep and/or drop columns (comma-separated names or fnmatch patterns)"
    keys = (
        Key("keep", str, "", "columns to keep, in this order (empty: all)"),
        Key("drop", str, "", "columns to drop (applied after keep)"),
    )

    def process(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df
        if self["keep"]:
            cols: list[str] = []
            for pat in split_list(self["keep"]):  # the user's order, each pattern in table order
                cols += [c for c in match_columns(df, [pat], "filter_cols.keep") if c not in cols]
            out = out[cols]
        if self["drop"]:
            out = out.drop(columns=match_columns(out, split_list(self["drop"]), "filter_cols.drop"))
        return out
