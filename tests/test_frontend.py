import numpy as np
import pytest

from mcubench.errors import ModelError
from mcubench.frontends.tflite import TFLiteFrontend, parse

EXPECTED_OPS = {
    "aww": {"CONV_2D": 5, "DEPTHWISE_CONV_2D": 4, "AVERAGE_POOL_2D": 1, "RESHAPE": 1,
            "FULLY_CONNECTED": 1, "SOFTMAX": 1},
    "resnet": {"CONV_2D": 9, "ADD": 3, "AVERAGE_POOL_2D": 1, "RESHAPE": 1, "FULLY_CONNECTED": 1,
               "SOFTMAX": 1},
    "toycar": {"FULLY_CONNECTED": 10},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_OPS))
def test_real_models_parse(shared_models, name):
    g = TFLiteFrontend().load(shared_models / name / f"{name}.tflite")
    assert g.op_histogram() == EXPECTED_OPS[name]
    conv = next(op for op in g.ops if op.kind in ("CONV_2D", "FULLY_CONNECTED"))
    w = g.tensors[conv.inputs[1]]
    assert w.dtype == "int8" and w.is_const and w.quant is not None
    assert g.tensors[g.inputs[0]].dtype == "int8"


def test_per_channel_quantization(shared_models):
    g = TFLiteFrontend().load(shared_models / "aww" / "aww.tflite")
    conv = g.ops[0]
    w = g.tensors[conv.inputs[1]]
    assert w.quant.per_channel and len(w.quant.scale) == w.shape[0]
    assert conv.options["padding"] == "SAME" and conv.options["fused_activation_function"] == "RELU"


@pytest.mark.parametrize("cut", [0, 7, 8, 64, 1000, 20000, 59000])
def test_truncated_file_is_a_clear_error(shared_models, cut):
    buf = (shared_models / "aww" / "aww.tflite").read_bytes()[:cut]
    with pytest.raises(ModelError, match="TFLite"):
        parse(buf, "aww")


def test_random_bytes_are_a_clear_error():
    rng = np.random.default_rng(0)
    for _ in range(50):
        buf = bytearray(rng.integers(0, 256, 2000, dtype=np.uint8).tobytes())
        buf[4:8] = b"TFL3"
        with pytest.raises(ModelError):
            parse(bytes(buf))


def test_corrupted_bytes_never_crash(shared_models):
    good = (shared_models / "toycar" / "toycar.tflite").read_bytes()
    rng = np.random.default_rng(1)
    for _ in range(100):
        buf = bytearray(good)
        for pos in rng.integers(8, 2000, 8):
            buf[pos] = int(rng.integers(0, 256))
        try:
            parse(bytes(buf))
        except ModelError:
            pass


def test_missing_file():
    with pytest.raises(ModelError, match="cannot read"):
        TFLiteFrontend().load("/nonexistent/model.tflite")
