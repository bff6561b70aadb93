"""Bad model files: always a clear ModelError, never a crash, a hang or a runaway allocation.

The fuzzer (bench/fuzz_tflite.py) runs for 30 s here (it is part of the default run, bounded by
its own clock); the explicit cases below pin down what it must keep finding."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mcubench import home
from mcubench.cli import main
from mcubench.errors import ModelError
from mcubench.frontends.tflite import parse
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ir.graph import Graph, Op, Quant, Tensor
from mcubench.ir.validate import validate_graph
from conftest import SHARED_MODELS
from opmodels import make_op_graph

REPO = Path(__file__).resolve().parents[1]
FUZZ_SECONDS = 30


def test_fuzzer_finds_no_crash(tmp_path):
    """Seeds: the real models when they are there, else the generated ones only."""
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "fuzz_tflite.py"), "--seconds",
                           str(FUZZ_SECONDS), "--models", str(SHARED_MODELS), "--out",
                           str(tmp_path / "failures"), "--seed", "2024"],
                          capture_output=True, text=True, timeout=FUZZ_SECONDS + 150)
    assert proc.returncode == 0, proc.stdout + proc.stderr + "".join(
        p.read_text() for p in (tmp_path / "failures").glob("*.txt"))
    assert "0 distinct failures" in proc.stdout
    assert int(proc.stdout.split("fuzz_tflite: ")[1].split()[0]) > 200  # inputs tried


def conv() -> Graph:
    return make_op_graph("CONV_2D", 3)


def reparse(g: Graph) -> Graph:
    return parse(write_tflite(g), "bad")


def rejects(g: Graph, *words: str) -> str:
    with pytest.raises(ModelError) as err:
        reparse(g)
    msg = str(err.value)
    assert msg.startswith("bad: "), msg
    for w in words:
        assert w in msg, msg
    return msg


def test_sound_graphs_pass():
    for kind in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "MAX_POOL_2D", "ADD",
                 "SOFTMAX", "RESHAPE"):
        g = make_op_graph(kind, 1)
        assert validate_graph(g) is g
        assert len(reparse(g).ops) == 1


@pytest.mark.parametrize("shape", [(65536, 65536, 65536, 65536),  # 2^64: wraps to 0 in int64
                                   (1, 1 << 30, 1 << 30, 4), (2**31 - 1, 2**31 - 1)])
def test_huge_declared_shapes(shape):
    g = conv()
    g.tensors[0].shape = shape
    rejects(g, "tensor 0", "implausible shape")
    with pytest.raises(ModelError, match="more than 2\\^31"):
        validate_graph(g)


def test_op_reading_its_own_output_is_a_cycle():
    g = conv()
    g.ops[0].inputs[0] = g.ops[0].outputs[0]
    rejects(g, "operator 0 (CONV_2D) reads its own output tensor 3", "cycle")


def test_two_op_cycle_is_named():
    q = Quant(np.array([0.05], np.float32), np.array([0]))
    t = [Tensor("x", (1, 8), "int8", q), Tensor("a", (1, 8), "int8", q),
         Tensor("b", (1, 8), "int8", q)]
    g = Graph("cyc", t, [Op("ADD", [0, 2], [1]), Op("ADD", [1, 0], [2])], [0], [2])
    rejects(g, "the graph has a cycle: op 0 (ADD) -> op 1 (ADD) -> op 0 (ADD)")
    # The same two ops listed in the wrong order (no cycle) are a misordering, said so.
    g = Graph("order", t, [Op("ADD", [1, 0], [2]), Op("ADD", [0, 0], [1])], [0], [2])
    rejects(g, "reads tensor 1 before operator 1 (ADD) writes it", "not in execution order")


def test_tensor_written_twice_and_writes_to_inputs():
    g = conv()
    g.ops.append(copy.deepcopy(g.ops[0]))
    rejects(g, "tensor 3 is written by operator 0 and operator 1")
    g = conv()
    g.ops[0].outputs = [0]
    rejects(g, "writes graph input tensor 0")


def test_zero_size_tensors():
    g = conv()
    g.tensors[0].shape = (1, 0, 5, g.tensors[0].shape[3])
    rejects(g, "tensor 0", "zero elements")
    # A zero-size constant (an empty shape operand) is fine.
    t = Tensor("empty", (0,), "int32", None, np.zeros(0, np.int32))
    g = make_op_graph("ADD", 1)
    g.tensors.append(t)
    validate_graph(g)


@pytest.mark.parametrize("change,words", [
    (lambda q: Quant(q.scale, q.zero_point[:0] if len(q.zero_point) > 1 else
                     np.zeros(2, np.int64), q.axis), ["scales but", "zero points"]),
    (lambda q: Quant(np.full_like(q.scale, np.nan), q.zero_point, q.axis), ["scale", "normal"]),
    (lambda q: Quant(np.zeros_like(q.scale), q.zero_point, q.axis), ["scale", "normal"]),
    (lambda q: Quant(np.full_like(q.scale, 1e-45), q.zero_point, q.axis), ["scale", "normal"]),
    (lambda q: Quant(q.scale, np.full_like(q.zero_point, 200), q.axis), ["zero points outside"]),
])
def test_wrong_quantization_of_an_activation(change, words):
    g = conv()
    g.tensors[0].quant = change(g.tensors[0].quant)
    rejects(g, "tensor 0", *words)


def test_wrong_per_channel_arrays():
    g = conv()
    f = g.tensors[1]
    f.quant = Quant(np.full(f.shape[0] + 1, 0.01, np.float32), np.zeros(f.shape[0] + 1, np.int64),
                    0)
    rejects(g, "tensor 1", "per-channel scales")
    g = conv()
    g.tensors[1].quant = Quant(np.full(3, 0.01, np.float32), np.zeros(3, np.int64), 7)
    with pytest.raises(ModelError, match="dimension 7"):
        validate_graph(g)


def test_bad_indices_and_options():
    g = conv()
    g.outputs = [99]
    rejects(g, "graph output refers to missing tensor 99")
    g = conv()
    g.ops[0].options["stride_w"] = 0
    rejects(g, "stride_w=0", "at least 1")
    g = make_op_graph("SOFTMAX", 1)
    g.tensors[0].shape = g.tensors[1].shape = ()
    rejects(g, "SOFTMAX", "rank 1")


def test_cyclic_model_is_one_failed_row(capsys, tmp_path):
    g = conv()
    g.ops[0].inputs[0] = g.ops[0].outputs[0]
    path = tmp_path / "cyclic.tflite"
    path.write_bytes(write_tflite(g))
    assert main(["run", str(path), "-j", "1"]) == 1
    capsys.readouterr()
    (row,) = json.loads((home.sessions_dir() / "latest" / "report.json").read_text())
    assert row["Failing"] and row["Reason"].startswith("load: cyclic: operator 0 (CONV_2D) reads")
