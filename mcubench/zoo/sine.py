"""sine: a tiny int8 MLP 1-16-16-1 approximating sin(x) on [0, 2 pi], as TFLite Micro's hello world.

Its weights are constructed, not random: the first layer's 16 ReLUs are hinges relu(x - t_i) at
evenly spaced knots, the second turns neighbouring hinges into bounded ramps (clamp(x - t_i, 0, d)),
and the last layer is a least-squares fit of sin over the ramps, i.e. the piecewise linear
interpolation. Bounded ramps keep the last layer's weights the size of sin's slopes, so they
survive int8. The model really computes a sine (to a few hundredths): a quick end-to-end check
with a known right answer."""
from __future__ import annotations

import numpy as np

from ..ir.graph import Graph
from .net import Net

TASK = "regression (quick check)"
ARCHITECTURE = "MLP 1-16-16-1, sin(x) on [0, 2 pi]"
INPUT_SHAPE = (1,)
INPUT_QUANT = (2 * np.pi / 255, -128)
INPUT_RANGE = (0.0, 2 * np.pi)
SYNTHETIC = False  # its weights compute something meaningful


def samples(rng: np.random.Generator, count: int) -> np.ndarray:
    return rng.uniform(*INPUT_RANGE, (count,) + INPUT_SHAPE)


def build(net: Net, calibration: np.ndarray) -> Graph:
    grid = np.linspace(*INPUT_RANGE, 256)[:, None]  # calibrate and fit on the whole range
    x = net.input("input", grid, *INPUT_QUANT)
    knots = np.linspace(*INPUT_RANGE, 17)[:-1]
    h = net.dense(x, 16, "RELU", weights=np.ones((16, 1)), bias=-knots)
    ramps = np.eye(16) - np.eye(16, k=1)  # ramp i = hinge i - hinge i+1
    h = net.dense(h, 16, "RELU", weights=ramps, bias=np.zeros(16))
    a = np.c_[h.value, np.ones(len(grid))]
    coef = np.linalg.lstsq(a, np.sin(x.value[:, 0]), rcond=None)[0]
    return net.graph(net.dense(h, 1, "NONE", weights=coef[None, :-1], bias=coef[-1:]))
