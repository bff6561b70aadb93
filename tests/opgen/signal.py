"""The audio front end's stateless operators (TFLite Micro's signal library): FFT_AUTO_SCALE,
ENERGY, FILTER_BANK, FILTER_BANK_SQUARE_ROOT, FILTER_BANK_LOG and PCAN on random sizes, options
and inputs whose magnitudes span their types (small and large energies alike, -32768 samples, the
square root's 32-bit shortcut and 64-bit path, shifts past 31)."""
from __future__ import annotations

import numpy as np

from mcubench.ir.graph import Graph, Op, Tensor

DTYPES = {"FFT_AUTO_SCALE": ("int16",), "ENERGY": ("int16",), "FILTER_BANK": ("uint32",),
          "FILTER_BANK_SQUARE_ROOT": ("uint64",), "FILTER_BANK_LOG": ("uint32",),
          "PCAN": ("uint32",)}


def magnitudes(rng: np.random.Generator, dtype: str, shape) -> np.ndarray:
    """Unsigned values of every magnitude: each element below a random power of two."""
    bits = np.iinfo(dtype).bits
    full = rng.integers(0, np.iinfo(dtype).max, shape, dtype=dtype, endpoint=True)
    drop = rng.integers(0, bits + 1, shape).astype(dtype)  # keep bits - drop low bits
    return np.where(drop == bits, 0, full >> np.minimum(drop, bits - 1).astype(dtype)) \
        .astype(dtype)


def _graph(name: str, tensors, kind: str, ins, outs, options, inputs) -> Graph:
    return Graph(name, tensors, [Op(kind, ins, outs, options)], inputs, outs)


def _fft_auto_scale(rng, dtype):
    n = int(rng.integers(1, 40))
    t = [Tensor("input", (n,), "int16"), Tensor("output", (n,), "int16"),
         Tensor("scale_bits", (), "int32")]
    return _graph("fft_auto_scale", t, "FFT_AUTO_SCALE", [0], [1, 2], {}, [0])


def _fft_auto_scale_inputs(rng, graph):
    n = graph.tensors[0].shape[0]
    x = (rng.integers(-32768, 32768, n) >> int(rng.integers(0, 16))).astype(np.int16)
    if rng.random() < 0.2:
        x[int(rng.integers(n))] = -32768
    if rng.random() < 0.1:
        x[:] = 0
    return [x]


def _energy(rng, dtype):
    bins = int(rng.integers(1, 40))
    start = int(rng.integers(0, bins))
    end = int(rng.integers(start, bins + 1))
    t = [Tensor("input", (2 * bins,), "int16"), Tensor("output", (bins,), "uint32")]
    return _graph("energy", t, "ENERGY", [0], [1], {"end_index": end, "start_index": start}, [0])


def _filter_bank(rng, dtype):
    """TFLite's layout: per channel (num_channels + 1) a start bin, a start weight, a width."""
    n = int(rng.integers(1, 12))
    bins = int(rng.integers(n + 2, 80))
    widths = rng.integers(0, 6, n + 1).astype(np.int16)
    freq = np.array([rng.integers(0, bins - w + 1) for w in widths], np.int16)
    wstart = np.cumsum(np.r_[0, widths[:-1]]).astype(np.int16)
    total = int(widths.sum()) + int(rng.integers(0, 3))
    weights = rng.integers(0, 4097, total).astype(np.int16)
    unweights = (4096 - weights).astype(np.int16)
    if rng.random() < 0.3:  # any int16 weights: negative ones wrap modulo 2^64 in TFLite Micro
        weights = rng.integers(-32768, 32768, total).astype(np.int16)
    out = n if rng.random() < 0.8 else int(rng.integers(1, n + 1))
    t = [Tensor("input", (bins,), "uint32"), Tensor("weights", (total,), "int16", data=weights),
         Tensor("unweights", (total,), "int16", data=unweights),
         Tensor("channel_frequency_starts", (n + 1,), "int16", data=freq),
         Tensor("channel_weight_starts", (n + 1,), "int16", data=wstart),
         Tensor("channel_widths", (n + 1,), "int16", data=widths),
         Tensor("output", (out,), "uint64")]
    return _graph("filter_bank", t, "FILTER_BANK", [0, 1, 2, 3, 4, 5], [6],
                  {"num_channels": n}, [0])


def _filter_bank_square_root(rng, dtype):
    n = int(rng.integers(1, 40))
    t = [Tensor("input", (n,), "uint64"), Tensor("scale_bits", (), "int32"),
         Tensor("output", (n,), "uint32")]
    return _graph("filter_bank_square_root", t, "FILTER_BANK_SQUARE_ROOT", [0, 1], [2], {},
                  [0, 1])


def _filter_bank_square_root_inputs(rng, graph):
    n = graph.tensors[0].shape[0]
    bits = int(rng.integers(0, 16)) if rng.random() < 0.8 else int(rng.integers(-40, 80))
    return [magnitudes(rng, "uint64", n), np.array(bits, np.int32)]


def _filter_bank_log(rng, dtype):
    n = int(rng.integers(1, 40))
    t = [Tensor("input", (n,), "uint32"), Tensor("output", (n,), "int16")]
    opts = {"input_correction_bits": int(rng.integers(0, 8)) if rng.random() < 0.8 else
            int(rng.integers(0, 32)), "output_scale": int(rng.choice([1, 16, 1600, 1 << 16])) if
            rng.random() < 0.5 else int(rng.integers(0, 1 << 20))}
    return _graph("filter_bank_log", t, "FILTER_BANK_LOG", [0], [1], opts, [0])


def _pcan(rng, dtype):
    n = int(rng.integers(1, 40))
    lut = rng.integers(-32768, 32768, 125 + int(rng.integers(0, 3))).astype(np.int16)
    t = [Tensor("input", (n,), "uint32"), Tensor("noise_estimate", (n,), "uint32"),
         Tensor("gain_lut", lut.shape, "int16", data=lut), Tensor("output", (n,), "uint32")]
    shift = 6 if rng.random() < 0.5 else int(rng.integers(0, 64))
    return _graph("pcan", t, "PCAN", [0, 1, 2], [3], {"snr_shift": shift}, [0, 1])


def _unsigned_inputs(rng, graph):
    return [magnitudes(rng, graph.tensors[t].dtype, graph.tensors[t].shape)
            for t in graph.inputs]


def _energy_mask(graph, outputs):
    """TFLite Micro writes only bins start..end-1."""
    o = graph.ops[0].options
    mask = np.zeros(graph.tensors[graph.outputs[0]].shape, bool)
    mask[o["start_index"]:o["end_index"]] = True
    return [mask]


BUILDERS = {"FFT_AUTO_SCALE": _fft_auto_scale, "ENERGY": _energy, "FILTER_BANK": _filter_bank,
            "FILTER_BANK_SQUARE_ROOT": _filter_bank_square_root,
            "FILTER_BANK_LOG": _filter_bank_log, "PCAN": _pcan}
INPUTS = {"FFT_AUTO_SCALE": _fft_auto_scale_inputs, "FILTER_BANK": _unsigned_inputs,
          "FILTER_BANK_SQUARE_ROOT": _filter_bank_square_root_inputs,
          "FILTER_BANK_LOG": _unsigned_inputs, "PCAN": _unsigned_inputs}
MASKS = {"ENERGY": _energy_mask}
