"""SQUEEZE: RESHAPE's bytes under a shape without some 1-dimensions, any element type (planned in
place; the interpreter runs it on RESHAPE's prepare/eval, runtime/interp/mbi_op_reshape.c)."""
from __future__ import annotations

from .base import INT8_INT16_F32
from .reshape import SameBytes


class Squeeze(SameBytes, kind="SQUEEZE", types=INT8_INT16_F32, note="in place"):
    """The bytes of its input, planned in place (see the module)."""
