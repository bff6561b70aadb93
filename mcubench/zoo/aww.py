"""aww: twin of MLPerf Tiny v0.5 keyword spotting, DS-CNN on a 49x10 MFCC map, 12 keywords."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph
from .net import Act, Net, synthetic_inputs

TASK = "keyword spotting"
ARCHITECTURE = "DS-CNN, 49x10x1 MFCC input, 12 classes"
INPUT_SHAPE = (49, 10, 1)
INPUT_QUANT = (0.5748363733291626, 87)  # the reference model's, so its sample files fit the twin
INPUT_RANGE = (-40.0, 20.0)  # where the reference samples' MFCC values mostly lie


def samples(rng: np.random.Generator, count: int) -> np.ndarray:
    return synthetic_inputs(rng, count, INPUT_SHAPE, *INPUT_RANGE)


def build(net: Net, calibration: np.ndarray) -> Graph:
    return ds_cnn(net, net.input("input_1", calibration, *INPUT_QUANT))


def ds_cnn(net: Net, x: Act) -> Graph:
    """The DS-CNN from its input on: conv 10x4 /2, 4 x (depthwise 3x3, pointwise), 64 channels,
    global average pooling, 12 scores (audio_kws runs it on its own features)."""
    x = net.conv2d(x, 64, (10, 4), stride=2)
    for _ in range(4):
        x = net.depthwise(x)
        x = net.conv2d(x, 64, (1, 1))
    x = net.flatten(net.global_avg_pool(x))
    return net.graph(net.softmax(net.dense(x, 12, gain=2.0, center=True)))
