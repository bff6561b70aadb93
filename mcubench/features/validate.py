from __future__ import annotations

from ..config import Key
from ..errors import ConfigError
from .base import Feature


class Validate(Feature):
    """Compare the firmware's outputs with the model framework's reference on the host: TFLite
    Micro's reference kernels for .tflite, onnxruntime for .onnx, the program compiled natively for
    C programs (each frontend's `reference`).

    Inputs are the model's sample inputs (zoo folder `input/*.bin`) or seeded random ones; expected
    outputs are computed at LOAD, so every target validates against the same golden data. A sample
    is mismatched when an output differs by more than `tolerance`; the largest difference is
    reported either way."""

    name = "validate"
    description = ("check outputs against the reference (TFLite Micro: bit-exact for int8; "
                   "onnxruntime; native C) on every sample input")
    stages = frozenset({"load"})
    keys = (
        Key("samples", int, 10, "how many sample inputs to run (sample 0 is the measured one)"),
        Key("seed", int, 0, "seed for random inputs when the model has no sample files"),
        Key("tolerance", int, 0, "largest output difference that still counts as a match, in "
                                 "LSB (float32: ulp of the output's largest magnitude); 0: "
                                 "bit-exact. ONNX int8 models against onnxruntime need 1 or more "
                                 "(see mcubench/frontends/onnx.py)"),
    )

    def __init__(self, config=None):
        super().__init__(config)
        if self["tolerance"] < 0:
            raise ConfigError(f"validate.tolerance={self['tolerance']}: must be 0 or more")
