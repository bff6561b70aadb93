"""What AVERAGE_POOL_2D and MAX_POOL_2D share: one params struct per type, the window, the checks,
and the interpreter's prepare (runtime/interp/mbi_op_pool.c)."""
from __future__ import annotations

from ...ir.graph import Graph, Op
from ..base import OpSpec, record
from .check import f32_tensor, int8_act, need, one_output, same_quant
from .conv import check_f32_activation, f32_clamp
from .cstruct import F32, I16, I32, Struct, fields
from .qmath import activation_range, fused, nhwc, pool_geometry, qparams_s8

WINDOW = [fields(I16, "stride_h", "stride_w"), fields(I16, "filter_h", "filter_w"),
          fields(I16, "pad_h", "pad_w")]
PARAMS = Struct("mb_pool_params", "AVERAGE_POOL_2D and MAX_POOL_2D, int8 (the input's "
                                  "quantization kept).", *WINDOW, fields(I32, "act_min", "act_max"))
PARAMS_F32 = Struct("mb_pool_f32_params", "AVERAGE_POOL_2D and MAX_POOL_2D, float32.", *WINDOW,
                    fields(F32, "act_min", "act_max"))


def window(graph: Graph, op: Op, check_output: bool = False) -> dict:
    """Strides, filter size and padding (optionally checked against the output's size)."""
    o = op.options
    _, in_h, in_w, _ = nhwc(graph.tensors[op.inputs[0]].shape)
    fh, fw = int(o["filter_height"]), int(o["filter_width"])
    sh, sw = int(o.get("stride_h", 1)), int(o.get("stride_w", 1))
    out_h, out_w, pad_h, pad_w = pool_geometry(o.get("padding", "SAME"), in_h, in_w, fh, fw, sh,
                                               sw)
    if check_output:
        _, oh, ow, _ = nhwc(graph.tensors[op.outputs[0]].shape)
        if (oh, ow) != (out_h, out_w):
            raise ValueError(f"output {oh}x{ow} does not match the computed {out_h}x{out_w}")
    return {"stride_h": sh, "stride_w": sw, "filter_h": fh, "filter_w": fw, "pad_h": pad_h,
            "pad_w": pad_w}


def params_s8(graph: Graph, op: Op) -> dict:
    """mb_pool_params fields."""
    out_t = graph.tensors[op.outputs[0]]
    out_scale, out_zp = qparams_s8(graph, op.outputs[0])
    act_min, act_max = activation_range(fused(op), out_scale, out_zp, out_t.dtype)
    return {**window(graph, op), "act_min": act_min, "act_max": act_max}


def params_f32(graph: Graph, op: Op) -> dict:
    """mb_pool_f32_params fields."""
    return {**window(graph, op, check_output=True), **f32_clamp(op)}


def check(graph: Graph, op: Op) -> None:
    one_output(op)
    if graph.tensors[op.outputs[0]].dtype == "float32":
        out = f32_tensor(graph, op.outputs[0], "output")
        x = f32_tensor(graph, op.inputs[0] if op.inputs else -1, "input")
        check_f32_activation(op)
        need(len(x.shape) == 4 and len(out.shape) == 4 and x.shape[3] == out.shape[3],
             f"needs 4-D NHWC tensors of equal depth (input {x.shape}, output {out.shape})")
        params_f32(graph, op)
        return
    out = int8_act(graph, op.outputs[0], "output")
    x = int8_act(graph, op.inputs[0] if op.inputs else -1, "input")
    need(len(x.shape) == 4 and len(out.shape) == 4,
         f"needs 4-D NHWC tensors (input {x.shape}, output {out.shape})")
    need(x.shape[3] == out.shape[3], "pooling cannot change the channel count")
    need(same_quant(x, out), "input and output quantization differ; int8 pooling does not "
                             "requantize")
    params_s8(graph, op)


class Pool(OpSpec):
    """AVERAGE_POOL_2D and MAX_POOL_2D: runtime/kernels/<stem>.c and <stem>_f32.c, prepared by
    the interpreter's mbi_op_pool.c (evaluated by mbi_op_<stem>.c)."""

    header = "mb_kernels.h"
    options = "Pool2DOptions"
    prepare = "mbi_pool_prepare"
    stem = ""

    @property
    def evaluate(self) -> str:  # type: ignore[override]
        return f"mbi_{self.stem}_eval"

    @property
    def interp_files(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("interp/mbi_op_pool.c", f"interp/mbi_op_{self.stem}.c",
                f"kernels/{self.stem}.c", f"kernels/{self.stem}_f32.c")

    def check(self, graph: Graph, op: Op) -> None:
        check(graph, op)

    def check_interp(self, graph: Graph, op: Op) -> None:
        window(graph, op, check_output=True)

    def emit(self, gen, i: int, op: Op) -> None:
        """The reference kernel's call: mb_<stem>_<s8|f32>."""
        g, p = gen.g, f"op{i}"
        if g.tensors[op.outputs[0]].dtype == "float32":
            gen.use(f"kernels/{self.stem}_f32.c", header="mb_kernels_f32.h")
            gen.struct(f"{p}_params", PARAMS_F32(**params_f32(g, op)))
            call(gen, i, op, f"mb_{self.stem}_f32")
        else:
            gen.use(f"kernels/{self.stem}.c", "kernels/requant.c")
            gen.struct(f"{p}_params", PARAMS(**params_s8(g, op)))
            call(gen, i, op, f"mb_{self.stem}_s8")

    def interp_records(self, graph: Graph, op: Op) -> int:
        return record(interp_record(graph, op))

    def interp_record(self, graph: Graph, op: Op) -> tuple:
        f32 = graph.tensors[op.outputs[0]].dtype == "float32"
        return interp_record(graph, op), (params_f32 if f32 else params_s8)(graph, op)


def call(gen, i: int, op: Op, fn: str) -> None:
    g, p = gen.g, f"op{i}"
    x, y = op.inputs[0], op.outputs[0]
    gen.calls.append(f"  {fn}(&{p}_params, {gen.dims(p + '_in', g.tensors[x].shape)}, "
                     f"{gen.act(x, True)}, {gen.dims(p + '_out', g.tensors[y].shape)}, "
                     f"{gen.act(y, False)});")


def interp_record(graph: Graph, op: Op) -> Struct:
    return PARAMS_F32 if graph.tensors[op.outputs[0]].dtype == "float32" else PARAMS
