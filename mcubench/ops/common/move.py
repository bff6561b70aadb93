"""What the data movement operators share (TRANSPOSE, STRIDED_SLICE, SPLIT, SPLIT_V, PACK, UNPACK,
CONCATENATION, PAD): operators that only move elements, for int8, int16 and float32 alike.

Each one becomes a short list of N-dimensional strided copies (``Copy``) run by one byte-generic
kernel, ``mb_copy_nd`` (runtime/kernels/copy_nd.c), plus a fill for PAD's border. The aot backend
emits the copies computed here; the interpreter's prepare functions (runtime/interp/mbi_op_*.c)
compute the same from the model at setup, and all run the one eval ``mbi_move_eval``.

Bytes are copied unchanged, as TFLite Micro does, so quantized tensors keep their quantization.
What TFLite Micro refuses is refused at LOAD with the reason (each operator's module says what).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...ir.graph import Graph, Op, Tensor
from ..base import OpSpec, records
from .cstruct import I32, RECORDS, U8, Const, Struct, fields

ELEM_BYTES = {"int8": 1, "int16": 2, "float32": 4}
MAX_DIMS = Const("MB_MOVE_MAX_DIMS", 6, "dimensions of one strided copy (the interpreter's rank "
                                       "limit)")

PARAMS = Struct(
    "mb_copy_nd_params", "Copy the elements of a `rank`-dimensional box: element (i0, .., ik) is "
                         "read at in + in_offset + sum(i_d * in_step[d]) and written at out + "
                         "out_offset + sum(i_d * out_step[d]). Offsets and steps are in bytes; "
                         "input steps may be negative (a reversed STRIDED_SLICE). Fixed-width "
                         "fields only: the interpreter keeps this struct in its arena.",
    fields(I32, "elem_bytes", doc="1, 2, 4 or 8"),
    fields(I32, "rank", doc="1..MB_MOVE_MAX_DIMS; unused entries below are ignored"),
    fields(I32, "shape", count=MAX_DIMS),
    fields(I32, "in_step", count=MAX_DIMS),
    fields(I32, "out_step", count=MAX_DIMS),
    fields(I32, "in_offset", "out_offset"))
DATA = Struct(
    "mbi_move_data", "The interpreter's record of a movement operator: this header, then one "
                     "mbi_move_copy per copy.",
    fields(I32, "copies", doc="mbi_move_copy records right after this one"),
    fields(I32, "fill", doc="1: the (first) output is filled with `value` before the copies"),
    fields(U8, "value", count=4),
    fields(I32, "pad"),
    header=RECORDS)
COPY = Struct("mbi_move_copy", "One copy of a movement operator in the interpreter.",
              fields(I32, "in", "out", doc="tensor indices"), fields(PARAMS, "p"), header=RECORDS)


@dataclass
class Copy:
    """The elements of a box of ``shape`` from tensor ``src`` to ``dst`` (steps and offsets in
    elements)."""

    src: int
    dst: int
    shape: list[int]
    in_step: list[int]
    out_step: list[int]
    in_offset: int = 0
    out_offset: int = 0


def dense_steps(shape) -> list[int]:
    """Row-major element steps of a shape."""
    steps, n = [], 1
    for d in reversed(list(shape)):
        steps.insert(0, n)
        n *= int(d)
    return steps


def axis_index(axis: int, rank: int, what: str = "axis") -> int:
    """A possibly negative axis as an index in [0, rank)."""
    if not -rank <= axis < rank:
        raise ValueError(f"{what} {axis} is outside [{-rank}, {rank}) for rank {rank}")
    return axis + rank if axis < 0 else axis


def const_ints(graph: Graph, t: int, what: str, allow64: bool = False) -> list[int]:
    """A constant int32 tensor's values (what TFLite Micro reads them as)."""
    tensor = graph.tensor(t)
    types = ("int32", "int64") if allow64 else ("int32",)
    if tensor is None or not tensor.is_const:
        raise ValueError(f"{what} must be a constant tensor (read once, when the model is "
                         "prepared)")
    if tensor.dtype not in types:
        raise ValueError(f"{what} is {tensor.dtype}; TFLite Micro reads it as "
                         f"{' or '.join(types)}")
    values = [int(v) for v in np.asarray(tensor.data).reshape(-1)]
    if any(not -(1 << 31) <= v < (1 << 31) for v in values):
        raise ValueError(f"{what} has values outside int32")
    return values


class Move(OpSpec):
    """What every movement operator shares: type checks, the aot emission and the interp record."""

    header = "mb_movement.h"
    kernels = ("copy_nd.c",)
    evaluate = "mbi_move_eval"
    max_rank = MAX_DIMS.value
    source = ""  # its file of runtime/interp/ ("": mbi_op_<kind>.c)

    @property
    def interp_sources(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("mbi_move.h", "mbi_op_move.c", self.source or f"mbi_op_{self.kind.lower()}.c")

    # what each operator defines -------------------------------------------------------------
    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        """The copies that make the output(s); raises ValueError for anything unsupported."""
        raise NotImplementedError

    def fill(self, graph: Graph, op: Op) -> bytes | None:
        """One element's bytes the output is filled with before the copies (PAD), or None."""
        return None

    # shared -----------------------------------------------------------------------------------
    def data(self, graph: Graph, t: int, role: str, rank: tuple[int, int] | None = None) -> Tensor:
        """A data tensor (not an index operand): a supported type and rank."""
        tensor = graph.tensor(t)
        if tensor is None:
            raise ValueError(f"{role} is missing")
        if tensor.dtype not in ELEM_BYTES:
            raise ValueError(f"{role} {tensor.name!r} is {tensor.dtype}; supported: "
                             + ", ".join(ELEM_BYTES))
        lo, hi = rank or (1, self.max_rank)
        if not lo <= len(tensor.shape) <= hi:
            raise ValueError(f"{role} {tensor.name!r} has rank {len(tensor.shape)}; {self.kind} "
                             f"supports ranks {lo}..{hi}")
        return tensor

    def io(self, graph: Graph, op: Op, ins, outs, rank=None, out_rank=None) \
            -> tuple[list[Tensor], list[Tensor]]:
        """The data inputs and outputs (tensor positions ``ins``/``outs``): one type, outputs in
        the arena; ranks in ``rank`` (outputs: ``out_rank``, default the same)."""
        xs = [self.data(graph, op.inputs[k] if k < len(op.inputs) else -1, f"input {k}", rank)
              for k in ins]
        ys = [self.data(graph, op.outputs[k] if k < len(op.outputs) else -1, f"output {k}",
                        out_rank or rank) for k in outs]
        for y in ys:
            if y.is_const:
                raise ValueError(f"output {y.name!r} is a constant")
        types = {t.dtype for t in xs + ys}
        if len(types) > 1:
            raise ValueError(f"inputs and outputs differ in type ({', '.join(sorted(types))}); "
                             "data movement keeps the type")
        return xs, ys

    def check(self, graph: Graph, op: Op) -> None:
        if any(int(np.prod(c.shape)) == 0 for c in self.copies(graph, op)):
            raise ValueError("an empty copy (a dimension of size 0)")

    def emit(self, gen, i: int, op: Op) -> None:
        g = gen.g
        copies = self.copies(g, op)
        y = op.outputs[0]
        elem = ELEM_BYTES[g.tensors[y].dtype]
        gen.use("kernels/copy_nd.c")

        def ptr(t: int, const: bool) -> str:
            if g.tensors[t].is_const:
                return gen.weight(t)
            return f"({'const ' if const else ''}void *)(mb_arena + {gen.plan.offsets[t]})"

        value = self.fill(g, op)
        if value is not None:
            name = gen.table(f"op{i}_fill", "uint8_t", list(value))
            gen.calls.append(f"  mb_fill({g.tensors[y].size}, {elem}, {name}, {ptr(y, False)});")
        for k, c in enumerate(copies):
            gen.struct(f"op{i}_copy{k}", PARAMS(**params(c, elem)))
            gen.calls.append(f"  mb_copy_nd(&op{i}_copy{k}, {ptr(c.src, True)}, "
                             f"{ptr(c.dst, False)});")

    def interp_record(self, graph: Graph, op: Op) -> tuple:
        """The header, then (the "then" entry) one mbi_move_copy record per copy."""
        from ..base import Table

        copies = self.copies(graph, op)
        elem = ELEM_BYTES[graph.tensors[op.outputs[0]].dtype]
        value = self.fill(graph, op)
        fields = {"copies": len(copies), "fill": int(value is not None),
                  "then": Table(COPY, [{"in_": c.src, "out": c.dst, "p": params(c, elem)}
                                       for c in copies])}
        if value is not None:
            fields["value"] = list(value) + [0] * (4 - len(value))
        return DATA, fields

    def interp_records(self, graph: Graph, op: Op) -> int:
        return records(1, DATA.size() + COPY.size() * len(self.copies(graph, op)))


def params(c: Copy, elem: int) -> dict:
    """The mb_copy_nd_params fields of a copy (bytes)."""
    return {"elem_bytes": elem, "rank": len(c.shape), "shape": list(c.shape),
            "in_step": [s * elem for s in c.in_step], "out_step": [s * elem for s in c.out_step],
            "in_offset": c.in_offset * elem, "out_offset": c.out_offset * elem}


def split_copies(src: int, x: Tensor, axis: int, outs: list[int], graph: Graph) -> list[Copy]:
    """One copy per output, each the next block of the input along `axis`."""
    steps, copies, offset = dense_steps(x.shape), [], 0
    for t in outs:
        shape = list(graph.tensors[t].shape)
        copies.append(Copy(src, t, shape, steps, dense_steps(shape),
                           in_offset=offset * steps[axis]))
        offset += shape[axis]
    return copies


def check_split_shapes(x: Tensor, ys: list[Tensor], axis: int) -> None:
    for y in ys:
        if len(y.shape) != len(x.shape) or any(
                a != b for k, (a, b) in enumerate(zip(x.shape, y.shape)) if k != axis):
            raise ValueError(f"output shape {list(y.shape)} does not match input "
                             f"{list(x.shape)} outside axis {axis}")
    total = sum(int(y.shape[axis]) for y in ys)
    if total != x.shape[axis]:
        raise ValueError(f"outputs add up to {total} along axis {axis}, the input has "
                         f"{x.shape[axis]}")
