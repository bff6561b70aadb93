"""QUANTIZE and DEQUANTIZE: the boundaries between float32 and int8/int16 parts of a model.

QUANTIZE takes float32 (TFLite's AffineQuantize: round(x / scale) + zero point in float32) or an
integer tensor (Requantize: a fixed-point multiplier of input scale / output scale) to int8 or int16;
DEQUANTIZE takes int8 or int16 to float32 (scale * (q - zero point) in float32). All per-tensor, as
TFLite Micro requires; int16 tensors symmetric (zero point 0), as the converter makes them. The
kernels work element by element, so any shape goes."""
from __future__ import annotations

import numpy as np

from ..ir import quant
from ..ir.graph import Graph, Op, Tensor
from .base import OpSpec, records

QUANT_TYPES = ("int8", "int16")
SHORT = {"int8": "s8", "int16": "s16", "float32": "f32"}
PARAMS_BYTES = 20  # mb_quantize_params (runtime/include/mb_quantize.h)
DEQUANT_PARAMS_BYTES = 8  # mb_dequantize_params


def qparams(t: Tensor) -> tuple[float, int]:
    """(scale, zero point) of a per-tensor int8/int16 tensor, with the checks every kernel here
    needs: a finite positive scale, int16 symmetric, the zero point within the type."""
    if t.dtype not in QUANT_TYPES or t.quant is None:
        raise ValueError(f"tensor {t.name!r} is {t.dtype}{'' if t.quant else ' (unquantized)'}; "
                         "expected quantized int8 or int16")
    if t.quant.per_channel:
        raise ValueError(f"tensor {t.name!r} is quantized per channel; expected one scale")
    scale, zp = float(np.float32(t.quant.scale[0])), int(t.quant.zero_point[0])
    if not (0.0 < scale < float("inf")):
        raise ValueError(f"tensor {t.name!r} has scale {scale}")
    if t.dtype == "int16" and zp != 0:
        raise ValueError(f"int16 tensor {t.name!r} has zero point {zp}; expected 0 (symmetric)")
    if not -128 <= zp <= 127:
        raise ValueError(f"tensor {t.name!r} has zero point {zp} outside int8")
    return scale, zp


def requant_multiplier(in_scale: float, out_scale: float) -> tuple[int, int]:
    """TFLite's QuantizeMultiplier of the scale ratio (in double, from the float32 scales)."""
    mult, shift = quant.quantize_multiplier(in_scale / out_scale)
    if shift > 31:
        raise ValueError(f"scale ratio {in_scale / out_scale:g} is too large (at most 2^31)")
    return mult, shift


def _activations(graph: Graph, op: Op) -> tuple[Tensor, Tensor]:
    if len(op.inputs) != 1 or op.inputs[0] < 0 or len(op.outputs) != 1:
        raise ValueError("needs one input and one output")
    x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
    if x.is_const or y.is_const:
        raise ValueError("constant input or output; expected activations")
    if x.size != y.size:
        raise ValueError(f"{list(x.shape)} -> {list(y.shape)} changes the element count")
    return x, y


class Quantize(OpSpec):
    kind = "QUANTIZE"
    code = 114
    header = "mb_quantize.h"
    kernels = ("quantize_f32.c", "quantize.c")
    interp_sources = ("mbi_op_quantize.c",)

    def check(self, graph: Graph, op: Op) -> None:
        x, y = _activations(graph, op)
        if x.dtype not in ("float32",) + QUANT_TYPES or y.dtype not in QUANT_TYPES:
            raise ValueError(f"{x.dtype} -> {y.dtype}; supported: float32, int8 or int16 to int8 "
                             "or int16")
        self.params(graph, op)

    @staticmethod
    def params(graph: Graph, op: Op) -> dict:
        """mb_quantize_params: the output's scale for float input, else the requantization."""
        x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
        out_scale, out_zp = qparams(y)
        if x.dtype == "float32":
            return {"scale": out_scale, "input_offset": 0, "mult": 0, "shift": 0,
                    "output_zp": out_zp}
        in_scale, in_zp = qparams(x)
        mult, shift = requant_multiplier(in_scale, out_scale)
        return {"scale": 0.0, "input_offset": -in_zp, "mult": mult, "shift": shift,
                "output_zp": out_zp}

    def emit(self, gen, i: int, op: Op) -> None:
        from ..backends.aot import _float, _int  # (aot imports this package)

        x, y = op.inputs[0], op.outputs[0]
        src, dst = gen.g.tensors[x].dtype, gen.g.tensors[y].dtype
        gen.kernels.update(("quantize_f32.c",) if src == "float32" else ("quantize.c", "requant.c"))
        p = self.params(gen.g, op)
        gen.struct("mb_quantize_params", f"op{i}_params",
                   {k: _float(v) if k == "scale" else _int(v) for k, v in p.items()})
        gen.calls.append(f"  mb_quantize_{SHORT[src]}_{SHORT[dst]}(&op{i}_params, "
                         f"{gen.g.tensors[y].size}, {gen.act(x, True)}, {gen.act(y, False)});")

    def interp_records(self, graph: Graph, op: Op) -> int:
        return records(1, PARAMS_BYTES)


class Dequantize(OpSpec):
    kind = "DEQUANTIZE"
    code = 6
    header = "mb_quantize.h"
    kernels = ("dequantize.c",)
    interp_sources = ("mbi_op_dequantize.c",)

    def check(self, graph: Graph, op: Op) -> None:
        x, y = _activations(graph, op)
        if x.dtype not in QUANT_TYPES or y.dtype != "float32":
            raise ValueError(f"{x.dtype} -> {y.dtype}; supported: int8 or int16 to float32")
        qparams(x)

    def emit(self, gen, i: int, op: Op) -> None:
        from ..backends.aot import _float

        x, y = op.inputs[0], op.outputs[0]
        scale, zp = qparams(gen.g.tensors[x])
        gen.kernels.add("dequantize.c")
        gen.struct("mb_dequantize_params", f"op{i}_params",
                   {"scale": _float(scale), "zero_point": str(zp)})
        gen.calls.append(f"  mb_dequantize_{SHORT[gen.g.tensors[x].dtype]}_f32(&op{i}_params, "
                         f"{gen.g.tensors[y].size}, {gen.act(x, True)}, {gen.act(y, False)});")

    def interp_records(self, graph: Graph, op: Op) -> int:
        return records(1, DEQUANT_PARAMS_BYTES)
