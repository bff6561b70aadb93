"""A model with operators a backend cannot run fails at LOAD, naming every such operator, on both C
backends; the other runs of the session go on."""
import json

import numpy as np
import pytest

from mcubench import home
from mcubench.backends.aot import Aot
from mcubench.backends.interp import Interp
from mcubench.cli import main
from mcubench.errors import ModelError
from mcubench.frontends.tflite_writer import write_tflite
from mcubench.ir.graph import Graph, Op, Quant, Tensor


def _q() -> Quant:
    return Quant(scale=np.array([0.05], np.float32), zero_point=np.array([0]))


def _graph(kinds: list[str]) -> Graph:
    tensors = [Tensor(f"t{i}", (1, 4, 4, 2), "int8", _q()) for i in range(len(kinds) + 1)]
    ops = [Op(k, [i], [i + 1]) for i, k in enumerate(kinds)]
    return Graph("m", tensors, ops, [0], [len(kinds)])


@pytest.mark.parametrize("backend", [Aot, Interp])
def test_every_unsupported_operator_is_named(backend):
    g = _graph(["REDUCE_PROD", "RELU", "CUSTOM:MyOp", "REDUCE_PROD"])
    with pytest.raises(ModelError) as exc:
        backend().check(g)
    msg = str(exc.value)
    assert "CUSTOM:MyOp, REDUCE_PROD" in msg and f"backend {backend.name!r}" in msg
    assert "supported:" in msg and "CONV_2D" in msg


def test_unsupported_operator_fails_at_load_in_a_session(capsys, tmp_path):
    model = tmp_path / "l2pool.tflite"
    pool = {"padding": "VALID", "stride_w": 1, "stride_h": 1, "filter_width": 2,
            "filter_height": 2, "fused_activation_function": "NONE"}
    g = Graph("l2pool", [Tensor("x", (1, 4, 4, 2), "float32"), Tensor("y", (1, 3, 3, 2),
                                                                       "float32")],
              [Op("L2_POOL_2D", [0], [1], pool)], [0], [1])
    model.write_bytes(write_tflite(g))
    code = main(["run", str(model), "sine", "-b", "aot", "-b", "interp", "-t", "host"])
    capsys.readouterr()
    assert code == 1
    sid = (home.sessions_dir() / "latest").resolve().name
    rows = json.loads((home.sessions_dir() / sid / "report.json").read_text())
    bad = [r for r in rows if r["Model"] == "l2pool"]
    assert sorted(r["Backend"] for r in bad) == ["aot", "interp"]
    for r in bad:
        assert r["Failing"] and r["Reason"].startswith("load: ") and "L2_POOL_2D" in r["Reason"]
    assert all(not r["Failing"] for r in rows if r["Model"] == "sine")  # the session went on
