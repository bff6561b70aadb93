"""MUL with TFLite's broadcasting (up to MB_BROADCAST_DIMS dimensions), int8, int16 and float32:
(x1 + offset1) * (x2 + offset2), one requantization to the output (TFLite Micro's
CalculateOpDataMul, in double)."""
from __future__ import annotations

import numpy as np

from .base import INT8_INT16_F32
from .common.broadcast import Binary, f32_params, records
from .common.cstruct import I32, Struct, fields
from .common.qmath import activation_range, quantize_multiplier
from .common.structs import REQUANT

PARAMS = Struct(
    "mb_mul_params", "MUL, int8 and int16: (x1 + offset1) * (x2 + offset2), one requantization "
                     "to the output.",
    fields(I32, "input1_offset", "input2_offset", "output_offset"),
    fields(REQUANT, "output"),
    fields(I32, "act_min", "act_max"))
PARAMS_F32 = f32_params("mul")
DATA, DATA_F32 = records("mul", PARAMS, PARAMS_F32)


def mul_quant(s1, z1, s2, z2, so, zo, fused_act: str, dtype: str) -> dict:
    """mb_mul_params: TFLite Micro's CalculateOpDataMul (one multiplier, in double)."""
    mult, shift = quantize_multiplier(float(np.float32(s1)) * float(np.float32(s2))
                                      / float(np.float32(so)))
    if shift > 31:
        raise ValueError(f"MUL: multiplier {s1} * {s2} / {so} is too large")
    lo, hi = activation_range(fused_act, so, zo, dtype)
    return {"input1_offset": -z1, "input2_offset": -z2, "output_offset": zo,
            "output": (mult, shift), "act_min": lo, "act_max": hi}


class Mul(Binary, kind="MUL", types=INT8_INT16_F32, note="broadcasting up to rank 6"):
    params_struct, params_f32, data, data_f32 = PARAMS, PARAMS_F32, DATA, DATA_F32
    arith = staticmethod(mul_quant)
