from __future__ import annotations

import pandas as pd

from ..config import Key
from .base import Postprocess


class ValidateReport(Postprocess):
    """Fail the session (exit code 1) if any run failed or its outputs did not match the reference.
    The table itself is unchanged."""

    name = "validate_report"
    description = "fail the session if any row failed or has Validation False"
    keys = (
        Key("require_validation", bool, False,
            "also fail rows without a Validation result (runs without -f validate)"),
    )

    def process(self, df: pd.DataFrame) -> pd.DataFrame:
        bad = []
        for _, r in df.iterrows():
            what = f"run {r.get('Run')} ({r.get('Model')}/{r.get('Backend')}/{r.get('Target')})"
            v = r.get("Validation")
            if bool(r.get("Failing", False)):
                bad.append(f"{what} failed: {r.get('Reason', '')}")
            elif v is not None and not pd.isna(v) and not bool(v):
                bad.append(f"{what}: outputs differ from the reference "
                           f"(max abs diff {r.get('Max Abs Diff')})")
            elif (v is None or pd.isna(v)) and self["require_validation"]:
                bad.append(f"{what}: not validated (add -f validate)")
        if bad:
            self.failure = f"validate_report: {len(bad)} of {len(df)} rows invalid:\n  " + \
                "\n  ".join(bad)
        return df
