"""The structs every kernel family takes: shapes and one channel's requantization."""
from __future__ import annotations

from .cstruct import I32, Struct, fields

DIMS = Struct("mb_dims", "A tensor's shape, NHWC (a lower rank padded with leading 1s).",
              fields(I32, "n", "h", "w", "c"))
REQUANT = Struct("mb_requant", "Output requantization for one channel (or the whole tensor): "
                               "real multiplier = mult * 2^(shift-31).",
                 fields(I32, "mult"), fields(I32, "shift"))
