"""Xtensa LX106 (the ESP8266's core) on QEMU's Xtensa "sim" machine, counted exactly by the plugin.

Debian's gcc-xtensa-lx106 and picolibc-xtensa-lx106-elf build the firmware: call0 ABI, literals in
front of each function (-mtext-section-literals; L32R only reaches backwards), -mlongcalls as the
ESP8266 SDKs build. QEMU runs it with -cpu lx106; console and exit go through QEMU's simcall
semihosting (runtime/hal/xtensa.c), the reset jump and exception vectors are
runtime/hal/xtensa_vectors.S. The LX106 has no divide instruction and Debian's libgcc lacks the
integer helpers the ESP8266 keeps in ROM: runtime/hal/xtensa_libgcc.c provides them
(division, 64-bit multiply). The float ones are missing too: float32 models fail to link, with
that reason.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..component import Need
from ..config import Key
from ..errors import StageError
from ..toolchains.base import CompileJob
from .qemu import QemuTarget

SPECS = Path("/usr/lib/xtensa-lx106-elf/picolibc.specs")  # the driver does not find it by name


class XtensaLx106(QemuTarget):
    name = "xtensa-lx106"
    description = "Xtensa LX106 (ESP8266 core), QEMU sim machine; exact counts by plugin"
    triple = "xtensa-lx106-elf"
    hal = ("hal/xtensa.c", "hal/xtensa_vectors.S", "hal/xtensa_libgcc.c")
    ld_script = "xtensa-sim.ld"
    qemu = "qemu-system-xtensa"
    timing = "xtensa-lx106"
    keys = (Key("toolchain", str, "gcc", "compiler: gcc only (no clang for the LX106 in Debian)",
                ("gcc",)),)
    needs = (Need("qemu-system-xtensa", "apt-get install qemu-system-misc"),
             Need("gcc", "apt-get install gcc"),
             Need("xtensa-lx106-elf-gcc",
                  "apt-get install gcc-xtensa-lx106 picolibc-xtensa-lx106-elf"))

    def arch_flags(self) -> list[str]:
        return ["-mtext-section-literals", "-mlongcalls"]

    def compile_job(self, build_dir: Path, data_c: Path, out_dir: Path) -> CompileJob:
        job = super().compile_job(build_dir, data_c, out_dir)
        job.cflags = [f"--specs={SPECS}" if f == "--specs=picolibc.specs" else f
                      for f in job.cflags]
        return job

    def compile(self, build_dir: Path, data_c: Path, out_dir: Path,
                defines: dict[str, str] | None = None) -> dict:
        try:
            return super().compile(build_dir, data_c, out_dir, defines)
        except StageError:
            log = out_dir / "compile.log"
            missing = sorted(set(re.findall(r"undefined reference to `(__\w+[sd]f\d?)'",
                                            log.read_text() if log.exists() else "")))
            if missing:
                raise StageError("float arithmetic is not available for the LX106: Debian's "
                                 "libgcc for xtensa-lx106-elf lacks " + ", ".join(missing) +
                                 " (the ESP8266 keeps them in ROM); run int8 models") from None
            raise

    def machine_args(self, elf: Path) -> list[str]:
        return ["-M", "sim", "-cpu", "lx106", "-nodefaults", "-semihosting", "-kernel", str(elf)]
