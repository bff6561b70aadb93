"""What the operators that reduce or index along axes share: the reductions MEAN, SUM,
REDUCE_MAX, REDUCE_MIN and REDUCE_ALL (one loop nest, ``reduce_loops``, and one base class), the
constant axis operand of those and of ARG_MAX, ARG_MIN and CUMSUM (``const_axes``, ``split_at``),
and the data and index operands of GATHER, GATHER_ND and EMBEDDING_LOOKUP (``gathered``,
``indices``, ``operand``).

A reduction over any set of axes of a tensor of rank 1..6 becomes at most four (kept, reduced)
pairs of runs: axes of extent 1 are dropped, neighbouring axes of the same kind merged, so the
input is [outer0, inner0, outer1, inner1, outer2, inner2, outer3, inner3] in memory order. Each
output (in order over the outer extents) takes its inputs in memory order, as TFLite Micro's
Reduce does, so float sums and the choice between equal extremes (+0 and -0) come out the same.
The interpreter's setup (runtime/interp/mbi_reduce.c) computes the same loops from the model.
"""
from __future__ import annotations

import numpy as np

from ...ir.graph import Graph, Op, Tensor
from ..base import INT8_F32, INT8_INT16_F32, OpSpec
from .cstruct import I32, Const, Struct, fields
from .qmath import SHORT, qparams, requant_multiplier

MAX_RANK = 6  # the interpreter's tensor rank limit
RUNS = Const("MB_REDUCE_RUNS", 4, "(kept, reduced) pairs of a reduction's loop nest: enough for "
                                  "any set of axes of a rank-6 tensor")

PARAMS = Struct(
    "mb_reduce_params", "A reduction (MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_ALL) over any set "
                        "of axes of a tensor of rank 1..6: the input is outer[0] x inner[0] x "
                        "outer[1] x inner[1] x .. in memory order, the output outer[0] x outer[1] "
                        "x .., each output the reduction of its inner[0] x inner[1] x .. inputs.",
    fields(I32, "outer", "inner", count=RUNS),
    fields(I32, "count", doc="inputs per output: the product of inner"),
    fields(I32, "input_zp", "output_zp", doc="integer MEAN and SUM"),
    fields(I32, "mult", "shift", doc="the requantization of the int32 sum minus count x "
                                     "input_zp (MEAN: 1/count folded in)"))
SHORT_BOOL = {**SHORT, "bool": "bool"}  # kernel name suffixes, bool included


def const_axes(graph: Graph, op: Op, rank: int, k: int = 1, one: bool = False) -> list[int]:
    """The values of operand k, a constant int32 axis tensor, each checked against `rank`
    (negative ones allowed); `one`: exactly one value."""
    if len(op.inputs) <= k or op.inputs[k] < 0:
        raise ValueError("the axis operand is missing")
    axis = graph.tensors[op.inputs[k]]
    if not axis.is_const or axis.dtype != "int32":
        raise ValueError(f"axis {axis.name!r} must be a constant int32 tensor (is {axis.dtype}"
                         f"{'' if axis.is_const else ', not constant'})")
    values = [int(a) for a in np.asarray(axis.data).ravel()]
    if not values:
        raise ValueError(f"axis {axis.name!r} is empty (an identity); mcubench needs at least "
                         "one axis")
    if one and len(values) != 1:
        raise ValueError(f"axis {axis.name!r} has {len(values)} values; expected one")
    if any(not -rank <= a < rank for a in values):
        raise ValueError(f"axes {values} for rank {rank}: each must be in [{-rank}, {rank})")
    return values


def activation(t: Tensor, role: str) -> Tensor:
    """An activation (not a constant) of rank 1..6 with no empty axis."""
    if t.is_const:
        raise ValueError(f"{role} {t.name!r} is a constant; expected an activation")
    if not 1 <= len(t.shape) <= MAX_RANK or 0 in t.shape:
        raise ValueError(f"{role} {t.name!r} has shape {list(t.shape)}; expected rank "
                         f"1..{MAX_RANK}, no empty axis")
    return t


def split_at(shape, axis: int) -> tuple[int, int, int]:
    """(outer, extent, inner): the elements before axis, along it, and after it."""
    return (int(np.prod(shape[:axis], dtype=np.int64)), int(shape[axis]),
            int(np.prod(shape[axis + 1:], dtype=np.int64)))


def rows(graph: Graph, op: Op, max_rank: int = MAX_RANK) -> tuple[Tensor, Tensor, int, int]:
    """Input, output, rows and depth of an operator over the last axis of one int8 or float32
    tensor (LOG_SOFTMAX, L2_NORMALIZATION: TFLite Micro's types), with its checks."""
    if len(op.inputs) != 1 or op.inputs[0] < 0 or len(op.outputs) != 1:
        raise ValueError("needs one input and one output")
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.dtype != y.dtype or x.dtype not in ("int8", "float32"):
        raise ValueError(f"{x.dtype} -> {y.dtype}; TFLite Micro takes int8 or float32, the same "
                         "in and out")
    if x.is_const or y.is_const or tuple(x.shape) != tuple(y.shape) or \
            not 1 <= len(x.shape) <= max_rank:
        raise ValueError(f"shapes {list(x.shape)} -> {list(y.shape)}: expected activations of "
                         f"one shape, rank 1..{max_rank}")
    depth = int(x.shape[-1])
    return x, y, x.size // depth, depth


def reduce_loops(shape, reduced: set[int]) -> dict:
    """The mb_reduce_params loop fields (outer, inner, count) for a reduction of `shape` over the
    axes in `reduced` (0..rank-1)."""
    runs = RUNS.value
    outer, inner = [1] * runs, [1] * runs
    j, has_inner = 0, False
    for k, d in enumerate(int(d) for d in shape):
        if d == 1:
            continue
        if k in reduced:
            inner[j] *= d
            has_inner = True
        else:  # a kept run after a reduced one starts the next pair
            if has_inner:
                j, has_inner = j + 1, False
            outer[j] *= d
    return {"outer": outer, "inner": inner, "count": int(np.prod(inner))}


def reduce_operands(graph: Graph, op: Op) -> tuple[Tensor, Tensor, set[int]]:
    """Input, output and the reduced axes (0..rank-1) of a reduction, with its shape checks."""
    if len(op.inputs) != 2 or min(op.inputs) < 0 or len(op.outputs) != 1:
        raise ValueError("needs an input, an axis tensor and one output")
    x = activation(graph.tensors[op.inputs[0]], "input")
    y = graph.tensors[op.outputs[0]]
    if y.is_const:
        raise ValueError("constant output; expected an activation")
    rank = len(x.shape)
    reduced = {a % rank for a in const_axes(graph, op, rank)}
    kept = x.size // int(np.prod([x.shape[a] for a in reduced]))
    if y.size != kept:
        raise ValueError(f"output {list(y.shape)} does not fit the reduction of {list(x.shape)} "
                         f"over axes {sorted(reduced)}")
    return x, y, reduced


class OneCall(OpSpec):
    """An operator run by one kernel call, ``fn(&params, operands.., output)``, whose params
    struct is also its interpreter record (``record_struct``): subclasses give ``params`` (the
    fields, with the LOAD checks) and ``kernel_of`` (the function and files per input type), and
    ``operands`` where the kernel takes more than the first input. A ``fallible`` kernel returns
    nonzero for an index out of range, and invoke then fails with MB_ERR_INDEX."""

    fallible = False

    def params(self, graph: Graph, op: Op) -> dict:
        raise NotImplementedError

    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        """(C function, runtime files) of the kernel for an input of `dtype`."""
        raise NotImplementedError

    def operands(self, gen, op: Op) -> list[str]:
        return [gen.act(op.inputs[0], True)]

    def check(self, graph: Graph, op: Op) -> None:
        self.params(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        fn, files = self.kernel_of(gen.g.tensors[op.inputs[0]].dtype)
        gen.use(*files)
        gen.struct(f"op{i}_params", self.record_struct(**self.params(gen.g, op)))
        call = f"{fn}(&op{i}_params, {', '.join(self.operands(gen, op))}, " \
               f"{gen.act(op.outputs[0], False)})"
        if self.fallible:
            gen.fallible(call, "MB_ERR_INDEX")
        else:
            gen.calls.append(f"  {call};")

    def record_values(self, graph: Graph, op: Op) -> dict:
        return self.params(graph, op)


def f32_or_s8(stem: str, f32_files: tuple[str, ...], s8_files: tuple[str, ...]):
    """A ``kernel_of`` for kernels mb_<stem>_f32 / mb_<stem>_s8 in those runtime files."""
    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        f32 = dtype == "float32"
        return f"mb_{stem}_{'f32' if f32 else 's8'}", f32_files if f32 else s8_files
    return kernel_of


class Reduction(OneCall):
    """A reduction over the axes of a constant int32 tensor (keep_dims either way: the output's
    bytes are the same). Subclasses name their kernel per type (``kernel_of``) and, for
    integers, the requantization (``quant``)."""

    options = "ReducerOptions"
    header = "mb_reduce.h"
    record_struct = PARAMS

    def quant(self, x: Tensor, y: Tensor, count: int) -> dict:
        """input_zp, output_zp, mult, shift of an integer reduction (default: none needed)."""
        return {"input_zp": 0, "output_zp": 0, "mult": 0, "shift": 0}

    def params(self, graph: Graph, op: Op) -> dict:
        """mb_reduce_params, with the LOAD checks."""
        x, y, reduced = reduce_operands(graph, op)
        if x.dtype != y.dtype or x.dtype not in self.types:
            raise ValueError(f"{x.dtype} -> {y.dtype}; supported: {', '.join(self.types)}, the "
                             "same type in and out")
        p = reduce_loops(x.shape, reduced)
        return {**p, **self.quant(x, y, p["count"])}


class QuantizedSum(Reduction):
    """MEAN and SUM: int8 and int16 share TFLite Micro's QuantizedMeanOrSum (kernels/reduce.c),
    MEAN with 1/count folded into the multiplier; float32 sums, MEAN then divides."""

    types = INT8_INT16_F32
    kernels = ("reduce.c", "reduce_f32.c", "requant.c")
    mean = False

    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        if dtype == "float32":
            return f"mb_reduce_{'mean' if self.mean else 'sum'}_f32", ("kernels/reduce_f32.c",)
        return f"mb_reduce_sum_{SHORT[dtype]}", ("kernels/reduce.c", "kernels/requant.c")

    def quant(self, x: Tensor, y: Tensor, count: int) -> dict:
        if x.dtype == "float32":
            return super().quant(x, y, count)
        (si, zi), (so, zo) = qparams(x), qparams(y)
        mult, shift = requant_multiplier(si, so)
        if self.mean:  # QuantizedMeanOrSum: 1/count folded in, keeping the multiplier's precision
            up = min(count.bit_length() - 1, 32, 31 + shift)
            mult, shift = (mult << up) // count, shift - up
        return {"input_zp": zi, "output_zp": zo, "mult": mult, "shift": shift}


class Extreme(Reduction):
    """REDUCE_MAX and REDUCE_MIN of int8 (no requantization: TFLite Micro's Eval insists) and
    float32 (kernels/reduce_minmax.c)."""

    types = INT8_F32
    kernels = ("reduce_minmax.c",)
    interp_sources = ("mbi_reduce.h", "mbi_reduce.c", "mbi_op_reduce_minmax.c")
    prepare = "mbi_reduce_minmax_prepare"
    which = ""  # "max" or "min"

    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        return f"mb_reduce_{self.which}_{'f32' if dtype == 'float32' else 's8'}", \
            ("kernels/reduce_minmax.c",)

    def quant(self, x: Tensor, y: Tensor, count: int) -> dict:
        if x.dtype == "int8":
            same_quant(x, y, self.kind)
        return super().quant(x, y, count)


def same_quant(x: Tensor, y: Tensor, what: str) -> None:
    """No requantization: what REDUCE_MAX/MIN of int8 need (TFLite Micro's Eval insists)."""
    (si, zi), (so, zo) = qparams(x), qparams(y)
    if si != so or zi != zo:
        raise ValueError(f"{what} of int8 needs the input's quantization on the output (TFLite "
                         f"Micro refuses otherwise): scale {si:g} -> {so:g}, zero point {zi} -> "
                         f"{zo}")


# --- ARG_MAX, ARG_MIN ----------------------------------------------------------------------------

ARG_PARAMS = Struct(
    "mb_arg_params", "ARG_MAX or ARG_MIN along one axis: the input is outer x extent x inner, "
                     "the int32 output outer x inner.",
    fields(I32, "outer", "extent", "inner"))


class ArgReduce(OneCall):
    """ARG_MAX / ARG_MIN of int8 or float32 into int32 (TFLite Micro's types), along the axis of
    a constant int32 tensor of one value (TFLite Micro reads its first; the converter writes
    one)."""

    types = ("int8->int32", "float32->int32")
    header = "mb_reduce.h"
    kernels = ("arg_min_max.c", "arg_min_max_f32.c")
    interp_sources = ("mbi_reduce.h", "mbi_reduce.c", "mbi_op_arg_min_max.c")
    record_struct = ARG_PARAMS
    prepare = "mbi_arg_min_max_prepare"
    which = ""  # "max" or "min"

    def params(self, graph: Graph, op: Op) -> dict:
        if len(op.inputs) != 2 or min(op.inputs) < 0 or len(op.outputs) != 1:
            raise ValueError("needs an input, an axis tensor and one output")
        x = activation(graph.tensors[op.inputs[0]], "input")
        y = graph.tensors[op.outputs[0]]
        if f"{x.dtype}->{y.dtype}" not in self.types:
            raise ValueError(f"{x.dtype} -> {y.dtype}; TFLite Micro takes "
                             f"{', '.join(self.types)} (an int32 output only)")
        if y.is_const:
            raise ValueError("constant output; expected an activation")
        axis = const_axes(graph, op, len(x.shape), one=True)[0] % len(x.shape)
        outer, extent, inner = split_at(x.shape, axis)
        if y.size != outer * inner:
            raise ValueError(f"output {list(y.shape)} does not fit {list(x.shape)} without axis "
                             f"{axis}")
        return {"outer": outer, "extent": extent, "inner": inner}

    def kernel_of(self, dtype: str) -> tuple[str, tuple[str, ...]]:
        f32 = dtype == "float32"
        return f"mb_arg_{self.which}_{'f32' if f32 else 's8'}", \
            (f"kernels/arg_min_max{'_f32' if f32 else ''}.c",)


# --- GATHER, GATHER_ND, EMBEDDING_LOOKUP ---------------------------------------------------------

ELEM_BYTES = {"int8": 1, "int16": 2, "int32": 4, "float32": 4}


def gathered(graph: Graph, k: int, role: str, types=("int8", "float32")) -> Tensor:
    """The data operand of a gather: a constant or an activation of one of `types` (TFLite
    Micro's), rank 1..6."""
    if k < 0:
        raise ValueError(f"{role} is missing")
    t = graph.tensors[k]
    if t.dtype not in types:
        raise ValueError(f"{role} {t.name!r} is {t.dtype}; TFLite Micro takes "
                         f"{' or '.join(types)}")
    if not 1 <= len(t.shape) <= MAX_RANK or 0 in t.shape:
        raise ValueError(f"{role} {t.name!r} has shape {list(t.shape)}; expected rank "
                         f"1..{MAX_RANK}, no empty axis")
    return t


def indices(graph: Graph, k: int, role: str) -> Tensor:
    """An int32 index operand (constant or activation); TFLite Micro takes no other type."""
    if k < 0:
        raise ValueError(f"{role} is missing")
    t = graph.tensors[k]
    if t.dtype != "int32":
        raise ValueError(f"{role} {t.name!r} is {t.dtype}; TFLite Micro takes int32 indices")
    if len(t.shape) > MAX_RANK or 0 in t.shape:
        raise ValueError(f"{role} {t.name!r} has shape {list(t.shape)}; expected rank "
                         f"0..{MAX_RANK}, no empty axis")
    return t


def gather_output(graph: Graph, op: Op, shape, dtype: str) -> Tensor:
    """The output: an activation of `dtype` holding `shape`'s elements."""
    if len(op.outputs) != 1:
        raise ValueError(f"has {len(op.outputs)} outputs, expected 1")
    y = graph.tensors[op.outputs[0]]
    size = int(np.prod(shape, dtype=np.int64))
    if y.is_const or y.dtype != dtype or y.size != size:
        raise ValueError(f"output {y.name!r} ({y.dtype} {list(y.shape)}): expected a {dtype} "
                         f"activation of shape {list(shape)}")
    return y


def operand(gen, t: int, ctype: str = "void") -> str:
    """A kernel argument for tensor t: its weights if it is a constant, else its arena bytes."""
    if gen.g.tensors[t].is_const:
        return f"(const {ctype} *){gen.weight(t)}"
    return gen.act(t, True)
