"""WINDOW (TFLite Micro's signal library, custom code "SignalWindow"): int16 samples times an
int16 window, shifted right by `shift` and saturated to int16, window after window along the
flattened input (TFLite Micro's ApplyWindow).

The window may be a constant or an activation. TFLite Micro does not check that the input is a
whole number of windows, that the output has the input's size, nor the shift: those are refused
here (it would read or write past a tensor, or shift by an undefined amount)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import CustomOp, io, operand, positional, typed

PARAMS = Struct(
    "mb_window_params", "WINDOW: out[i] = sat16((in[i] * window[i % size]) >> shift).",
    fields(I32, "shift"),
    fields(I32, "size", doc="the window's length"),
    fields(I32, "count", doc="input elements, a multiple of size"))


def params(graph: Graph, op: Op) -> dict:
    (x, w), (y,) = io(graph, op, 2, 1)
    typed(x, "input", "int16")
    typed(w, "window", "int16", 1)
    typed(y, "output", "int16", len(x.shape))
    shift = positional(op, ("shift",))["shift"]
    need(len(x.shape) >= 1, "the input needs a rank of 1 or more")
    need(not x.is_const, "the input is a constant")
    need(0 <= shift <= 31, f"shift {shift}: must be 0..31 (an int32 shift)")
    need(w.size > 0 and x.size % w.size == 0,
         f"input {list(x.shape)} is not a whole number of windows of {w.size}")
    need(y.size == x.size, f"output {list(y.shape)} does not have the input's size")
    return {"shift": shift, "size": w.size, "count": x.size}


class Window(CustomOp, kind="WINDOW", custom="SignalWindow", types=("int16",)):
    kernels = ("window.c",)
    interp_sources = ("mbi_op_window.c",)
    record_struct = PARAMS
    params = staticmethod(params)

    def emit(self, gen, i: int, op: Op) -> None:
        self.call(gen, i, op, "mb_window_s16", gen.act(op.inputs[0], True),
                  operand(gen, op.inputs[1]), gen.act(op.outputs[0], False))
