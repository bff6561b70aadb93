"""IR Graph -> .tflite flatbuffer, with the `tflite` package's generated builder functions.

The inverse of frontends/tflite.py: options are written generically, each snake_case key becoming
the schema's ``<Options>Add<CamelCase>`` call, into the table the operator's module names
(``OpSpec.options``); a custom operator's (``OpSpec.custom``) as its flexbuffer custom_options.
Constant buffers are 16-byte aligned, as TFLite Micro expects when it reads them in place.
"""
from __future__ import annotations

import flatbuffers
import numpy as np
import tflite

from ..ir.graph import Graph, Op, Tensor
from .flexbuffer import write_map

# Operators the writer knows beyond mcubench's own (mcubench/ops/ modules declare their options
# table): models with them test the refusal of unsupported operators.
WRITER_ONLY = {"L2_POOL_2D": "Pool2DOptions"}


def custom_code(kind: str) -> str | None:
    """The custom_code of a custom operator kind, None for a builtin one."""
    from ..ops import SPECS

    return SPECS[kind].custom or None if kind in SPECS else None


def options_table(kind: str) -> str | None:
    """The BuiltinOptions table an operator kind's options are written to (None: none)."""
    from ..ops import SPECS

    if kind in SPECS:
        return SPECS[kind].options
    if kind in WRITER_ONLY:
        return WRITER_ONLY[kind]
    raise ValueError(f"write_tflite: operator {kind} is not supported; supported: "
                     + ", ".join(sorted({*SPECS, *WRITER_ONLY})))


# Option keys whose value is a schema enum; IR values are its names ("SAME"), ints pass through.
ENUM_OPTIONS = {
    "padding": tflite.Padding,
    "fused_activation_function": tflite.ActivationFunctionType,
    "weights_format": tflite.FullyConnectedOptionsWeightsFormat,
    "quantized_bias_type": tflite.TensorType,
}

TENSOR_TYPES = {"float32": tflite.TensorType.FLOAT32, "int32": tflite.TensorType.INT32,
                "uint8": tflite.TensorType.UINT8, "int64": tflite.TensorType.INT64,
                "bool": tflite.TensorType.BOOL, "int16": tflite.TensorType.INT16,
                "int8": tflite.TensorType.INT8, "uint32": tflite.TensorType.UINT32,
                "uint64": tflite.TensorType.UINT64}
NP_TYPES = {"float32": np.float32, "int32": np.int32, "uint8": np.uint8, "int64": np.int64,
            "bool": np.bool_, "int16": np.int16, "int8": np.int8, "uint32": np.uint32,
            "uint64": np.uint64}

SCHEMA_VERSION = 3
BUFFER_ALIGN = 16


def _camel(key: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in key.split("_"))


def _int_vector(b: flatbuffers.Builder, values, dtype=np.int32) -> int:
    return b.CreateNumpyVector(np.asarray(list(values), dtype=dtype))


def _bytes_vector(b: flatbuffers.Builder, data: bytes) -> int:
    """A ubyte vector aligned for in-place reads (CreateByteVector aligns to 4 only)."""
    b.StartVector(1, len(data), BUFFER_ALIGN)
    b.head = b.head - len(data)
    b.Bytes[b.head:b.head + len(data)] = data
    return b.EndVector()


def _options(b: flatbuffers.Builder, op: Op) -> tuple[int, int]:
    """(BuiltinOptions union type, table offset); (0, 0) when the op has none."""
    table = options_table(op.kind)
    if table is None:
        if op.options:
            raise ValueError(f"write_tflite: {op.kind} takes no options, got {sorted(op.options)}")
        return 0, 0
    adders, vectors = [], {}
    for key, value in op.options.items():
        add = getattr(tflite, f"{table}Add{_camel(key)}", None)
        if add is None:
            valid = sorted(k for k in dir(tflite) if k.startswith(f"{table}Add"))
            raise ValueError(f"write_tflite: {op.kind} has no option {key!r}; valid: "
                             + ", ".join(k[len(table) + 3:] for k in valid))
        if isinstance(value, (list, tuple, np.ndarray)):
            vectors[key] = _int_vector(b, value)  # vectors must precede the table
            value = vectors[key]
        elif isinstance(value, str):
            enum = ENUM_OPTIONS.get(key)
            if enum is None or not hasattr(enum, value):
                raise ValueError(f"write_tflite: {op.kind} option {key}={value!r} is not an enum "
                                 "value the writer knows")
            value = getattr(enum, value)
        elif isinstance(value, (np.floating, np.integer, np.bool_)):
            value = value.item()
        adders.append((add, value))
    getattr(tflite, f"{table}Start")(b)
    for add, value in adders:
        add(b, value)
    return getattr(tflite.BuiltinOptions, table), getattr(tflite, f"{table}End")(b)


def _quantization(b: flatbuffers.Builder, t: Tensor) -> int | None:
    if t.quant is None:
        return None
    scale = b.CreateNumpyVector(np.asarray(t.quant.scale, dtype=np.float32).reshape(-1))
    zp = b.CreateNumpyVector(np.asarray(t.quant.zero_point, dtype=np.int64).reshape(-1))
    tflite.QuantizationParametersStart(b)
    tflite.QuantizationParametersAddScale(b, scale)
    tflite.QuantizationParametersAddZeroPoint(b, zp)
    tflite.QuantizationParametersAddQuantizedDimension(b, int(t.quant.axis))
    return tflite.QuantizationParametersEnd(b)


def _tensor(b: flatbuffers.Builder, t: Tensor, buffer: int) -> int:
    if t.dtype not in TENSOR_TYPES:
        raise ValueError(f"write_tflite: tensor {t.name!r} has unsupported dtype {t.dtype}")
    name = b.CreateString(t.name)
    shape = _int_vector(b, t.shape)
    quant = _quantization(b, t)
    tflite.TensorStart(b)
    tflite.TensorAddShape(b, shape)
    tflite.TensorAddType(b, TENSOR_TYPES[t.dtype])
    tflite.TensorAddBuffer(b, buffer)
    tflite.TensorAddName(b, name)
    if quant is not None:
        tflite.TensorAddQuantization(b, quant)
    if t.is_variable:
        tflite.TensorAddIsVariable(b, True)
    return tflite.TensorEnd(b)


def _table_vector(b: flatbuffers.Builder, start, offsets: list[int]) -> int:
    start(b, len(offsets))
    for off in reversed(offsets):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def write_tflite(graph: Graph) -> bytes:
    """Serialize a single-subgraph IR graph to TFLite flatbuffer bytes (schema version 3)."""
    b = flatbuffers.Builder(1024)

    # Buffer 0 is the schema's empty sentinel, shared by every non-constant tensor.
    payloads, tensor_buffer = [b""], []
    for t in graph.tensors:
        if t.is_const:
            data = np.ascontiguousarray(t.data, dtype=NP_TYPES[t.dtype])
            if data.size != t.size:
                raise ValueError(f"write_tflite: tensor {t.name!r} has {data.size} values for "
                                 f"shape {t.shape}")
            tensor_buffer.append(len(payloads))
            payloads.append(data.astype(data.dtype.newbyteorder("<")).tobytes())
        else:
            tensor_buffer.append(0)
    buffers = []
    for data in payloads:
        vec = _bytes_vector(b, data) if data else None
        tflite.BufferStart(b)
        if vec is not None:
            tflite.BufferAddData(b, vec)
        buffers.append(tflite.BufferEnd(b))

    tensors = [_tensor(b, t, buf) for t, buf in zip(graph.tensors, tensor_buffer)]

    kinds = list(dict.fromkeys(op.kind for op in graph.ops))
    codes = []
    for kind in kinds:
        custom = custom_code(kind)
        code = tflite.BuiltinOperator.CUSTOM if custom else \
            getattr(tflite.BuiltinOperator, kind, None)
        if code is None:
            raise ValueError(f"write_tflite: {kind} is not a TFLite builtin operator")
        name = b.CreateString(custom) if custom else None
        tflite.OperatorCodeStart(b)
        tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(code, 127))  # 127: PLACEHOLDER_FOR_...
        tflite.OperatorCodeAddBuiltinCode(b, code)
        if name is not None:
            tflite.OperatorCodeAddCustomCode(b, name)
        tflite.OperatorCodeAddVersion(b, 1)
        codes.append(tflite.OperatorCodeEnd(b))

    operators = []
    for op in graph.ops:
        # Omitted trailing inputs are left out rather than written as -1: the same model to
        # TFLite, but TFLM's DEPTHWISE_CONV_2D crashes on an explicit -1 bias.
        ins = list(op.inputs)
        while ins and ins[-1] < 0:
            ins.pop()
        inputs = _int_vector(b, ins)
        outputs = _int_vector(b, op.outputs)
        custom = custom_code(op.kind) and op.options
        opt_type, opt = (0, 0) if custom_code(op.kind) else _options(b, op)
        if custom:
            custom = b.CreateNumpyVector(np.frombuffer(write_map(op.options), np.uint8))
        tflite.OperatorStart(b)
        tflite.OperatorAddOpcodeIndex(b, kinds.index(op.kind))
        tflite.OperatorAddInputs(b, inputs)
        tflite.OperatorAddOutputs(b, outputs)
        if custom:
            tflite.OperatorAddCustomOptions(b, custom)  # format 0: FLEXBUFFERS
        if opt_type:
            tflite.OperatorAddBuiltinOptionsType(b, opt_type)
            tflite.OperatorAddBuiltinOptions(b, opt)
        operators.append(tflite.OperatorEnd(b))

    tensors_vec = _table_vector(b, tflite.SubGraphStartTensorsVector, tensors)
    ops_vec = _table_vector(b, tflite.SubGraphStartOperatorsVector, operators)
    in_vec = _int_vector(b, graph.inputs)
    out_vec = _int_vector(b, graph.outputs)
    sg_name = b.CreateString(graph.name)
    tflite.SubGraphStart(b)
    tflite.SubGraphAddTensors(b, tensors_vec)
    tflite.SubGraphAddInputs(b, in_vec)
    tflite.SubGraphAddOutputs(b, out_vec)
    tflite.SubGraphAddOperators(b, ops_vec)
    tflite.SubGraphAddName(b, sg_name)
    subgraph = tflite.SubGraphEnd(b)

    subgraphs_vec = _table_vector(b, tflite.ModelStartSubgraphsVector, [subgraph])
    codes_vec = _table_vector(b, tflite.ModelStartOperatorCodesVector, codes)
    buffers_vec = _table_vector(b, tflite.ModelStartBuffersVector, buffers)
    desc = b.CreateString("mcubench")
    tflite.ModelStart(b)
    tflite.ModelAddVersion(b, SCHEMA_VERSION)
    tflite.ModelAddOperatorCodes(b, codes_vec)
    tflite.ModelAddSubgraphs(b, subgraphs_vec)
    tflite.ModelAddDescription(b, desc)
    tflite.ModelAddBuffers(b, buffers_vec)
    b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
    return bytes(b.Output())
