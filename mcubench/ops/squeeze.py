"""SQUEEZE: RESHAPE's bytes under a shape without some 1-dimensions, any element type (planned in
place; the interpreter runs it on RESHAPE's prepare/eval, runtime/interp/mbi_op_reshape.c)."""
from __future__ import annotations

from .reshape import SameBytes


class Squeeze(SameBytes):
    kind = "SQUEEZE"
    code = 43
    types = ("int8", "int16", "float32")
    note = "in place"
    options = "SqueezeOptions"
