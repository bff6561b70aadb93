"""The serial target end to end against a QEMU "board" whose UART is a pty: the flash command
(mcubench.targets.serial_qemu) starts QEMU, the target reads the harness's MB lines with pyserial
after the start byte, and the cycle counter comes from the HAL (mcycle; QEMU's is not a real cycle
count, so only its presence is checked)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sys

import pytest

from mcubench import home
from mcubench.cli import main

pytest.importorskip("serial", reason="pyserial missing: pip install pyserial")


@pytest.mark.skipif(not (shutil.which("qemu-system-riscv32") and
                         shutil.which("riscv64-unknown-elf-gcc")),
                    reason="QEMU RISC-V or its toolchain missing: run scripts/setup.sh")
def test_model_over_a_pty_board(capsys, tmp_path):
    port = tmp_path / "board"
    flash = (f"{sys.executable} -m mcubench.targets.serial_qemu --port {port} --timeout 120 "
             "{elf}")
    try:
        code = main(["run", "sine", "-b", "aot", "-t", "serial", "-f", "validate",
                     "-c", f"serial.flash={flash}", "-c", f"serial.port={port}",
                     "-c", "serial.clock_mhz=160"])
    finally:
        pid = port.with_suffix(".pid")
        if pid.exists():  # the board stays up after its run, as a real one does
            try:
                os.killpg(int(pid.read_text()), signal.SIGTERM)
            except ProcessLookupError:
                pass
    assert code == 0, capsys.readouterr()
    sid = (home.sessions_dir() / "latest").resolve().name
    row = json.loads((home.sessions_dir() / sid / "report.json").read_text())[0]
    assert row["Validation"] is True and row["Max Abs Diff"] == 0
    assert row["Invoke Cycles"] > 0 and row["Setup Cycles"] is not None  # QEMU: host ticks
    assert row["Latency (ms)"] == pytest.approx(row["Invoke Cycles"] / 160e3, abs=1e-4)
    assert row["Invoke Instructions"] is None  # a board gives cycles, not an exact count
    run = home.sessions_dir() / sid / "runs" / "0" / "run"
    assert "MB done" in (run / "run.log").read_text()
    assert "serial_qemu" in (run / "flash_command.txt").read_text()


def test_serial_needs_its_flash_command_and_port(capsys):
    assert main(["run", "sine", "-b", "aot", "-t", "serial"]) == 2
    assert "target serial needs serial.flash" in capsys.readouterr().err


@pytest.mark.skipif(not shutil.which("arm-none-eabi-gcc"), reason="Arm toolchain missing")
def test_cortex_m_serial_hal_reads_dwt_cyccnt(capsys):
    """The Cortex-M serial HAL builds (UART console, no semihosting) and reads DWT CYCCNT; no QEMU
    board models the DWT, so this one is checked as far as the ELF."""
    import subprocess

    assert main(["run", "sine", "-b", "aot", "-t", "serial", "-c", "serial.core=cortex-m4",
                 "-c", "serial.flash=true", "-c", "serial.port=/dev/null", "--until",
                 "compile"]) == 0, capsys.readouterr()
    elf = home.sessions_dir() / "latest" / "runs" / "0" / "compile" / "firmware.elf"
    dump = subprocess.run(["arm-none-eabi-objdump", "-D", "-j", ".text", str(elf)],
                          capture_output=True, text=True).stdout
    assert "e0001000" in dump  # the DWT base (CYCCNT is read at +4)
    assert "semihost" not in (elf.parent / "compile_command.txt").read_text()
