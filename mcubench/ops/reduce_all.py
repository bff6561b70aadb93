"""REDUCE_ALL (logical AND) over the axes of a constant int32 tensor (negative and repeated axes
allowed) of a bool tensor of rank 1..6, with or without keep_dims (ops/common/reduce.py's loops),
as TFLite Micro's ReduceGeneric: each output starts true and ANDs its inputs. TFLite Micro takes
bool only, and so does mcubench."""
from __future__ import annotations

from .common.reduce import Reduction


class ReduceAll(Reduction, kind="REDUCE_ALL", types=("bool",)):
    kernels = ("reduce_all.c",)
    interp_sources = ("mbi_reduce.h", "mbi_reduce.c", "mbi_op_reduce_all.c")

    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        return "mb_reduce_all_bool", ("kernels/reduce_all.c",)
