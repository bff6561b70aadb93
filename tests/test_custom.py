"""Custom operators through the frontend, the writer and both backends: custom_code and the
flexbuffer custom_options, as TFLite Micro reads them (by position for most operators, by name
with typed conversions for DETECTION_POSTPROCESS); unknown custom codes named at LOAD; options
TFLite Micro would misread refused at LOAD by the module and at setup by the interpreter."""
from __future__ import annotations

import numpy as np
import pytest
from native import InterpLib, aot_build, tflm_golden

import opgen
from mcubench.backends.aot import Aot
from mcubench.backends.interp import Interp, arena_layout
from mcubench.errors import ModelError
from mcubench.frontends.flexbuffer import Indirect, Unsigned, read_map, write_map
from mcubench.frontends.tflite import parse
from mcubench.frontends.tflite_writer import write_tflite


def test_flexbuffer_maps_round_trip():
    options = {"T": 7, "a": 1.5, "b": True, "c": None, "d": Unsigned(200), "e": Indirect(5),
               "f": Indirect(2.5), "neg": -3, "s": "text"}
    assert read_map(write_map(options), "x") == options
    with pytest.raises(ModelError, match="not a map"):
        read_map(b"\x05\x04\x01", "op 3")  # an int, not a map
    for junk in (b"", b"\xff\xff", bytes(range(40))):
        with pytest.raises(ModelError, match="op 3"):
            read_map(junk, "op 3")


def test_custom_operator_round_trips_through_the_file():
    g = opgen.make("FRAMER", "int16", 1)
    back = parse(write_tflite(g), "m")
    assert back.ops[0].kind == "FRAMER" and back.ops[0].options == g.ops[0].options


def test_unknown_custom_code_is_named_at_load():
    model = bytearray(write_tflite(opgen.make("WINDOW", "int16", 0)))
    at = model.find(b"SignalWindow")
    model[at:at + 12] = b"SignalWindoX"  # the same length: a custom operator nobody registers
    g = parse(bytes(model), "m")
    assert g.ops[0].kind == "CUSTOM:SignalWindoX"
    for backend in (Aot, Interp):
        with pytest.raises(ModelError, match="CUSTOM:SignalWindoX"):
            backend().check(g)


@pytest.fixture(scope="module")
def lib(gcc, tmp_path_factory):
    return InterpLib.build(tmp_path_factory.mktemp("custom"), gcc,
                           kinds={"WINDOW", "DETECTION_POSTPROCESS", "FFT_AUTO_SCALE", "RFFT"})


@pytest.mark.parametrize("options,why", [
    ({"shift": 3, "zzz": 1}, "by position"),  # another key shifts TFLite Micro's positions
    ({"shift": Unsigned(3)}, "inline signed"),  # read raw as signed
    ({"shift": Indirect(3)}, "inline signed"),  # the raw slot holds an offset
    ({"shift": 3.0}, "inline signed"),  # the raw slot holds float bits
    ({}, "by position")])
def test_options_tflite_micro_would_misread_are_refused(lib, options, why):
    g = opgen.make("WINDOW", "int16", 0)
    g.ops[0].options = options
    for backend in (Aot, Interp):
        with pytest.raises(ModelError, match=why):
            backend().check(g)
    model = write_tflite(g)
    assert lib.setup(model, arena_layout(parse(model, "m"))["arena"] + 4096) == 5


def test_operators_that_read_no_options_take_any(lib, tflm, tmp_path):
    g = opgen.make("FFT_AUTO_SCALE", "int16", 3)
    g.ops[0].options = {"T": 7, "anything": 1.5}
    x = opgen.inputs("FFT_AUTO_SCALE", g, 3)
    want = tflm_golden(g, x)
    for got in (aot_build(g, tmp_path).run(g, x), lib.run_model(g, x)):
        assert all(np.array_equal(a, np.asarray(b).reshape(a.shape)) for a, b in zip(got, want))


def test_rfft_lengths_tflite_micro_crashes_on_are_refused(lib):
    g = opgen.make("RFFT", "int16", 0)
    for n in (14, 2, 9):  # a factor 7; kiss_fft's length 1; odd
        g.ops[0].options = {"T": 7, "fft_length": n}
        g.tensors[0].shape = (min(n, 2),)
        g.tensors[1].shape = (2 * (n // 2 + 1),)
        with pytest.raises(ModelError, match="fft_length"):
            Aot().check(g)
        model = write_tflite(g)
        assert lib.setup(model, 1 << 16) == 5


@pytest.mark.parametrize("typed", [
    lambda o: {"y_scale": 10, "x_scale": 10, "h_scale": Indirect(5.0), "w_scale": 5},
    lambda o: {"max_detections": o["max_detections"] + 0.9, "detections_per_class": None},
    lambda o: {"max_detections": Unsigned(o["max_detections"]), "use_regular_nms": 1,
               "num_classes": Indirect(o["num_classes"])}], ids=["floats", "ints", "indirect"])
def test_detection_postprocess_reads_options_by_name_with_conversions(lib, tflm, tmp_path,
                                                                      typed):
    """Its options are read by name with flexbuffers' conversions (ints where floats are due,
    floats truncated to ints, unsigned and indirect numbers, null detections_per_class: 100)."""
    g = opgen.make("DETECTION_POSTPROCESS", "float32", 4)  # the regular path
    g.ops[0].options.update(typed(g.ops[0].options))
    x = opgen.inputs("DETECTION_POSTPROCESS", g, 4)
    want = tflm_golden(g, x)
    assert float(np.asarray(want[3]).reshape(-1)[0]) > 0
    masks = opgen.masks("DETECTION_POSTPROCESS", g, want)
    for name, got in (("aot", aot_build(g, tmp_path).run(g, x)), ("interp", lib.run_model(g, x))):
        for a, b, m in zip(got, want, masks):
            b = np.asarray(b).reshape(a.shape)
            assert np.array_equal(a if m is None else a[m], b if m is None else b[m]), name
