"""RFFT and IRFFT of TFLite Micro's signal library: the real FFT of kiss_fft (v1.3.0, the version
TFLite Micro builds, int16, int32 and float32), whose results they are bit-exact with.

A real FFT of 2n samples is a complex FFT of n (kiss_fftr); the complex FFT is mixed radix, its
factors (kf_factor: 4s first, then 2, 3, 5, ...) and twiddles cos/sin(-2 pi i / n) (rounded to
the type: floor(0.5 + 32767 cos) for int16, 2^31 - 1 for int32, the nearest float32) fixed per
length, plus n/2 "super twiddles" at -pi ((i + 1) / n + 1/2). Fixed-point stages divide by their
radix, so results are scaled by 1/n.

TFLite Micro's build of kiss_fft has no temporary memory (its allocator returns null), which the
generic butterfly for radices above 5 needs: those lengths crash it, so only lengths whose half
is a product of 2, 3 and 5 (and at least 2) are taken. The aot backend keeps the factors and
twiddles as constant tables, computed here with the host's cos and sin (glibc's, as the TFLite
Micro the reference runs); the interpreter computes them at setup in C (runtime/interp/
mbi_fft.c: cos and sin in double-double arithmetic, correctly rounded to double; glibc's are one
ulp off at a few hundred phases, which changes no rounded twiddle: tests/test_signal.py checks
every twiddle of every length up to 4096)."""
from __future__ import annotations

import ctypes
import math

import numpy as np

from ...ir.graph import Graph, Op
from ..base import Table, records
from .check import need
from .cstruct import F32, I16, I32, RECORDS, U32, Const, CType, Struct, fields, ptr
from .custom import CustomOp, io, positional

MAX_STAGES = 20
FACTORS = Const("MB_FFT_FACTORS", 2 * MAX_STAGES, "kiss_fft's (radix, length) pairs, at most")
VOID = CType("void", 1, "int", ctypes.c_uint8)
PARAMS = Struct(
    "mb_fft_params", "A real FFT of 2n values through kiss_fft's complex FFT of n.",
    fields(I32, "n", doc="the complex FFT's length, half the real one"),
    fields(I32, "inverse"),
    fields(ptr(I32), "factors", doc="(radix, remaining length) pairs until the length is 1"),
    fields(ptr(VOID), "twiddles", doc="n complex values of the type"),
    fields(ptr(VOID), "super_twiddles", doc="n / 2 complex values"),
    fields(ptr(VOID, const=False), "tmp", doc="n complex values: the complex FFT's data"),
    fields(ptr(VOID, const=False), "work", doc="2n values: a frame, zero-padded (RFFT)"))
DATA = Struct(
    "mbi_fft_data", "RFFT or IRFFT as the interpreter's setup prepares it: the kernel's tables "
                    "as arena offsets, the frames' sizes.",
    fields(I32, "n", "inverse", "frames"),
    fields(I32, "in_len", doc="RFFT: real inputs per frame (zero-padded to 2n)"),
    fields(I32, "in_stride", "out_stride", doc="values per frame in the tensors"),
    fields(U32, "factors", "twiddles", "super_twiddles", "tmp", "work", doc="arena offsets"),
    header=RECORDS)
TYPE = {"int16": 7, "int32": 2, "float32": 0}  # the T option: TFLite's TensorType
SAMP_MAX = {"int16": 32767, "int32": 2147483647}
SCALAR = {"int16": 2, "int32": 4, "float32": 4}


def factors(n: int) -> list[int]:
    """kf_factor: radix 4 while it divides, then 2, then odd numbers, up to floor(sqrt(n))."""
    out, p, root = [], 4, math.floor(math.sqrt(n))
    while True:
        while n % p:
            p = {4: 2, 2: 3}.get(p, p + 2)
            if p > root:
                p = n
        n //= p
        out += [p, n]
        if n <= 1:
            return out


def _round(c: float, dtype: str):
    return math.floor(0.5 + SAMP_MAX[dtype] * c) if dtype in SAMP_MAX else float(np.float32(c))


def twiddles(n: int, inverse: bool, dtype: str) -> list:
    """kiss_fft_alloc's n twiddles, flat (re, im, ...)."""
    out = []
    for i in range(n):
        phase = -2 * math.pi * i / n
        if inverse:
            phase *= -1
        out += [_round(math.cos(phase), dtype), _round(math.sin(phase), dtype)]
    return out


def super_twiddles(n: int, inverse: bool, dtype: str) -> list:
    """kiss_fftr_alloc's n / 2 super twiddles, flat."""
    out = []
    for i in range(n // 2):
        phase = -math.pi * ((i + 1) / n + 0.5)
        if inverse:
            phase *= -1
        out += [_round(math.cos(phase), dtype), _round(math.sin(phase), dtype)]
    return out


def length(op: Op, dtype: str) -> int:
    """fft_length from the options {T, fft_length}, checked for kiss_fft as TFLite Micro has it."""
    o = positional(op, ("T", "fft_length"))
    need(o["T"] == TYPE.get(dtype), f"T={o['T']} for {dtype} tensors; int16 (7), int32 (2) or "
                                    "float32 (0), the tensors' type")
    n = o["fft_length"]
    need(n >= 4 and n % 2 == 0, f"fft_length {n}: kiss_fft's real FFT needs an even length >= 4")
    f = factors(n // 2)
    need(max(f[0::2]) <= 5, f"fft_length {n}: half of it has the factor {max(f[0::2])}; TFLite "
                            "Micro's kiss_fft has no memory for radices above 5 (lengths of "
                            "2^a 3^b 5^c x 2 only)")
    need(len(f) <= FACTORS.value, f"fft_length {n}: more than {MAX_STAGES} radix stages")
    return n


class Fft(CustomOp):
    """What RFFT and IRFFT share: the tables per (length, direction, type)."""

    types = ("int16", "int32", "float32")
    inverse = 0
    kernels = ("fft_s16.c", "fft_s32.c", "fft_f32.c")

    @property
    def interp_files(self) -> tuple[str, ...]:
        return (*super().interp_files, "interp/mbi_fft.c", "kernels/fft_tpl.h")

    def sizes(self, graph: Graph, op: Op) -> dict:
        """n, frames, in_len, in_stride, out_stride (raises ValueError)."""
        raise NotImplementedError

    def check(self, graph: Graph, op: Op) -> None:
        self.sizes(graph, op)

    def emit(self, gen, i: int, op: Op) -> None:
        dtype = gen.g.tensors[op.inputs[0]].dtype
        s = self.sizes(gen.g, op)
        n, sfx = s["n"], {"int16": "s16", "int32": "s32", "float32": "f32"}[dtype]
        gen.use(f"kernels/fft_{sfx}.c", "kernels/fft_tpl.h")
        np_t = {"int16": "int16", "int32": "int32", "float32": "float32"}[dtype]
        ctype = {"int16": "int16_t", "int32": "int32_t", "float32": "float"}[dtype]
        key = f"fft{n}_{self.inverse}_{sfx}"
        tables = gen.once(key, lambda: (
            gen.array(f"mb_{key}_factors", "int32", np.array(factors(n), np.int32),
                      f"kiss_fft factors of {n}"),
            gen.array(f"mb_{key}_twiddles", np_t, np.array(twiddles(n, self.inverse, dtype)),
                      f"kiss_fft twiddles of {n}, {dtype}"),
            gen.array(f"mb_{key}_super", np_t,
                      np.array(super_twiddles(n, self.inverse, dtype)),
                      f"kiss_fftr super twiddles of {n}, {dtype}")))
        tmp = gen.static(f"op{i}_tmp", ctype, 2 * n, f"{self.kind} operator {i}: complex data")
        work = gen.static(f"op{i}_work", ctype, 2 * n, f"{self.kind} operator {i}: a frame") \
            if not self.inverse else None
        p = gen.struct(f"op{i}_params", PARAMS(
            n=n, inverse=self.inverse, factors=tables[0], twiddles=tables[1],
            super_twiddles=tables[2], tmp=tmp, work=work))
        name = "mb_irfft" if self.inverse else "mb_rfft"
        gen.calls.append(f"  {name}_{sfx}({p}, {s['frames']}, {s['in_len']}, {s['in_stride']}, "
                         f"{s['out_stride']}, {gen.act(op.inputs[0], True)}, "
                         f"{gen.act(op.outputs[0], False)});")

    # interp ----------------------------------------------------------------------------------
    def interp_records(self, graph: Graph, op: Op) -> int:
        n, dtype = self.sizes(graph, op)["n"], graph.tensors[op.inputs[0]].dtype
        b = SCALAR[dtype]
        work = 0 if self.inverse else records(2 * n, b)
        return (records(1, DATA.size()) + records(len(factors(n)), 4) + records(2 * n, b) +
                records(n, b) + records(2 * n, b) + work)

    def interp_record(self, graph: Graph, op: Op) -> tuple:
        s = self.sizes(graph, op)
        n, dtype = s["n"], graph.tensors[op.inputs[0]].dtype
        t = {"int16": I16, "int32": I32, "float32": F32}[dtype]
        return DATA, {**s, "inverse": self.inverse,
                      "factors": Table(I32, factors(n)),
                      "twiddles": Table(t, twiddles(n, self.inverse, dtype)),
                      "super_twiddles": Table(t, super_twiddles(n, self.inverse, dtype))}


def frames(graph: Graph, op: Op, dtype_ok=("int16", "int32", "float32")):
    """(input, output) of one type, activations of the same rank >= 1."""
    (x,), (y,) = io(graph, op, 1, 1)
    need(x.dtype in dtype_ok and y.dtype == x.dtype,
         f"{x.dtype} -> {y.dtype}; int16, int32 or float32, the same in and out")
    need(not x.is_const, "the input is a constant")
    need(len(x.shape) >= 1 and len(y.shape) == len(x.shape),
         f"input rank {len(x.shape)}, output rank {len(y.shape)}: equal, at least 1")
    return x, y
