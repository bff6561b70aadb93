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

from .common.reduce import QuantizedSum


class Mean(QuantizedSum, kind="MEAN"):
    interp_sources = ("mbi_reduce.h", "mbi_reduce.c", "mbi_op_reduce_sum.c")
    mean = True
