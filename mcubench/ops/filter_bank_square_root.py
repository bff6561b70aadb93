"""FILTER_BANK_SQUARE_ROOT (TFLite Micro's signal library, "SignalFilterBankSquareRoot"): the
rounded square root of each uint64 channel, shifted right by the scalar int32 input (the bits
FFT_AUTO_SCALE scaled by), as uint32. TFLite Micro's Sqrt64 as it is (its 32-bit shortcut below
2^32). The shift comes at run time; a C shift by 32 or more is undefined, and the x86 build of
TFLite Micro the reference runs takes it modulo 32: so does this kernel. No options."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.custom import CustomOp, io, operand, typed


def check(graph: Graph, op: Op) -> int:
    (x, s), (y,) = io(graph, op, 2, 1)
    typed(x, "input", "uint64", 1)
    typed(s, "scale bits", "int32", 0)
    typed(y, "output", "uint32", 1)
    need(not x.is_const, "the input is a constant")
    need(y.size >= x.size, f"output of {y.size} for {x.size} channels")
    return x.size


class FilterBankSquareRoot(CustomOp, kind="FILTER_BANK_SQUARE_ROOT",
                           custom="SignalFilterBankSquareRoot", types=("uint64->uint32",),
                           note="bit-exact"):
    kernels = ("filter_bank_square_root.c", "signal_math.c")
    interp_sources = ("mbi_op_filter_bank_square_root.c",)

    def check(self, graph: Graph, op: Op) -> None:
        check(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        gen.use("kernels/filter_bank_square_root.c", "kernels/signal_math.c")
        n = check(gen.g, op)
        gen.calls.append(f"  mb_filter_bank_square_root_u64({n}, {gen.act(op.inputs[0], True)}, "
                         f"*{operand(gen, op.inputs[1])}, {gen.act(op.outputs[0], False)});")
