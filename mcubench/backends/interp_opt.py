"""The interpreter's optimized kernels (``-c interp.kernels=opt``): which operators take them and
what their C setup allocates, mirrored offline for the arena.

The C side is runtime/interp/*_opt.c (mbi_opt.h): each optimized operator registers before its
reference registration; its prepare computes aot's fold.py parameters (fast requantization, bias
with the input offset folded in) from the model into arena records, or hands the operator to the
reference registration when the optimized kernels do not cover it. ``opt_plan`` makes the same
decision here and gives the records' bytes and the scratch the eval needs. The filters stay in
flash in the model's layout; the GEMM reads it directly, fastest when compiled for the operator's
depth k: ``gemm_instances`` writes one instance per depth of the model (like the registration
table, the firmware's code follows the model; a depth without an instance runs the generic one).
"""
from __future__ import annotations

from ..ir import fold, quant
from ..ir.graph import Graph, Op
from ..ops.base import records as _records

# kind -> (prepare, eval, runtime files beyond OPT_CORE)
OPT_OPS = {
    "CONV_2D": ("mbi_conv2d_opt_prepare", "mbi_conv2d_opt_eval",
                ("interp/mbi_op_conv2d_opt.c",)),
    "DEPTHWISE_CONV_2D": ("mbi_depthwise_conv2d_opt_prepare", "mbi_depthwise_conv2d_opt_eval",
                          ("interp/mbi_op_depthwise_conv2d_opt.c",
                           "kernels/opt/depthwise_conv2d_opt.c")),
    "FULLY_CONNECTED": ("mbi_fully_connected_opt_prepare", "mbi_fully_connected_opt_eval",
                        ("interp/mbi_op_fully_connected_opt.c",)),
    "ADD": ("mbi_add_opt_prepare", "mbi_add_opt_eval",
            ("interp/mbi_op_add_opt.c", "kernels/opt/add_opt.c")),
    "AVERAGE_POOL_2D": ("mbi_avg_pool_opt_prepare", "mbi_avg_pool_opt_eval",
                        ("interp/mbi_op_avg_pool_opt.c", "interp/mbi_op_pool.c",
                         "kernels/opt/avg_pool_opt.c")),
}
OPT_CORE = ("interp/mbi_opt.h", "interp/mbi_prep_opt.c", "interp/mbi_gemm_tpl.h",
            "interp/mbi_gemm_opt.c", "kernels/opt/mb_kernels_opt.h")
GEMM_TABLE = "interp_gemm.c"  # generated: the instances' table

# Record sizes (runtime/interp/mbi_opt.h checks them at compile time).
CONV_DATA, DW_DATA, FC_DATA, ADD_DATA = 56, 44, 44, 60
ADD_TABLE_MIN = 256  # MBI_ADD_TABLE_MIN: from this many elements ADD's tables pay off (fold.py)
ADD_TABLES = 2 * 256 * 4
SCRATCH_ALIGN = 8  # mbi_opt_scratch rounds each request up to the record alignment


def _dims4(shape) -> tuple[int, int, int, int]:
    """NHWC as the interpreter's tensor records keep it: leading dimensions folded into n."""
    dims = [1] * (6 - len(shape)) + [int(d) for d in shape]
    n = 1
    for d in dims[:3]:
        n *= d
    return n, dims[3], dims[4], dims[5]


def _stage(n: int) -> int:
    """mbi_opt_output_stage's records: bias and 2 x mult (int32), shift (int8) per channel."""
    return 2 * _records(n, 4) + _records(n, 1)


def _tensors(graph: Graph, op: Op, n_in: int):
    """The op's first `n_in` inputs and its output if all are int8 (a missing bias is fine), the
    second a constant exactly when it is a filter; else None."""
    ins = list(op.inputs) + [-1] * 3
    if len(op.inputs) < n_in or any(t < 0 for t in ins[:n_in]):
        return None
    ts = [graph.tensors[t] for t in ins[:n_in]] + [graph.tensors[op.outputs[0]]]
    if any(t.dtype != "int8" for t in ts):
        return None
    return ts


def _bias_ok(graph: Graph, op: Op) -> bool:
    if len(op.inputs) < 3 or op.inputs[2] < 0:
        return True
    b = graph.tensors[op.inputs[2]]
    return b.dtype == "int32" and b.is_const


def _fast(pairs) -> bool:
    return fold.fast_requant(pairs) is not None


def opt_plan(graph: Graph, op: Op) -> dict | None:
    """What the C setup does for `op` with interp.kernels=opt: None if it runs on the reference
    registration, else {"records": bytes (None: the reference's own), "scratch": bytes the eval
    needs, "k": the GEMM depth or None}."""
    if op.kind not in OPT_OPS:
        return None
    try:
        return _plan(graph, op)
    except (ValueError, KeyError, ZeroDivisionError):  # quant refuses it: the reference decides
        return None


def _plan(graph: Graph, op: Op) -> dict | None:
    kind = op.kind
    if kind == "AVERAGE_POOL_2D":
        ts = _tensors(graph, op, 1)
        return None if ts is None else {"records": None, "scratch": 0, "k": None}
    if kind == "ADD":
        ts = _tensors(graph, op, 2)
        if ts is None or len(op.inputs) != 2 or any(t.is_const for t in ts):
            return None
        if not (_dims4(ts[0].shape) == _dims4(ts[1].shape) == _dims4(ts[2].shape)):
            return None
        if not _fast([quant.prepare_add(graph, op)["output"]]):
            return None
        return {"records": _records(1, ADD_DATA), "k": None,
                "scratch": ADD_TABLES if ts[2].size >= ADD_TABLE_MIN else 0}
    ts = _tensors(graph, op, 2)
    if ts is None or ts[0].is_const or not ts[1].is_const or ts[2].is_const or \
            not _bias_ok(graph, op):
        return None
    x, w, y = ts
    if kind == "FULLY_CONNECTED":
        if len(w.shape) != 2 or not _fast(quant.prepare_fully_connected(graph, op)["requant"]):
            return None
        units, k = int(w.shape[0]), int(w.shape[1])
        return {"records": _records(1, FC_DATA) + _stage(units), "scratch": 0, "k": k}
    if len(x.shape) != 4 or len(w.shape) != 4 or len(y.shape) != 4:
        return None
    _, fh, fw, fc = (int(d) for d in w.shape)
    ch = int(y.shape[3])
    if kind == "CONV_2D":
        if fc != int(x.shape[3]):  # grouped
            return None
        prep = quant.prepare_conv2d(graph, op)
        if not _fast(prep["requant"]):
            return None
        k = fh * fw * fc
        dense = fh == fw == 1 and prep["stride_h"] == prep["stride_w"] == 1
        return {"records": _records(1, CONV_DATA) + _stage(ch), "scratch": 0 if dense else 4 * k,
                "k": k}
    # DEPTHWISE_CONV_2D
    if (fh, fw) != (3, 3) or fc != int(x.shape[3]) or ch != fc:
        return None
    prep = quant.prepare_depthwise_conv2d(graph, op)
    if (prep["dilation_h"], prep["dilation_w"]) != (1, 1) or not _fast(prep["requant"]):
        return None
    ring = 3 * ((int(y.shape[2]) - 1) * prep["stride_w"] + 3) * ch
    return {"records": _records(1, DW_DATA) + _stage(ch), "scratch": ring + 9 * ch, "k": None}


def scratch_bytes(plans) -> int:
    """The arena bytes between activations and records: the largest operator's scratch."""
    return max((-(-p["scratch"] // SCRATCH_ALIGN) * SCRATCH_ALIGN for p in plans if p),
               default=0)


def gemm_function(k: int) -> str:
    return f"mbi_gemm_k{k}"


def gemm_instances(ks) -> dict[str, str]:
    """Generated sources: one GEMM instance per depth, and the table setup looks them up in."""
    ks = sorted(set(ks))
    files = {f"{gemm_function(k)}.c":
             f"/* Generated by mcubench (interp backend): the GEMM compiled for depth {k}. */\n"
             f"#define MB_K {k}\n#define MB_FN {gemm_function(k)}\n"
             '#include "mbi_gemm_tpl.h"\n' for k in ks}
    rows = [f"  {{{k}, {gemm_function(k)}}}," for k in ks]
    protos = [f"void {gemm_function(k)}(const mb_requant_opt *, int32_t, int32_t, int32_t, "
              "const int8_t *, const int8_t *, int8_t *);" for k in ks]
    files[GEMM_TABLE] = "\n".join([
        "/* Generated by mcubench (interp backend): the GEMM instances compiled for the model's",
        " * depths; setup picks one per operator (any other depth runs mbi_gemm_any). */",
        '#include "mbi_opt.h"', "", *protos, "",
        f"const mbi_gemm_kernel mbi_gemm_kernels[{max(len(rows), 1)}] = {{",
        *(rows or ["  {0, 0},"]), "};",
        f"const uint32_t mbi_num_gemm_kernels = {len(rows)};", ""])
    return files
