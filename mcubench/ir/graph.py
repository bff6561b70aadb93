"""The intermediate representation every frontend produces and every backend consumes.

Deliberately close to TFLite's own model: tensors with shapes, dtypes, (per-channel) quantization and
optional constant data; operators with a kind, tensor indices and normalized options. Option names are
the TFLite schema's field names in snake_case (``stride_w``, ``padding``, ``fused_activation_function``)
with enum values as strings (``"SAME"``, ``"RELU6"``), so they read the same as the TFLite docs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DTYPE_BYTES = {"int8": 1, "uint8": 1, "int16": 2, "int32": 4, "int64": 8, "float32": 4, "bool": 1,
               "uint32": 4, "uint64": 8}


@dataclass
class Quant:
    """Affine quantization: real = scale * (q - zero_point); per-channel along ``axis`` if len > 1."""

    scale: np.ndarray
    zero_point: np.ndarray
    axis: int = 0

    @property
    def per_channel(self) -> bool:
        return len(self.scale) > 1


@dataclass
class Tensor:
    name: str
    shape: tuple[int, ...]
    dtype: str
    quant: Quant | None = None
    data: np.ndarray | None = None  # constant contents (weights, biases, shape operands)
    # TFLite's is_variable: state an operator keeps from one invoke to the next (SVDF's, LSTM's);
    # set to its zero point at setup, never a constant
    is_variable: bool = False

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @property
    def nbytes(self) -> int:
        return self.size * DTYPE_BYTES[self.dtype]


@dataclass
class Op:
    kind: str  # TFLite builtin name: "CONV_2D", "DEPTHWISE_CONV_2D", ...
    inputs: list[int]  # tensor indices; -1 marks an omitted optional input (e.g. no bias)
    outputs: list[int]
    options: dict = field(default_factory=dict)


@dataclass
class Graph:
    name: str
    tensors: list[Tensor]
    ops: list[Op]
    inputs: list[int]
    outputs: list[int]
    # The model file's bytes when the frontend read one that backends can embed as is (the interp
    # backend runs the .tflite unchanged); None for graphs built or converted in memory.
    source: bytes | None = field(default=None, repr=False)

    def tensor(self, index: int) -> Tensor | None:
        return None if index < 0 else self.tensors[index]

    def op_histogram(self) -> dict[str, int]:
        hist: dict[str, int] = {}
        for op in self.ops:
            hist[op.kind] = hist.get(op.kind, 0) + 1
        return hist

    def weight_bytes(self) -> int:
        used = {i for op in self.ops for i in op.inputs if i >= 0}
        return sum(self.tensors[i].nbytes for i in used if self.tensors[i].is_const)

    def summary(self) -> dict:
        """A JSON-able description, written next to the model at LOAD."""

        def tinfo(i: int) -> dict:
            t = self.tensors[i]
            q = t.quant
            return {
                "name": t.name,
                "shape": list(t.shape),
                "dtype": t.dtype,
                "scale": None if q is None else [float(s) for s in q.scale[:1]],
                "zero_point": None if q is None else [int(z) for z in q.zero_point[:1]],
            }

        return {
            "name": self.name,
            "inputs": [tinfo(i) for i in self.inputs],
            "outputs": [tinfo(i) for i in self.outputs],
            "ops": self.op_histogram(),
            "weight_bytes": self.weight_bytes(),
            "layers": [
                {"kind": op.kind, "inputs": op.inputs, "outputs": op.outputs} for op in self.ops
            ],
        }
