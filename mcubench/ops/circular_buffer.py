"""CIRCULAR_BUFFER (TFLite Micro's custom operator "CIRCULAR_BUFFER", for strided streaming
convolutions): its int8 output [1, slots, h, w] is a variable tensor holding the last `slots`
inputs [1, 1, h, w]; each invoke shifts them by one and appends the input, then counts down from
cycles_max and, until it reaches 0, ends the invoke there (TFLite Micro's kTfLiteAbort: the
operators after it wait for a later invoke).

Here the slots live in the operator's own state (reset to the output's zero point, as TFLite
Micro resets the variable tensor) and are copied to the output at every invoke. Without a positive
cycles_max TFLite Micro picks it from the output's shape: 1 for 5, 13 or 25 slots, else 2, except
that a [1, n, 2, 96] output takes 1 or 2 from a process-wide count of prepared buffers: that case
is refused, as are an output that is not a variable tensor (TFLite Micro would start from whatever
its arena held) and a batch other than 1 (its kernel shifts the first batch only)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import StatefulOp, io, positional, typed

PARAMS = Struct("mb_circular_buffer_params", "CIRCULAR_BUFFER: `slots` inputs of `depth` bytes; "
                                             "state: an int32 countdown, then the slots.",
                fields(I32, "slots", "depth", "cycles_max", "zero_point"))


def params(graph: Graph, op: Op) -> dict:
    (x,), (y,) = io(graph, op, 1, 1)
    typed(x, "input", "int8", 4)
    typed(y, "output", "int8", 4)
    need(not x.is_const, "the input is a constant")
    need(y.is_variable, f"output {y.name!r} is not a variable tensor; TFLite Micro would start "
                        "from whatever its arena held")
    need(x.shape[0] == y.shape[0] == 1 and x.shape[1] == 1 and x.shape[2:] == y.shape[2:],
         f"input {list(x.shape)}, output {list(y.shape)}: need [1, 1, h, w] and [1, slots, h, w]")
    cycles = positional(op, ("cycles_max",))["cycles_max"] if op.options else 0
    slots, h, w = int(y.shape[1]), int(y.shape[2]), int(y.shape[3])
    if cycles <= 0:  # TFLite Micro's guess from the shape
        need(slots in (5, 13, 25) or (h, w) != (2, 96),
             "no cycles_max and a [1, n, 2, 96] output: TFLite Micro takes the period from a "
             "process-wide count of prepared buffers; give cycles_max")
        cycles = 1 if slots in (5, 13, 25) else 2
    zp = int(y.quant.zero_point[0]) if y.quant is not None else 0
    return {"slots": slots, "depth": h * w, "cycles_max": cycles, "zero_point": zp}


class CircularBuffer(StatefulOp, kind="CIRCULAR_BUFFER", custom="CIRCULAR_BUFFER",
                     types=("int8",),
                     note="keeps state; ends the invoke until its period comes (kTfLiteAbort)"):
    kernels = ("circular_buffer.c",)
    interp_sources = ("mbi_op_circular_buffer.c",)
    record_struct = PARAMS
    params = staticmethod(params)

    def state_words(self, graph: Graph, op: Op) -> int:
        p = params(graph, op)
        return 1 + (p["slots"] * p["depth"] + 3) // 4  # the countdown, then the slots

    def emit(self, gen, i: int, op: Op) -> None:
        ref, state = self.state(gen, i, op)
        gen.stop_if(i, f"!mb_circular_buffer_s8({ref}, {state}, {gen.act(op.inputs[0], True)}, "
                       f"{gen.act(op.outputs[0], False)})")
