from __future__ import annotations

import pandas as pd

from ..component import Component


class Postprocess(Component):
    """Session-level transformation of the report table (`--postprocess NAME`)."""

    kind = "postprocess"

    def process(self, df: pd.DataFrame) -> pd.DataFrame:
        raise NotImplementedError
