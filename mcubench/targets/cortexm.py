"""Cortex-M cores on QEMU's Arm MPS2/MPS3 FPGA boards, counted exactly by the plugin (qemu.py).

cortex-m0 has no board of its own in QEMU (mps2-an385 rejects -cpu cortex-m0): its Armv6-M binary runs
on the Cortex-M3 board. Armv6-M is a subset of Armv7-M with the same semantics, so the executed
instructions, and their count, are the same as on a Cortex-M0."""
from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ..component import Need
from ..config import Key
from .baremetal import TOOLCHAIN_KEY
from .qemu import QemuTarget

NEEDS = (Need("qemu-system-arm", "apt-get install qemu-system-arm"),
         Need("gcc", "apt-get install gcc"),
         Need("arm-none-eabi-gcc", "apt-get install gcc-arm-none-eabi picolibc-arm-none-eabi"))


def fpu_key(default: bool = True) -> Key:
    return Key("fpu", bool, default, "use the core's FPU (hard-float ABI); off: soft-float")


class CortexM(QemuTarget):
    """Thumb, picolibc with semihosting for the console and the exit code (runtime/hal/cortexm.c)."""

    triple = "arm-none-eabi"
    hal = ("hal/cortexm.c",)
    oslib = "semihost"
    qemu = "qemu-system-arm"
    needs = NEEDS
    board: ClassVar[str] = ""  # QEMU machine
    cpu: ClassVar[str] = ""  # -mcpu
    fpu_flags: ClassVar[str] = ""  # -mfpu when the fpu key is on; "" = the core has no FPU

    def arch_flags(self) -> list[str]:
        flags = ["-mthumb", f"-mcpu={self.cpu}{self.cpu_features()}"]
        if self.fpu_flags and self["fpu"]:
            return flags + [f"-mfpu={self.fpu_flags}", "-mfloat-abi=hard"]
        return flags + ["-mfloat-abi=soft"]

    def cpu_features(self) -> str:
        """-mcpu feature modifiers from config keys, e.g. "+nodsp"."""
        return ""

    def machine_args(self, elf: Path) -> list[str]:
        return ["-M", self.board, "-nodefaults", "-kernel", str(elf),
                "-chardev", "stdio,id=console",
                "-semihosting-config", "enable=on,target=native,chardev=console"]


class CortexM0(CortexM):
    name = "cortex-m0"
    timing = "cortex-m0"
    description = "Armv6-M, run on QEMU mps2-an385 (the Cortex-M3 board: same instructions, same count)"
    keys = (TOOLCHAIN_KEY,)
    board, cpu, ld_script = "mps2-an385", "cortex-m0", "mps2.ld"


class CortexM3(CortexM):
    name = "cortex-m3"
    timing = "cortex-m3"
    description = "Armv7-M, QEMU mps2-an385"
    keys = (TOOLCHAIN_KEY,)
    board, cpu, ld_script = "mps2-an385", "cortex-m3", "mps2.ld"


class CortexM4(CortexM):
    name = "cortex-m4"
    timing = "cortex-m4"
    description = "Armv7E-M with DSP and single-precision FPU, QEMU mps2-an386"
    keys = (TOOLCHAIN_KEY, fpu_key())
    board, cpu, ld_script, fpu_flags = "mps2-an386", "cortex-m4", "mps2.ld", "fpv4-sp-d16"


class CortexM7(CortexM):
    name = "cortex-m7"
    timing = "cortex-m7"
    description = "Armv7E-M with DSP and double-precision FPU, QEMU mps2-an500"
    keys = (TOOLCHAIN_KEY, fpu_key())
    board, cpu, ld_script, fpu_flags = "mps2-an500", "cortex-m7", "mps2.ld", "fpv5-d16"


class CortexM33(CortexM):
    name = "cortex-m33"
    timing = "cortex-m33"
    description = "Armv8-M Mainline with DSP and FPU, secure state, QEMU mps2-an505"
    keys = (TOOLCHAIN_KEY, fpu_key(), Key("dsp", bool, True, "use the DSP extension"))
    board, cpu, ld_script, fpu_flags = "mps2-an505", "cortex-m33", "mps2-an505.ld", "fpv5-sp-d16"

    def cpu_features(self) -> str:
        return "" if self["dsp"] else "+nodsp"


class CortexM55(CortexM):
    name = "cortex-m55"
    timing = "cortex-m55"
    description = "Armv8.1-M with Helium (MVE) and FPU, QEMU mps3-an547"
    keys = (TOOLCHAIN_KEY, fpu_key(),
            Key("mve", str, "float", "Helium: float (MVE-F), int (MVE-I) or none",
                ("float", "int", "none")))
    board, cpu, ld_script, fpu_flags = "mps3-an547", "cortex-m55", "mps3-an547.ld", "auto"

    def cpu_features(self) -> str:
        mve = {"float": "", "int": "+nomve.fp", "none": "+nomve"}[self["mve"]]
        return mve + ("" if self["fpu"] else "+nofp")
