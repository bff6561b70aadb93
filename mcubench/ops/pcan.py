"""PCAN (TFLite Micro's signal library, "SignalPCAN"): per-channel automatic gain control of
uint32 filter bank energies by a noise estimate: gain = the int16 table's wide dynamic function
of the estimate, snr = energy * gain >> snr_shift, out = shrink(snr) (x^2/4 below 2, x - 1 above,
12 fractional bits in, 6 out); TFLite Micro's ApplyPcanAutoGainControlFixed, bit-exact.

The gain table is read up to entry 124 for estimates of 2^31 and more (TFLite's generator writes
125 entries): a shorter table is refused, as are snr_shift outside 0..63 and outputs of another
size than the input (TFLite Micro copies the output's size from the input)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import CustomOp, io, operand, positional, typed

LUT_SIZE = 125  # 4 * 32 - 3 entries: the table's last interval starts at 4 * 32 - 6
PARAMS = Struct("mb_pcan_params", "PCAN over `size` channels.",
                fields(I32, "size", "snr_shift"))


def params(graph: Graph, op: Op) -> dict:
    (x, noise, lut), (y,) = io(graph, op, 3, 1)
    typed(x, "input", "uint32", 1)
    typed(noise, "noise estimate", "uint32", 1)
    typed(lut, "gain table", "int16", 1)
    typed(y, "output", "uint32", 1)
    shift = positional(op, ("snr_shift",))["snr_shift"]
    need(not x.is_const, "the input is a constant")
    need(0 <= shift <= 63, f"snr_shift {shift}: must be 0..63 (a uint64 shift)")
    need(lut.size >= LUT_SIZE, f"gain table of {lut.size} entries; TFLite Micro reads up to "
                               f"{LUT_SIZE}")
    need(y.size == x.size and noise.size >= x.size,
         f"input {x.size}, noise estimate {noise.size}, output {y.size}: the output needs the "
         "input's size, the estimate at least that")
    return {"size": x.size, "snr_shift": shift}


class Pcan(CustomOp, kind="PCAN", custom="SignalPCAN", types=("uint32",)):
    kernels = ("pcan.c", "signal_math.c")
    interp_sources = ("mbi_op_pcan.c",)
    record_struct = PARAMS
    params = staticmethod(params)

    def emit(self, gen, i: int, op: Op) -> None:
        self.call(gen, i, op, "mb_pcan_u32", gen.act(op.inputs[0], True),
                  operand(gen, op.inputs[1]), operand(gen, op.inputs[2]),
                  gen.act(op.outputs[0], False))
