"""FFT_AUTO_SCALE (TFLite Micro's signal library, "SignalFftAutoScale"): int16 samples shifted
left so that the largest magnitude uses the 16 bits (before an FFT), and the shift as a scalar
int32 output (for FILTER_BANK_SQUARE_ROOT to undo). TFLite Micro's MaxAbs16 and
MostSignificantBit32 as they are: -32768 counts as no headroom, and a later value may replace it.
It has no options (TFLite Micro reads none)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.custom import CustomOp, io, typed


def check(graph: Graph, op: Op) -> int:
    (x,), (y, s) = io(graph, op, 1, 2)
    typed(x, "input", "int16", 1)
    typed(y, "output", "int16", 1)
    typed(s, "scale bits", "int32", 0)
    need(not x.is_const, "the input is a constant")
    need(x.size == y.size, f"output {list(y.shape)} does not have the input's size "
                           "(TFLite Micro reads as many inputs as it writes outputs)")
    return y.size


class FftAutoScale(CustomOp, kind="FFT_AUTO_SCALE", custom="SignalFftAutoScale",
                   types=("int16",)):
    kernels = ("fft_auto_scale.c", "signal_math.c")
    interp_sources = ("mbi_op_fft_auto_scale.c",)

    def check(self, graph: Graph, op: Op) -> None:
        check(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        gen.use("kernels/fft_auto_scale.c", "kernels/signal_math.c")
        n = check(gen.g, op)
        gen.calls.append(f"  *{gen.act(op.outputs[1], False)} = mb_fft_auto_scale_s16({n}, "
                         f"{gen.act(op.inputs[0], True)}, {gen.act(op.outputs[0], False)});")
