"""What the RISC-V targets share (spike, qemu-riscv32, qemu-riscv64): one HAL and one memory map, so
the same ELF runs on spike and on QEMU's virt board."""
from __future__ import annotations

from typing import ClassVar

from ..config import Key
from ..errors import ConfigError
from .baremetal import BareMetalTarget

# arch -> (-march, -mabi). V needs clang (GCC 12 emits no vector code), and clang's lld cannot link
# rv64 at 0x80000000 (see arch_flags), so there is no rv64gcv.
ARCHS = {
    "rv32imc": ("rv32imc", "ilp32"),
    "rv32imac": ("rv32imac", "ilp32"),
    "rv32gc": ("rv32gc", "ilp32d"),
    "rv32gcv": ("rv32gcv", "ilp32d"),
    "rv64gc": ("rv64gc", "lp64d"),
}


def vlen_key() -> Key:
    return Key("vlen", int, 256, "vector register width in bits, for the V archs",
               (128, 256, 512, 1024))


class RiscvTarget(BareMetalTarget):
    """Machine mode, picolibc, console on the ns16550 UART both simulators have (runtime/hal/riscv.c)."""

    triple = "riscv64-unknown-elf"
    hal = ("hal/riscv.c",)
    ld_script = "riscv-virt.ld"
    memory_mb: ClassVar[int] = 16  # the simulated memory at 0x80000000 (runtime/ld/riscv-virt.ld)

    def arch_flags(self) -> list[str]:
        march, mabi = ARCHS[self["arch"]]
        gcc = self.toolchain is None or self.toolchain.name == "gcc"
        if gcc and "v" in march[4:]:
            raise ConfigError(f"{self.name}.arch={self['arch']}: GCC 12 emits no RISC-V vector "
                              f"code; use {self.name}.toolchain=llvm")
        if not gcc and march.startswith("rv64"):
            raise ConfigError(f"{self.name}.arch={self['arch']} with toolchain=llvm: lld-16 cannot "
                              "link picolibc's rv64 start code at 0x80000000 (PC-relative references "
                              f"to absolute symbols near 0); use {self.name}.toolchain=gcc")
        # -misa-spec=2.2: CSR instructions (the HAL's counter reads) belong to the base ISA there,
        # and an -march without a _zicsr suffix still selects picolibc's 32-bit libraries.
        return [f"-march={march}", f"-mabi={mabi}", "-mcmodel=medany",
                *(["-misa-spec=2.2"] if gcc else [])]

    @property
    def xlen(self) -> int:
        return 64 if self["arch"].startswith("rv64") else 32
