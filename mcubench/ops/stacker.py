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
from .base import records
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import CustomOp, io, positional, typed
from .common.state import cbuf_words

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


def state_words(p: dict) -> int:
    return 1 + cbuf_words(p["size"])


class Stacker(CustomOp):
    kind = "STACKER"
    custom = "SignalStacker"
    types = ("int16",)
    note = "keeps state between invokes"
    kernels = ("stacker.c", "signal_cbuf.c")
    interp_sources = ("mbi_op_stacker.c",)
    record_struct = PARAMS

    def check(self, graph: Graph, op: Op) -> None:
        params(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        gen.use("kernels/stacker.c", "kernels/signal_cbuf.c")
        p = params(gen.g, op)
        ref = gen.struct(f"op{i}_params", PARAMS(**p))
        state = gen.static(f"op{i}_state", "int32_t", state_words(p), f"STACKER operator {i}")
        gen.resets.append(f"  mb_stacker_reset({ref}, {state});")
        gen.calls.append(f"  *{gen.act(op.outputs[1], False)} = (uint8_t)mb_stacker_s16({ref}, "
                         f"{state}, {gen.act(op.inputs[0], True)}, "
                         f"{gen.act(op.outputs[0], False)});")

    def interp_records(self, graph: Graph, op: Op) -> int:
        return records(1, PARAMS.size() + 4 * state_words(params(graph, op)))

    def record_values(self, graph: Graph, op: Op) -> dict:
        return params(graph, op)
