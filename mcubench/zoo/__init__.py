"""Built-in models: int8 TFLite files that mcubench generates itself, so it runs with no model zoo.

`aww`, `vww`, `resnet` and `toycar` are architecture twins of the MLPerf Tiny v0.5 reference models:
the same operators in the same order, the same tensor shapes, strides, paddings, fused activations
and per-channel quantization layout, but synthetic (seeded, calibrated) weights. They cost the same
cycles and memory as the real models on any backend, which is what a benchmark measures; their
outputs mean nothing. `sine` and `tinycnn` are small quick-check models.

A model is generated on first use into `$MCUBENCH_HOME/models/<name>/` in the MLonMCU zoo layout
(`<name>.tflite`, `input/0..9.bin` float32 sample inputs, `definition.yml`), where the ordinary
model search path finds it. Generation is deterministic: the same mcubench and numpy versions write
the same bytes. A folder written by an older generator (its definition.yml says so) is rewritten.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from ..errors import ModelError
from ..ir.graph import Graph

GENERATOR = "mcubench.zoo"
VERSION = 1  # bump when any model's bytes change, so cached copies are regenerated
SAMPLES = 10


@dataclass(frozen=True)
class BuiltinModel:
    name: str
    twin_of: str | None  # the reference model whose architecture this one copies

    @property
    def module(self):
        return importlib.import_module(f"{__name__}.{self.name}")

    @property
    def description(self) -> str:
        m = self.module
        if getattr(m, "DESCRIPTION", None):
            return m.DESCRIPTION
        if self.twin_of:
            return (f"{m.TASK}, {m.ARCHITECTURE}: architecture twin of {self.twin_of} with "
                    "synthetic weights, for performance benchmarking, not accuracy")
        weights = "synthetic weights" if getattr(m, "SYNTHETIC", True) else "fitted weights"
        return f"{m.TASK}, {m.ARCHITECTURE}: small quick-check model with {weights}"


BUILTIN = {m.name: m for m in [
    BuiltinModel("aww", "the MLPerf Tiny v0.5 keyword spotting model (aww)"),
    BuiltinModel("vww", "the MLPerf Tiny v0.5 visual wake words model (vww_96_int8)"),
    BuiltinModel("resnet", "the MLPerf Tiny v0.5 image classification model (pretrainedResnet)"),
    BuiltinModel("toycar", "the MLPerf Tiny v0.5 anomaly detection model (ad01_int8)"),
    BuiltinModel("sine", None),
    BuiltinModel("tinycnn", None),
    BuiltinModel("audio_kws", None),
]}
GROUPS = {"tinymlperf": ["aww", "vww", "resnet", "toycar"]}


def names() -> list[str]:
    return list(BUILTIN)


def generate(name: str) -> tuple[Graph, np.ndarray]:
    """(int8 graph, float32 sample inputs with a leading sample axis) of a built-in model."""
    from .net import Net

    if name not in BUILTIN:
        raise ModelError(f"no built-in model {name!r}; built-in: {', '.join(BUILTIN)}")
    m = BUILTIN[name].module
    seed = zlib.crc32(name.encode())
    samples = m.samples(np.random.default_rng([seed, 1]), SAMPLES).astype(np.float32)
    return m.build(Net(name, [seed, 0]), samples.astype(np.float64)), samples


def tflite_bytes(name: str) -> bytes:
    from ..frontends.tflite_writer import write_tflite

    return write_tflite(generate(name)[0])


def read_definition(folder: Path) -> dict | None:
    """The folder's definition.yml if mcubench generated it, else None."""
    path = Path(folder) / "definition.yml"
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return None
    gen = data.get("generator") if isinstance(data, dict) else None
    return data if isinstance(gen, dict) and gen.get("name") == GENERATOR else None


def is_generated(folder: Path | None) -> bool:
    return folder is not None and read_definition(folder) is not None


def ensure(name: str, root: Path | None = None) -> Path:
    """The built-in model's .tflite under ``root`` (default $MCUBENCH_HOME/models), generated there
    if missing or written by another generator version."""
    from ..frontends.tflite_writer import write_tflite
    from ..home import home_dir

    root = Path(root) if root is not None else home_dir() / "models"
    folder = root / name
    model = folder / f"{name}.tflite"
    definition = read_definition(folder)
    if model.is_file() and definition and definition["generator"].get("version") == VERSION:
        return model
    if folder.exists() and definition is None:
        raise ModelError(f"{folder} exists but holds no {name}.tflite; remove it, or put the model "
                         f"file there, to use the name {name!r}")
    graph, samples = generate(name)
    data = write_tflite(graph)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        (tmp / "input").mkdir()
        for k, sample in enumerate(samples):
            (tmp / "input" / f"{k}.bin").write_bytes(sample.astype("<f4").tobytes())
        (tmp / f"{name}.tflite").write_bytes(data)
        (tmp / "definition.yml").write_text(yaml.safe_dump(_definition(name, graph, data),
                                                           sort_keys=False))
        if folder.exists():  # an older generator's output
            shutil.rmtree(folder, ignore_errors=True)
        os.rename(tmp, folder)
    except OSError:
        if not model.is_file():  # not another process that won the race: a real failure
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return model


def _definition(name: str, graph: Graph, data: bytes) -> dict:
    """MLonMCU-style metadata, plus the generator stamp that marks the folder as ours."""

    def node(index: int, key: str) -> dict:
        t = graph.tensors[index]
        if t.quant is None:  # raw values (audio_kws's int16 samples)
            return {"name": t.name, "shape": list(t.shape), "dtype": t.dtype}
        return {"name": t.name, "shape": list(t.shape), "dtype": t.dtype,
                key: {"scale": float(t.quant.scale[0]), "zero_shift": int(t.quant.zero_point[0]),
                      "dtype": "float32"}}

    inputs = [dict(node(i, "quantize"), example_input={"path": "./input/"}) for i in graph.inputs]
    return {
        "description": BUILTIN[name].description,
        "generator": {"name": GENERATOR, "version": VERSION},
        "network": {"filename": f"{name}.tflite", "file_size_bytes": len(data),
                    "framework": "TensorFlow Lite",
                    "hash": {"algorithm": "sha1", "value": hashlib.sha1(data).hexdigest()}},
        "network_parameters": {"input_nodes": inputs,
                               "output_nodes": [node(i, "dequantize") for i in graph.outputs]},
        "operators": {"TensorFlow Lite": list(graph.op_histogram())},
    }
