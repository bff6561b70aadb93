from __future__ import annotations

from ..config import Key
from .base import Feature


class Validate(Feature):
    """Compare the firmware's outputs with TFLite Micro's reference kernels on the host.

    Inputs are the model's sample inputs (zoo folder `input/*.bin`) or seeded random ones; expected
    outputs are computed at LOAD, so every target validates against the same golden data."""

    name = "validate"
    description = "check outputs against TFLite Micro (bit-exact for int8) on every sample input"
    stages = frozenset({"load"})
    keys = (
        Key("samples", int, 10, "how many sample inputs to run (sample 0 is the measured one)"),
        Key("seed", int, 0, "seed for random inputs when the model has no sample files"),
    )
