"""IRFFT (TFLite Micro's signal library, "SignalIrfft"): the inverse real FFT of each frame of
fft_length / 2 + 1 complex values (re, im pairs along the last axis) to fft_length values; int16
and int32 in kiss_fft's fixed point (scaled by 2 / fft_length, not multiplied back), float32
divided by fft_length (TFLite Micro's IrfftFloatApply). See ops/common/kissfft.py. Beyond TFLite
Micro's checks: frames of fewer complex values than it reads, and outputs of another width than
fft_length, are refused."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .common.check import need
from .common.kissfft import Fft, frames, length


class Irfft(Fft, kind="IRFFT", custom="SignalIrfft"):
    inverse = 1
    interp_sources = ("mbi_op_irfft.c",)

    def sizes(self, graph: Graph, op: Op) -> dict:
        x, y = frames(graph, op)
        n = length(op, x.dtype) // 2
        stride, width = int(x.shape[-1]), int(y.shape[-1])
        need(stride % 2 == 0 and stride // 2 >= n + 1,
             f"input width {stride}: at least fft_length / 2 + 1 complex values ({2 * (n + 1)})")
        need(width == 2 * n, f"output width {width} for fft_length {2 * n}")
        count = x.size // stride
        need(y.size == count * width, f"output {list(y.shape)} for {count} frames")
        return {"n": n, "frames": count, "in_len": stride, "in_stride": stride,
                "out_stride": width}
