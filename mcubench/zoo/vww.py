"""vww: twin of MLPerf Tiny v0.5 visual wake words, MobileNetV1 (width 0.25) on 96x96 RGB."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph
from .net import Net, synthetic_inputs

TASK = "visual wake words"
ARCHITECTURE = "MobileNetV1 0.25, 96x96x3 input, 2 classes"
INPUT_SHAPE = (96, 96, 3)
INPUT_QUANT = (1 / 255, -128)  # pixels scaled to [0, 1], as the reference model
INPUT_RANGE = (0.0, 1.0)
# (depthwise stride, pointwise filters) of the 13 depthwise-separable blocks
BLOCKS = [(1, 16), (2, 32), (1, 32), (2, 64), (1, 64), (2, 128), (1, 128), (1, 128), (1, 128),
          (1, 128), (1, 128), (2, 256), (1, 256)]


def samples(rng: np.random.Generator, count: int) -> np.ndarray:
    return synthetic_inputs(rng, count, INPUT_SHAPE, *INPUT_RANGE)


def build(net: Net, calibration: np.ndarray) -> Graph:
    x = net.input("input_1_int8", calibration, *INPUT_QUANT)
    x = net.conv2d(x, 8, (3, 3), stride=2)
    for stride, filters in BLOCKS:
        x = net.depthwise(x, stride=stride)
        x = net.conv2d(x, filters, (1, 1))
    x = net.flatten(net.global_avg_pool(x))
    return net.graph(net.softmax(net.dense(x, 2, gain=2.0, center=True)))
