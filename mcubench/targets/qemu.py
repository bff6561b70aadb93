"""QEMU system emulation with exact instruction counts from our TCG plugin
(targets/plugin/mb_insn_count.c, built with the host's gcc on first use and kept in the tools folder),
and estimated cycles from the core's timing model (timing.py) applied by the same plugin.
Also the two QEMU RISC-V targets; the Cortex-M boards are in cortexm.py, Xtensa in xtensa.py."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import ClassVar

from .. import home
from ..component import Need
from ..config import Key
from ..errors import MissingDependency, StageError
from .baremetal import (INVOKE, SETUP, TOOLCHAIN_KEY, BareMetalTarget, corrected,
                        symbol_range)
from .riscv import ARCHS, RiscvTarget, vlen_key
from .timing import MODELS, instruction_mix, write_table

PLUGIN_SRC = Path(__file__).parent / "plugin" / "mb_insn_count.c"


def plugin_library() -> Path:
    """The counting plugin as a shared library, compiled once per source version."""
    src = PLUGIN_SRC.read_bytes()
    lib = home.tools_dir() / f"mb_insn_count-{hashlib.sha256(src).hexdigest()[:12]}.so"
    if lib.exists():
        return lib
    lib.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=lib.parent)
    os.close(fd)
    cmd = ["gcc", "-shared", "-fPIC", "-O2", "-Wall", "-o", tmp, str(PLUGIN_SRC)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        os.unlink(tmp)
        raise MissingDependency("gcc not found (needed to build the QEMU plugin): "
                                "apt-get install gcc") from None
    if proc.returncode != 0:
        os.unlink(tmp)
        raise StageError(f"building the QEMU counting plugin failed: {proc.stderr.strip()[-400:]}")
    os.replace(tmp, lib)  # atomic: parallel runs may build it at the same time
    return lib


class QemuTarget(BareMetalTarget):
    """A QEMU board. Subclasses give the executable, the machine's command-line options and the
    core's timing model (timing.py; "" = no cycle estimate)."""

    qemu: ClassVar[str] = ""
    timing: ClassVar[str] = ""
    extra_sources = (PLUGIN_SRC,)

    def machine_args(self, elf: Path) -> list[str]:
        raise NotImplementedError

    def timing_model(self):
        return MODELS.get(self.timing)

    def gives_instruction_mix(self) -> bool:
        return self.timing_model() is not None

    def run(self, elf: Path, out_dir: Path, timeout: float) -> dict:
        (qemu,) = self.require(self.qemu)
        counts = out_dir / "insn_counts.txt"
        counts.unlink(missing_ok=True)
        if "," in str(counts):
            raise StageError(f"QEMU plugin arguments cannot contain ',': {counts}")
        begin, begin_size = symbol_range(elf, "mb_hal_region_begin")
        end, end_size = symbol_range(elf, "mb_hal_region_end")
        id_base, _ = symbol_range(elf, "mb_region_id_base")
        plugin = (f"{plugin_library()},begin={begin:#x},begin_size={begin_size},end={end:#x},"
                  f"end_size={end_size},idbase={id_base:#x},out={counts}")
        model, insns = self.timing_model(), None
        if model is not None:
            insns = write_table(elf, self.triple, model, out_dir / "timing.txt")
            plugin += f",model={out_dir / 'timing.txt'},mix=1"
        cmd = [qemu, *self.machine_args(elf), "-display", "none", "-monitor", "none",
               "-plugin", plugin]
        proc = self.execute(cmd, out_dir, timeout)
        text = counts.read_text() if counts.exists() else ""
        metrics = self.finish(proc.stdout, proc.returncode, elf, text)
        if model is not None:
            metrics.update(cycle_metrics(text, model.name))
            mix = instruction_mix(text, insns)
            (out_dir / "instr_mix.json").write_text(json.dumps(mix, indent=1))
        return metrics


def cycle_metrics(plugin_text: str, model: str) -> dict:
    """Estimated cycles per region from the plugin's cregion lines, corrected for the markers like
    the instruction counts."""
    raw = {int(r): (int(n), int(k)) for r, n, k in
           re.findall(r"cregion=(\d+) cycles=(\d+) calls=(\d+)", plugin_text)}
    cycles = corrected(raw)
    return {"setup_cycles": cycles[SETUP], "invoke_cycles": cycles[INVOKE],
            "region_cycles": cycles, "timing_model": model}


class QemuRiscv(RiscvTarget, QemuTarget):
    """QEMU's virt board, started at the ELF's entry by the generic loader; console on its UART."""

    timing = "rv32-inorder"

    def machine_args(self, elf: Path) -> list[str]:
        march = ARCHS[self["arch"]][0][4:].replace("g", "imafd")
        cpu = f"rv{self.xlen}," + ",".join(f"{x}={'true' if x in march else 'false'}"
                                           for x in "mafdcv")
        if "v" in march:
            cpu += f",vlen={self['vlen']},elen=64,vext_spec=v1.0"
        # Twice the linked memory: QEMU puts its device tree near the end of RAM, out of the way there.
        return ["-M", "virt", "-cpu", cpu, "-m", f"{2 * self.memory_mb}M", "-bios", "none",
                "-nodefaults", "-serial", "stdio", "-device", f"loader,file={elf},cpu-num=0"]


class QemuRiscv32(QemuRiscv):
    name = "qemu-riscv32"
    description = "QEMU virt board, 32-bit RISC-V (rv32imc default); exact counts by plugin"
    qemu = "qemu-system-riscv32"
    keys = (TOOLCHAIN_KEY, Key("arch", str, "rv32imc", "ISA",
                                    ("rv32imc", "rv32imac", "rv32gc", "rv32gcv")),
            vlen_key())
    needs = (Need("qemu-system-riscv32", "apt-get install qemu-system-misc"),
             Need("gcc", "apt-get install gcc"),
             Need("riscv64-unknown-elf-gcc",
                  "apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf"))


class QemuRiscv64(QemuRiscv):
    name = "qemu-riscv64"
    description = "QEMU virt board, 64-bit RISC-V (rv64gc default); exact counts by plugin"
    qemu = "qemu-system-riscv64"
    keys = (TOOLCHAIN_KEY, Key("arch", str, "rv64gc", "ISA", ("rv64gc",)))
    needs = (Need("qemu-system-riscv64", "apt-get install qemu-system-misc"),
             Need("gcc", "apt-get install gcc"),
             Need("riscv64-unknown-elf-gcc",
                  "apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf"))
