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
from .base import OpSpec
from .common.cstruct import I32, Struct, fields
from .common.qmath import fused, qparams
from .softmax import rows_depth

PARAMS = Struct(
    "mb_l2_normalization_params", "L2_NORMALIZATION over the last axis: rows x depth.",
    fields(I32, "rows", "depth"),
    fields(I32, "input_zp", doc="int8: the input's zero point"))


def l2_params(graph: Graph, op: Op) -> dict:
    """mb_l2_normalization_params, with TFLite Micro's L2NormPrepare checks."""
    if len(op.inputs) != 1 or op.inputs[0] < 0 or len(op.outputs) != 1:
        raise ValueError("needs one input and one output")
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.dtype != y.dtype or x.dtype not in L2Normalization.types:
        raise ValueError(f"{x.dtype} -> {y.dtype}; TFLite Micro takes int8 or float32, the same "
                         "in and out")
    if x.is_const or y.is_const or tuple(x.shape) != tuple(y.shape) or \
            not 1 <= len(x.shape) <= 4:
        raise ValueError(f"shapes {list(x.shape)} -> {list(y.shape)}: expected activations of "
                         "one shape, rank 1..4 (TFLite Micro's limit)")
    if fused(op) != "NONE":
        raise ValueError(f"fused activation {fused(op)}: TFLite Micro takes none")
    rows, depth = rows_depth(graph, op)
    zp = qparams(x)[1] if x.dtype == "int8" else 0
    return {"rows": rows, "depth": depth, "input_zp": zp}


class L2Normalization(OpSpec):
    kind = "L2_NORMALIZATION"
    code = 11
    types = ("int8", "float32")
    options = "L2NormOptions"
    header = "mb_l2_normalization.h"
    kernels = ("l2_normalization.c", "l2_normalization_f32.c", "fixedpoint.c", "requant.c")
    interp_sources = ("mbi_op_l2_normalization.c",)
    record_struct = PARAMS

    def check(self, graph: Graph, op: Op) -> None:
        l2_params(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        x, y = op.inputs[0], op.outputs[0]
        f32 = gen.g.tensors[x].dtype == "float32"
        gen.use(*(("kernels/l2_normalization_f32.c",) if f32 else
                  ("kernels/l2_normalization.c", "kernels/fixedpoint.c", "kernels/requant.c")),
                header="mb_fixedpoint.h")
        gen.struct(f"op{i}_params", PARAMS(**l2_params(gen.g, op)))
        gen.calls.append(f"  mb_l2_normalization_{'f32' if f32 else 's8'}(&op{i}_params, "
                         f"{gen.act(x, True)}, {gen.act(y, False)});")

    def record_values(self, graph: Graph, op: Op) -> dict:
        return l2_params(graph, op)
