"""The host as a target: native gcc, instructions counted exactly by valgrind's callgrind.

Why callgrind: it counts every executed instruction of the process deterministically (no sampling,
independent of machine load), and its inclusive per-function costs give the setup and invoke regions
directly from the harness's non-inlined `mb_bench_setup`/`mb_bench_invoke` wrappers. perf counters are
not available on every machine (virtualized hosts), and would count kernel noise too."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ..component import Need
from ..config import Key
from ..errors import MissingDependency, StageError
from ..features.profile import MB_REGION_OP0
from .base import Target


class Host(Target):
    name = "host"
    description = "this machine, native gcc; instructions by valgrind callgrind (x86-64 instructions)"
    keys = (Key("valgrind", bool, True, "count instructions with callgrind (off: just run natively)"),)
    needs = (Need("gcc", "apt-get install gcc"), Need("valgrind", "apt-get install valgrind"),
             Need("callgrind_annotate", "apt-get install valgrind"))
    hal = ("hal/host.c",)

    def run(self, elf: Path, out_dir: Path, timeout: float) -> dict:
        # A native process's stack starts below its argv and environment, so the painted stack
        # window moves with them: a fixed environment and a fixed relative path keep the measured
        # stack identical wherever and by whomever the firmware is run.
        fixed = {"cwd": elf.parent, "env": {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}}
        if not self["valgrind"]:
            proc = self.execute([f"./{elf.name}"], out_dir, timeout, **fixed)
            return self.parse_output(proc.stdout, proc.returncode)
        if shutil.which("valgrind") is None:
            raise MissingDependency("valgrind not found: apt-get install valgrind")
        cg = out_dir / "callgrind.out"
        cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={cg}",
               f"./{elf.name}"]
        proc = self.execute(cmd, out_dir, timeout, **fixed)
        metrics = self.parse_output(proc.stdout, proc.returncode)
        counts = self.inclusive_counts(cg, ("mb_bench_setup", "mb_bench_invoke"))
        metrics["setup_instructions"] = counts["mb_bench_setup"]
        metrics["invoke_instructions"] = counts["mb_bench_invoke"]
        # With profiling, the backend runs operator i in a non-inlined mb_op_<i>: its inclusive
        # cost is that operator's region, as the simulators' per-op markers give it.
        text = (cg.parent / "callgrind_annotate.txt").read_text()
        for m in re.finditer(r"^\s*([\d,]+)\s.*?[:\s]mb_op_(\d+)(?:'\d+)?\s*(?:\[|$)", text, re.M):
            metrics["regions"].setdefault(MB_REGION_OP0 + int(m.group(2)),
                                          int(m.group(1).replace(",", "")))
        return metrics

    @staticmethod
    def inclusive_counts(callgrind_out: Path, functions: tuple[str, ...]) -> dict[str, int]:
        proc = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                               str(callgrind_out)], capture_output=True, text=True)
        (callgrind_out.parent / "callgrind_annotate.txt").write_text(proc.stdout)
        found: dict[str, int] = {}
        for line in proc.stdout.splitlines():
            m = re.match(r"\s*([\d,]+)\s.*?[:\s](\w+)(?:'\d+)?\s*(?:\[|$)", line)
            if m and m.group(2) in functions and m.group(2) not in found:
                found[m.group(2)] = int(m.group(1).replace(",", ""))
        missing = [f for f in functions if f not in found]
        if missing:
            raise StageError(f"callgrind reported no cost for {', '.join(missing)}; see "
                             "callgrind_annotate.txt")
        return found
