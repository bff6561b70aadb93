"""What the binary element-wise operators with TFLite's broadcasting share (SUB, MUL): the loop
nest, the checks, the aot emission and the interpreter record.

The kernels (runtime/kernels/<op>.c, <op>_f32.c) walk a loop nest reduced once
(``broadcast_loops``, the same reduction as mb_broadcast_init in runtime/kernels/broadcast.c, which
the interpreter runs at setup): equal shapes become one flat loop, a broadcast operand gets
stride 0."""
from __future__ import annotations

import numpy as np

from ...ir.graph import Graph, Op
from ..base import OpSpec, record
from .cstruct import F32, I32, RECORDS, Const, Struct, fields
from .qmath import F32_ACTIVATIONS, fused

MAX_DIMS = Const("MB_BROADCAST_DIMS", 6, "loops of a broadcast: the interpreter's tensor rank "
                                        "limit (TFLite Micro goes beyond)")
DTYPES = ("int8", "int16", "float32")
C_TYPES = {"int8": "int8_t", "int16": "int16_t", "float32": "float"}
SUFFIX = {"int8": "s8", "int16": "s16", "float32": "f32"}

LOOPS = Struct(
    "mb_broadcast", "The iteration of one binary operator: loops outermost first; the output is "
                    "contiguous. Fixed-width fields only, so the interpreter keeps it in its arena "
                    "as it is.",
    fields(I32, "rank", doc="loops, 1..MB_BROADCAST_DIMS"),
    fields(I32, "shape", count=MAX_DIMS, doc="output extent of each loop"),
    fields(I32, "stride1", count=MAX_DIMS,
           doc="input 1's step in elements per loop step; 0: repeats"),
    fields(I32, "stride2", count=MAX_DIMS))


def f32_params(kind: str) -> Struct:
    return Struct(f"mb_{kind}_f32_params", f"{kind.upper()}, float32: the fused activation as a "
                  "clamp ([-FLT_MAX, FLT_MAX] for none, as TFLite).", fields(F32, "act_min",
                                                                          "act_max"))


def records(kind: str, params: Struct, params_f32: Struct) -> tuple[Struct, Struct]:
    """The interpreter's records: the loop nest, then the kernel's parameters."""
    return (Struct(f"mbi_{kind}_data", f"{kind.upper()} prepared at setup.", fields(LOOPS, "b"),
                   fields(params, "p"), header=RECORDS),
            Struct(f"mbi_{kind}_f32_data", f"float32 {kind.upper()} prepared at setup.",
                   fields(LOOPS, "b"), fields(params_f32, "p"), header=RECORDS))


def broadcast_loops(shape1, shape2, out_shape) -> dict:
    """The mb_broadcast fields for inputs of these shapes broadcast to out_shape: loops outermost
    first, strides in elements (0: the input repeats along that loop); ValueError if the shapes
    do not broadcast to out_shape."""
    rank, max_dims = len(out_shape), MAX_DIMS.value
    if len(shape1) > rank or len(shape2) > rank or rank > max_dims:
        raise ValueError(f"shapes {list(shape1)}, {list(shape2)} -> {list(out_shape)}: ranks above "
                         f"the output's or above {max_dims}")
    d1 = (1,) * (rank - len(shape1)) + tuple(int(d) for d in shape1)
    d2 = (1,) * (rank - len(shape2)) + tuple(int(d) for d in shape2)
    loops: list[list[int]] = []  # [extent, stride1, stride2], innermost first
    acc1 = acc2 = 1
    for a, b, o in reversed(list(zip(d1, d2, (int(d) for d in out_shape)))):
        if o < 1 or a not in (1, o) or b not in (1, o) or o not in (a, b):
            raise ValueError(f"shapes {list(shape1)} and {list(shape2)} do not broadcast to "
                             f"{list(out_shape)}")
        s1, s2 = (0 if a == 1 else acc1), (0 if b == 1 else acc2)
        acc1, acc2 = acc1 * a, acc2 * b
        if o == 1:
            continue
        if loops and s1 == loops[-1][1] * loops[-1][0] and s2 == loops[-1][2] * loops[-1][0]:
            loops[-1][0] *= o  # continues where the inner loop ends, for both inputs: merge
            continue
        loops.append([o, s1, s2])
    loops = loops[::-1] or [[1, 0, 0]]
    pad = max_dims - len(loops)
    return {"rank": len(loops), "shape": [n for n, _, _ in loops] + [1] * pad,
            "stride1": [s for _, s, _ in loops] + [0] * pad,
            "stride2": [s for _, _, s in loops] + [0] * pad}


def qparams(graph: Graph, t: int) -> tuple[float, int]:
    q = graph.tensors[t].quant
    return float(np.float32(q.scale[0])), int(q.zero_point[0])


class Binary(OpSpec):
    """A binary element-wise operator: ``arith`` gives its integer params from the scales."""

    header = "mb_binary.h"
    params_struct: Struct
    params_f32: Struct
    data: Struct
    data_f32: Struct

    @property
    def interp_files(self) -> tuple[str, ...]:  # type: ignore[override]
        k = self.kind.lower()
        return ("interp/mbi_binary.h", "interp/mbi_op_binary.c", f"interp/mbi_op_{k}.c",
                "kernels/broadcast.c", "kernels/requant.c", f"kernels/{k}.c", f"kernels/{k}_f32.c")

    def arith(self, s1, z1, s2, z2, so, zo, fused_act: str, dtype: str) -> dict:
        raise NotImplementedError

    def check(self, graph: Graph, op: Op) -> None:
        if len(op.inputs) != 2 or len(op.outputs) != 1 or min(op.inputs) < 0:
            raise ValueError("needs two inputs and one output")
        a, b, y = (graph.tensors[t] for t in (*op.inputs, op.outputs[0]))
        if y.is_const:
            raise ValueError("constant output; expected an activation")
        if not a.dtype == b.dtype == y.dtype or y.dtype not in DTYPES:
            raise ValueError(f"types {a.dtype}, {b.dtype} -> {y.dtype}; the kernels take one "
                             f"type of {', '.join(DTYPES)}")
        broadcast_loops(a.shape, b.shape, y.shape)
        if fused(op) not in F32_ACTIVATIONS:
            raise ValueError(f"fused activation {fused(op)!r} cannot be a clamp; "
                             f"valid: {', '.join(F32_ACTIVATIONS)}")
        if y.dtype == "float32":
            return
        for t in (a, b, y):
            if t.quant is None or t.quant.per_channel:
                raise ValueError(f"tensor {t.name!r} needs per-tensor quantization")
            zp = int(t.quant.zero_point[0])
            if not (-128 <= zp <= 127) or (y.dtype == "int16" and zp != 0):
                raise ValueError(f"tensor {t.name!r}: zero point {zp} (int8: -128..127, "
                                 "int16: 0)")
            if not 0 < float(t.quant.scale[0]) < 3e38:
                raise ValueError(f"tensor {t.name!r}: scale {t.quant.scale[0]}")
        self.params(graph, op)

    def params(self, graph: Graph, op: Op) -> dict:
        """The kernel's params fields (int8, int16)."""
        (s1, z1), (s2, z2), (so, zo) = (qparams(graph, t) for t in (*op.inputs, op.outputs[0]))
        return self.arith(s1, z1, s2, z2, so, zo, fused(op), graph.tensors[op.outputs[0]].dtype)

    def emit(self, gen, i: int, op: Op) -> None:
        g, p, kind = gen.g, f"op{i}", self.kind.lower()
        x1, x2, y = op.inputs[0], op.inputs[1], op.outputs[0]
        dtype = g.tensors[y].dtype
        gen.struct(f"{p}_loops", LOOPS(**broadcast_loops(g.tensors[x1].shape,
                                                         g.tensors[x2].shape,
                                                         g.tensors[y].shape)))
        if dtype == "float32":
            lo, hi = F32_ACTIVATIONS[fused(op)]
            gen.struct(f"{p}_params", self.params_f32(act_min=lo, act_max=hi))
            gen.use("kernels/broadcast.c", f"kernels/{kind}_f32.c")
        else:
            gen.struct(f"{p}_params", self.params_struct(**self.params(g, op)))
            gen.use("kernels/requant.c", "kernels/broadcast.c", f"kernels/{kind}.c")
        ctype = C_TYPES[dtype]

        def operand(t: int) -> str:
            return f"(const {ctype} *){gen.weight(t)}" if g.tensors[t].is_const \
                else gen.act(t, True)
        gen.calls.append(f"  mb_{kind}_{SUFFIX[dtype]}(&{p}_params, &{p}_loops, {operand(x1)}, "
                         f"{operand(x2)}, {gen.act(y, False)});")

    def interp_record(self, graph: Graph, op: Op) -> tuple:
        t = [graph.tensors[k].shape for k in (*op.inputs, op.outputs[0])]
        loops = broadcast_loops(*t)
        if graph.tensors[op.outputs[0]].dtype == "float32":
            lo, hi = F32_ACTIVATIONS[fused(op)]
            return self.data_f32, {"b": loops, "p": {"act_min": np.float32(lo),
                                                     "act_max": np.float32(hi)}}
        p = self.params(graph, op)
        return self.data, {"b": loops, "p": p}

    def interp_records(self, graph: Graph, op: Op) -> int:
        f32 = graph.tensors[op.outputs[0]].dtype == "float32"
        return record(self.data_f32 if f32 else self.data)
