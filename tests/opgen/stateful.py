"""The operators that keep state between invokes (TFLite Micro's signal library: DELAY, FRAMER,
STACKER, OVERLAP_ADD, FILTER_BANK_SPECTRAL_SUBTRACTION): random sizes and options. One invoke is
tested with the others (tests/test_ops.py); tests/test_signal.py runs each over a sequence of
invokes and compares every output of every step."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

from .common import shape

DTYPES = {"DELAY": ("int16",), "FRAMER": ("int16",), "STACKER": ("int16",),
          "OVERLAP_ADD": ("int16", "float32"), "FILTER_BANK_SPECTRAL_SUBTRACTION": ("uint32",)}


def _delay(rng, dtype):
    dims = shape(rng, 1, 3, 10)
    delay = int(rng.integers(0, 3 * dims[-1] + 2))
    t = [Tensor("input", dims, "int16"), Tensor("output", dims, "int16")]
    return Graph("delay", t, [Op("DELAY", [0], [1], {"delay_length": delay})], [0], [1])


def _framer(rng, dtype):
    step = int(rng.integers(1, 9))
    size = int(rng.integers(1, 3 * step + 3))
    frames = int(rng.integers(1, 4))
    prefill = bool(rng.random() < 0.5) and size >= step
    rows = () if rng.random() < 0.6 else (int(rng.integers(1, 4)),)
    t = [Tensor("input", rows + (frames * step,), "int16"),
         Tensor("frames", rows + (frames, size), "int16"), Tensor("valid", (), "bool")]
    opts = {"frame_size": size, "frame_step": step, "prefill": prefill}
    return Graph("framer", t, [Op("FRAMER", [0], [1, 2], opts)], [0], [1, 2])


def _stacker(rng, dtype):
    c, left, right = int(rng.integers(1, 9)), int(rng.integers(0, 5)), int(rng.integers(0, 4))
    step = int(rng.integers(1, left + right + 2))
    t = [Tensor("input", (c,), "int16"), Tensor("stack", (c * (left + right + 1),), "int16"),
         Tensor("valid", (), "bool")]
    opts = {"num_channels": c, "stacker_left_context": left, "stacker_right_context": right,
            "stacker_step": step}
    return Graph("stacker", t, [Op("STACKER", [0], [1, 2], opts)], [0], [1, 2])


def _overlap_add(rng, dtype):
    size = int(rng.integers(1, 17))
    step = int(rng.integers(1, size + 1))
    frames = int(rng.integers(1, 4))
    rows = () if rng.random() < 0.6 else (int(rng.integers(1, 4)),)
    t = [Tensor("input", rows + (frames, size), dtype),
         Tensor("output", rows + (frames * step,), dtype)]
    opts = {"T": 7 if dtype == "int16" else 0, "frame_step": step}
    return Graph("overlap_add", t, [Op("OVERLAP_ADD", [0], [1], opts)], [0], [1])


def _spectral_subtraction(rng, dtype):
    n = int(rng.integers(1, 24))
    bits = 14 if rng.random() < 0.7 else int(rng.integers(0, 64))
    one = 1 << min(bits, 31)

    def coef() -> int:
        return int(rng.integers(0, one + 1)) if rng.random() < 0.8 else \
            int(rng.integers(-2**31, 2**31))
    smoothing, alternate = coef(), coef() if rng.random() < 0.5 else 0
    opts = {"alternate_one_minus_smoothing": one - alternate if alternate else 0,
            "alternate_smoothing": alternate, "clamping": bool(rng.random() < 0.5),
            "min_signal_remaining": coef(), "num_channels": n,
            "one_minus_smoothing": one - smoothing if rng.random() < 0.8 else coef(),
            "smoothing": smoothing,
            "smoothing_bits": 10 if rng.random() < 0.6 else int(rng.integers(0, 32)),
            "spectral_subtraction_bits": bits}
    noise = n if rng.random() < 0.8 else int(rng.integers(1, n + 1))
    t = [Tensor("input", (n,), "uint32"), Tensor("output", (n,), "uint32"),
         Tensor("noise_estimate", (noise,), "uint32")]
    return Graph("spectral_subtraction", t,
                 [Op("FILTER_BANK_SPECTRAL_SUBTRACTION", [0], [1, 2], opts)], [0], [1, 2])


def _energies(rng, graph):
    """Filter bank energies: mostly below 2^22 (room for the smoothing shift), some of any size."""
    from .signal import magnitudes

    x = magnitudes(rng, "uint32", graph.tensors[0].shape)
    return [np.where(rng.random(x.shape) < 0.8, x >> np.uint32(10), x).astype(np.uint32)]


def _valid_mask(graph, outputs):
    """A framer's or stacker's data is not written when its valid flag is false."""
    return [None if bool(outputs[1]) else np.zeros(outputs[0].shape, bool), None]


BUILDERS = {"DELAY": _delay, "FRAMER": _framer, "STACKER": _stacker,
            "OVERLAP_ADD": _overlap_add,
            "FILTER_BANK_SPECTRAL_SUBTRACTION": _spectral_subtraction}
INPUTS = {"FILTER_BANK_SPECTRAL_SUBTRACTION": _energies}
MASKS = {"FRAMER": _valid_mask, "STACKER": _valid_mask}
