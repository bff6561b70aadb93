"""The interpreter's own records (runtime/interp/mbi.h): what its setup takes from the arena for
every model, besides each operator's prepared parameters. Fixed-width fields only (offsets, never
pointers), so a record's size is the same on every target and the backend computes the arena
offline from these declarations (backends/interp.py)."""
from __future__ import annotations

from .cstruct import I32, RECORDS, U8, U16, U32, Const, Struct, fields
from .structs import DIMS

RECORD_ALIGN = Const("MBI_RECORD_ALIGN", 8, "every record starts at a multiple of this",
                     RECORDS)
PLAN_SCRATCH = Const("MBI_PLAN_SCRATCH", 24, "planner scratch bytes per tensor (6 int32 arrays), "
                                             "in the activations' bytes during setup", RECORDS)
MAX_INPUTS = Const("MBI_MAX_INPUTS", 3, "inputs kept inline in the record; all of them are in "
                                        "the io list", RECORDS)
IO_ENTRY = 4  # one int32 tensor index in an operator's io list

TENSOR = Struct(
    "mbi_tensor", "A tensor as setup records it.",
    fields(DIMS, "dims", doc="NHWC, a lower rank padded with leading 1s (all 0 for a bad tensor)"),
    fields(U32, "data", doc="byte offset into the model (MBI_T_CONST) or the arena "
                            "(MBI_T_PLANNED)"),
    fields(U8, "type", doc="TFLite TensorType"),
    fields(U8, "flags", doc="MBI_T_*"),
    fields(U8, "rank"),
    fields(U8, "pad"),
    header=RECORDS)

OP = Struct(
    "mbi_op", "An operator as setup records it.",
    fields(I32, "in", count=MAX_INPUTS, doc="the first inputs' tensor indices, -1: absent"),
    fields(I32, "out", doc="the first output"),
    fields(U32, "data", doc="arena offset of the operator's prepared parameters (0: none)"),
    fields(U32, "io", doc="0, or (more than 3 inputs or more than one output) the arena offset of "
                          "all tensor indices: n_in inputs, then n_out outputs"),
    fields(U16, "reg", doc="index in the registration table"),
    fields(U8, "n_in"),
    fields(U8, "n_out"),
    header=RECORDS)


def records(n: int, size: int) -> int:
    """Bytes of one mbi_alloc(ctx, n, size): rounded up to the record alignment."""
    align = RECORD_ALIGN.value
    return (n * size + align - 1) // align * align


def record(struct: Struct, n: int = 1) -> int:
    """Bytes of n records of a declared struct."""
    return records(n, struct.size())
