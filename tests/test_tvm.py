"""The tvm-aot backend end to end: TFLite -> TVM Relax -> int8 rewrite -> plain C -> host
executable, outputs bit-exact with TFLite Micro; the generated C strict-compiled for RV32 and
Cortex-M4 too.

Skipped as a whole when TVM (PyPI apache-tvm 0.27, ``pip install mcubench[tvm]``) is not importable,
except the tests of what happens without it.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import mcubench
from mcubench.backends.tvm_aot import TvmAot
from mcubench.data import write_data_c
from mcubench.errors import ConfigError, MissingDependency, ModelError
from mcubench.frontends.tflite import TFLiteFrontend
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ir.graph import Graph, Op, Quant, Tensor
from mcubench.samples import load_samples
from mcubench.reference import tflm_outputs
from opmodels import make_op_graph, random_inputs

RUNTIME = Path(mcubench.__file__).parent / "runtime"
HAVE_TVM = importlib.util.find_spec("tvm") is not None
tvm_skip = pytest.mark.skipif(not HAVE_TVM, reason="TVM not installed: pip install mcubench[tvm]")
STRICT = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-ffreestanding"]
CROSS = {
    "rv32": ["riscv64-unknown-elf-gcc", "-march=rv32imc", "-mabi=ilp32"],
    "cortex-m4": ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb"],
    "clang-cortex-m4": ["clang-16", "--target=armv7em-none-eabi", "-mcpu=cortex-m4", "-mthumb"],
}
INT8_OPS = ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "AVERAGE_POOL_2D", "SOFTMAX",
            "RESHAPE", "MAX_POOL_2D"]





def build_and_run(graph: Graph, samples, expected, work: Path, **config) -> tuple[dict, str]:
    """tvm-aot build, strict compile of the generated C, link with the harness, run natively."""
    build = work / "build"
    meta = TvmAot(config).build(graph, build)
    dtypes = [graph.tensors[o].dtype for o in graph.outputs]
    write_data_c(work / "data.c", samples, expected, dtypes)
    objs = work / "obj"
    objs.mkdir()
    proc = subprocess.run(["gcc", *STRICT, "-c", f"-I{RUNTIME / 'include'}", f"-I{build}",
                           *map(str, sorted(build.glob("*.c")))], cwd=objs, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    elf = work / "firmware"
    proc = subprocess.run(["gcc", "-std=c99", "-O2", f"-I{RUNTIME / 'include'}",
                           *map(str, sorted(objs.glob("*.o"))), str(work / "data.c"),
                           str(RUNTIME / "harness" / "main.c"), str(RUNTIME / "hal" / "host.c"),
                           "-o", str(elf)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = subprocess.run([str(elf)], capture_output=True, text=True, timeout=120)
    return meta, run.stdout


def validation(stdout: str) -> dict[str, int]:
    m = re.search(r"MB validate samples=(\d+) mismatched=(\d+) max_abs_diff=(\d+)", stdout)
    assert m, stdout
    return dict(zip(("samples", "mismatched", "max_abs_diff"), map(int, m.groups())))


def real_model(shared_models, tflm, name: str):
    folder = shared_models / name
    graph = TFLiteFrontend().load(folder / f"{name}.tflite")
    samples = load_samples(folder, graph, 10, seed=0)
    expected = tflm_outputs((folder / f"{name}.tflite").read_bytes(), samples,
                        len(graph.outputs))
    return graph, samples, expected


# --- the four MLPerf Tiny models, both layouts ---------------------------------------------------

@tvm_skip
@pytest.mark.parametrize("layout", ["NHWC", "NCHW"])
@pytest.mark.parametrize("model", ["aww", "vww", "resnet", "toycar"])
def test_real_model_bit_exact(shared_models, gcc, tflm, tmp_path, model, layout):
    graph, samples, expected = real_model(shared_models, tflm, model)
    meta, out = build_and_run(graph, samples, expected, tmp_path, layout=layout)
    assert validation(out) == {"samples": 10, "mismatched": 0, "max_abs_diff": 0}
    assert meta["float_ops"] == {} and not meta["float_fallback"]
    assert meta["layout"] == layout and meta["arena"] > 0
    kinds = {op.kind for op in graph.ops} - {"RESHAPE"}
    assert kinds <= set(meta["int8_ops"])  # every operator was rewritten to int8


@tvm_skip
@pytest.mark.parametrize("target", sorted(CROSS))
def test_generated_c_cross_compiles_with_werror(shared_models, tmp_path, target):
    cc = CROSS[target]
    if shutil.which(cc[0]) is None:
        pytest.skip(f"{cc[0]} not installed")
    graph = TFLiteFrontend().load(shared_models / "aww" / "aww.tflite")
    TvmAot().build(graph, tmp_path)
    specs = [] if cc[0].startswith("clang") else ["--specs=picolibc.specs"]
    for src in sorted(tmp_path.glob("*.c")):
        proc = subprocess.run([*cc, *specs, *STRICT, f"-I{RUNTIME / 'include'}",
                               f"-I{tmp_path}", "-c", str(src), "-o", str(tmp_path / "x.o")],
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"{src.name}: {proc.stderr[-2000:]}"


@tvm_skip
def test_generated_c_is_plain(shared_models, tmp_path):
    graph = TFLiteFrontend().load(shared_models / "toycar" / "toycar.tflite")
    meta = TvmAot().build(graph, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.c", "model_weights.c",
                                                           "model_weights.h"]
    text = (tmp_path / "model.c").read_text()
    includes = re.findall(r"#include\s+[<\"]([^>\"]+)", text)
    assert includes == ["stdint.h", "mb_model.h", "model_weights.h"]
    code = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments may say TVM
    assert not re.search(r"TVM|tvm|malloc|free\(|printf", code)
    assert "static uint8_t mb_arena[MB_ARENA_BYTES]" in text
    assert meta["kernel_calls"] == 10 and meta["int8_ops"] == {"FULLY_CONNECTED": 10}
    assert meta["weight_bytes"] < 300_000  # int8 weights, not float


# --- configuration --------------------------------------------------------------------------------

@tvm_skip
@pytest.mark.parametrize("config", [{"schedule": "simple"}, {"opt_level": "0"}])
def test_other_schedules_stay_bit_exact(shared_models, gcc, tflm, tmp_path, config):
    graph, samples, expected = real_model(shared_models, tflm, "toycar")
    meta, out = build_and_run(graph, samples, expected, tmp_path, **config)
    assert validation(out)["mismatched"] == 0
    if config.get("opt_level") == "0":  # no fusion: bias, requantization are kernels of their own
        assert meta["kernel_calls"] > 10


def test_config_keys_are_checked():
    with pytest.raises(ConfigError, match="NHWC"):
        TvmAot({"layout": "NWHC"})
    with pytest.raises(ConfigError, match="default, simple"):
        TvmAot({"schedule": "tuned"})
    assert {k.name for k in TvmAot.keys} == {"layout", "opt_level", "schedule",
                                             "allow_float_fallback"}


def test_without_tvm_it_says_how_to_install(monkeypatch):
    need = TvmAot.needs[0]
    assert (need.name, need.kind) == ("tvm", "python")
    assert "pip install mcubench[tvm]" in need.install
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "tvm" else real(name, *a))
    assert TvmAot.missing() == [need]
    g = Graph("m", [Tensor("a", (1, 4), "int8"), Tensor("b", (1, 4), "int8")],
              [Op("RESHAPE", [0], [1])], [0], [1])
    with pytest.raises(MissingDependency, match=r"pip install mcubench\[tvm\]"):
        TvmAot().check(g)


# --- every int8 operator on random single-op graphs -----------------------------------------------

@tvm_skip
@pytest.mark.parametrize("kind", INT8_OPS)
def test_single_op_graphs_bit_exact(gcc, tflm, tmp_path, kind):
    _single_op(tflm, tmp_path, kind, seeds=[0])


@tvm_skip
@pytest.mark.slow
@pytest.mark.parametrize("kind", INT8_OPS)
def test_single_op_graphs_more_seeds(gcc, tflm, tmp_path, kind):
    _single_op(tflm, tmp_path, kind, seeds=range(1, 6))


def _single_op(tflm, tmp_path, kind, seeds):
    for seed in seeds:
        graph = make_op_graph(kind, seed)
        samples = [random_inputs(graph, seed * 10 + s) for s in range(3)]
        expected = tflm_outputs(write_tflite(graph), samples, len(graph.outputs))
        work = tmp_path / str(seed)
        work.mkdir()
        meta, out = build_and_run(graph, samples, expected, work)
        assert validation(out)["mismatched"] == 0, f"{kind} seed {seed}"
        assert not meta["float_fallback"]


# --- ops the rewrite does not cover ---------------------------------------------------------------

def _logistic_graph() -> Graph:
    def q(scale, zp):
        return Quant(scale=np.array([scale], np.float32), zero_point=np.array([zp]))

    return Graph("logistic", [Tensor("x", (1, 16), "int8", q(0.08, 3)),
                              Tensor("y", (1, 16), "int8", q(1 / 256, -128))],
                 [Op("LOGISTIC", [0], [1])], [0], [1])


@tvm_skip
def test_float_fallback_is_refused_then_reported(gcc, tflm, tmp_path):
    graph = _logistic_graph()
    with pytest.raises(ModelError, match=r"LOGISTIC x1.*tvm-aot\.allow_float_fallback=1"):
        TvmAot().build(graph, tmp_path / "refused")
    samples = [random_inputs(graph, s) for s in range(3)]
    expected = tflm_outputs(write_tflite(graph), samples, 1)
    meta, out = build_and_run(graph, samples, expected, tmp_path, allow_float_fallback="1")
    assert meta["float_fallback"] and meta["float_ops"] == {"LOGISTIC": 1}
    assert "FLOAT FALLBACK" in (tmp_path / "build" / "model.c").read_text()
    assert validation(out)["max_abs_diff"] <= 2  # float math: close, not necessarily exact
