"""Registers mcubench's own components, through the same entry point a third-party plugin uses."""
from __future__ import annotations


def register(registry) -> None:
    from .backends.aot import Aot
    from .backends.interp import Interp
    from .features.validate import Validate
    from .frontends.tflite import TFLiteFrontend
    from .targets.cortexm import CortexM0, CortexM3, CortexM4, CortexM7, CortexM33, CortexM55
    from .targets.host import Host
    from .targets.qemu import QemuRiscv32, QemuRiscv64
    from .targets.spike import Spike
    from .toolchains.gcc import Gcc
    from .toolchains.llvm import Llvm

    for cls in (TFLiteFrontend, Aot, Interp, Gcc, Llvm, Host, Spike, QemuRiscv32, QemuRiscv64, CortexM0,
                CortexM3, CortexM4, CortexM7, CortexM33, CortexM55, Validate):
        registry.add(cls)
