from __future__ import annotations

import re
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
            raise StageError(self.explain_failure(proc.stderr, job))
        return cmd

    @staticmethod
    def explain_failure(stderr: str, job: CompileJob | None = None) -> str:
        """The first real error line, not a wall of text; the full log stays in compile.log. A memory
        overflow becomes "does not fit: needs X kB RAM, target has Y kB" (sizes from the job's linker
        script)."""
        # GNU ld: "region `ram' overflowed by N bytes"; lld: "... region 'ram': overflowed by N bytes"
        overflow: dict[str, int] = {}
        for region, n in re.findall(r"region [`']?(\w+)'?:? overflowed by (\d+) bytes", stderr):
            overflow[region] = max(overflow.get(region, 0), int(n))
        if overflow:
            sizes = memory_regions(job) if job else {}
            parts = []
            for region, over in overflow.items():
                label = {"ram": "RAM", "rom": "ROM"}.get(region, f"region {region}")
                if region in sizes:
                    parts.append(f"needs {(sizes[region] + over) / 1024:.0f} kB {label}, target has "
                                 f"{sizes[region] / 1024:.0f} kB")
                else:
                    parts.append(f"{label} overflowed by {over / 1024:.1f} kB")
            stack = stack_reserve(job) if job else None
            note = (f"; RAM includes a {stack // 1024} kB stack reserve"
                    if stack and "ram" in overflow else "")
            return f"does not fit: {'; '.join(parts)}{note} (see compile.log)"
        lines = [ln for ln in stderr.splitlines() if "error" in ln.lower()]
        return "compiler failed: " + (lines[0].strip() if lines else stderr.strip()[-300:])


def linker_script(job: CompileJob) -> Path | None:
    flags = [*job.arch_flags, *job.cflags, *job.ldflags]
    for i, f in enumerate(flags):
        if f.startswith("-T") and len(f) > 2:
            return Path(f[2:])
        if f == "-T" and i + 1 < len(flags):
            return Path(flags[i + 1])
    return None


def memory_regions(job: CompileJob) -> dict[str, int]:
    """Region name -> LENGTH in bytes, from the MEMORY block of the job's linker script."""
    script = linker_script(job)
    if script is None or not script.exists():
        return {}
    out = {}
    entry = (r"(\w+)\s*\([^)]*\)\s*:\s*ORIGIN\s*=\s*[^,]+,"
             r"\s*LENGTH\s*=\s*(0[xX][0-9a-fA-F]+|\d+)\s*([KkMm]?)")
    for name, length, unit in re.findall(entry, script.read_text()):
        out[name] = int(length, 0) * {"": 1, "k": 1024, "m": 1 << 20}[unit.lower()]
    return out


def stack_reserve(job: CompileJob) -> int | None:
    for f in job.ldflags:
        m = re.search(r"--defsym=__stack_size=(0[xX][0-9a-fA-F]+|\d+)", f)
        if m:
            return int(m.group(1), 0)
    return None
