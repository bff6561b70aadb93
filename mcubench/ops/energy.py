"""ENERGY (TFLite Micro's signal library, "SignalEnergy"): the power re^2 + im^2 of the complex
int16 bins start_index..end_index-1 of a spectrum (int16 pairs), as uint32. As in TFLite Micro,
the other outputs are left as they were (not written); the range must lie inside both tensors
(TFLite Micro does not check it)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import CustomOp, io, positional, typed

PARAMS = Struct("mb_energy_params", "ENERGY: out[i] = re[i]^2 + im[i]^2 for start <= i < end.",
                fields(I32, "start", "end"))


def params(graph: Graph, op: Op) -> dict:
    (x,), (y,) = io(graph, op, 1, 1)
    typed(x, "input", "int16", 1)
    typed(y, "output", "uint32", 1)
    o = positional(op, ("end_index", "start_index"))
    start, end = o["start_index"], o["end_index"]
    need(not x.is_const, "the input is a constant")
    need(start >= 0 and end <= y.size and 2 * end <= x.size,
         f"bins {start}..{end - 1} do not lie inside the spectrum ({x.size // 2} bins) and the "
         f"output ({y.size})")
    return {"start": start, "end": end}


class Energy(CustomOp, kind="ENERGY", custom="SignalEnergy", types=("int16->uint32",),
             note="bit-exact; outputs outside start..end are not written (TFLite Micro)"):
    kernels = ("energy.c",)
    interp_sources = ("mbi_op_energy.c",)
    record_struct = PARAMS
    params = staticmethod(params)

    def emit(self, gen, i: int, op: Op) -> None:
        self.call(gen, i, op, "mb_energy_s16", gen.act(op.inputs[0], True),
                  gen.act(op.outputs[0], False))
