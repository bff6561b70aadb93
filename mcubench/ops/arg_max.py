"""ARG_MAX of an int8 or float32 tensor of rank 1..6 into int32 along the axis of a constant int32
tensor of one value (negative allowed), as TFLite Micro's reference ArgMinMax: the first index of
the largest value (strictly greater replaces), so of equal values the first wins and a NaN is
never taken unless it comes first (then it stays, as TFLite Micro's `>` comparison keeps it).
TFLite Micro refuses other input types and an int64 output; so does mcubench."""
from __future__ import annotations

from .common.reduce import ArgReduce


class ArgMax(ArgReduce, kind="ARG_MAX"):
    which = "max"
