"""SUM over the axes of a constant int32 tensor (negative and repeated axes allowed) of an int8,
int16 or float32 tensor of rank 1..6, with or without keep_dims (ops/common/reduce.py's loops).

Integers are TFLite Micro's QuantizedMeanOrSum with compute_sum: the int32 sum (wrapping as
TFLite's) minus count x input zero point, requantized by input scale / output scale
(QuantizeMultiplier in double, a multiplier above one included), plus the output zero point,
clamped: MEAN's kernel without 1/count in the multiplier. float32 adds in the input's memory order
from 0, as TFLite Micro's ReduceGeneric, so it is exact."""
from __future__ import annotations

from ..ir.graph import Tensor
from .common.qmath import SHORT, qparams, requant_multiplier
from .common.reduce import Reduction


class Sum(Reduction):
    kind = "SUM"
    code = 74
    types = ("int8", "int16", "float32")
    kernels = ("reduce.c", "reduce_f32.c", "requant.c")
    interp_sources = ("mbi_reduce.h", "mbi_reduce.c", "mbi_op_sum.c")

    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        if dtype == "float32":
            return "mb_reduce_sum_f32", ("kernels/reduce_f32.c",)
        return f"mb_reduce_sum_{SHORT[dtype]}", ("kernels/reduce.c", "kernels/requant.c")

    def quant(self, x: Tensor, y: Tensor, count: int) -> dict:
        if x.dtype == "float32":
            return super().quant(x, y, count)
        (si, zi), (so, zo) = qparams(x), qparams(y)
        mult, shift = requant_multiplier(si, so)
        return {"input_zp": zi, "output_zp": zo, "mult": mult, "shift": shift}
