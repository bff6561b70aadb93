"""Sample inputs for a model: the zoo's own sample files where there are some, else seeded random.

A zoo model folder (the MLonMCU layout, see ../shared/models/README.md) holds `input/<k>.bin`, raw
little-endian values of sample k for the model's input(s) in order. The element type follows from
the file size: 4 bytes per element are float32 real values, 1 byte per element uint8 real values
(resnet's pixels). Both are quantized with the input tensor's scale and zero point, as TFLite's
QUANTIZE does: q = round_half_away(real / scale) + zero_point, clipped to the dtype. For resnet
(scale 1, zero point -128) that is exactly pixel - 128.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .errors import ModelError
from .ir.graph import Graph, Tensor

NP = {"int8": np.int8, "uint8": np.uint8, "int16": np.int16, "int32": np.int32,
      "float32": np.float32}


def quantize(real: np.ndarray, tensor: Tensor) -> np.ndarray:
    """Real values -> the tensor's dtype (affine quantization, halves away from zero, clipped)."""
    real = np.asarray(real, dtype=np.float64)
    if tensor.dtype == "float32":
        return real.astype(np.float32).reshape(tensor.shape)
    if tensor.dtype not in NP:
        raise ModelError(f"input {tensor.name!r} has dtype {tensor.dtype}; samples can be made for "
                         f"{', '.join(NP)} only")
    info = np.iinfo(NP[tensor.dtype])
    if tensor.quant is None:
        q = real
    else:  # TFLite computes real / scale with the float32 scale
        scale = float(np.float32(tensor.quant.scale[0]))
        q = real / scale
        q = np.sign(q) * np.floor(np.abs(q) + 0.5) + int(tensor.quant.zero_point[0])
    return np.clip(q, info.min, info.max).astype(NP[tensor.dtype]).reshape(tensor.shape)


def sample_files(model_dir: Path | None) -> list[Path]:
    """`input/<k>.bin` of a zoo model folder, in numeric order (none if there is no such folder)."""
    if model_dir is None or not (Path(model_dir) / "input").is_dir():
        return []
    files = [p for p in (Path(model_dir) / "input").glob("*.bin") if re.fullmatch(r"\d+", p.stem)]
    return sorted(files, key=lambda p: int(p.stem))


def read_sample(path: Path, graph: Graph) -> list[np.ndarray]:
    """One sample file -> one array per graph input, in the inputs' dtypes."""
    tensors = [graph.tensors[i] for i in graph.inputs]
    elems = sum(t.size for t in tensors)
    raw = path.read_bytes()
    if len(raw) == 4 * elems:
        values = np.frombuffer(raw, dtype="<f4")
    elif len(raw) == elems:
        values = np.frombuffer(raw, dtype=np.uint8)
    else:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ModelError(f"sample {path} has {len(raw)} bytes; the model's inputs ({shapes}) "
                         f"need {4 * elems} (float32) or {elems} (uint8)")
    out, pos = [], 0
    for t in tensors:
        out.append(quantize(values[pos:pos + t.size], t))
        pos += t.size
    return out


def random_sample(graph: Graph, rng: np.random.Generator) -> list[np.ndarray]:
    out = []
    for i in graph.inputs:
        t = graph.tensors[i]
        if t.dtype == "float32":
            out.append(rng.standard_normal(t.shape).astype(np.float32))
        elif t.dtype in NP:
            info = np.iinfo(NP[t.dtype])
            out.append(rng.integers(info.min, info.max, size=t.shape, endpoint=True,
                                    dtype=NP[t.dtype]))
        else:
            raise ModelError(f"input {t.name!r} has dtype {t.dtype}; random samples can be made "
                             f"for {', '.join(NP)} only")
    return out


def load_samples(model_dir: Path | str | None, graph: Graph, count: int,
                 seed: int = 0) -> list[list[np.ndarray]]:
    """`count` samples, each one array per graph input: the folder's sample files first, topped up
    with random values from `seed` when there are fewer files (or no folder: `model_dir` None)."""
    files = sample_files(Path(model_dir) if model_dir is not None else None)
    samples = [read_sample(p, graph) for p in files[:count]]
    rng = np.random.default_rng(seed)
    while len(samples) < count:
        samples.append(random_sample(graph, rng))
    return samples
