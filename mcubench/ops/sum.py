"""SUM over the axes of a constant int32 tensor (negative and repeated axes allowed) of an int8,
int16 or float32 tensor of rank 1..6, with or without keep_dims (ops/common/reduce.py's loops).

Integers are TFLite Micro's QuantizedMeanOrSum with compute_sum: the int32 sum (wrapping as
TFLite's) minus count x input zero point, requantized by input scale / output scale
(QuantizeMultiplier in double, a multiplier above one included), plus the output zero point,
clamped: MEAN's kernel without 1/count in the multiplier. float32 adds in the input's memory order
from 0, as TFLite Micro's ReduceGeneric, so it is exact."""
from __future__ import annotations

from .common.reduce import QuantizedSum


class Sum(QuantizedSum, kind="SUM"):
    interp_sources = ("mbi_reduce.h", "mbi_reduce.c", "mbi_op_reduce_sum.c")
