"""EXPAND_DIMS: RESHAPE's bytes under a shape with one more 1-dimension, any element type (planned
in place; the interpreter runs it on RESHAPE's prepare/eval, runtime/interp/mbi_op_reshape.c)."""
from __future__ import annotations

from .reshape import SameBytes


class ExpandDims(SameBytes):
    kind = "EXPAND_DIMS"
    code = 70
    types = ("int8", "int16", "float32")
    note = "in place"
    options = "ExpandDimsOptions"
