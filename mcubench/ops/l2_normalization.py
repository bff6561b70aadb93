"""L2_NORMALIZATION over the last axis of an int8 or float32 tensor of rank 1..4, as TFLite Micro's
L2Normalization (no fused activation: it refuses one; other types and ranks it refuses too).

int8 is its integer kernel: per row the int32 sum of squared differences to the input's zero
point, gemmlowp's inverse square root of it (GetInvSqrtQuantizedMultiplierExp: five Newton steps
in Q3.28) as a multiplier, and each difference requantized by it into 1/128 steps (zero point 0),
clamped. TFLite Micro writes that scale whatever the output tensor says (it checks no output
quantization), and mcubench writes the same bytes. float32 sums the squares in order, takes the
square root (correctly rounded, computed here without libm, as IEEE sqrtf is), at least 1e-6, and
divides: exact."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_F32
from .common.cstruct import I32, Struct, fields
from .common.qmath import fused, qparams
from .common.reduce import OneCall, f32_or_s8, rows

PARAMS = Struct(
    "mb_l2_normalization_params", "L2_NORMALIZATION over the last axis: rows x depth.",
    fields(I32, "rows", "depth"),
    fields(I32, "input_zp", doc="int8: the input's zero point"))


def l2_params(graph: Graph, op: Op) -> dict:
    """mb_l2_normalization_params, with TFLite Micro's L2NormPrepare checks."""
    x, _, n, depth = rows(graph, op, max_rank=4)  # TFLite Micro's rank limit
    if fused(op) != "NONE":
        raise ValueError(f"fused activation {fused(op)}: TFLite Micro takes none")
    return {"rows": n, "depth": depth, "input_zp": qparams(x)[1] if x.dtype == "int8" else 0}


class L2Normalization(OneCall, kind="L2_NORMALIZATION", types=INT8_F32,
                      options="L2NormOptions"):
    header = "mb_l2_normalization.h"
    kernels = ("l2_normalization.c", "l2_normalization_f32.c", "fixedpoint.c", "requant.c")
    interp_sources = ("mbi_reduce.h", "mbi_reduce.c", "mbi_op_l2_normalization.c")
    record_struct = PARAMS
    kernel_of = f32_or_s8("l2_normalization", ("kernels/l2_normalization_f32.c",),
                          ("kernels/l2_normalization.c", "kernels/fixedpoint.c",
                           "kernels/requant.c"))

    def params(self, graph: Graph, op: Op) -> dict:
        return l2_params(graph, op)
