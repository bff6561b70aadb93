"""Golden outputs from TFLite Micro's reference kernels on the host (PyPI `tflite-micro`)."""
from __future__ import annotations

import numpy as np

from .errors import MissingDependency


def tflm_outputs(model: bytes, samples: list[list[np.ndarray]], n_outputs: int) \
        -> list[list[np.ndarray]]:
    """Run every sample (one array per model input) through TFLite Micro; outputs per sample.

    The samples run one after the other on one interpreter, never reset in between, as the
    firmware's harness invokes them after one setup: a model that keeps state (variable tensors,
    resource variables, CALL_ONCE) carries it from each sample to the next on both sides."""
    try:
        from tflite_micro.python.tflite_micro import runtime
    except ImportError:
        raise MissingDependency("TFLite Micro is needed for reference outputs: "
                                "pip install --pre tflite-micro") from None
    # TFLite Micro's default arena (10x the model size) is too small for small models.
    interp = runtime.Interpreter.from_bytes(model, arena_size=max(1 << 22, 16 * len(model)))
    results = []
    for sample in samples:
        for i, arr in enumerate(sample):
            interp.set_input(arr, i)
        interp.invoke()
        results.append([np.array(interp.get_output(o)) for o in range(n_outputs)])
    return results

