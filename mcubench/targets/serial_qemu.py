"""A "board" for the serial target without hardware: a flash command that starts QEMU with the
ELF and the board's UART on a pseudo-terminal, links that terminal to --port, and returns while
QEMU runs on, as a board would after its run; a watchdog ends it after --timeout seconds, and its
process id is written next to --port (<port>.pid) for whoever wants to end it sooner.
QEMU drops UART output while nobody holds the pty open (it looks once a second), so a small
keeper process holds it open from the start until QEMU ends.

    mcubench run aww -t serial -c serial.core=qemu-riscv32 \\
        -c "serial.flash=python3 -m mcubench.targets.serial_qemu --port /tmp/board {elf}" \\
        -c serial.port=/tmp/board
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

MACHINES = {  # --machine -> QEMU command line before the ELF
    "riscv32": ["qemu-system-riscv32", "-M", "virt", "-cpu", "rv32,m=true,a=true,c=true,f=false,"
                "d=false,v=false", "-m", "32M", "-bios", "none"],
    "mps2-an386": ["qemu-system-arm", "-M", "mps2-an386"],
}


# Holds the pty open (never reading it) while QEMU's process lives.
KEEPER = """import os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
while True:
    try:
        os.kill(int(sys.argv[2]), 0)
    except OSError:
        break
    time.sleep(0.2)
"""


def command(machine: str, elf: Path) -> list[str]:
    base = MACHINES[machine]
    load = (["-device", f"loader,file={elf},cpu-num=0"] if machine == "riscv32"
            else ["-kernel", str(elf)])
    return [*base, "-nodefaults", *load, "-serial", "pty", "-display", "none", "-monitor", "none"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("elf", type=Path)
    ap.add_argument("--port", type=Path, required=True, help="symlink to create to the pty")
    ap.add_argument("--machine", default="riscv32", choices=sorted(MACHINES))
    ap.add_argument("--timeout", type=float, default=120.0, help="QEMU is killed after this")
    args = ap.parse_args(argv)
    log = args.port.with_suffix(".qemu.log")
    cmd = ["timeout", f"{args.timeout:g}", *command(args.machine, args.elf)]
    with open(log, "w") as out:  # not a pipe: QEMU outlives this process
        qemu = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        m = re.search(r"char device redirected to (/dev/pts/\d+)", log.read_text())
        if m:
            if args.port.is_symlink() or args.port.exists():
                args.port.unlink()
            os.symlink(m.group(1), args.port)
            args.port.with_suffix(".pid").write_text(f"{qemu.pid}\n")
            subprocess.Popen([sys.executable, "-c", KEEPER, m.group(1), str(qemu.pid)],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(1.5)  # QEMU notices the open pty within a second
            print(f"QEMU ({args.machine}) running {args.elf.name}; UART on {m.group(1)} "
                  f"-> {args.port}")
            return 0
        time.sleep(0.05)
    print(f"QEMU did not open a pty; see {log}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
