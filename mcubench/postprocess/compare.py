from __future__ import annotations

import pandas as pd

from ..config import Key
from ..errors import ConfigError
from ..report import METRICS
from .base import Postprocess, match_columns, split_list

IDENTITY = ["Model", "Backend", "Target", "Features", "Config"]
NOT_RELATIVE = {"Validation", "Max Abs Diff"}  # a flag and an error, not quantities to scale


class Compare(Postprocess):
    """Relative change of every metric against a baseline row: `-c compare.baseline=Backend:aot`
    compares each row with the row of its group whose Backend is aot, a group being the rows equal
    in every other identity column (Model, Target, Features, Config, ... by default). A new column
    `<metric> vs <value> (%)` follows each metric: +10 means 10 % more than the baseline."""

    name = "compare"
    description = "relative change of each metric vs a baseline row (baseline=COLUMN:VALUE)"
    keys = (
        Key("baseline", str, "Backend:aot", "COLUMN:VALUE choosing the baseline row of each group"),
        Key("metrics", str, "", "metrics to compare (comma-separated names or patterns; empty: "
            "every numeric metric)"),
        Key("group", str, "", "columns that define a group (empty: the identity columns except "
            "the baseline's)"),
        Key("mode", str, "percent", "percent: 100*(value/base-1); ratio: value/base",
            ("percent", "ratio")),
    )

    def process(self, df: pd.DataFrame) -> pd.DataFrame:
        col, sep, value = self["baseline"].partition(":")
        col = col.strip()
        if not sep or col not in df:
            raise ConfigError(f"compare.baseline={self['baseline']!r}: expected COLUMN:VALUE with "
                              f"a column of the table ({', '.join(map(str, df.columns))})")
        value = value.strip()
        if self["metrics"]:
            metrics = match_columns(df, split_list(self["metrics"]), "compare.metrics")
        else:
            metrics = [m for m in METRICS if m in df and m not in NOT_RELATIVE]
        group = split_list(self["group"]) or default_group(df, col)
        missing = [g for g in group if g not in df]
        if missing:
            raise ConfigError(f"compare.group: no column {', '.join(missing)}")

        is_base = df[col].astype(str) == value
        if not is_base.any():
            raise ConfigError(f"compare.baseline: no row has {col} = {value!r}; values: "
                              + ", ".join(sorted(df[col].astype(str).unique())))
        failing = df["Failing"].astype(bool) if "Failing" in df else False
        base_rows = df[is_base & ~failing].drop_duplicates(group, keep="first")
        keyed = df[group].astype(str).apply(tuple, axis=1)
        base_of = dict(zip(base_rows[group].astype(str).apply(tuple, axis=1), base_rows.index))
        base_idx = keyed.map(base_of)

        label = value or "baseline"
        out = df.copy()
        for m in metrics:
            vals = pd.to_numeric(df[m], errors="coerce").astype(float)
            base = pd.Series([vals[i] if pd.notna(i) else float("nan") for i in base_idx],
                             index=df.index)
            rel = vals / base.where(base != 0)
            if self["mode"] == "percent":
                rel, name = (100 * (rel - 1)).round(2), f"{m} vs {label} (%)"
            else:
                rel, name = rel.round(4), f"{m} vs {label} (x)"
            out.insert(list(out.columns).index(m) + 1, name, rel)
        return out


def default_group(df: pd.DataFrame, baseline_col: str) -> list[str]:
    """The identity columns (with any config_*/feature_* columns from config2cols/features2cols)
    except the baseline's; a config_ or feature_ baseline column also leaves out Config/Features,
    which contain it."""
    cols = [c for c in IDENTITY if c in df]
    cols += [c for c in df.columns if str(c).startswith(("config_", "feature_"))]
    if baseline_col.startswith("config_"):
        cols = [c for c in cols if c != "Config"]
    if baseline_col.startswith("feature_"):
        cols = [c for c in cols if c != "Features"]
    return [c for c in cols if c != baseline_col]
