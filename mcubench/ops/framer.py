"""FRAMER (TFLite Micro's signal library, "SignalFramer"): int16 samples arriving frame_step at a
time cut into overlapping frames of frame_size, per row of the input (its last axis holds
n_frames steps); a row's circular buffer keeps the samples between invokes. With prefill the
buffers start with frame_size - frame_step zeros. The bool output is false when a frame was not
complete yet; that frame is then not written (as in TFLite Micro, whose framer this is).

Refused as TFLite Micro refuses them, and beyond: a last axis that is no whole number of steps,
prefill with frame_size < frame_step (TFLite Micro would write a negative count of zeros), an
output of another size than rows x n_frames x frame_size."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import StatefulOp, io, positional, typed
from .common.state import cbuf_words

PARAMS = Struct("mb_framer_params", "FRAMER: `outer` rows of n_frames steps; state: a circular "
                                    "buffer of `capacity` samples per row.",
                fields(I32, "frame_size", "frame_step", "prefill"),
                fields(I32, "outer", "n_frames", "capacity"))


def params(graph: Graph, op: Op) -> dict:
    (x,), (y, valid) = io(graph, op, 1, 2)
    typed(x, "input", "int16")
    typed(y, "output", "int16", len(x.shape) + 1)
    typed(valid, "valid flag", "bool", 0)
    o = positional(op, ("frame_size", "frame_step", "prefill"))
    size, step, prefill = o["frame_size"], o["frame_step"], int(o["prefill"] != 0)
    need(not x.is_const and len(x.shape) >= 1, "the input must be an activation of rank >= 1")
    need(size >= 1 and step >= 1, f"frame_size {size}, frame_step {step}: both must be >= 1")
    inner = int(x.shape[-1])
    need(inner >= step and inner % step == 0,
         f"the input's last axis ({inner}) is not a whole number of frame_step {step}")
    need(not prefill or size >= step, f"prefill with frame_size {size} < frame_step {step}")
    outer, frames = x.size // inner, inner // step
    need(y.size == outer * frames * size,
         f"output {list(y.shape)} is not {outer} rows x {frames} frames x {size}")
    return {"frame_size": size, "frame_step": step, "prefill": prefill, "outer": outer,
            "n_frames": frames, "capacity": -(-size // step) * step}


def valid_call(gen, op: Op, fn: str, ref: str, state: str) -> None:
    """valid output = fn(params, state, input, output): FRAMER's and STACKER's aot call."""
    gen.calls.append(f"  *{gen.act(op.outputs[1], False)} = (uint8_t){fn}({ref}, {state}, "
                     f"{gen.act(op.inputs[0], True)}, {gen.act(op.outputs[0], False)});")


class Framer(StatefulOp, kind="FRAMER", custom="SignalFramer", types=("int16",),
             note="keeps state between invokes"):
    kernels = ("framer.c", "signal_cbuf.c")
    interp_sources = ("mbi_op_framer.c",)
    record_struct = PARAMS
    params = staticmethod(params)

    def state_words(self, graph: Graph, op: Op) -> int:
        p = params(graph, op)
        return p["outer"] * cbuf_words(p["capacity"])

    def emit(self, gen, i: int, op: Op) -> None:
        valid_call(gen, op, "mb_framer_s16", *self.state(gen, i, op))
