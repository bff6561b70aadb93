"""LEAKY_RELU: int8 with one requantization for x >= 0 (identity) and one for x < 0 (alpha), both
ratios in float32 as TFLite Micro's CalculateOpDataLeakyRelu, as a table; float32 exact."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph, Op
from .base import INT8_F32, records
from .common.activation import Activation, clamp, multiplier, quant, requantize
from .common.cstruct import F32, I32, Struct, fields

PARAMS = Struct(
    "mb_leaky_relu_params", "LEAKY_RELU, int8: one requantization for x >= 0 (identity) and one "
                            "for x < 0 (alpha).",
    fields(I32, "input_offset", "output_offset", doc="input zero point (subtracted), output's"),
    fields(I32, "mult_identity", "shift_identity", "mult_alpha", "shift_alpha"))
PARAMS_F32 = Struct("mb_leaky_relu_f32_params", "LEAKY_RELU, float32.", fields(F32, "alpha"))


class LeakyRelu(Activation, kind="LEAKY_RELU", types=INT8_F32, note="int8: a 256-entry table"):
    params_struct = PARAMS

    @staticmethod
    def alpha(op: Op) -> np.float32:
        alpha = np.float32(op.options.get("alpha", 0.0))
        if not (np.isfinite(alpha) and alpha >= 0):
            raise ValueError(f"alpha {alpha} not supported (needs a finite alpha >= 0)")
        return alpha

    def check(self, graph: Graph, op: Op) -> None:
        self.alpha(op)
        super().check(graph, op)

    def params(self, graph: Graph, op: Op) -> dict:
        """TFLite Micro CalculateOpDataLeakyRelu: both ratios in float32."""
        s_in, zp_in = quant(graph, op.inputs[0])
        s_out, zp_out = quant(graph, op.outputs[0])
        mult_id, shift_id = multiplier(float(s_in / s_out), "identity")
        mult_a, shift_a = multiplier(float(s_in * self.alpha(op) / s_out), "alpha")
        return {"input_offset": zp_in, "output_offset": zp_out, "mult_identity": mult_id,
                "shift_identity": shift_id, "mult_alpha": mult_a, "shift_alpha": shift_a}

    def one(self, p: dict, x: int) -> int:
        x -= p["input_offset"]
        mult, shift = (p["mult_identity"], p["shift_identity"]) if x >= 0 else \
            (p["mult_alpha"], p["shift_alpha"])
        return clamp(p["output_offset"] + requantize(x, mult, shift))

    def f32_args(self, gen, i: int, op: Op) -> str:
        gen.struct(f"op{i}_params", PARAMS_F32(alpha=f"{float(self.alpha(op))!r}f"))
        return f"&op{i}_params, "

    def interp_record(self, graph: Graph, op: Op) -> tuple | None:
        if graph.tensors[op.inputs[0]].dtype == "float32":
            return PARAMS_F32, {"alpha": self.alpha(op)}
        return super().interp_record(graph, op)

    def interp_records(self, graph: Graph, op: Op) -> int:
        return super().interp_records(graph, op) or records(1, PARAMS_F32.size())
