"""ADD of two tensors of equal shape: int8 (reference and optimized kernels) and float32.

int8 follows TFLite Micro's quantized ADD: both inputs shifted up 20 bits and rescaled to a common
scale, added, rescaled to the output (qmath.add_quant). The optimized kernel (add_opt.c) builds a
256-entry rescaling table per input from MB_ADD_TABLE_MIN elements on (below, it rescales each
element: building the tables costs 512 rescales at every invoke) and requantizes the output on the
fast exact path."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_F32, OpSpec, record
from .common import fold
from .common.check import f32_tensor, int8_act, need, one_output
from .common.conv import check_f32_activation, f32_clamp
from .common.cstruct import F32, I32, RECORDS, Const, Struct, fields, ptr
from .common.qmath import add_quant, fused, qparams_s8
from .common.structs import REQUANT

TABLE_MIN = Const("MBI_ADD_TABLE_MIN", 256, "from this many elements ADD's two 256-entry "
                                            "rescaling tables (2 kB scratch) pay off", RECORDS)
TABLES = 2 * 256 * I32.size  # scratch bytes of the two tables

PARAMS = Struct(
    "mb_add_params", "ADD, int8.",
    fields(I32, "input1_offset", "input2_offset", "output_offset"),
    fields(I32, "left_shift"),
    fields(REQUANT, "input1", "input2", "output"),
    fields(I32, "act_min", "act_max"))
PARAMS_F32 = Struct("mb_add_f32_params", "ADD, float32.", fields(F32, "act_min", "act_max"))
PARAMS_OPT = Struct(
    "mb_add_opt_params", "ADD, int8, on the optimized kernel.",
    fields(I32, "input1_offset", "input2_offset"),
    fields(I32, "left_shift"),
    fields(REQUANT, "input1", "input2", doc="each input's rescaling, as in mb_add_params"),
    fields(I32, "output_mult", doc="output requantization for mb_requant_fast: 2 x mult, e - 1"),
    fields(I32, "output_shift"),
    fields(I32, "relu"),
    fields(I32, "output_offset"),
    fields(I32, "act_min", "act_max"),
    fields(ptr(I32, const=False), "scratch", doc="2 x 256 int32: the two inputs' rescaling "
                                                 "tables (0: small tensors, rescaled per element)"))
OPT_DATA = Struct(
    "mbi_add_opt_data", "The interpreter's optimized ADD.",
    fields(I32, "input1_offset", "input2_offset", "left_shift"),
    fields(REQUANT, "input1", "input2"),
    fields(I32, "output_mult", "output_shift", "relu", "output_offset", "act_min", "act_max"),
    fields(I32, "size"),
    fields(I32, "tables", doc="1: the rescaling tables in scratch (size >= MBI_ADD_TABLE_MIN)"),
    header=RECORDS)


def params_s8(graph: Graph, op: Op) -> dict:
    """mb_add_params fields; input1/input2/output are (mult, shift) pairs."""
    a, b = (graph.tensors[i].shape for i in op.inputs[:2])
    if tuple(a) != tuple(b):
        raise ValueError(f"ADD: inputs {a} and {b} differ; mb_add_s8 does not broadcast")
    s1, z1 = qparams_s8(graph, op.inputs[0])
    s2, z2 = qparams_s8(graph, op.inputs[1])
    so, zo = qparams_s8(graph, op.outputs[0])
    return add_quant(s1, z1, s2, z2, so, zo, fused(op), graph.tensors[op.outputs[0]].dtype)


def prepare_opt(graph: Graph, op: Op) -> dict | None:
    """mb_add_opt_params fields (without the scratch pointer) plus "scratch", or None."""
    prep = params_s8(graph, op)
    fast = fold.fast_requant([prep["output"]])
    if fast is None:
        return None
    size = graph.tensors[op.outputs[0]].size
    return {
        **{k: prep[k] for k in ("input1_offset", "input2_offset", "left_shift", "input1", "input2",
                                "output_offset", "act_min", "act_max")},
        "output_mult": int(fast[0][0]), "output_shift": int(fast[1][0]),
        "relu": int(prep["act_min"] >= prep["output_offset"]), "size": size,
        "scratch": TABLES if size >= TABLE_MIN.value else 0,
        # element by element, each read before its write: fully in place on either input
        "overlap": [(op.inputs[0], 0), (op.inputs[1], 0)],
    }


def _dims4(shape) -> tuple[int, int, int, int]:
    """NHWC as the interpreter's tensor records keep it: leading dimensions folded into n."""
    dims = [1] * (6 - len(shape)) + [int(d) for d in shape]
    return dims[0] * dims[1] * dims[2], dims[3], dims[4], dims[5]


class Add(OpSpec, kind="ADD", types=INT8_F32, note="int8 also on the `opt` kernel"):
    header = "mb_kernels.h"
    interp_files = ("interp/mbi_op_add.c", "kernels/add.c", "kernels/add_f32.c")
    opt_interp = ("mbi_add_opt_prepare", "mbi_add_opt_eval")
    opt_files = ("interp/mbi_op_add_opt.c", "kernels/opt/add_opt.c")

    def check(self, graph: Graph, op: Op) -> None:
        one_output(op)
        if graph.tensors[op.outputs[0]].dtype == "float32":
            out = f32_tensor(graph, op.outputs[0], "output")
            x = f32_tensor(graph, op.inputs[0] if op.inputs else -1, "input")
            check_f32_activation(op)
            need(len(op.inputs) == 2, "needs two inputs")
            y = f32_tensor(graph, op.inputs[1], "second input")
            need(tuple(x.shape) == tuple(y.shape) == tuple(out.shape),
                 f"shapes {x.shape} + {y.shape} -> {out.shape}: broadcasting is not supported")
            return
        out = int8_act(graph, op.outputs[0], "output")
        x = int8_act(graph, op.inputs[0] if op.inputs else -1, "input")
        need(len(op.inputs) == 2, "needs two inputs")
        y = int8_act(graph, op.inputs[1], "second input")
        need(tuple(x.shape) == tuple(y.shape) == tuple(out.shape),
             f"shapes {x.shape} + {y.shape} -> {out.shape}: broadcasting is not supported")
        params_s8(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        g, p = gen.g, f"op{i}"
        if g.tensors[op.outputs[0]].dtype == "float32":
            gen.use("kernels/add_f32.c", header="mb_kernels_f32.h")
            gen.struct(f"{p}_params", PARAMS_F32(**f32_clamp(op)))
            fn = "mb_add_f32"
        else:
            gen.use("kernels/add.c", "kernels/requant.c")
            gen.struct(f"{p}_params", PARAMS(**params_s8(g, op)))
            fn = "mb_add_s8"
        self._call(gen, i, op, fn, g.tensors[op.outputs[0]].size)

    @staticmethod
    def _call(gen, i: int, op: Op, fn: str, size: int) -> None:
        gen.calls.append(f"  {fn}(&op{i}_params, {size}, {gen.act(op.inputs[0], True)}, "
                         f"{gen.act(op.inputs[1], True)}, {gen.act(op.outputs[0], False)});")

    def prepare_opt(self, graph: Graph, op: Op, config: dict) -> dict | None:
        return prepare_opt(graph, op) if graph.tensors[op.outputs[0]].dtype == "int8" else None

    def emit_opt(self, gen, i: int, op: Op, o: dict) -> None:
        gen.use("kernels/opt/add_opt.c", "kernels/requant.c",
                header="kernels/opt/mb_kernels_opt.h")
        scratch = f"(int32_t *)(void *)(mb_arena + {gen.plan.scratch[i]})" if o["scratch"] \
            else None
        gen.struct(f"op{i}_params", PARAMS_OPT(
            **{k: o[k] for k in ("input1_offset", "input2_offset", "left_shift", "input1",
                                 "input2", "output_mult", "output_shift", "relu", "output_offset",
                                 "act_min", "act_max")}, scratch=scratch))
        self._call(gen, i, op, "mb_add_s8_opt", o["size"])

    def interp_records(self, graph: Graph, op: Op) -> int:
        f32 = graph.tensors[op.inputs[0]].dtype == "float32"
        return record(PARAMS_F32 if f32 else PARAMS)

    def interp_record(self, graph: Graph, op: Op) -> tuple:
        if graph.tensors[op.inputs[0]].dtype == "float32":
            return PARAMS_F32, f32_clamp(op)
        return PARAMS, params_s8(graph, op)

    def interp_opt_plan(self, graph: Graph, op: Op) -> dict | None:
        ts = fold.int8_operands(graph, op, 2)
        if ts is None or len(op.inputs) != 2 or any(t.is_const for t in ts):
            return None
        if not (_dims4(ts[0].shape) == _dims4(ts[1].shape) == _dims4(ts[2].shape)):
            return None
        if not fold.fast([params_s8(graph, op)["output"]]):
            return None
        return {"records": record(OPT_DATA), "k": None,
                "scratch": TABLES if ts[2].size >= TABLE_MIN.value else 0}
