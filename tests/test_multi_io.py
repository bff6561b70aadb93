"""Models with several inputs and outputs run and validate on both C backends through the CLI."""
import json

import numpy as np

from mcubench import home
from mcubench.cli import main
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ir.graph import Graph, Op, Quant, Tensor


def _q(scale: float, zp: int) -> Quant:
    return Quant(scale=np.array([scale], np.float32), zero_point=np.array([zp]))


def two_inputs_three_outputs() -> Graph:
    """x + y -> softmax, and the sum itself twice (as is and reshaped): outputs share buffers
    with intermediate tensors and with each other."""
    t = [Tensor("x", (1, 3, 10), "int8", _q(0.05, 3)),
         Tensor("y", (1, 3, 10), "int8", _q(0.04, -7)),
         Tensor("sum", (1, 3, 10), "int8", _q(0.08, 1)),
         Tensor("probs", (1, 3, 10), "int8", _q(1 / 256, -128)),
         Tensor("flat", (1, 30), "int8", _q(0.08, 1)),
         Tensor("shape", (2,), "int32", None, np.array([1, 30], np.int32))]
    ops = [Op("ADD", [0, 1], [2], {"fused_activation_function": "NONE"}),
           Op("SOFTMAX", [2], [3], {"beta": 1.0}),
           Op("RESHAPE", [2, 5], [4], {"new_shape": [1, 30]})]
    return Graph("multi_io", t, ops, [0, 1], [3, 2, 4])


def test_multiple_inputs_and_outputs_validate_on_both_backends(capsys, tmp_path):
    model = tmp_path / "multi_io.tflite"
    model.write_bytes(write_tflite(two_inputs_three_outputs()))
    code = main(["run", str(model), "-b", "aot", "-b", "interp", "-t", "host", "-f", "validate",
                 "-c", "validate.samples=3"])
    capsys.readouterr()
    sid = (home.sessions_dir() / "latest").resolve().name
    rows = json.loads((home.sessions_dir() / sid / "report.json").read_text())
    assert code == 0 and sorted(r["Backend"] for r in rows) == ["aot", "interp"]
    for r in rows:
        assert r["Validation"] is True and r["Max Abs Diff"] == 0, r
        assert r["Invoke Instructions"] > 0
