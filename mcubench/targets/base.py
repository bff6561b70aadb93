from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import ClassVar

from ..component import RUNTIME_DIR, Component
from ..errors import StageError
from ..toolchains.base import CompileJob, Toolchain
from .elfmem import elf_memory

HARNESS = RUNTIME_DIR / "harness" / "main.c"
INCLUDE = RUNTIME_DIR / "include"

# Harness exit codes (runtime/harness/main.c) -> what they mean.
EXIT_REASONS = {3: "validation mismatch"}


class Target(Component):
    """ELF -> metrics. Subclasses say how to compile for the device (triple, flags, HAL, linker
    script) and how to run it and count instructions. Every target prints the harness's MB lines."""

    kind = "target"
    triple: ClassVar[str] = ""
    hal: ClassVar[tuple[str, ...]] = ()  # runtime-relative HAL sources, e.g. ("hal/host.c",)

    def __init__(self, config=None, toolchain: Toolchain | None = None):
        super().__init__(config)
        self.toolchain = toolchain

    # --- COMPILE -------------------------------------------------------------------------------
    def compile_job(self, build_dir: Path, data_c: Path, out_dir: Path) -> CompileJob:
        sources = sorted(build_dir.glob("*.c")) + [data_c, HARNESS]
        sources += [RUNTIME_DIR / h for h in self.hal]
        return CompileJob(sources=sources, include_dirs=[INCLUDE, build_dir],
                          out_elf=out_dir / "firmware.elf", triple=self.triple)

    def compile(self, build_dir: Path, data_c: Path, out_dir: Path,
                defines: dict[str, str] | None = None) -> dict:
        """`defines`: extra -D flags that features ask for (e.g. profile's HAL region slots)."""
        job = self.compile_job(build_dir, data_c, out_dir)
        job.defines.update(defines or {})
        self.toolchain.compile(job)
        return {"elf": job.out_elf, **elf_memory(job.out_elf)}

    # --- RUN -----------------------------------------------------------------------------------
    def run(self, elf: Path, out_dir: Path, timeout: float) -> dict:
        raise NotImplementedError

    def gives_instruction_mix(self) -> bool:
        """Whether run() writes run/instr_mix.json (features/instr_mix.py)."""
        return False

    @staticmethod
    def execute(cmd: list[str], out_dir: Path, timeout: float, **kw) -> subprocess.CompletedProcess:
        """Run a simulator with a time limit; its output is kept as run.log."""
        (out_dir / "run_command.txt").write_text(" ".join(map(str, cmd)) + "\n")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
        except subprocess.TimeoutExpired as exc:
            out = (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes) \
                else (exc.stdout or "")
            (out_dir / "run.log").write_text(out)
            raise StageError(f"timeout: simulator still running after {timeout:g} s, killed "
                             "(raise run.timeout if the model is just slow)") from None
        (out_dir / "run.log").write_text(proc.stdout + proc.stderr)
        return proc

    @staticmethod
    def parse_output(text: str, returncode: int) -> dict:
        """Read the harness's `MB key=value ...` lines into metrics; turn failures into StageError."""
        facts: dict[str, str] = {}
        regions: dict[int, int] = {}
        for line in text.splitlines():
            if not line.startswith("MB "):
                continue
            pairs = dict(re.findall(r"(\w+)=(\S+)", line))
            if "region" in pairs and "instructions" in pairs:
                regions[int(pairs["region"])] = int(pairs["instructions"])
            else:
                facts.update(pairs)
        if "error" in facts:
            raise StageError(f"firmware {facts['error']} failed with code {facts.get('code')}")
        if "done" not in text:
            raise StageError(f"firmware did not finish (exit code {returncode}); see run.log")
        if returncode not in (0, *EXIT_REASONS):
            raise StageError(f"firmware exited with code {returncode}; see run.log")
        metrics: dict = {"stack": int(facts["stack_used"])} if "stack_used" in facts else {}
        if "samples" in facts:
            metrics["validation"] = int(facts["mismatched"]) == 0
            metrics["validation_samples"] = int(facts["samples"])
            metrics["max_abs_diff"] = int(facts["max_abs_diff"])
        metrics["regions"] = regions
        return metrics
