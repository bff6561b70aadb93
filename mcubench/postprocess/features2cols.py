from __future__ import annotations

import pandas as pd

from ..config import Key
from .base import Postprocess
from .config2cols import _insert_after


class Features2Cols(Postprocess):
    """One boolean column per feature used in the session (`feature_validate`, ...)."""

    name = "features2cols"
    description = "one True/False column per feature (feature_<name>)"
    keys = (
        Key("prefix", str, "feature_", "prefix of the new columns"),
        Key("drop", bool, False, "drop the Features column"),
    )

    def process(self, df: pd.DataFrame) -> pd.DataFrame:
        if "Features" not in df:
            return df
        sets = [set(f.split(",")) - {""} if isinstance(f, str) else set() for f in df["Features"]]
        names = sorted(set().union(*sets)) if sets else []
        new = pd.DataFrame({f"{self['prefix']}{n}": [n in s for s in sets] for n in names},
                           index=df.index)
        return _insert_after(df, "Features", new, self["drop"])
