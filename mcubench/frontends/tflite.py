"""TFLite flatbuffer -> IR, with the maintained `tflite` package's generated classes.

Builtin options are read generically: every getter of the op's options table becomes a snake_case
key, enum values become their schema names. A malformed file is reported as a ModelError, never a
traceback; declared vector lengths are checked against the file size first, so a corrupt length
cannot make the reader loop for a long time."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..ir.graph import Graph, Op, Quant, Tensor
from ..ir.validate import MAX_ELEMENTS, validate_graph
from ..ops import CUSTOM
from .base import Frontend
from .flexbuffer import read_map

TENSOR_TYPES = {0: "float32", 2: "int32", 3: "uint8", 4: "int64", 6: "bool", 7: "int16", 9: "int8",
                12: "uint64", 15: "uint32"}
NP_TYPES = {"float32": np.float32, "int32": np.int32, "uint8": np.uint8, "int64": np.int64,
            "bool": np.bool_, "int16": np.int16, "int8": np.int8, "uint32": np.uint32,
            "uint64": np.uint64}
# Option fields whose integer value is a schema enum, and that enum's names.
ENUMS = {
    "padding": {0: "SAME", 1: "VALID"},
    "fused_activation_function": {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6", 4: "TANH",
                                  5: "SIGN_BIT"},
}


def _enum_names(enum_cls) -> dict[int, str]:
    return {v: k for k, v in vars(enum_cls).items() if not k.startswith("_") and isinstance(v, int)}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class TFLiteFrontend(Frontend):
    name = "tflite"
    description = "TensorFlow Lite flatbuffers (.tflite), read with the `tflite` package"
    extensions = (".tflite",)

    def load(self, path: Path) -> Graph:
        try:
            buf = Path(path).read_bytes()
        except OSError as exc:
            raise ModelError(f"cannot read model {path}: {exc.strerror}") from None
        return parse(buf, Path(path).stem)

    def reference(self, path: Path, samples, n_outputs: int):
        """TFLite Micro's reference kernels: the golden outputs for .tflite models."""
        from ..reference import tflm_outputs

        return tflm_outputs(Path(path).read_bytes(), samples, n_outputs)


def parse(buf: bytes, name: str = "model") -> Graph:
    if len(buf) < 8 or buf[4:8] != b"TFL3":
        raise ModelError(f"{name}: not a TFLite flatbuffer (missing 'TFL3' identifier); "
                         "give a .tflite file written by the TFLite converter")
    try:
        return _parse(buf, name)
    except (ModelError, MemoryError):  # MemoryError: a bug of ours, not a malformed file
        raise
    except Exception as exc:  # flatbuffers raises whatever an out-of-range offset leads to
        raise ModelError(f"{name}: malformed or truncated TFLite file ({type(exc).__name__}: "
                         f"{exc}); re-export the model") from None


def _check_len(n: int, limit: int, what: str, name: str) -> int:
    if n < 0 or n > limit:
        raise ModelError(f"{name}: malformed TFLite file ({what} claims {n} entries)")
    return n


def _parse(buf: bytes, name: str) -> Graph:
    import tflite

    op_names = _enum_names(tflite.BuiltinOperator)
    opt_names = _enum_names(tflite.BuiltinOptions)
    model = tflite.Model.GetRootAsModel(buf, 0)
    limit = len(buf)
    if _check_len(model.SubgraphsLength(), limit, "subgraphs", name) != 1:
        raise ModelError(f"{name}: {model.SubgraphsLength()} subgraphs; only single-subgraph "
                         "models are supported")
    sg = model.Subgraphs(0)
    n_buffers = _check_len(model.BuffersLength(), limit, "buffers", name)

    tensors = []
    for i in range(_check_len(sg.TensorsLength(), limit, "tensors", name)):
        t = sg.Tensors(i)
        dtype = TENSOR_TYPES.get(t.Type())
        if dtype is None:
            raise ModelError(f"{name}: tensor {i} has unsupported type code {t.Type()}")
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        if any(d < 0 for d in shape):
            raise ModelError(f"{name}: tensor {i} has a dynamic or negative shape {shape}")
        size = 1
        for d in shape:  # Python ints: np.prod would wrap around silently
            size *= d
        if size > min(limit * 4096, MAX_ELEMENTS):
            raise ModelError(f"{name}: tensor {i} declares an implausible shape {shape} "
                             f"({size} elements for a {limit}-byte model)")
        data = None
        variable = bool(t.IsVariable())
        b = t.Buffer()
        if 0 < b < n_buffers and not variable:  # TFLite Micro ignores a variable's buffer
            raw = model.Buffers(b).DataAsNumpy()
            if not isinstance(raw, int) and raw.size:
                arr = np.frombuffer(raw.tobytes(), dtype=NP_TYPES[dtype])
                if arr.size != size:
                    raise ModelError(f"{name}: tensor {i} has {arr.size} constant values for shape "
                                     f"{shape}")
                data = arr.reshape(shape)
        elif b >= n_buffers:
            raise ModelError(f"{name}: tensor {i} refers to missing buffer {b}")
        tensors.append(Tensor(name=(t.Name() or b"").decode(errors="replace"), shape=shape,
                              dtype=dtype, quant=_quant(t, shape, name, i), data=data,
                              is_variable=variable))

    ops = []
    for i in range(_check_len(sg.OperatorsLength(), limit, "operators", name)):
        op = sg.Operators(i)
        if op.OpcodeIndex() >= model.OperatorCodesLength():
            raise ModelError(f"{name}: operator {i} uses missing opcode {op.OpcodeIndex()}")
        code = model.OperatorCodes(op.OpcodeIndex())
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        kind = op_names.get(builtin, f"UNKNOWN_{builtin}")
        custom = None
        if kind == "CUSTOM":
            custom = (code.CustomCode() or b"?").decode(errors="replace")
            kind = CUSTOM.get(custom, "CUSTOM:" + custom)
        inputs = [int(x) for x in op.InputsAsNumpy()] if op.InputsLength() else []
        outputs = [int(x) for x in op.OutputsAsNumpy()] if op.OutputsLength() else []
        for x in inputs + outputs:
            if x >= len(tensors):
                raise ModelError(f"{name}: operator {i} ({kind}) refers to missing tensor {x}")
        options = _options(op, opt_names, tflite) if custom is None else \
            _custom_options(op, kind, f"{name}: operator {i} ({kind})")
        ops.append(Op(kind=kind, inputs=inputs, outputs=outputs, options=options))

    inputs = [int(x) for x in sg.InputsAsNumpy()] if sg.InputsLength() else []
    outputs = [int(x) for x in sg.OutputsAsNumpy()] if sg.OutputsLength() else []
    if not inputs or not outputs:
        raise ModelError(f"{name}: the model declares no inputs or no outputs")
    return validate_graph(Graph(name=name, tensors=tensors, ops=ops, inputs=inputs,
                                outputs=outputs, source=bytes(buf)))


def _quant(t, shape, name: str, index: int) -> Quant | None:
    q = t.Quantization()
    if q is None or q.ScaleLength() == 0:
        return None
    scale = q.ScaleAsNumpy().astype(np.float32)
    zp = q.ZeroPointAsNumpy().astype(np.int64) if q.ZeroPointLength() else np.zeros_like(scale,
                                                                                           np.int64)
    axis = q.QuantizedDimension()
    if len(scale) != len(zp):
        raise ModelError(f"{name}: tensor {index} has {len(scale)} scales but {len(zp)} zero points")
    if len(scale) > 1 and (axis >= len(shape) or shape[axis] != len(scale)):
        raise ModelError(f"{name}: tensor {index} has {len(scale)} per-channel scales that do not "
                         f"match dimension {axis} of shape {shape}")
    return Quant(scale=scale, zero_point=zp, axis=axis)


def _custom_options(op, kind: str, where: str) -> dict:
    """A supported custom operator's flexbuffer custom_options as a dict (unsupported ones are
    refused at LOAD by name, their options unread)."""
    if kind.startswith("CUSTOM:") or not op.CustomOptionsLength():
        return {}
    if op.CustomOptionsFormat() != 0:
        raise ModelError(f"{where}: custom_options format {op.CustomOptionsFormat()}; TFLite "
                         "Micro reads FLEXBUFFERS (0) only")
    return read_map(op.CustomOptionsAsNumpy().tobytes(), where)


def _options(op, opt_names: dict[int, str], tflite) -> dict:
    kind = opt_names.get(op.BuiltinOptionsType(), "NONE")
    table = op.BuiltinOptions()
    if kind == "NONE" or table is None or not hasattr(tflite, kind):
        return {}
    opts = getattr(tflite, kind)()
    opts.Init(table.Bytes, table.Pos)
    out = {}
    for attr in dir(opts):
        if not attr[0].isupper() or attr.startswith(("Init", "GetRootAs")) or \
                attr.endswith(("Length", "IsNone", "AsNumpy")):
            continue
        key = _snake(attr)
        if hasattr(opts, attr + "AsNumpy"):
            n = getattr(opts, attr + "Length")()
            value = [int(x) for x in getattr(opts, attr + "AsNumpy")()] if n else []
        else:
            try:
                value = getattr(opts, attr)()
            except TypeError:  # a getter that needs an index: covered by AsNumpy above
                continue
        out[key] = ENUMS[key].get(value, value) if key in ENUMS else value
    return out
