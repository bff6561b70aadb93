#!/usr/bin/env python3
"""Backends side by side: aot, interp and tvm-aot on the MLPerf Tiny models, spike rv32imc,
with the published TFLite Micro and TVM figures beside them; writes its section of
docs/benchmarks.md. Every figure comes from the runs this script makes.

    python3 bench/backends.py [--model-path ../shared/models] [-b aot -b ...] [--no-write]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mcubench.session import expand, run_session  # noqa: E402
from sections import replace_section  # noqa: E402

MODELS = ["aww", "vww", "resnet", "toycar"]
BACKENDS = ["aot", "interp", "tvm-aot"]
# Instructions per inference on RV32, from the seed: TFLite Micro reference kernels with -DNDEBUG
# on spike, and TVM's AOT with default kernels (published, measured on ETISS).
TFLM = {"aww": 45.7e6, "vww": 114.5e6, "resnet": 127.2e6, "toycar": 2.51e6}
TVM = {"aww": 29.8e6, "vww": 87.5e6, "resnet": 114.8e6, "toycar": 2.44e6}


def mega(n) -> str:
    return "-" if n is None else f"{n / 1e6:.2f} M"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-path", default=str(REPO.parent / "shared" / "models"))
    ap.add_argument("-b", "--backend", action="append", default=[])
    ap.add_argument("-t", "--target", default="spike")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    backends = args.backend or BACKENDS
    specs = expand(MODELS, backends, [args.target], ["validate"], [], [], [], [args.model_path])
    sid, df = run_session(specs, jobs=args.jobs, label="bench/backends")
    cell = {(r["Model"], r["Backend"]): r for _, r in df.iterrows()}

    lines = [f"## Backends on {args.target} (session {sid})", "",
             "Invoke instructions per inference (setup in parentheses where it is not near zero), "
             "validated against TFLite Micro on every sample input. TFLite Micro and TVM columns "
             "are the published anchors (TFLite Micro reference kernels with -DNDEBUG on spike; "
             "TVM AOT default kernels on ETISS, RV32).", "",
             "| model | TFLite Micro | TVM (published) | " + " | ".join(backends) + " |",
             "|---|---:|---:|" + "---:|" * len(backends)]
    failed = []
    for m in MODELS:
        cells = []
        for b in backends:
            r = cell.get((m, b))
            if r is None or r["Failing"] or r["Validation"] is not True:
                failed.append((m, b))
                cells.append("failed" if r is None or r["Failing"] else "invalid")
                continue
            setup = int(r["Setup Instructions"])
            cells.append(mega(int(r["Invoke Instructions"]))
                         + (f" ({mega(setup)} setup)" if setup > 1000 else ""))
        lines.append(f"| {m} | {mega(TFLM[m])} | {mega(TVM[m])} | " + " | ".join(cells) + " |")
    lines += ["", "| model | " + " | ".join(f"{b} ROM / RAM / arena" for b in backends) + " |",
              "|---|" + "---:|" * len(backends)]
    for m in MODELS:
        cells = []
        for b in backends:
            r = cell.get((m, b))
            ok = r is not None and not r["Failing"]
            cells.append(f"{r['Total ROM'] / 1024:.1f} kB / {r['Total RAM'] / 1024:.1f} kB / "
                         f"{int(r['Arena']):,}" if ok else "-")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        replace_section(Path(args.out), "backends", text)
        print(f"written to {args.out}")
    for m, b in failed:
        print(f"FAILED or invalid: {m} / {b}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
