"""The vocabulary of LOAD checks: each raises ValueError with a message naming the tensor, what it
is and what the kernels need (the backend prefixes the model and operator)."""
from __future__ import annotations

import numpy as np

from ...ir.graph import Graph, Op, Tensor


def need(ok: bool, msg: str) -> None:
    if not ok:
        raise ValueError(msg)


def tensor(graph: Graph, k: int, role: str) -> Tensor:
    need(k >= 0, f"{role} is missing")
    return graph.tensors[k]


def one_output(op: Op) -> None:
    need(len(op.outputs) == 1, f"has {len(op.outputs)} outputs, expected 1")


def int8_act(graph: Graph, k: int, role: str) -> Tensor:
    """A quantized int8 activation of rank <= 4 (what the mb_*_s8 kernels take)."""
    t = tensor(graph, k, role)
    need(t.dtype == "int8" and t.quant is not None,
         f"{role} {t.name!r} is {t.dtype}{'' if t.quant else ' (unquantized)'}; the aot "
         "backend supports quantized int8 activations, or float32 ones with all of the "
         "operator's tensors float32")
    need(not t.is_const, f"{role} {t.name!r} is a constant; expected an activation")
    need(len(t.shape) <= 4, f"{role} {t.name!r} has rank {len(t.shape)} > 4")
    return t


def s16_act(graph: Graph, k: int, role: str) -> Tensor:
    """A quantized int16 activation of rank <= 4 (16x8 quantization)."""
    t = tensor(graph, k, role)
    need(t.dtype == "int16" and t.quant is not None,
         f"{role} {t.name!r} is {t.dtype}{'' if t.quant else ' (unquantized)'} in an int16 "
         "operator; the aot backend needs int16 activations in and out (16x8 quantization)")
    need(not t.is_const, f"{role} {t.name!r} is a constant; expected an activation")
    need(len(t.shape) <= 4, f"{role} {t.name!r} has rank {len(t.shape)} > 4")
    return t


def f32_tensor(graph: Graph, k: int, role: str, const: bool = False) -> Tensor:
    """A float32 tensor of rank <= 4 in a float32 operator: an activation, or (const) a finite
    constant."""
    t = tensor(graph, k, role)
    need(t.dtype == "float32" and t.quant is None,
         f"{role} {t.name!r} is {t.dtype}{' (quantized)' if t.quant else ''} in a float32 "
         "operator; the aot backend needs all of an operator's tensors float32 or all "
         "int8 (add QuantizeLinear/DequantizeLinear or quantize the whole model)")
    need(t.is_const == const, f"{role} {t.name!r} is {'not ' if const else ''}a constant")
    need(len(t.shape) <= 4, f"{role} {t.name!r} has rank {len(t.shape)} > 4")
    if const:
        need(bool(np.all(np.isfinite(t.data))), f"{role} {t.name!r} holds inf or NaN")
    return t


def same_quant(a: Tensor, b: Tensor) -> bool:
    return (np.float32(a.quant.scale[0]) == np.float32(b.quant.scale[0])
            and int(a.quant.zero_point[0]) == int(b.quant.zero_point[0]))


def out_dtype(graph: Graph, op: Op) -> str:
    """The type an operator runs in: its (first) output's."""
    return graph.tensors[op.outputs[0]].dtype if op.outputs and op.outputs[0] >= 0 else ""
