"""REDUCE_MIN over the axes of a constant int32 tensor (negative and repeated axes allowed) of an
int8 or float32 tensor of rank 1..6, with or without keep_dims (ops/common/reduce.py's loops).

TFLite Micro's ReduceGeneric: each output starts at the type's highest value (int8 127, float32
FLT_MAX, so an all +inf row gives FLT_MAX as TFLite Micro's does) and takes an input when it is
less, in memory order (a NaN is never taken; of +0 and -0 the first stays). int8 needs the
input's quantization on the output (TFLite Micro's Eval refuses anything else); int16 and other
types TFLite Micro refuses, and so does mcubench."""
from __future__ import annotations

from .common.reduce import Extreme


class ReduceMin(Extreme, kind="REDUCE_MIN"):
    which = "min"
