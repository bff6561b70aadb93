"""SUB with TFLite's broadcasting (up to MB_BROADCAST_DIMS dimensions), int8, int16 and float32.

The quantized preparation is TFLite Micro's CalculateOpDataSub: ADD's arithmetic (in double: a
float32 variant of it misses TFLite Micro by one in some int16 cases), every multiplier below
one."""
from __future__ import annotations

from .base import INT8_INT16_F32
from .common.broadcast import Binary, f32_params, records
from .common.cstruct import I32, Struct, fields
from .common.qmath import add_quant
from .common.structs import REQUANT

PARAMS = Struct(
    "mb_sub_params", "SUB, int8 and int16 (TFLite's general quantized path): both inputs shifted "
                     "up by left_shift (20 for int8, 15 for int16), rescaled to a common scale, "
                     "subtracted, rescaled to the output.",
    fields(I32, "input1_offset", "input2_offset", "output_offset",
           doc="-zero points, output zero point"),
    fields(I32, "left_shift"),
    fields(REQUANT, "input1", "input2", "output"),
    fields(I32, "act_min", "act_max"))
PARAMS_F32 = f32_params("sub")
DATA, DATA_F32 = records("sub", PARAMS, PARAMS_F32)


def sub_quant(s1, z1, s2, z2, so, zo, fused_act: str, dtype: str) -> dict:
    """mb_sub_params: TFLite Micro's CalculateOpDataSub."""
    p = add_quant(s1, z1, s2, z2, so, zo, fused_act, dtype)
    if max(p["input1"][1], p["input2"][1], p["output"][1]) > 0:
        raise ValueError(f"SUB: output scale {so} is too small for input scales {s1}, {s2}")
    return p


class Sub(Binary, kind="SUB", types=INT8_INT16_F32, note="broadcasting up to rank 6"):
    params_struct, params_f32, data, data_f32 = PARAMS, PARAMS_F32, DATA, DATA_F32
    arith = staticmethod(sub_quant)
