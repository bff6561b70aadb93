"""STACKER (TFLite Micro's signal library, "SignalStacker"): consecutive int16 frames of
num_channels stacked into one vector of left context + the frame + right context frames; the
first frame is repeated left-context times, then a stack is put out every stacker_step frames
(the bool output says whether this invoke put one out; if not, the stack is not written, as in
TFLite Micro). A circular buffer keeps the frames between invokes.

Refused beyond TFLite Micro's checks: num_channels < 1, negative contexts, a step < 1 or larger
than the stack (TFLite Micro would discard more frames than it holds), an input shorter than a
frame, an output shorter than a stack."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import StatefulOp, io, positional, typed
from .common.state import cbuf_words
from .framer import valid_call

PARAMS = Struct("mb_stacker_params", "STACKER: stacks of `size` samples (num_channels x "
                                     "(left + 1 + right)); state: a first-frame flag (an int32) "
                                     "and a circular buffer of `size` samples.",
                fields(I32, "num_channels", "left", "size", "step_size"))
KEYS = ("num_channels", "stacker_left_context", "stacker_right_context", "stacker_step")


def params(graph: Graph, op: Op) -> dict:
    (x,), (y, valid) = io(graph, op, 1, 2)
    typed(x, "input", "int16", 1)
    typed(y, "output", "int16", 1)
    typed(valid, "valid flag", "bool", 0)
    c, left, right, step = positional(op, KEYS).values()
    need(not x.is_const, "the input is a constant")
    need(c >= 1 and left >= 0 and right >= 0,
         f"num_channels {c}, contexts {left}/{right}: channels >= 1, contexts >= 0")
    frames = left + right + 1
    need(1 <= step <= frames, f"stacker_step {step}: must be 1..{frames} (the stack's frames)")
    need(x.size >= c, f"input of {x.size} samples for frames of {c}")
    need(y.size >= c * frames, f"output of {y.size} samples for stacks of {c * frames}")
    return {"num_channels": c, "left": left, "size": c * frames, "step_size": c * step}


class Stacker(StatefulOp, kind="STACKER", custom="SignalStacker", types=("int16",),
              note="keeps state between invokes"):
    kernels = ("stacker.c", "signal_cbuf.c")
    interp_sources = ("mbi_op_stacker.c",)
    record_struct = PARAMS
    params = staticmethod(params)

    def state_words(self, graph: Graph, op: Op) -> int:
        return 1 + cbuf_words(params(graph, op)["size"])

    def emit(self, gen, i: int, op: Op) -> None:
        valid_call(gen, op, "mb_stacker_s16", *self.state(gen, i, op))
