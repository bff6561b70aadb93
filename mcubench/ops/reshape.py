"""RESHAPE: a new shape for the same bytes (int8, int16, float32). The planner gives the output
its input's bytes (``alias``), so normally no code runs; when it cannot (a graph input that is
also an output, or ``aot.reshape_in_place`` off) one copy moves them. The interpreter's prepare
checks the sizes and its eval copies only when the buffers differ."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_INT16_F32, OpSpec
from .common.check import int8_act, need, one_output


class SameBytes(OpSpec):
    """An operator whose output is its input's bytes under another shape."""

    header = "mb_kernels.h"
    alias = True
    prepare = "mbi_reshape_prepare"
    evaluate = "mbi_reshape_eval"
    interp_files = ("interp/mbi_op_reshape.c", "kernels/copy.c")

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
        gen.use("kernels/copy.c")
        gen.calls.append(f"  mb_copy_s8({gen.g.tensors[x].nbytes}, "
                         f"(const int8_t *)(mb_arena + {gen.plan.offsets[x]}), "
                         f"(int8_t *)(mb_arena + {gen.plan.offsets[y]}));")


class Reshape(SameBytes, kind="RESHAPE", types=INT8_INT16_F32, note="in place"):

    def check(self, graph: Graph, op: Op) -> None:
        one_output(op)
        if op.inputs and op.inputs[0] >= 0:
            x, out = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
            if x.dtype == out.dtype and x.dtype in ("float32", "int16"):  # moves bytes only
                need(x.size == out.size, f"{x.shape} -> {out.shape} changes the element count")
                return
        out = int8_act(graph, op.outputs[0], "output")
        x = int8_act(graph, op.inputs[0] if op.inputs else -1, "input")
        need(x.size == out.size, f"{x.shape} -> {out.shape} changes the element count")
