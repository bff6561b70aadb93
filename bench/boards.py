#!/usr/bin/env python3
"""The boards side by side: the MLPerf Tiny models with the aot backend on every board of
mcubench/targets/boards.yml, estimated latency per inference at the board's clock (the core's
timing model: estimates, no caches or flash wait states), or why the model does not fit; writes
its section of docs/benchmarks.md. Every figure comes from the runs this script makes.

    python3 bench/boards.py [--model-path ../shared/models] [-j 2] [--no-write]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mcubench.session import expand, run_session  # noqa: E402
from mcubench.targets.board import load_boards  # noqa: E402
from sections import replace_section  # noqa: E402

MODELS = ["aww", "vww", "resnet", "toycar"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-path", default=str(REPO.parent / "shared" / "models"))
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    boards = {n: b for n, b in load_boards().items() if "unsupported" not in b}
    specs = expand(MODELS, ["aot"], list(boards), ["validate"], [], [], [], [args.model_path])
    sid, df = run_session(specs, jobs=args.jobs, label="bench/boards")
    cell = {(r["Model"], r["Target"]): r for _, r in df.iterrows()}

    lines = [f"## Boards (aot, session {sid})", "",
             "Estimated latency of one inference at the board's clock (ms), from the core's timing "
             "model (docs/timing.md: estimates of the core alone, no caches or flash wait states), "
             "with cycles per instruction in parentheses; validated bit-exact against TFLite Micro "
             "on every sample input. A model that does not fit the board's flash or SRAM says so.",
             "", "| model | " + " | ".join(f"{n} ({b['clock_mhz']} MHz)" for n, b in boards.items())
             + " |", "|---|" + "---:|" * len(boards)]
    bad = []
    for m in MODELS:
        cells = []
        for n in boards:
            r = cell.get((m, n))
            if r is None or r["Failing"]:
                reason = "" if r is None else str(r["Reason"])
                cells.append("does not fit" if "does not fit" in reason else "failed")
                if "does not fit" not in reason:
                    bad.append((m, n, reason))
                continue
            if r["Validation"] is not True:
                bad.append((m, n, "invalid"))
                cells.append("invalid")
                continue
            cpi = r["Invoke Cycles"] / r["Invoke Instructions"]
            cells.append(f"{r['Latency (ms)']:.2f} ({cpi:.2f})")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines += ["", "| board | core | flash | SRAM | simulated on |", "|---|---|---:|---:|---|"]
    lines += [f"| {n} | {b['core']} | {b['flash_kb']} kB | {b['sram_kb']} kB | {b['runs_on']} |"
              for n, b in boards.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    for m, n, reason in bad:
        print(f"{m} on {n}: {reason}", file=sys.stderr)
    if not args.no_write:
        replace_section(Path(args.out), "boards", text)
        print(f"written to {args.out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
