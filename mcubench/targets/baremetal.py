"""What every simulated microcontroller target shares: picolibc firmware linked with a board's linker
script (runtime/ld/), a HAL (runtime/hal/), raw region counts turned into overhead-corrected ones, and
traps turned into a clear reason."""
from __future__ import annotations

import hashlib
import inspect
import re
import shutil
from pathlib import Path
from typing import ClassVar

from elftools.elf.elffile import ELFFile

from .. import __version__
from ..component import RUNTIME_DIR
from ..config import Key
from ..errors import MissingDependency, StageError
from ..toolchains.base import CompileJob
from .base import Target
from .elfmem import symbol_address

LD_DIR = RUNTIME_DIR / "ld"
HAL_DIR = RUNTIME_DIR / "hal"
EXIT_TRAP = 64  # runtime/hal/*.c: MB_EXIT_TRAP
PAINT_DEFAULT = 32768  # runtime/harness/main.c: MB_STACK_PAINT_BYTES

# Region ids (runtime/include/mb_hal.h).
SETUP, INVOKE, CALIBRATE = 0, 1, 2

TOOLCHAIN_KEY = Key("toolchain", str, "gcc", "compiler: gcc, or llvm (clang-16 + lld-16)",
                    ("gcc", "llvm"))


class BareMetalTarget(Target):
    """A simulated board. Subclasses give the triple, `arch_flags()`, the HAL, the board's linker script
    and `run()`; compile flags are written for the GNU driver (toolchains/llvm.py translates them)."""

    ld_script: ClassVar[str] = ""  # file in runtime/ld/
    oslib: ClassVar[str] = ""  # picolibc system-call library ("semihost"), "" = the HAL's own
    extra_sources: ClassVar[tuple[Path, ...]] = ()  # non-Python files whose changes change results
    keys = (TOOLCHAIN_KEY,)

    @classmethod
    def version(cls) -> str:
        """Covers the shared base modules (and e.g. the QEMU plugin) too: part of the cache keys."""
        h = hashlib.sha256()
        for module in dict.fromkeys(inspect.getmodule(c) for c in cls.__mro__):
            if module is not None and module.__name__.startswith("mcubench."):
                h.update(inspect.getsource(module).encode())
        for path in cls.extra_sources:
            h.update(path.read_bytes())
        return f"{__version__}:{h.hexdigest()[:12]}"

    def arch_flags(self) -> list[str]:
        raise NotImplementedError

    # --- COMPILE -------------------------------------------------------------------------------
    def compile_job(self, build_dir: Path, data_c: Path, out_dir: Path) -> CompileJob:
        job = super().compile_job(build_dir, data_c, out_dir)
        job.include_dirs.append(HAL_DIR)
        job.arch_flags = self.arch_flags()
        job.cflags += ["--specs=picolibc.specs", "--crt0=hosted", "-DPICOLIBC_INTEGER_PRINTF_SCANF"]
        if self.oslib:
            job.cflags.append(f"--oslib={self.oslib}")
        paint = int(job.defines.get("MB_STACK_PAINT_BYTES", PAINT_DEFAULT))
        stack = max(0x10000, paint + 0x8000)  # painting, plus the frames above main and the model's
        job.ldflags += [f"-L{LD_DIR}", f"-T{LD_DIR / self.ld_script}",
                        f"-Wl,--defsym=__stack_size={stack:#x}"]
        return job

    # --- RUN -----------------------------------------------------------------------------------
    def require(self, *exes: str) -> list[str]:
        """Full paths of the simulator's executables, or MissingDependency with the install hint."""
        hints = {n.name: n.install for n in self.needs}
        paths = [shutil.which(e) for e in exes]
        for exe, path in zip(exes, paths):
            if path is None:
                raise MissingDependency(f"{exe} not found: {hints.get(exe, 'install it')}")
        return paths

    def finish(self, text: str, returncode: int, elf: Path, region_lines: str | None = None) -> dict:
        """Metrics from the firmware's output; region counts from `region_lines` (QEMU's plugin file)
        or from the firmware's own MB region lines (spike), corrected for the markers' overhead."""
        check_trap(text, returncode, elf)
        metrics = self.parse_output(text, returncode)
        raw = parse_regions(text if region_lines is None else region_lines)
        metrics["regions"] = corrected(raw)
        metrics["setup_instructions"] = metrics["regions"][SETUP]
        metrics["invoke_instructions"] = metrics["regions"][INVOKE]
        return metrics


def parse_regions(text: str) -> dict[int, tuple[int, int]]:
    """`region=<id> instructions=<n> calls=<k>` lines -> {id: (n, k)}."""
    return {int(r): (int(n), int(k)) for r, n, k in
            re.findall(r"region=(\d+) instructions=(\d+) calls=(\d+)", text)}


def corrected(raw: dict[int, tuple[int, int]]) -> dict[int, int]:
    """Subtract the calibration region's count (the markers' own instructions) once per call."""
    missing = [name for rid, name in ((SETUP, "setup"), (INVOKE, "invoke"),
                                      (CALIBRATE, "calibrate")) if rid not in raw]
    if missing:
        raise StageError(f"no instruction count for region(s) {', '.join(missing)}; see run.log")
    overhead = raw[CALIBRATE][0] // raw[CALIBRATE][1]
    return {rid: n - k * overhead for rid, (n, k) in raw.items() if rid != CALIBRATE}


def check_trap(text: str, returncode: int, elf: Path) -> None:
    """A HAL's trap line (or its exit code) -> StageError naming the cause, the function, and a stack
    overflow when the stack pointer was below the stack reserve."""
    m = re.search(r"MB trap=(\w+) pc=(0x[0-9a-fA-F]+)(?: value=\S+)?(?: sp=(0x[0-9a-fA-F]+))?",
                  text)
    if m:
        cause, pc = m.group(1).replace("_", " "), int(m.group(2), 16)
        if pc:
            func = function_at(elf, pc)
            cause += f" at pc {pc:#x}" + (f" in {func}" if func else "")
        bottom = symbol_address(elf, "__mb_stack_bottom")
        if m.group(3) and bottom is not None and int(m.group(3), 16) < bottom:
            cause = "stack overflow: " + cause
        raise StageError(f"firmware trapped ({cause}); see run.log")
    if returncode == EXIT_TRAP:
        raise StageError(f"firmware trapped (exit code {EXIT_TRAP}); see run.log")


def function_at(elf: Path, pc: int) -> str | None:
    with open(elf, "rb") as f:
        symtab = ELFFile(f).get_section_by_name(".symtab")
        for sym in symtab.iter_symbols() if symtab else ():
            if sym["st_info"]["type"] == "STT_FUNC":
                start = sym["st_value"] & ~1  # Thumb functions have bit 0 set
                if start <= pc < start + sym["st_size"]:
                    return sym.name
    return None


def symbol_range(elf: Path, name: str) -> tuple[int, int]:
    """(address, size) of a symbol, Thumb bit cleared; StageError when the ELF lacks it."""
    with open(elf, "rb") as f:
        symtab = ELFFile(f).get_section_by_name(".symtab")
        syms = symtab.get_symbol_by_name(name) if symtab else None
        if not syms:
            raise StageError(f"{elf.name} has no symbol {name}: not built with an mcubench HAL")
        return syms[0]["st_value"] & ~1, syms[0]["st_size"]

