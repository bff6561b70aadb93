"""Registers mcubench's own components, through the same entry point a third-party plugin uses."""
from __future__ import annotations


def register(registry) -> None:
    from .backends.aot import Aot
    from .backends.interp import Interp
    from .backends.none import NoneBackend
    from .backends.tvm_aot import TvmAot
    from .features.instr_mix import InstrMix
    from .features.profile import Profile
    from .features.simd import Dsp, Vext
    from .features.validate import Validate
    from .frontends.onnx import OnnxFrontend
    from .frontends.program import ProgramFrontend
    from .frontends.tflite import TFLiteFrontend
    from .targets.board import board_classes
    from .targets.cortexm import CortexM0, CortexM3, CortexM4, CortexM7, CortexM33, CortexM55
    from .targets.host import Host
    from .targets.qemu import QemuRiscv32, QemuRiscv64
    from .targets.serial import SerialTarget
    from .targets.spike import Spike
    from .targets.xtensa import XtensaLx106
    from .toolchains.gcc import Gcc
    from .toolchains.llvm import Llvm

    for cls in (TFLiteFrontend, OnnxFrontend, ProgramFrontend,
                Aot, Interp, NoneBackend, TvmAot,
                Gcc, Llvm,
                Host, Spike, QemuRiscv32, QemuRiscv64,
                CortexM0, CortexM3, CortexM4, CortexM7, CortexM33, CortexM55, XtensaLx106,
                SerialTarget,
                Validate, Profile, Dsp, Vext, InstrMix):
        registry.add(cls)
    for cls in board_classes():
        registry.add(cls)
    register_postprocesses(registry)


def register_postprocesses(registry) -> None:
    from .postprocess.compare import Compare
    from .postprocess.config2cols import Config2Cols
    from .postprocess.features2cols import Features2Cols
    from .postprocess.filter_cols import FilterCols
    from .postprocess.pivot import Pivot
    from .postprocess.plot import Plot
    from .postprocess.rename_cols import RenameCols
    from .postprocess.validate_report import ValidateReport

    for cls in (FilterCols, Config2Cols, Features2Cols, RenameCols, Compare, Pivot, Plot,
                ValidateReport):
        registry.add(cls)
