"""resnet: twin of MLPerf Tiny v0.5 image classification, ResNet-8 on 32x32 RGB (CIFAR-10)."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph
from .net import Act, Net, synthetic_inputs

TASK = "image classification"
ARCHITECTURE = "ResNet-8, 32x32x3 input, 10 classes"
INPUT_SHAPE = (32, 32, 3)
INPUT_QUANT = (1.0, -128)  # raw pixels 0..255, as the reference model (int8 = pixel - 128)
INPUT_RANGE = (0.0, 255.0)


def samples(rng: np.random.Generator, count: int) -> np.ndarray:
    return np.round(synthetic_inputs(rng, count, INPUT_SHAPE, *INPUT_RANGE))


def _block(net: Net, x: Act, filters: int, stride: int) -> Act:
    """Two 3x3 convs plus a shortcut (a strided 1x1 conv where the shape changes), then ADD+RELU;
    operators in the order the reference model has them."""
    y = net.conv2d(x, filters, (3, 3), stride=stride)
    y = net.conv2d(y, filters, (3, 3), activation="NONE")
    if stride == 1:
        return net.add(x, y)
    shortcut = net.conv2d(x, filters, (1, 1), stride=stride, activation="NONE")
    return net.add(shortcut, y)


def build(net: Net, calibration: np.ndarray) -> Graph:
    x = net.input("input_1_int8", calibration, *INPUT_QUANT)
    x = net.conv2d(x, 16, (3, 3))
    x = _block(net, x, 16, 1)
    x = _block(net, x, 32, 2)
    x = _block(net, x, 64, 2)
    x = net.flatten(net.global_avg_pool(x))
    return net.graph(net.softmax(net.dense(x, 10, gain=2.0, center=True)))
