"""The instruction mix of one inference (`-f instr_mix`; MLonMCU's log_instrs +
analyse_instructions): per run, the executed instructions of the invoke region per class (ALU,
multiply, load, store, load/store multiple, branch, ...) and per mnemonic (the top 20), as a second
table (instr_mix.csv) and in the HTML report.

Where the numbers come from: the QEMU targets' plugin counts how often each translation block ran in
the invoke and the calibration region (mix=1), the target maps the blocks to the ELF's instructions
(targets/isa.py, from objdump) and writes run/instr_mix.json; the markers' own instructions drop out
as they do from the counts, so the mix adds up to the Invoke Instructions exactly. spike runs get it
from the same ELF on QEMU (spike.cycles, on by default). The host target has no such trace: the
feature is refused there before anything runs.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..config import Key
from .base import Feature

MIX_FILE = "instr_mix.json"  # in the run's run/ folder


class InstrMix(Feature):
    name = "instr_mix"
    description = ("executed instructions of one inference per class and per mnemonic (top 20), "
                   "from the QEMU plugin (spike: the same ELF on QEMU)")
    stages = frozenset()  # the simulated targets always record the mix; this feature reports it
    keys = (Key("top", int, 20, "mnemonics listed per run"),)

    @staticmethod
    def check_target(target) -> str | None:
        """Why the mix is not available on `target` (None: it is)."""
        gives = getattr(target, "gives_instruction_mix", None)
        if gives is None or not gives():
            return (f"feature instr_mix: target {target.name} records no instruction trace; use a "
                    "simulated target (a QEMU core or board, or spike with spike.cycles=true)")
        return None


def run_rows(mix: dict, top: int = 20) -> list[dict]:
    """One run's rows: every class, then the `top` mnemonics, with their share of the total."""
    total = mix.get("total") or 0
    rows = [{"Group": "class", "Name": k, "Instructions": v} for k, v in mix["by_kind"].items()]
    rows += [{"Group": "mnemonic", "Name": k, "Instructions": v}
             for k, v in list(mix["by_mnemonic"].items())[:top]]
    for r in rows:
        r["Share"] = round(r["Instructions"] / total, 4) if total else None
    return rows


def run_top(run_dir: Path) -> int:
    """The run's instr_mix.top (its resolved config), 20 by default."""
    try:
        return int(json.loads((run_dir / "config.json").read_text()).get("instr_mix.top", 20))
    except (OSError, ValueError):
        return 20


def session_mix(session_dir, df: pd.DataFrame) -> pd.DataFrame:
    """The instruction-mix table of a session's successful `-f instr_mix` runs."""
    rows = []
    for _, row in df.iterrows():
        if row["Failing"] or "instr_mix" not in str(row["Features"]).split(","):
            continue
        run_dir = Path(session_dir) / "runs" / str(row["Run"])
        path = run_dir / "run" / MIX_FILE
        if not path.exists():
            continue
        identity = {c: row[c] for c in ("Run", "Model", "Backend", "Target")}
        rows += [{**identity, **r} for r in run_rows(json.loads(path.read_text()),
                                                      run_top(run_dir))]
    out = pd.DataFrame(rows)
    if len(out):
        out["Instructions"] = out["Instructions"].astype("Int64")
    return out
