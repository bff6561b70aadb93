"""Per-operator instruction counts (`-f profile`): a second table next to the report.

How it works, end to end:
- BUILD: the backend key ``profile`` (``aot.profile``) is set by this feature. The aot backend then
  wraps every operator in a non-inlined function ``mb_op_<i>`` and, during the first invoke only
  (the one the harness measures), between ``mb_hal_region_begin/end(MB_REGION_OP0 + i)``.
- COMPILE: HALs that count regions themselves (spike's minstret) need one slot per operator:
  ``MB_HAL_MAX_REGIONS`` (runtime/hal/mb_regions.h), from ``compile_defines``.
- RUN: simulators report region ``MB_REGION_OP0 + i`` per operator (spike from the HAL, QEMU from
  its plugin), corrected for the markers like every region; on the host, callgrind's inclusive cost
  of ``mb_op_<i>`` is the same number (``HOST_FUNCTION``).
- REPORT: ``per_op`` turns a run's region counts into rows (operator, kind, instructions, share of
  the invoke count); ``profile_frame`` stacks them for a session.

The per-op counts include each operator's call and the marker's argument setup, so they add up to
the invoke count of the same (profiled) build within a fraction of a percent.
"""
from __future__ import annotations

import pandas as pd

from .base import Feature

MB_REGION_OP0 = 16  # runtime/include/mb_hal.h
HOST_FUNCTION = "mb_op_{}"  # the per-operator function the aot backend emits when profiling


class Profile(Feature):
    name = "profile"
    description = "instructions per operator (second table), from per-op HAL regions"
    stages = frozenset({"build", "compile"})
    keys = ()

    @staticmethod
    def backend_config() -> dict[str, object]:
        """Config the backend gets when this feature is on (keys it lacks are skipped)."""
        return {"profile": True}

    @staticmethod
    def compile_defines(ops: int) -> dict[str, str]:
        """-D flags for a model of `ops` operators: a HAL counter slot per operator region, plus the
        HAL's pool slot."""
        return {"MB_HAL_MAX_REGIONS": str(MB_REGION_OP0 + ops + 1)}


def per_op(metrics: dict, summary: dict) -> list[dict]:
    """Rows for one run: metrics (its metrics.json, with "regions" {id: count} and
    "invoke_instructions"), summary (LOAD's summary.json: the model's layers)."""
    regions = {int(k): int(v) for k, v in (metrics.get("regions") or {}).items()}
    invoke = metrics.get("invoke_instructions") or 0
    rows = []
    for i, layer in enumerate(summary.get("layers", [])):
        count = regions.get(MB_REGION_OP0 + i)
        rows.append({"Op": i, "Kind": layer["kind"], "Instructions": count,
                     "Share": round(count / invoke, 4) if count is not None and invoke else None})
    return rows


def profile_frame(runs: list[tuple[dict, dict, dict]]) -> pd.DataFrame:
    """One table for a session: `runs` holds (identity, metrics, summary) per run, identity being
    the report row's Model/Backend/Target/... columns to repeat on every operator row."""
    rows = [{**identity, **row} for identity, metrics, summary in runs
            for row in per_op(metrics, summary)]
    df = pd.DataFrame(rows)
    if len(df):
        df["Instructions"] = df["Instructions"].astype("Int64")
    return df


def check_sum(metrics: dict, summary: dict, tolerance: float = 0.01) -> float:
    """Relative difference between the sum of per-op counts and the invoke count (ValueError when it
    exceeds `tolerance`, or when an operator has no count)."""
    rows = per_op(metrics, summary)
    missing = [r["Op"] for r in rows if r["Instructions"] is None]
    if missing:
        raise ValueError(f"no instruction count for operator(s) {missing}")
    invoke = metrics["invoke_instructions"]
    diff = abs(sum(r["Instructions"] for r in rows) - invoke) / invoke
    if diff > tolerance:
        raise ValueError(f"per-op counts sum to {sum(r['Instructions'] for r in rows)}, "
                         f"invoke is {invoke} ({diff:.2%} apart)")
    return diff


def session_profile(session_dir, df: pd.DataFrame) -> pd.DataFrame:
    """The per-operator table of a session's profiled, successful runs (read from the run folders)."""
    import json
    from pathlib import Path

    runs = []
    for _, row in df.iterrows():
        if row["Failing"] or "profile" not in str(row["Features"]).split(","):
            continue
        rdir = Path(session_dir) / "runs" / str(row["Run"])
        metrics = json.loads((rdir / "run" / "metrics.json").read_text())
        summary = json.loads((rdir / "load" / "summary.json").read_text())
        identity = {c: row[c] for c in ("Run", "Model", "Backend", "Target")}
        runs.append((identity, metrics, summary))
    return profile_frame(runs)
