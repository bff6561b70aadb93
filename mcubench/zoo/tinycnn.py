"""tinycnn: a small CNN on a 28x28 grey image: conv, depthwise, pointwise, max pool, dense,
softmax."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph
from .net import Net, synthetic_inputs

TASK = "image classification (quick check)"
ARCHITECTURE = "CNN 28x28x1: conv3x3/2 RELU6, depthwise 3x3, conv 1x1, max pool, dense 10"
INPUT_SHAPE = (28, 28, 1)
INPUT_QUANT = (1 / 255, -128)
INPUT_RANGE = (0.0, 1.0)


def samples(rng: np.random.Generator, count: int) -> np.ndarray:
    return synthetic_inputs(rng, count, INPUT_SHAPE, *INPUT_RANGE)


def build(net: Net, calibration: np.ndarray) -> Graph:
    x = net.input("input", calibration, *INPUT_QUANT)
    x = net.conv2d(x, 8, (3, 3), stride=2, activation="RELU6")
    x = net.depthwise(x)
    x = net.conv2d(x, 16, (1, 1))
    x = net.flatten(net.max_pool(x, 2))
    return net.graph(net.softmax(net.dense(x, 10, gain=2.0, center=True)))
