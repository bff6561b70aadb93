"""OVERLAP_ADD (TFLite Micro's signal library, "SignalOverlapAdd"): frames of frame_size (the last
axis) added into a running buffer per row, frame_step samples put out per frame (int16 saturated,
or float32), the rest kept for the next frame and invoke (TFLite Micro's OverlapAdd). Input
[..., n_frames, frame_size], output [..., n_frames * frame_step]. Refused beyond TFLite Micro's
checks: frame_step outside 1..frame_size, an output of another size, a T option that is not the
tensors' type."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import StatefulOp, io, positional, typed
from .common.qmath import SHORT

PARAMS = Struct("mb_overlap_add_params", "OVERLAP_ADD: `outer` rows of n_frames frames; state: "
                                         "frame_size values per row.",
                fields(I32, "frame_size", "frame_step", "n_frames", "outer"),
                fields(I32, "words", doc="4-byte words of the state"))
T = {"int16": 7, "float32": 0}  # the T option: TFLite's TensorType


def params(graph: Graph, op: Op) -> dict:
    (x,), (y,) = io(graph, op, 1, 1)
    o = positional(op, ("T", "frame_step"))
    need(x.dtype in T and o["T"] == T[x.dtype],
         f"input {x.dtype} with T={o['T']}: int16 (T 7) or float32 (T 0), T the input's type")
    typed(y, "output", x.dtype, len(x.shape) - 1)
    need(not x.is_const and len(x.shape) >= 2, "the input must be an activation of rank >= 2")
    size, frames, step = int(x.shape[-1]), int(x.shape[-2]), o["frame_step"]
    need(1 <= step <= size, f"frame_step {step}: must be 1..frame_size {size}")
    outer = x.size // max(size * frames, 1)
    need(y.size == outer * frames * step,
         f"output {list(y.shape)} is not {outer} rows x {frames} frames x {step}")
    n = outer * size  # the running sums: int16 two to a word, float32 one
    return {"frame_size": size, "frame_step": step, "n_frames": frames, "outer": outer,
            "words": n if x.dtype == "float32" else (n + 1) // 2}


class OverlapAdd(StatefulOp, kind="OVERLAP_ADD", custom="SignalOverlapAdd",
                 types=("int16", "float32"), note="keeps state between invokes"):
    kernels = ("overlap_add.c",)
    interp_sources = ("mbi_op_overlap_add.c",)
    record_struct = PARAMS
    params = staticmethod(params)

    def state_words(self, graph: Graph, op: Op) -> int:
        return params(graph, op)["words"]

    def emit(self, gen, i: int, op: Op) -> None:
        dtype = gen.g.tensors[op.inputs[0]].dtype
        ref, state = self.state(gen, i, op)
        ctype = "float" if dtype == "float32" else "int16_t"
        gen.calls.append(f"  mb_overlap_add_{SHORT[dtype]}({ref}, ({ctype} *)(void *){state}, "
                         f"{gen.act(op.inputs[0], True)}, {gen.act(op.outputs[0], False)});")
