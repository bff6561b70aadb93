from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..component import Component
from ..errors import StageError


@dataclass
class CompileJob:
    """Everything one firmware link needs; targets fill it, toolchains turn it into an ELF."""

    sources: list[Path]
    include_dirs: list[Path]
    out_elf: Path
    triple: str = ""  # "" = the host; "riscv64-unknown-elf", "arm-none-eabi"
    arch_flags: list[str] = field(default_factory=list)  # -march/-mcpu/... used to compile and link
    cflags: list[str] = field(default_factory=list)
    ldflags: list[str] = field(default_factory=list)
    defines: dict[str, str] = field(default_factory=dict)


class Toolchain(Component):
    """C sources -> ELF. Records the exact command line in the run folder (reproducibility)."""

    kind = "toolchain"

    def command(self, job: CompileJob) -> list[str]:
        raise NotImplementedError

    def compile(self, job: CompileJob) -> list[str]:
        cmd = self.command(job)
        job.out_elf.parent.mkdir(parents=True, exist_ok=True)
        (job.out_elf.parent / "compile_command.txt").write_text(" ".join(map(str, cmd)) + "\n")
        proc = subprocess.run(cmd, capture_output=True, text=True)
        (job.out_elf.parent / "compile.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise StageError(self.explain_failure(proc.stderr))
        return cmd

    @staticmethod
    def explain_failure(stderr: str) -> str:
        """The first real error line, not a wall of text; the full log stays in compile.log."""
        import re

        m = re.search(r"region [`']?(\w+)'? overflowed by (\d+) bytes", stderr)
        if m:
            return (
                f"does not fit: region {m.group(1)} overflowed by {int(m.group(2)) / 1024:.1f} kB "
                "(see compile.log)"
            )
        lines = [ln for ln in stderr.splitlines() if "error" in ln.lower()]
        return "compiler failed: " + (lines[0].strip() if lines else stderr.strip()[-300:])
