"""FILTER_BANK_SPECTRAL_SUBTRACTION (TFLite Micro's signal library,
"SignalFilterBankSpectralSubtraction"): per channel a low-pass noise estimate of the uint32 filter
bank energies (kept between invokes; even and odd channels may smooth differently) subtracted from
the signal, floored at min_signal_remaining of it; outputs the result and a copy of the estimate
(TFLite Micro's FilterbankSpectralSubtraction, uint64 intermediates as there).

Refused beyond TFLite Micro's checks: smoothing_bits outside 0..31, spectral_subtraction_bits
outside 0..63 (undefined shifts), tensors shorter than num_channels, an estimate output longer
than num_channels (TFLite Micro would copy past its state)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import StatefulOp, io, positional, typed

KEYS = ("alternate_one_minus_smoothing", "alternate_smoothing", "clamping",
        "min_signal_remaining", "num_channels", "one_minus_smoothing", "smoothing",
        "smoothing_bits", "spectral_subtraction_bits")
PARAMS = Struct(
    "mb_spectral_subtraction_params", "FILTER_BANK_SPECTRAL_SUBTRACTION; the coefficients are "
                                      "uint32 in TFLite Micro (read as int32, reinterpreted); "
                                      "state: num_channels uint32 noise estimates.",
    fields(I32, *KEYS),
    fields(I32, "noise_outputs", doc="estimates copied to the second output"))


def params(graph: Graph, op: Op) -> dict:
    (x,), (y, noise) = io(graph, op, 1, 2)
    typed(x, "input", "uint32", 1)
    typed(y, "output", "uint32", 1)
    typed(noise, "noise estimate", "uint32", 1)
    o = positional(op, KEYS)
    n = o["num_channels"]
    need(not x.is_const, "the input is a constant")
    need(0 <= o["smoothing_bits"] <= 31, f"smoothing_bits {o['smoothing_bits']}: must be 0..31")
    need(0 <= o["spectral_subtraction_bits"] <= 63,
         f"spectral_subtraction_bits {o['spectral_subtraction_bits']}: must be 0..63")
    need(n >= 0 and x.size >= n and y.size >= n and noise.size <= n,
         f"num_channels {n}: input ({x.size}) and output ({y.size}) need as many, the estimate "
         f"output ({noise.size}) at most as many")
    return {**o, "clamping": int(o["clamping"] != 0), "noise_outputs": noise.size}


class FilterBankSpectralSubtraction(StatefulOp, kind="FILTER_BANK_SPECTRAL_SUBTRACTION",
                                    custom="SignalFilterBankSpectralSubtraction",
                                    types=("uint32",), note="keeps state between invokes"):
    kernels = ("filter_bank_spectral_subtraction.c",)
    interp_sources = ("mbi_op_filter_bank_spectral_subtraction.c",)
    record_struct = PARAMS
    params = staticmethod(params)
    state_type = "uint32_t"
    reset = "mb_spectral_subtraction_reset"

    def state_words(self, graph: Graph, op: Op) -> int:
        return params(graph, op)["num_channels"]  # the noise estimates

    def emit(self, gen, i: int, op: Op) -> None:
        ref, state = self.state(gen, i, op)
        gen.calls.append(f"  mb_spectral_subtraction_u32({ref}, {state}, "
                         f"{gen.act(op.inputs[0], True)}, {gen.act(op.outputs[0], False)}, "
                         f"{gen.act(op.outputs[1], False)});")
