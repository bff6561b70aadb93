"""One input, one output of the same size, element by element: what QUANTIZE, DEQUANTIZE and
similar operators check first."""
from __future__ import annotations

from ...ir.graph import Graph, Op, Tensor


def activations(graph: Graph, op: Op) -> tuple[Tensor, Tensor]:
    if len(op.inputs) != 1 or op.inputs[0] < 0 or len(op.outputs) != 1:
        raise ValueError("needs one input and one output")
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.is_const or y.is_const:
        raise ValueError("constant input or output; expected activations")
    if x.size != y.size:
        raise ValueError(f"{list(x.shape)} -> {list(y.shape)} changes the element count")
    return x, y
