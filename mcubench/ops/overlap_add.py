"""OVERLAP_ADD (TFLite Micro's signal library, "SignalOverlapAdd"): frames of frame_size (the last
axis) added into a running buffer per row, frame_step samples put out per frame (int16 saturated,
or float32), the rest kept for the next frame and invoke (TFLite Micro's OverlapAdd). Input
[..., n_frames, frame_size], output [..., n_frames * frame_step]. Refused beyond TFLite Micro's
checks: frame_step outside 1..frame_size, an output of another size, a T option that is not the
tensors' type."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import records
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import CustomOp, io, positional, typed
from .common.qmath import SHORT

PARAMS = Struct("mb_overlap_add_params", "OVERLAP_ADD: `outer` rows of n_frames frames; state: "
                                         "frame_size values per row.",
                fields(I32, "frame_size", "frame_step", "n_frames", "outer"))
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
    return {"frame_size": size, "frame_step": step, "n_frames": frames, "outer": outer}


def state_words(p: dict, dtype: str) -> int:
    n = p["outer"] * p["frame_size"]
    return n if dtype == "float32" else (n + 1) // 2


class OverlapAdd(CustomOp):
    kind = "OVERLAP_ADD"
    custom = "SignalOverlapAdd"
    types = ("int16", "float32")
    note = "keeps state between invokes"
    kernels = ("overlap_add.c",)
    interp_sources = ("mbi_op_overlap_add.c",)
    record_struct = PARAMS

    def check(self, graph: Graph, op: Op) -> None:
        params(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        gen.use("kernels/overlap_add.c")
        p, dtype = params(gen.g, op), gen.g.tensors[op.inputs[0]].dtype
        ref = gen.struct(f"op{i}_params", PARAMS(**p))
        state = gen.static(f"op{i}_state", "int32_t", state_words(p, dtype),
                           f"OVERLAP_ADD operator {i}")
        ctype = "float" if dtype == "float32" else "int16_t"
        gen.resets.append(f"  mb_overlap_add_reset({ref}, {state}, {4 * state_words(p, dtype)});")
        gen.calls.append(f"  mb_overlap_add_{SHORT[dtype]}({ref}, ({ctype} *)(void *){state}, "
                         f"{gen.act(op.inputs[0], True)}, {gen.act(op.outputs[0], False)});")

    def interp_records(self, graph: Graph, op: Op) -> int:
        dtype = graph.tensors[op.inputs[0]].dtype
        return records(1, PARAMS.size() + 4 * state_words(params(graph, op), dtype))

    def record_values(self, graph: Graph, op: Op) -> dict:
        return params(graph, op)
