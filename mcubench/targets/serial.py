"""Real boards over a serial port (`-t serial`): the firmware is built for a core like its generic
target (serial.core), flashed with a command of the user's (serial.flash: pyocd, openocd, esptool,
...), and its harness's `MB key=value` lines are read from the board's UART with pyserial.

Protocol: the serial HAL (runtime/hal/riscv.c, cortexm.c built with MB_SERIAL, or the board's own
file, serial.hal) waits for one byte after reset; the host opens the port and sends a byte every
100 ms until the board answers, so nothing is lost however long flashing and reset take. The region
markers read the core's cycle counter (mcycle on RISC-V, DWT CYCCNT on Cortex-M): `Invoke Cycles`
are the board's own, measured; there is no instruction count (a board has no exact one to give).

Without a board: `python3 -m mcubench.targets.serial_qemu` is a flash command that starts QEMU with
the ELF and its UART on a pty (the test does exactly that). QEMU's mcycle is not a cycle count, so
such cycles only show that the plumbing works.
"""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

from ..component import Need
from ..config import Key
from ..errors import ConfigError, MissingDependency, StageError
from ..toolchains.base import CompileJob
from .baremetal import INVOKE, SETUP, BareMetalTarget, check_trap, corrected
from .cortexm import CortexM0, CortexM3, CortexM4, CortexM7, CortexM33, CortexM55
from .qemu import QemuRiscv32

CORES = {c.name: c for c in (QemuRiscv32, CortexM0, CortexM3, CortexM4, CortexM7, CortexM33,
                             CortexM55)}


class SerialTarget(BareMetalTarget):
    name = "serial"
    description = ("a real board: flashed by serial.flash, MB lines read from serial.port "
                   "(pyserial); cycles from the core's counter")
    keys = (
        Key("core", str, "qemu-riscv32", "the generic target whose build the board takes "
            "(ISA, FPU, toolchain)", tuple(CORES)),
        Key("toolchain", str, "gcc", "compiler: gcc, or llvm", ("gcc", "llvm")),
        Key("flash", str, "", "command that flashes {elf} (and resets the board), e.g. "
            "'pyocd flash -t stm32f767zi {elf}' or 'openocd -f board/x.cfg -c \"program {elf} "
            "verify reset exit\"'; {port} is the port"),
        Key("port", str, "", "the board's serial device, e.g. /dev/ttyACM0 (any pyserial URL)"),
        Key("baud", int, 115200, "baud rate"),
        Key("hal", str, "", "the board's HAL C file (UART, cycle counter; default: the core's "
            "built-in serial HAL, for QEMU's boards)"),
        Key("ld", str, "", "the board's linker script (default: the core's)"),
        Key("clock_mhz", float, 0.0, "core clock, for Latency (ms); 0: no latency"),
        Key("flash_timeout", float, 120.0, "seconds the flash command may take"),
    )
    needs = (Need("serial", "pip install pyserial", "python"),)

    def __init__(self, config=None, toolchain=None):
        super().__init__(config, toolchain)
        for key, example in (("flash", "pyocd flash -t stm32f767zi {elf}"),
                             ("port", "/dev/ttyACM0")):
            if not self[key]:
                raise ConfigError(f"target serial needs serial.{key} (e.g. -c "
                                  f"\"serial.{key}={example}\")")
        core_cls = CORES[self["core"]]
        self.core = core_cls({k: v for k, v in self.config.items()
                              if k in {x.name for x in core_cls.keys}})
        self.triple, self.ld_script = core_cls.triple, core_cls.ld_script
        self.hal = (self["hal"],) if self["hal"] else core_cls.hal

    def arch_flags(self) -> list[str]:
        self.core.toolchain = self.toolchain
        return self.core.arch_flags()

    def compile_job(self, build_dir: Path, data_c: Path, out_dir: Path) -> CompileJob:
        job = super().compile_job(build_dir, data_c, out_dir)
        # The board's console is its UART: no semihosting library (it needs a debugger).
        job.cflags = [f for f in job.cflags if not f.startswith("--oslib=")]
        job.defines["MB_SERIAL"] = "1"
        if self["ld"]:
            job.ldflags = [f"-T{self['ld']}" if f.startswith("-T") else f for f in job.ldflags]
        return job

    def run(self, elf: Path, out_dir: Path, timeout: float) -> dict:
        try:
            import serial
        except ImportError:
            raise MissingDependency("pyserial not found: pip install pyserial") from None
        cmd = self["flash"].format(elf=elf, port=self["port"])
        (out_dir / "flash_command.txt").write_text(cmd + "\n")
        try:
            proc = subprocess.run(cmd, shell=True, capture_output=True, text=True,
                                  timeout=self["flash_timeout"])
        except subprocess.TimeoutExpired:
            raise StageError(f"flash command still running after {self['flash_timeout']:g} s: "
                             f"{cmd}") from None
        (out_dir / "flash.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise StageError(f"flash command failed with exit code {proc.returncode} (see "
                             f"flash.log): {cmd}")
        try:
            port = serial.serial_for_url(self["port"], baudrate=self["baud"], timeout=0.1)
        except (serial.SerialException, OSError) as exc:
            raise StageError(f"cannot open serial.port {self['port']}: {exc}") from None
        with port:
            text = self.read_lines(port, timeout)
        (out_dir / "run.log").write_text(text)
        check_trap(text, 0, elf)
        metrics = self.parse_output(text, 0)
        raw = {int(r): (int(n), int(k)) for r, n, k in
               re.findall(r"region=(\d+) cycles=(\d+) calls=(\d+)", text)}
        cycles = corrected(raw)
        metrics.update(setup_cycles=cycles[SETUP], invoke_cycles=cycles[INVOKE],
                       region_cycles=cycles, timing_model="measured: " + self["core"])
        if self["clock_mhz"] > 0:
            metrics["clock_mhz"] = self["clock_mhz"]
            metrics["latency_ms"] = round(cycles[INVOKE] / (self["clock_mhz"] * 1000.0), 4)
        return metrics

    @staticmethod
    def read_lines(port, timeout: float) -> str:
        """Send the start byte until the board answers, then read until the harness is done."""
        deadline = time.monotonic() + timeout
        out = b""
        next_poke = 0.0
        while time.monotonic() < deadline:
            if not out and time.monotonic() >= next_poke:
                next_poke = time.monotonic() + 0.1
                try:
                    port.write(b"s")
                    port.flush()
                except (serial_error(), OSError):  # not up yet (a board still resetting)
                    continue
            try:
                out += port.read(4096)
            except (serial_error(), OSError):  # a board's UART that went away (reset, exit)
                if out:
                    return out.decode(errors="replace")
                time.sleep(0.1)
            text = out.decode(errors="replace")
            if "MB done" in text or "MB error" in text or "MB trap" in text:
                time.sleep(0.05)
                out += port.read(4096)
                return out.decode(errors="replace")
        raise StageError(f"timeout: no 'MB done' from the board within {timeout:g} s (got "
                         f"{len(out)} bytes; raise run.timeout or check serial.port and baud)")


def serial_error():
    import serial

    return serial.SerialException
