"""MEAN over the axes of a constant int32 tensor (negative and repeated axes allowed) of an int8,
int16 or float32 tensor of rank 1..6, with or without keep_dims (ops/common/reduce.py's loops).

Integers follow TFLite Micro's QuantizedMeanOrSum, the one path its current reference kernel takes
for every shape and quantization: 1/count is folded into the requantization multiplier of input
scale / output scale (shifted left by floor(log2(count)), at most 32 and at most 31 + shift, then
integer-divided by the count). Older TFLite Micro releases had two more integer paths, a plain
truncating mean when input and output quantization are equal and a special 4-D mean over H and W
(requantize, then divide with rounding); the PyPI release the tests compare with takes neither, so
neither is reproduced. float32 sums in the input's memory order as TFLite Micro does (its 4-D
H/W path too), then divides by the count, so it is exact too."""
from __future__ import annotations

from ..ir.graph import Tensor
from .common.qmath import SHORT, qparams, requant_multiplier
from .common.reduce import Reduction


class Mean(Reduction):
    kind = "MEAN"
    code = 40
    types = ("int8", "int16", "float32")
    kernels = ("reduce.c", "reduce_f32.c", "requant.c")
    interp_sources = ("mbi_reduce.h", "mbi_reduce.c", "mbi_op_mean.c")

    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        if dtype == "float32":
            return "mb_reduce_mean_f32", ("kernels/reduce_f32.c",)
        return f"mb_reduce_sum_{SHORT[dtype]}", ("kernels/reduce.c", "kernels/requant.c")

    def quant(self, x: Tensor, y: Tensor, count: int) -> dict:
        if x.dtype == "float32":
            return super().quant(x, y, count)
        (si, zi), (so, zo) = qparams(x), qparams(y)
        mult, shift = requant_multiplier(si, so)
        # QuantizedMeanOrSum: 1/count folded into the multiplier, keeping its precision
        up = min(count.bit_length() - 1, 32, 31 + shift)
        return {"input_zp": zi, "output_zp": zo, "mult": (mult << up) // count,
                "shift": shift - up}
