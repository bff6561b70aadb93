"""TRANSPOSE, STRIDED_SLICE, SPLIT, SPLIT_V, PACK, UNPACK, CONCATENATION and PAD: operators that
only move elements, for int8, int16 and float32 alike.

Each one becomes a short list of N-dimensional strided copies (``Copy``) run by one byte-generic
kernel, ``mb_copy_nd`` (runtime/kernels/copy_nd.c), plus a fill for PAD's border. The aot backend
emits the copies computed here; the interpreter's prepare functions (runtime/interp/mbi_op_*.c)
compute the same from the model at setup, and all run the one eval ``mbi_move_eval``.

Bytes are copied unchanged, as TFLite Micro does, so quantized tensors keep their quantization.
What TFLite Micro refuses is refused here at LOAD with the reason: its rank limits (TRANSPOSE and
PAD 5, STRIDED_SLICE 4), CONCATENATION of more than 10 inputs, with a fused activation, or with int8
inputs whose scale or zero point differ from the output's (int16: zero points other than 0),
STRIDED_SLICE's ellipsis/new-axis masks and ``offset`` (TFLite Micro ignores them), non-constant
axis/paddings/begin/end/strides. PAD also takes int64 paddings (TFLite Micro misreads them as int32;
here they are read as what they are).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..ir.graph import Graph, Op, Tensor
from .base import OpSpec, records

ELEM_BYTES = {"int8": 1, "int16": 2, "float32": 4}
MAX_DIMS = 6  # runtime/include/mb_movement.h MB_MOVE_MAX_DIMS (and the interpreter's rank limit)
MAX_CONCAT_INPUTS = 10  # TFLite Micro's kMaxInputNum
# runtime/interp/mbi_move.h: one mbi_move_data header, then one mbi_move_copy per copy
MOVE_DATA, MOVE_COPY = 16, 96


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


def _axis(axis: int, rank: int, what: str = "axis") -> int:
    """A possibly negative axis as an index in [0, rank)."""
    if not -rank <= axis < rank:
        raise ValueError(f"{what} {axis} is outside [{-rank}, {rank}) for rank {rank}")
    return axis + rank if axis < 0 else axis


def _ints(graph: Graph, t: int, what: str, allow64: bool = False) -> list[int]:
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


class _Move(OpSpec):
    """What every movement operator shares: type checks, the aot emission and the interp record."""

    header = "mb_movement.h"
    kernels = ("copy_nd.c",)
    evaluate = "mbi_move_eval"
    max_rank = MAX_DIMS
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
        gen.kernels.add("copy_nd.c")

        def ptr(t: int, const: bool) -> str:
            if g.tensors[t].is_const:
                return gen.weight(t)
            return f"({'const ' if const else ''}void *)(mb_arena + {gen.plan.offsets[t]})"

        value = self.fill(g, op)
        if value is not None:
            name = gen.table(f"op{i}_fill", "uint8_t", list(value))
            gen.calls.append(f"  mb_fill({g.tensors[y].size}, {elem}, {name}, {ptr(y, False)});")
        for k, c in enumerate(copies):
            fields = params(c, elem)
            gen.struct("mb_copy_nd_params", f"op{i}_copy{k}",
                       {f: "{" + ", ".join(map(str, v)) + "}" if isinstance(v, list) else v
                        for f, v in fields.items()})
            gen.calls.append(f"  mb_copy_nd(&op{i}_copy{k}, {ptr(c.src, True)}, "
                             f"{ptr(c.dst, False)});")

    def interp_records(self, graph: Graph, op: Op) -> int:
        return records(1, MOVE_DATA + MOVE_COPY * len(self.copies(graph, op)))


def params(c: Copy, elem: int) -> dict:
    """The mb_copy_nd_params fields of a copy (bytes)."""
    return {"elem_bytes": elem, "rank": len(c.shape), "shape": list(c.shape),
            "in_step": [s * elem for s in c.in_step], "out_step": [s * elem for s in c.out_step],
            "in_offset": c.in_offset * elem, "out_offset": c.out_offset * elem}


class Transpose(_Move):
    kind = "TRANSPOSE"
    code = 39
    max_rank = 5  # TFLite Micro: "only supports 1D-5D input arrays"

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if len(op.inputs) != 2 or len(op.outputs) != 1:
            raise ValueError("needs inputs (input, perm) and one output")
        (x,), (y,) = self.io(graph, op, [0], [0])
        perm = _ints(graph, op.inputs[1], "perm")
        r = len(x.shape)
        if sorted(perm) != list(range(r)):
            raise ValueError(f"perm {perm} is not a permutation of 0..{r - 1}")
        want = tuple(x.shape[p] for p in perm)
        if tuple(y.shape) != want:
            raise ValueError(f"output shape {list(y.shape)} is not the permuted {list(want)}")
        steps = dense_steps(x.shape)
        return [Copy(op.inputs[0], op.outputs[0], list(want), [steps[p] for p in perm],
                     dense_steps(want))]


def slice_axis(size: int, begin: int, end: int, stride: int, begin_mask: bool, end_mask: bool,
               shrink: bool) -> tuple[int, int]:
    """(first index, element count) along one axis, TFLite Micro's strided slice arithmetic:
    negative indices count from the end, then clamp to [0, size] (stride > 0) or [-1, size - 1]
    (stride < 0); the masks take the whole axis; a shrunk axis takes one element."""
    lo, hi = (0, size) if stride > 0 else (-1, size - 1)
    start = min(max(begin + size if begin < 0 else begin, lo), hi)
    if begin_mask:
        start = 0 if stride > 0 else size - 1
    if shrink:
        if stride < 0 or not 0 <= start < size:
            # TFLite Micro then writes nothing (stride < 0) or reads past the axis
            raise ValueError(f"shrink_axis_mask on an axis of size {size} with begin {begin} and "
                             f"stride {stride}: TFLite Micro needs a positive stride and begin "
                             "inside the axis there")
        return start, 1
    stop = min(max(end + size if end < 0 else end, lo), hi)
    if end_mask:
        stop = size if stride > 0 else -1
    count = -((stop - start) // -stride) if stride > 0 else -((start - stop) // stride)
    return start, max(count, 0)


class StridedSlice(_Move):
    kind = "STRIDED_SLICE"
    code = 45
    max_rank = 4  # TFLite Micro: "input dim should not exceed 4"

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if len(op.inputs) != 4 or len(op.outputs) != 1:
            raise ValueError("needs inputs (input, begin, end, strides) and one output")
        # all axes shrunk: a scalar
        (x,), (y,) = self.io(graph, op, [0], [0], out_rank=(0, self.max_rank))
        o = op.options
        for key in ("ellipsis_mask", "new_axis_mask"):
            if int(o.get(key, 0)):
                raise ValueError(f"{key}={o[key]} is not supported (TFLite Micro ignores it)")
        if o.get("offset", False):
            raise ValueError("offset=true is not supported (TFLite Micro ignores it)")
        r = len(x.shape)
        begin, end, strides = (_ints(graph, op.inputs[k], n)
                               for k, n in ((1, "begin"), (2, "end"), (3, "strides")))
        if not len(begin) == len(end) == len(strides) == r:
            raise ValueError(f"begin, end and strides need {r} values each (the input's rank), "
                             f"got {len(begin)}, {len(end)}, {len(strides)}")
        if 0 in strides:
            raise ValueError(f"strides {strides} has a zero")
        bm, em, sm = (int(o.get(k, 0)) for k in ("begin_mask", "end_mask", "shrink_axis_mask"))
        starts, counts = [], []
        for a in range(r):
            s, n = slice_axis(int(x.shape[a]), begin[a], end[a], strides[a], bool(bm >> a & 1),
                              bool(em >> a & 1), bool(sm >> a & 1))
            starts.append(s)
            counts.append(n)
        want = [n for a, n in enumerate(counts) if not sm >> a & 1]
        if list(y.shape) != want:
            raise ValueError(f"output shape {list(y.shape)} is not the slice's {want}")
        steps = dense_steps(x.shape)
        return [Copy(op.inputs[0], op.outputs[0], counts,
                     [steps[a] * strides[a] for a in range(r)], dense_steps(counts),
                     in_offset=sum(s * st for s, st in zip(starts, steps)))]


def _split_copies(src: int, x: Tensor, axis: int, outs: list[int], graph: Graph) -> list[Copy]:
    """One copy per output, each the next block of the input along `axis`."""
    steps, copies, offset = dense_steps(x.shape), [], 0
    for t in outs:
        shape = list(graph.tensors[t].shape)
        copies.append(Copy(src, t, shape, steps, dense_steps(shape),
                           in_offset=offset * steps[axis]))
        offset += shape[axis]
    return copies


def _check_split_shapes(x: Tensor, ys: list[Tensor], axis: int) -> None:
    for y in ys:
        if len(y.shape) != len(x.shape) or any(
                a != b for k, (a, b) in enumerate(zip(x.shape, y.shape)) if k != axis):
            raise ValueError(f"output shape {list(y.shape)} does not match input "
                             f"{list(x.shape)} outside axis {axis}")
    total = sum(int(y.shape[axis]) for y in ys)
    if total != x.shape[axis]:
        raise ValueError(f"outputs add up to {total} along axis {axis}, the input has "
                         f"{x.shape[axis]}")


class Split(_Move):
    kind = "SPLIT"
    code = 49

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if len(op.inputs) != 2 or not op.outputs:
            raise ValueError("needs inputs (axis, input) and at least one output")
        (x,), ys = self.io(graph, op, [1], range(len(op.outputs)))
        axis = _ints(graph, op.inputs[0], "axis")
        if len(axis) != 1:
            raise ValueError(f"axis has {len(axis)} values, expected one")
        a = _axis(axis[0], len(x.shape))
        n = int(op.options.get("num_splits", 0)) or len(ys)  # 0: not given
        if n != len(ys) or x.shape[a] % n:
            raise ValueError(f"num_splits={n} with {len(ys)} outputs for a dimension of "
                             f"{x.shape[a]}: needs one output per equal part")
        if any(tuple(y.shape) != tuple(ys[0].shape) for y in ys):
            raise ValueError("outputs of different shapes; SPLIT makes equal parts")
        _check_split_shapes(x, ys, a)
        return _split_copies(op.inputs[1], x, a, list(op.outputs), graph)


class SplitV(_Move):
    kind = "SPLIT_V"
    code = 102
    source = "mbi_op_split.c"

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if len(op.inputs) != 3 or not op.outputs:
            raise ValueError("needs inputs (input, size_splits, axis) and at least one output")
        (x,), ys = self.io(graph, op, [0], range(len(op.outputs)))
        axis = _ints(graph, op.inputs[2], "axis")
        if len(axis) != 1:
            raise ValueError(f"axis has {len(axis)} values, expected one")
        a = _axis(axis[0], len(x.shape))
        n = int(op.options.get("num_splits", 0)) or len(ys)
        if n != len(ys):
            raise ValueError(f"num_splits={n} with {len(ys)} outputs")
        _check_split_shapes(x, ys, a)
        sizes_t = graph.tensor(op.inputs[1])
        if sizes_t is not None and sizes_t.is_const:  # else TFLite Micro goes by the outputs too
            sizes = _ints(graph, op.inputs[1], "size_splits", allow64=True)
            if sizes.count(-1) == 1:
                sizes[sizes.index(-1)] = int(x.shape[a]) - (sum(sizes) + 1)
            if sizes != [int(y.shape[a]) for y in ys]:
                raise ValueError(f"size_splits {sizes} does not match the outputs' sizes "
                                 f"{[int(y.shape[a]) for y in ys]} along axis {a}")
        return _split_copies(op.inputs[0], x, a, list(op.outputs), graph)


class Unpack(_Move):
    kind = "UNPACK"
    code = 88

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if len(op.inputs) != 1 or not op.outputs:
            raise ValueError("needs one input and at least one output")
        (x,), ys = self.io(graph, op, [0], range(len(op.outputs)),
                           out_rank=(0, self.max_rank - 1))
        a = _axis(int(op.options.get("axis", 0)), len(x.shape))
        num = int(op.options.get("num", 0))  # TFLite Micro writes `num` outputs
        if not num == len(ys) == x.shape[a]:
            raise ValueError(f"num={num} with {len(ys)} outputs, the input has {x.shape[a]} "
                             f"along axis {a}")
        want = tuple(d for k, d in enumerate(x.shape) if k != a)
        for y in ys:
            if tuple(y.shape) != want:
                raise ValueError(f"output {y.name!r} has shape {list(y.shape)}, expected "
                                 f"{list(want)}")
        steps = dense_steps(x.shape)
        box = [1 if k == a else int(d) for k, d in enumerate(x.shape)]
        return [Copy(op.inputs[0], t, box, steps, dense_steps(box), in_offset=k * steps[a])
                for k, t in enumerate(op.outputs)]


class Pack(_Move):
    kind = "PACK"
    code = 83

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if not op.inputs or len(op.outputs) != 1:
            raise ValueError("needs at least one input and one output")
        xs, (y,) = self.io(graph, op, range(len(op.inputs)), [0], (0, self.max_rank - 1),
                           (1, self.max_rank))
        n = int(op.options.get("values_count", 0))  # TFLite Micro reads `values_count` inputs
        if n != len(xs):
            raise ValueError(f"values_count={n} with {len(xs)} inputs")
        a = _axis(int(op.options.get("axis", 0)), len(y.shape))
        shape = tuple(xs[0].shape)
        for x in xs:
            if tuple(x.shape) != shape:
                raise ValueError(f"input {x.name!r} has shape {list(x.shape)}, input 0 "
                                 f"{list(shape)}; PACK needs one shape")
        want = shape[:a] + (len(xs),) + shape[a:]
        if tuple(y.shape) != want:
            raise ValueError(f"output shape {list(y.shape)} is not the packed {list(want)}")
        steps = dense_steps(y.shape)
        box = [1 if k == a else int(d) for k, d in enumerate(y.shape)]
        return [Copy(t, op.outputs[0], box, dense_steps(box), steps, out_offset=k * steps[a])
                for k, t in enumerate(op.inputs)]


class Concatenation(_Move):
    kind = "CONCATENATION"
    code = 2

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        if not 1 <= len(op.inputs) <= MAX_CONCAT_INPUTS or len(op.outputs) != 1:
            raise ValueError(f"has {len(op.inputs)} inputs; TFLite Micro takes 1.."
                             f"{MAX_CONCAT_INPUTS} (and one output)")
        xs, (y,) = self.io(graph, op, range(len(op.inputs)), [0])
        act = op.options.get("fused_activation_function", "NONE")
        if act not in ("NONE", 0):
            raise ValueError(f"fused activation {act}: TFLite Micro supports NONE only")
        a = _axis(int(op.options.get("axis", 0)), len(y.shape))
        offset, steps, copies = 0, dense_steps(y.shape), []
        for t, x in zip(op.inputs, xs):
            if len(x.shape) != len(y.shape) or any(
                    p != q for k, (p, q) in enumerate(zip(x.shape, y.shape)) if k != a):
                raise ValueError(f"input shape {list(x.shape)} does not fit output "
                                 f"{list(y.shape)} outside axis {a}")
            self._quant(x, y)
            copies.append(Copy(t, op.outputs[0], list(x.shape), dense_steps(x.shape), steps,
                               out_offset=offset * steps[a]))
            offset += int(x.shape[a])
        if offset != y.shape[a]:
            raise ValueError(f"inputs add up to {offset} along axis {a}, the output has "
                             f"{y.shape[a]}")
        return copies

    @staticmethod
    def _quant(x: Tensor, y: Tensor) -> None:
        """TFLite Micro copies bytes, so it insists that they mean the same in and out."""
        def sz(t: Tensor) -> tuple[float, int]:
            if t.quant is None:
                return 0.0, 0
            return float(np.float32(t.quant.scale[0])), int(t.quant.zero_point[0])
        if x.dtype == "int8" and sz(x) != sz(y):
            raise ValueError(f"int8 input {x.name!r} (scale, zero point) {sz(x)} differs from the "
                             f"output's {sz(y)}; TFLite Micro requires them equal")
        if x.dtype == "int16" and (sz(x)[1] or sz(y)[1]):
            raise ValueError("int16 zero points must be 0 (TFLite Micro)")


class Pad(_Move):
    kind = "PAD"
    code = 34
    max_rank = 5  # TFLite Micro's PadKernelMaxDimensionCount

    def _parts(self, graph: Graph, op: Op):
        if len(op.inputs) not in (2, 3) or len(op.outputs) != 1:
            raise ValueError("needs inputs (input, paddings[, constant_values]) and one output")
        (x,), (y,) = self.io(graph, op, [0], [0])
        r = len(x.shape)
        pads = _ints(graph, op.inputs[1], "paddings", allow64=True)
        if len(pads) != 2 * r or len(y.shape) != r:
            raise ValueError(f"paddings has {len(pads)} values for input rank {r} and output rank "
                             f"{len(y.shape)}; needs one (before, after) pair per dimension")
        if min(pads) < 0:
            raise ValueError(f"paddings {pads} has a negative value")
        want = [int(d) + pads[2 * k] + pads[2 * k + 1] for k, d in enumerate(x.shape)]
        if list(y.shape) != want:
            raise ValueError(f"output shape {list(y.shape)} is not the padded {want}")
        return x, y, pads

    def copies(self, graph: Graph, op: Op) -> list[Copy]:
        x, y, pads = self._parts(graph, op)
        self.fill(graph, op)
        steps = dense_steps(y.shape)
        return [Copy(op.inputs[0], op.outputs[0], list(x.shape), dense_steps(x.shape), steps,
                     out_offset=sum(pads[2 * k] * s for k, s in enumerate(steps)))]

    def fill(self, graph: Graph, op: Op) -> bytes:
        """TFLite Micro's pad value: constant_values if given, else the int8 output's zero point,
        0 for int16 and 0.0 for float32."""
        x, y, _ = self._parts(graph, op)
        dtype = np.dtype(y.dtype).newbyteorder("<")
        if len(op.inputs) == 3 and op.inputs[2] >= 0:
            c = graph.tensors[op.inputs[2]]
            if not c.is_const or c.dtype != y.dtype or c.size != 1:
                raise ValueError(f"constant_values must be one constant {y.dtype} value")
            if y.dtype == "int8" and (c.quant is None or y.quant is None or
                                      np.float32(c.quant.scale[0]) != np.float32(y.quant.scale[0])
                                      or int(c.quant.zero_point[0]) != int(y.quant.zero_point[0])):
                raise ValueError("int8 constant_values needs the output's scale and zero point "
                                 "(TFLite Micro)")
            return np.asarray(c.data, dtype).reshape(-1)[:1].tobytes()
        zp = int(y.quant.zero_point[0]) if y.dtype == "int8" and y.quant is not None else 0
        return np.array([zp], dtype).tobytes()
