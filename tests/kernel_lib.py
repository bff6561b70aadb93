"""The kernel library (runtime/kernels/*.c) as a host shared library, called through ctypes.

``build_kernels(dir)`` compiles every kernel once; ``KernelLib.run(graph, op, values)`` fills the
``mb_*_params`` structs (ctypes mirrors derived from their declarations in mcubench/ops/) with the
operator modules' preparation (the same the code generator uses) and runs one IR operator, so tests
compare exactly what a backend would emit. ``KernelLib.run_opt`` does the same with the optimized
kernels (runtime/kernels/opt/), falling back to the reference kernel where the backend would.
"""
from __future__ import annotations

import ctypes as C
import shutil
import subprocess
from pathlib import Path

import numpy as np

import mcubench
from mcubench.ir.graph import Graph, Op
from mcubench.ops import SPECS, add, conv2d, depthwise_conv2d, fully_connected, softmax
from mcubench.ops.common import cstruct, pool
from mcubench.ops.common.fold import REQUANT_OPT
from mcubench.ops.common.qmath import nhwc
from mcubench.ops.common.structs import DIMS, REQUANT

RUNTIME = Path(mcubench.__file__).parent / "runtime"
KERNEL_SOURCES = sorted((RUNTIME / "kernels").glob("*.c"))
OPT_DIR = RUNTIME / "kernels" / "opt"
OPT_SOURCES = sorted(OPT_DIR.glob("*.c"))


def build_kernels(out_dir: Path, cc: str = "gcc") -> Path:
    """Compile all kernels into one shared library; warnings are errors."""
    if shutil.which(cc) is None:
        raise FileNotFoundError(f"{cc} not found")
    lib = Path(out_dir) / "libmb_kernels.so"
    cstruct.write_headers(out_dir)
    cmd = [cc, "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
           f"-I{out_dir}", f"-I{RUNTIME / 'include'}", f"-I{OPT_DIR}",
           *map(str, KERNEL_SOURCES + OPT_SOURCES),
           "-o", str(lib)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return lib


# the C structs, from their one declaration (mcubench/ops/; ctypes mirrors derived from it)
Dims = DIMS.ctype()
Requant = REQUANT.ctype()
Conv2dParams = conv2d.PARAMS.ctype()
DepthwiseConv2dParams = depthwise_conv2d.PARAMS.ctype()
FullyConnectedParams = fully_connected.PARAMS.ctype()
PoolParams = pool.PARAMS.ctype()
AddParams = add.PARAMS.ctype()
SoftmaxParams = softmax.PARAMS.ctype()
RequantOpt = REQUANT_OPT.ctype()
Conv2dOptParams = conv2d.PARAMS_OPT.ctype()
DepthwiseConv2dOptParams = depthwise_conv2d.PARAMS_OPT.ctype()
AddOptParams = add.PARAMS_OPT.ctype()
_WINDOW = [(f, None) for f in ("stride_h", "stride_w", "dilation_h", "dilation_w", "pad_h",
                               "pad_w")]
# the optimized kernels' preparation as the aot backend makes it (fully connected: always the
# GEMM, never the small-layer loop)
PREPARE_OPT = {
    "CONV_2D": conv2d.prepare_opt,
    "DEPTHWISE_CONV_2D": depthwise_conv2d.prepare_opt,
    "FULLY_CONNECTED": fully_connected.prepare_opt,
    "ADD": add.prepare_opt,
    "AVERAGE_POOL_2D": lambda g, op: SPECS["AVERAGE_POOL_2D"].prepare_opt(g, op, {}),
}


I8P, I32P = C.POINTER(C.c_int8), C.POINTER(C.c_int32)
DP = C.POINTER(Dims)
SIGNATURES = {
    "mb_requantize": (C.c_int32, [C.c_int32, C.c_int32, C.c_int32]),
    "mb_conv2d_s8": (None, [C.POINTER(Conv2dParams), DP, I8P, DP, I8P, I32P, DP, I8P]),
    "mb_depthwise_conv2d_s8": (None, [C.POINTER(DepthwiseConv2dParams), DP, I8P, DP, I8P, I32P,
                                      DP, I8P]),
    "mb_fully_connected_s8": (None, [C.POINTER(FullyConnectedParams), C.c_int32, C.c_int32, I8P,
                                     C.c_int32, I8P, I32P, I8P]),
    "mb_avg_pool_s8": (None, [C.POINTER(PoolParams), DP, I8P, DP, I8P]),
    "mb_max_pool_s8": (None, [C.POINTER(PoolParams), DP, I8P, DP, I8P]),
    "mb_add_s8": (None, [C.POINTER(AddParams), C.c_int32, I8P, I8P, I8P]),
    "mb_softmax_s8": (None, [C.POINTER(SoftmaxParams), C.c_int32, C.c_int32, I8P, I8P]),
    "mb_copy_s8": (None, [C.c_int32, I8P, I8P]),
    "mb_conv2d_s8_opt": (None, [C.POINTER(Conv2dOptParams), DP, I8P, DP, I8P, DP, I8P]),
    "mb_depthwise_conv2d_s8_opt": (None, [C.POINTER(DepthwiseConv2dOptParams), DP, I8P, I8P, DP,
                                          I8P]),
    "mb_fully_connected_s8_opt": (None, [C.POINTER(RequantOpt), C.c_int32, C.c_int32, I8P,
                                         C.c_int32, I8P, I8P]),
    "mb_add_s8_opt": (None, [C.POINTER(AddOptParams), C.c_int32, I8P, I8P, I8P]),
    "mb_avg_pool_s8_opt": (None, [C.POINTER(PoolParams), DP, I8P, DP, I8P]),
}


def _ptr(arr: np.ndarray | None, ctype):
    return None if arr is None else arr.ctypes.data_as(C.POINTER(ctype))


def _dims(shape) -> Dims:
    return Dims(*nhwc(shape))


def _requants(pairs) -> C.Array:
    return (Requant * len(pairs))(*(Requant(int(m), int(s)) for m, s in pairs))


def _fill(struct_cls, p: dict, **extra):
    """A params struct from a prepare_* dict: every struct field must be present."""
    values = {name: p[name] for name, _ in struct_cls._fields_ if name not in extra}
    for name, ctype in struct_cls._fields_:
        if ctype is Requant and name in values:
            values[name] = Requant(*values[name])
    return struct_cls(**values, **extra)


def _requant_opt(rq: dict, keep: list) -> RequantOpt:
    """The C struct for a fold.py "rq" dict; `keep` holds the arrays alive while it is used."""
    arrays = [np.ascontiguousarray(rq[k]) for k in ("bias", "mult", "shift")]
    keep.extend(arrays)
    return RequantOpt(_ptr(arrays[0], C.c_int32), _ptr(arrays[1], C.c_int32),
                      _ptr(arrays[2], C.c_int8),
                      *(int(rq[k]) for k in ("per_channel", "relu", "output_offset", "act_min",
                                             "act_max")))


def build_conv1x1(out_dir: Path, k: int, relu: int, cc: str = "gcc") -> Path:
    """The convolutions specialized for depth k and output case relu (conv1x1_tpl.h:
    mb_conv1x1_s8_k<k>[_relu] and mb_conv_s8_k<k>[_relu]), as the aot backend instantiates them,
    in a shared library of their own."""
    from mcubench.ops.conv2d import spec_function

    src = Path(out_dir) / f"conv1x1_k{k}{'_relu' if relu else ''}.c"
    src.write_text(f"#define MB_K {k}\n#define MB_RELU {relu}\n"
                   f"#define MB_FN {spec_function(k, relu)}\n"
                   f"#define MB_IM2COL_FN {spec_function(k, relu, True)}\n"
                   '#include "conv1x1_tpl.h"\n')
    lib = src.with_suffix(".so")
    # mb_im2col_s8 comes from the main kernel library, loaded with RTLD_GLOBAL (KernelLib)
    cstruct.write_headers(out_dir)
    subprocess.run([cc, "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                    f"-I{out_dir}", f"-I{RUNTIME / 'include'}", f"-I{OPT_DIR}", str(src), "-o",
                    str(lib)],
                   check=True, capture_output=True, text=True)
    return lib


class KernelLib:
    def __init__(self, path: Path):
        self.dir = Path(path).parent
        self.spec: dict[tuple[int, int], C.CDLL] = {}  # (depth, relu) -> specialized kernels
        self.lib = C.CDLL(str(path), mode=C.RTLD_GLOBAL)
        for name, (restype, argtypes) in SIGNATURES.items():
            fn = getattr(self.lib, name, None)
            if fn is None:  # a library built without the optimized kernels
                continue
            fn.restype, fn.argtypes = restype, argtypes

    def run_opt(self, graph: Graph, op: Op, values: dict[int, np.ndarray]
                ) -> tuple[np.ndarray, bool]:
        """Run one op with its optimized kernel; (output, True), or the reference kernel's
        (output, False) where fold.py keeps the reference (as the aot backend does)."""
        prepare = PREPARE_OPT.get(op.kind)
        p = prepare(graph, op) if prepare else None
        if p is None:
            return self.run(graph, op, values), False
        x = np.ascontiguousarray(values[op.inputs[0]], dtype=np.int8)
        out_t = graph.tensors[op.outputs[0]]
        out = np.zeros(out_t.shape, dtype=np.int8)
        # guard bytes around the scratch catch a kernel writing past its declared size
        scratch = np.full(p["scratch"] + 64, 0x5A, np.int8)
        sp = C.cast(scratch[32:].ctypes.data, C.POINTER(C.c_int8)) if p["scratch"] else None
        if op.kind == "AVERAGE_POOL_2D":
            params = _fill(PoolParams, p["pool"])
            self.lib.mb_avg_pool_s8_opt(C.byref(params), C.byref(_dims(x.shape)),
                                        _ptr(x, C.c_int8), C.byref(_dims(out.shape)),
                                        _ptr(out, C.c_int8))
            return out, True
        if op.kind == "ADD":
            y = np.ascontiguousarray(values[op.inputs[1]], dtype=np.int8)
            fields = {k: p[k] for k, _ in AddOptParams._fields_ if k != "scratch"}
            fields["input1"], fields["input2"] = Requant(*p["input1"]), Requant(*p["input2"])
            params = AddOptParams(**fields, scratch=C.cast(sp, C.POINTER(C.c_int32)))
            self.lib.mb_add_s8_opt(C.byref(params), out.size, _ptr(x, C.c_int8),
                                   _ptr(y, C.c_int8), _ptr(out, C.c_int8))
            assert (scratch[:32] == 0x5A).all() and (scratch[32 + p["scratch"]:] == 0x5A).all()
            return out, True
        filt = np.ascontiguousarray(p["filter"], np.int8)
        keep: list = []
        rq = _requant_opt(p["rq"], keep)
        if "k" in p:  # a conv on the kernels specialized for its depth
            from mcubench.ops.conv2d import spec_function

            key = (p["k"], p["rq"]["relu"])
            if key not in self.spec:
                self.spec[key] = C.CDLL(str(build_conv1x1(self.dir, *key)))
        if "k" in p and p.get("im2col"):
            fn = getattr(self.spec[key], spec_function(*key, True))
            fn.restype = None
            fn.argtypes = SIGNATURES["mb_conv2d_s8_opt"][1]
            fields = {k: p[k] for k, _ in _WINDOW}
            params = Conv2dOptParams(**fields, pad_value=p["pad_value"], scratch=sp, rq=rq)
            w_shape = graph.tensors[op.inputs[1]].shape
            fn(C.byref(params), C.byref(_dims(x.shape)), _ptr(x, C.c_int8),
               C.byref(_dims(w_shape)), _ptr(filt, C.c_int8), C.byref(_dims(out.shape)),
               _ptr(out, C.c_int8))
            assert (scratch[:32] == 0x5A).all() and (scratch[32 + p["scratch"]:] == 0x5A).all()
            return out, True
        if "k" in p:  # a dense 1x1 conv
            fn = getattr(self.spec[key], spec_function(*key))
            fn.restype = None
            fn.argtypes = [C.POINTER(RequantOpt), C.c_int32, C.c_int32, I8P, I8P, I8P]
            fn(C.byref(rq), p["pixels"], p["out_c"], _ptr(x, C.c_int8), _ptr(filt, C.c_int8),
               _ptr(out, C.c_int8))
            return out, True
        if op.kind == "CONV_2D":
            fields = {k: p[k] for k, _ in _WINDOW}
            params = Conv2dOptParams(**fields, pad_value=p["pad_value"], scratch=sp, rq=rq)
            w_shape = graph.tensors[op.inputs[1]].shape
            self.lib.mb_conv2d_s8_opt(C.byref(params), C.byref(_dims(x.shape)), _ptr(x, C.c_int8),
                                      C.byref(_dims(w_shape)), _ptr(filt, C.c_int8),
                                      C.byref(_dims(out.shape)), _ptr(out, C.c_int8))
        elif op.kind == "DEPTHWISE_CONV_2D":
            params = DepthwiseConv2dOptParams(
                p["stride_h"], p["stride_w"], p["pad_h"], p["pad_w"], p["pad_value"], sp, rq)
            self.lib.mb_depthwise_conv2d_s8_opt(C.byref(params), C.byref(_dims(x.shape)),
                                                _ptr(x, C.c_int8), _ptr(filt, C.c_int8),
                                                C.byref(_dims(out.shape)), _ptr(out, C.c_int8))
        elif op.kind == "FULLY_CONNECTED":
            self.lib.mb_fully_connected_s8_opt(C.byref(rq), p["batches"], p["in_features"],
                                               _ptr(x, C.c_int8), p["out_units"],
                                               _ptr(filt, C.c_int8), _ptr(out, C.c_int8))
        else:
            raise NotImplementedError(op.kind)
        assert (scratch[:32] == 0x5A).all() and (scratch[32 + p["scratch"]:] == 0x5A).all(), \
            f"{op.kind}: scratch written out of bounds"
        return out, True

    def requantize(self, acc: int, mult: int, shift: int) -> int:
        return self.lib.mb_requantize(acc, mult, shift)

    def run(self, graph: Graph, op: Op, values: dict[int, np.ndarray]) -> np.ndarray:
        """Run one op; ``values`` maps non-constant input tensor indices to arrays."""
        def arg(i):
            if i < 0:
                return None
            t = graph.tensors[i]
            a = t.data if t.is_const else values[i]
            return np.ascontiguousarray(a, dtype=t.dtype)

        ins = [arg(i) for i in op.inputs]
        out_t = graph.tensors[op.outputs[0]]
        out = np.zeros(out_t.shape, dtype=np.int8)
        o = _ptr(out, C.c_int8)
        kind, lib = op.kind, self.lib
        if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            dw = kind == "DEPTHWISE_CONV_2D"
            p = (depthwise_conv2d if dw else conv2d).params_s8(graph, op)
            rq = _requants(p["requant"])
            params = _fill(DepthwiseConv2dParams if dw else Conv2dParams, p,
                           requant=C.cast(rq, C.POINTER(Requant)))
            fn = lib.mb_depthwise_conv2d_s8 if dw else lib.mb_conv2d_s8
            bias = ins[2] if len(ins) > 2 else None
            fn(C.byref(params), C.byref(_dims(ins[0].shape)), _ptr(ins[0], C.c_int8),
               C.byref(_dims(ins[1].shape)), _ptr(ins[1], C.c_int8), _ptr(bias, C.c_int32),
               C.byref(_dims(out.shape)), o)
        elif kind == "FULLY_CONNECTED":
            p = fully_connected.params_s8(graph, op)
            rq = _requants(p["requant"])
            params = _fill(FullyConnectedParams, p, requant=C.cast(rq, C.POINTER(Requant)))
            bias = ins[2] if len(ins) > 2 else None
            lib.mb_fully_connected_s8(C.byref(params), p["batches"], p["in_features"],
                                      _ptr(ins[0], C.c_int8), p["out_units"],
                                      _ptr(ins[1], C.c_int8), _ptr(bias, C.c_int32), o)
        elif kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            params = _fill(PoolParams, pool.params_s8(graph, op))
            fn = lib.mb_avg_pool_s8 if kind == "AVERAGE_POOL_2D" else lib.mb_max_pool_s8
            fn(C.byref(params), C.byref(_dims(ins[0].shape)), _ptr(ins[0], C.c_int8),
               C.byref(_dims(out.shape)), o)
        elif kind == "ADD":
            params = _fill(AddParams, add.params_s8(graph, op))
            lib.mb_add_s8(C.byref(params), out.size, _ptr(ins[0], C.c_int8),
                          _ptr(ins[1], C.c_int8), o)
        elif kind == "SOFTMAX":
            params = _fill(SoftmaxParams, softmax.params_s8(graph, op))
            rows, depth = softmax.rows_depth(graph, op)
            lib.mb_softmax_s8(C.byref(params), rows, depth, _ptr(ins[0], C.c_int8), o)
        elif kind == "RESHAPE":
            lib.mb_copy_s8(out.size, _ptr(ins[0], C.c_int8), o)
        else:
            raise NotImplementedError(kind)
        return out
