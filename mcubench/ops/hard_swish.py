"""HARD_SWISH: int8 as a table of TFLite's HardSwishParams arithmetic (16-bit fixed point,
multipliers downscaled to Q15), float32 exact."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph, Op
from .base import INT8_F32
from .common.activation import Activation, downscale16, hard_swish_one, multiplier, quant
from .common.cstruct import I16, I32, Struct, fields

PARAMS = Struct(
    "mb_hard_swish_params", "HARD_SWISH, int8: TFLite's HardSwishParams, 16-bit fixed point "
                            "(multipliers downscaled to Q15).",
    fields(I32, "input_zero_point", "output_zero_point"),
    fields(I32, "output_multiplier_exponent", "reluish_multiplier_exponent", doc="output's <= 0"),
    fields(I16, "output_multiplier_fixedpoint", "reluish_multiplier_fixedpoint"))


class HardSwish(Activation, kind="HARD_SWISH", types=INT8_F32, note="int8: a 256-entry table"):
    params_struct = PARAMS

    def params(self, graph: Graph, op: Op) -> dict:
        """TFLite Micro HardSwishPrepare: float32 scale ratios, Q15 multipliers."""
        s_in, zp_in = quant(graph, op.inputs[0])
        s_out, zp_out = quant(graph, op.outputs[0])
        hires = np.float32(1.0 / 128.0) * s_in
        out_mult, out_exp = multiplier(float(hires / s_out), "output")
        if out_exp > 0:
            raise ValueError(f"output scale {s_out:g} is below input scale / 128")
        relu_mult, relu_exp = multiplier(float(hires / np.float32(3.0 / 32768.0)), "input")
        return {"input_zero_point": zp_in, "output_zero_point": zp_out,
                "output_multiplier_exponent": out_exp, "reluish_multiplier_exponent": relu_exp,
                "output_multiplier_fixedpoint": downscale16(out_mult),
                "reluish_multiplier_fixedpoint": downscale16(relu_mult)}

    def one(self, p: dict, x: int) -> int:
        return hard_swish_one(p, x)
