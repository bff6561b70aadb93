from __future__ import annotations

import pandas as pd

from ..config import Key
from ..errors import ConfigError
from .base import Postprocess, split_list


class Pivot(Postprocess):
    """Models as rows, one column per backend/target (and whatever `columns` names), one metric:
    the shape of a paper's table. Failed runs are empty cells."""

    name = "pivot"
    description = "one metric as a models x (backend/target) table"
    keys = (
        Key("metric", str, "Invoke Instructions", "the metric shown in the cells"),
        Key("rows", str, "Model", "columns that become the rows (comma-separated)"),
        Key("columns", str, "Backend,Target", "columns that become the columns, joined by '/'"),
    )

    def process(self, df: pd.DataFrame) -> pd.DataFrame:
        rows, cols, metric = split_list(self["rows"]), split_list(self["columns"]), self["metric"]
        missing = [c for c in (*rows, *cols, metric) if c not in df]
        if missing:
            raise ConfigError(f"pivot: no column {', '.join(missing)}; columns: "
                              + ", ".join(map(str, df.columns)))
        ok = df[~df["Failing"].astype(bool)] if "Failing" in df else df
        out = df[rows].astype(str).drop_duplicates().reset_index(drop=True)  # failed-only rows stay
        ok = ok.assign(**{c: ok[c].astype(str) for c in rows},
                       _col=ok[cols].astype(str).agg("/".join, axis=1) if len(ok) else "")
        first = ok.drop_duplicates([*rows, "_col"])
        for h in dict.fromkeys(first["_col"]):
            part = first.loc[first["_col"] == h, [*rows, metric]].rename(columns={metric: h})
            out = out.merge(part, on=rows, how="left")
        return out
