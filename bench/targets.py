#!/usr/bin/env python3
"""Simulator speed per target: million executed instructions per second of the RUN stage on aww.

With validation on, the firmware runs setup once and `samples` inferences, so the instructions
executed are about setup + samples x invoke (the harness's own copy/compare loops are left out, which
makes the figure a slight underestimate). The run time includes simulator start-up.

    python3 bench/targets.py [--model aww] [--model-path ../shared/models] [-t spike -t ...]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mcubench.session import expand, run_session  # noqa: E402

TARGETS = ["host", "spike", "qemu-riscv32", "qemu-riscv64", "cortex-m0", "cortex-m3", "cortex-m4",
           "cortex-m7", "cortex-m33", "cortex-m55"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="aww")
    ap.add_argument("--model-path", default=str(REPO.parent / "shared" / "models"))
    ap.add_argument("-t", "--target", action="append", default=[])
    ap.add_argument("--samples", type=int, default=10)
    args = ap.parse_args()
    specs = expand([args.model], ["aot"], args.target or TARGETS, ["validate"], [],
                   [("validate.samples", str(args.samples))], [], [args.model_path])
    # One run at a time: parallel runs would share the cores and distort the speeds.
    _, df = run_session(specs, jobs=1, use_cache=False, label="bench/targets")
    print(f"model {args.model}, backend aot, {args.samples} inferences per run\n")
    print(f"{'target':14s} {'invoke instr':>14s} {'run time s':>11s} {'MIPS':>8s}  note")
    for _, r in df.iterrows():
        if r["Failing"]:
            print(f"{r['Target']:14s} {'-':>14s} {'-':>11s} {'-':>8s}  {r['Reason']}")
            continue
        executed = int(r["Setup Instructions"]) + args.samples * int(r["Invoke Instructions"])
        mips = executed / r["Run Time"] / 1e6
        note = "x86-64 under callgrind" if r["Target"] == "host" else ""
        print(f"{r['Target']:14s} {int(r['Invoke Instructions']):>14,d} {r['Run Time']:>11.2f} "
              f"{mips:>8.0f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
