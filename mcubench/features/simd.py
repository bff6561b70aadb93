"""SIMD kernel variants (`-f dsp`, `-f vext`): the optimized kernels' inner loops on the core's
SIMD instructions, bit-exact with the scalar ones (same integer products, summed in int32).

- ``dsp``: Arm's DSP extension (Cortex-M4/M7/M33/M55), <arm_acle.h>: SXTB16 + PKHBT/PKHTB +
  SMLAD (two 16-bit multiply-adds per instruction) in the GEMM and the 1x1 conv, SXTB16 + SMLAxy
  for the one-row GEMM (fully connected layers); the depthwise conv stays scalar.
- ``vext``: RISC-V V (spike with ``spike.arch=rv32gcv`` and ``spike.toolchain=llvm``), RVV 1.0
  intrinsics of clang-16: int8 x int8 widening multiplies, summed into int32 along the depth
  (GEMM, 1x1 conv) or across channels as lanes (3x3 depthwise, with the requantization in lanes).

Both work at COMPILE: a -D flag (``MB_SIMD_DSP`` / ``MB_SIMD_VEXT``) selects the code paths in
runtime/kernels/opt/ (the generated C is unchanged, so BUILD stays cached). On a core without the
extension the kernels header stops the compile with an #error naming the feature and the cores
that have it, never wrong or silently scalar code. They act on the optimized kernels
(``aot.kernels=opt``, the default); the reference kernels have no SIMD path.
"""
from __future__ import annotations

from .base import Feature


class Dsp(Feature):
    name = "dsp"
    description = "optimized kernels on the Arm DSP extension (SMLAD; Cortex-M4/M7/M33/M55)"
    stages = frozenset({"compile"})
    keys = ()

    @staticmethod
    def compile_defines(ops: int) -> dict[str, str]:
        return {"MB_SIMD_DSP": "1"}


class Vext(Feature):
    name = "vext"
    description = "optimized kernels on RISC-V V (RVV intrinsics; spike rv32gcv with llvm)"
    stages = frozenset({"compile"})
    keys = ()

    @staticmethod
    def compile_defines(ops: int) -> dict[str, str]:
        return {"MB_SIMD_VEXT": "1"}
