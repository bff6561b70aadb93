"""REDUCE_MAX over the axes of a constant int32 tensor (negative and repeated axes allowed) of an
int8 or float32 tensor of rank 1..6, with or without keep_dims (ops/common/reduce.py's loops).

TFLite Micro's ReduceGeneric: each output starts at the type's lowest value (int8 -128, float32
-FLT_MAX, so an all -inf row gives -FLT_MAX as TFLite Micro's does) and takes an input when it is
greater, in memory order (a NaN is never taken; of +0 and -0 the first stays). int8 needs the
input's quantization on the output (TFLite Micro's Eval refuses anything else); int16 and other
types TFLite Micro refuses, and so does mcubench."""
from __future__ import annotations

from ..ir.graph import Tensor
from .common.reduce import Reduction, same_quant


class ReduceMax(Reduction):
    kind = "REDUCE_MAX"
    code = 82
    types = ("int8", "float32")
    kernels = ("reduce_minmax.c",)
    interp_sources = ("mbi_reduce.h", "mbi_reduce.c", "mbi_op_reduce_max.c")

    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        return f"mb_reduce_max_{'f32' if dtype == 'float32' else 's8'}", \
            ("kernels/reduce_minmax.c",)

    def quant(self, x: Tensor, y: Tensor, count: int) -> dict:
        if x.dtype == "float32":
            return super().quant(x, y, count)
        return same_quant(x, y, self.kind)
