"""SQUEEZE and EXPAND_DIMS: new shapes for the same bytes, like RESHAPE, for any element type.

The planner gives the output its input's bytes (``alias``), so normally no code runs; when it
cannot (a graph input that is also an output, or aot.reshape_in_place off) one copy moves them. The
interpreter runs them with RESHAPE's own prepare/eval (runtime/interp/mbi_op_reshape.c)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import OpSpec


class _SameBytes(OpSpec):
    header = "mb_kernels.h"
    kernels = ("copy.c",)
    interp_sources = ("mbi_op_reshape.c",)
    alias = True
    prepare = "mbi_reshape_prepare"
    evaluate = "mbi_reshape_eval"

    def check(self, graph: Graph, op: Op) -> None:
        if len(op.outputs) != 1 or not op.inputs or op.inputs[0] < 0:
            raise ValueError("needs one input and one output")
        x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
        if x.is_const or y.is_const:
            raise ValueError("constant input or output; expected activations")
        if x.dtype != y.dtype or x.nbytes != y.nbytes:
            raise ValueError(f"{x.dtype}{list(x.shape)} -> {y.dtype}{list(y.shape)} changes the "
                             "type or the element count")

    def emit(self, gen, i: int, op: Op) -> None:
        x, y = op.inputs[0], op.outputs[0]
        gen.kernels.add("copy.c")
        gen.calls.append(f"  mb_copy_s8({gen.g.tensors[x].nbytes}, "
                         f"(const int8_t *)(mb_arena + {gen.plan.offsets[x]}), "
                         f"(int8_t *)(mb_arena + {gen.plan.offsets[y]}));")


class Squeeze(_SameBytes):
    kind = "SQUEEZE"
    code = 43


class ExpandDims(_SameBytes):
    kind = "EXPAND_DIMS"
    code = 70
