"""FILTER_BANK (TFLite Micro's signal library, "SignalFilterBank"): a uint32 energy spectrum
accumulated into num_channels uint64 mel channels, each bin weighted into its channel and
"unweighted" (1 - weight) into the next (TFLite Micro's FilterbankAccumulateChannels, modulo 2^64
as it is; channel 0 of its num_channels + 1 is scratch and dropped).

Inputs: the spectrum, then int16 weights, unweights, channel_frequency_starts,
channel_weight_starts and channel_widths (num_channels + 1 each). The three index tables must be
constants, so that every bin and weight they address is checked to lie inside its tensor here
(TFLite Micro checks none); the weights may be activations."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph, Op
from .common.check import need
from .common.cstruct import I32, Struct, fields
from .common.custom import CustomOp, io, operand, positional, typed

PARAMS = Struct("mb_filter_bank_params", "FILTER_BANK: channels 1..outputs of the accumulation "
                                         "over num_channels + 1 (channel 0 is scratch).",
                fields(I32, "num_channels"),
                fields(I32, "outputs", doc="channels written, at most num_channels"))
TABLES = ("weights", "unweights", "channel_frequency_starts", "channel_weight_starts",
          "channel_widths")


def params(graph: Graph, op: Op) -> dict:
    ins, (y,) = io(graph, op, 6, 1)
    x, tables = ins[0], dict(zip(TABLES, ins[1:]))
    typed(x, "input", "uint32", 1)
    for role, t in tables.items():
        typed(t, role, "int16", 1)
    typed(y, "output", "uint64", 1)
    n = positional(op, ("num_channels",))["num_channels"]
    need(not x.is_const, "the input is a constant")
    need(n >= 0 and y.size <= n, f"output of {y.size} channels for num_channels {n}: TFLite "
                                 "Micro copies the output's size out of num_channels")
    index = {k: tables[k] for k in TABLES[2:]}
    for role, t in index.items():
        need(t.is_const, f"{role} {t.name!r} is not a constant; its indices must be checked")
        need(t.size >= n + 1, f"{role} has {t.size} entries for {n + 1} channels")
    freq, wstart, width = (np.asarray(index[k].data, np.int64)[:n + 1] for k in TABLES[2:])
    used = width > 0
    need(bool(np.all((freq[used] >= 0) & (freq[used] + width[used] <= x.size))),
         f"a channel reads bins outside the spectrum ({x.size} bins)")
    for role in TABLES[:2]:
        need(bool(np.all((wstart[used] >= 0) & (wstart[used] + width[used] <=
                                                 tables[role].size))),
             f"a channel reads {role} outside its {tables[role].size} entries")
    return {"num_channels": n, "outputs": y.size}


class FilterBank(CustomOp, kind="FILTER_BANK", custom="SignalFilterBank",
                 types=("uint32->uint64",), note="bit-exact"):
    kernels = ("filter_bank.c",)
    interp_sources = ("mbi_op_filter_bank.c",)
    record_struct = PARAMS
    params = staticmethod(params)

    def emit(self, gen, i: int, op: Op) -> None:
        self.call(gen, i, op, "mb_filter_bank_u32", gen.act(op.inputs[0], True),
                  *(operand(gen, t) for t in op.inputs[1:]), gen.act(op.outputs[0], False))
