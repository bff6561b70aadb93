"""RFFT (TFLite Micro's signal library, "SignalRfft"): the real FFT of each frame (the last axis,
zero-padded to fft_length) as fft_length / 2 + 1 complex values (re, im pairs); int16 and int32
in kiss_fft's fixed point (scaled by 2 / fft_length), float32 exact. See ops/common/kissfft.py.
Beyond TFLite Micro's checks: frames longer than fft_length (it would pad by a negative count) and
outputs of another width than fft_length + 2 are refused."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.kissfft import Fft, frames, length


class Rfft(Fft, kind="RFFT", custom="SignalRfft"):
    interp_sources = ("mbi_op_rfft.c",)

    def sizes(self, graph: Graph, op: Op) -> dict:
        x, y = frames(graph, op)
        n = length(op, x.dtype) // 2
        in_len, width = int(x.shape[-1]), int(y.shape[-1])
        need(1 <= in_len <= 2 * n, f"frames of {in_len} for fft_length {2 * n}")
        need(width == 2 * (n + 1), f"output width {width}: fft_length / 2 + 1 complex values "
                                   f"are {2 * (n + 1)}")
        count = x.size // in_len
        need(y.size == count * width, f"output {list(y.shape)} for {count} frames")
        return {"n": n, "frames": count, "in_len": in_len, "in_stride": in_len,
                "out_stride": width}
