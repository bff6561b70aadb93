"""toycar: twin of MLPerf Tiny v0.5 anomaly detection, a fully connected autoencoder on 640 values
(5 frames of a 128-band log-mel spectrogram)."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph
from .net import Net, synthetic_inputs

TASK = "anomaly detection"
ARCHITECTURE = "FC autoencoder 640-128x4-8-128x4-640"
INPUT_SHAPE = (640,)
INPUT_QUANT = (0.39101523160934448, 89)  # the reference model's, so its sample files fit the twin
INPUT_RANGE = (-65.0, 5.0)  # where the reference samples' log-mel values lie
UNITS = [128, 128, 128, 128, 8, 128, 128, 128, 128]


def samples(rng: np.random.Generator, count: int) -> np.ndarray:
    return synthetic_inputs(rng, count, INPUT_SHAPE, *INPUT_RANGE)


def build(net: Net, calibration: np.ndarray) -> Graph:
    x = net.input("input_1", calibration, *INPUT_QUANT)
    for units in UNITS:
        x = net.dense(x, units, "RELU")
    return net.graph(net.dense(x, INPUT_SHAPE[0], "NONE"))
