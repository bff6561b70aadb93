"""DELAY (TFLite Micro's signal library, "SignalDelay"): int16 signals delayed by delay_length
samples along the last axis, each row through its own circular buffer that starts with
delay_length zeros (TFLite Micro's DelayPrepare and DelayReset); the buffers are kept between
invokes. The output must have the input's size (TFLite Micro does not check it)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import StatefulOp, io, positional, typed
from .common.state import cbuf_words

PARAMS = Struct("mb_delay_params", "DELAY: `outer` rows of frame_size samples, each delayed by "
                                   "`delay` samples; state: one mb_cbuf of frame_size + delay "
                                   "samples per row.",
                fields(I32, "frame_size", "delay", "outer"))


def params(graph: Graph, op: Op) -> dict:
    (x,), (y,) = io(graph, op, 1, 1)
    typed(x, "input", "int16")
    typed(y, "output", "int16")
    delay = positional(op, ("delay_length",))["delay_length"]
    need(not x.is_const and len(x.shape) >= 1, "the input must be an activation of rank >= 1")
    need(delay >= 0, f"delay_length {delay} is negative")
    need(y.size == x.size, f"output {list(y.shape)} does not have the input's size")
    frame = int(x.shape[-1])
    return {"frame_size": frame, "delay": delay, "outer": x.size // frame}


class Delay(StatefulOp, kind="DELAY", custom="SignalDelay", types=("int16",),
            note="keeps state between invokes"):
    kernels = ("delay.c", "signal_cbuf.c")
    interp_sources = ("mbi_op_delay.c",)
    record_struct = PARAMS
    params = staticmethod(params)

    def state_words(self, graph: Graph, op: Op) -> int:
        p = params(graph, op)
        return p["outer"] * cbuf_words(p["frame_size"] + p["delay"])

    def emit(self, gen, i: int, op: Op) -> None:
        ref, state = self.state(gen, i, op)
        gen.calls.append(f"  mb_delay_s16({ref}, {state}, {gen.act(op.inputs[0], True)}, "
                         f"{gen.act(op.outputs[0], False)});")
