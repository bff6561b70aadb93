from __future__ import annotations

import re

import pandas as pd

from ..config import Key
from .base import Postprocess, split_list

# "a.b=1,c.d=-O2,-g" -> a comma starts a new item only when a `component.key=` follows it.
_ITEM = re.compile(r",(?=[\w-]+\.[\w.-]+=)")


def parse_config(text: str) -> dict[str, str]:
    """The report's Config cell (`key=value,...`, sorted keys) -> dict."""
    if not isinstance(text, str) or not text:
        return {}
    return dict(item.partition("=")[::2] for item in _ITEM.split(text))


class Config2Cols(Postprocess):
    """One column per config key set in the session (`config_gcc.optimize`, ...), after Config."""

    name = "config2cols"
    description = "one column per config key (config_<component.key>)"
    keys = (
        Key("keys", str, "", "only these keys (comma-separated; empty: every key any run set)"),
        Key("prefix", str, "config_", "prefix of the new columns"),
        Key("drop", bool, False, "drop the Config column"),
    )

    def process(self, df: pd.DataFrame) -> pd.DataFrame:
        if "Config" not in df:
            return df
        parsed = [parse_config(c) for c in df["Config"]]
        keys = split_list(self["keys"]) or sorted({k for p in parsed for k in p})
        new = pd.DataFrame({f"{self['prefix']}{k}": [p.get(k, "") for p in parsed] for k in keys},
                           index=df.index)
        return _insert_after(df, "Config", new, self["drop"])


def _insert_after(df: pd.DataFrame, col: str, new: pd.DataFrame, drop: bool) -> pd.DataFrame:
    at = list(df.columns).index(col) + 1
    out = pd.concat([df.iloc[:, :at], new, df.iloc[:, at:]], axis=1)
    return out.drop(columns=[col]) if drop else out
