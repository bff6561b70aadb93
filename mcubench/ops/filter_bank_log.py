"""FILTER_BANK_LOG (TFLite Micro's signal library, "SignalFilterBankLog"): each uint32 channel
shifted left by input_correction_bits, then round(ln(x) * output_scale) in TFLite Micro's fixed
point (Log32: a 129-entry table of log2's curvature), capped at 32767; 0 where the shifted value
is 0 or 1. The shift is an option: 0..31 (more is undefined in C)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import CustomOp, io, positional, typed

PARAMS = Struct("mb_filter_bank_log_params", "FILTER_BANK_LOG over `size` channels.",
                fields(I32, "size"),
                fields(I32, "correction_bits", "output_scale"))


def params(graph: Graph, op: Op) -> dict:
    (x,), (y,) = io(graph, op, 1, 1)
    typed(x, "input", "uint32", 1)
    typed(y, "output", "int16", 1)
    o = positional(op, ("input_correction_bits", "output_scale"))
    need(not x.is_const, "the input is a constant")
    need(0 <= o["input_correction_bits"] <= 31,
         f"input_correction_bits {o['input_correction_bits']}: must be 0..31")
    need(y.size >= x.size, f"output of {y.size} for {x.size} channels")
    return {"size": x.size, "correction_bits": o["input_correction_bits"],
            "output_scale": o["output_scale"]}


class FilterBankLog(CustomOp, kind="FILTER_BANK_LOG", custom="SignalFilterBankLog",
                    types=("uint32->int16",), note="bit-exact"):
    kernels = ("filter_bank_log.c", "signal_math.c")
    interp_sources = ("mbi_op_filter_bank_log.c",)
    record_struct = PARAMS
    params = staticmethod(params)

    def emit(self, gen, i: int, op: Op) -> None:
        self.call(gen, i, op, "mb_filter_bank_log_u32", gen.act(op.inputs[0], True),
                  gen.act(op.outputs[0], False))
