"""Sample inputs and expected outputs as C (runtime/include/mb_data.h), written at LOAD."""
from __future__ import annotations

from pathlib import Path

import numpy as np

DTYPE_CODES = {"int8": 0, "uint8": 1, "int16": 2, "int32": 3, "float32": 4}


def _array(name: str, arr: np.ndarray) -> str:
    raw = np.ascontiguousarray(arr).tobytes()
    body = ",".join(str(b) for b in raw)
    return (f"static const uint8_t {name}[{max(len(raw), 1)}] MB_DATA_SECTION "
            f"__attribute__((aligned(4))) = {{{body or '0'}}};\n")


def write_data_c(path: Path, inputs: list[list[np.ndarray]],
                 expected: list[list[np.ndarray]] | None, output_dtypes: list[str],
                 tolerance: int = 0) -> None:
    """inputs[s][i]: input i of sample s; expected[s][o] likewise (None: no validation).
    `tolerance`: the largest difference that still counts as a match: LSB for integers; for
    float32, ulp of the largest magnitude among that output's expected values."""
    lines = ['#include "mb_data.h"\n']
    ins, outs = [], []
    for s, sample in enumerate(inputs):
        for i, arr in enumerate(sample):
            lines.append(_array(f"in_{s}_{i}", arr))
            ins.append(f"in_{s}_{i}")
        for o, arr in enumerate(expected[s] if expected else []):
            lines.append(_array(f"out_{s}_{o}", arr))
            outs.append(f"out_{s}_{o}")
    lines.append(f"const uint32_t mb_num_samples = {len(inputs)};\n")
    lines.append(f"const int mb_validate = {1 if expected else 0};\n")
    lines.append(f"const uint32_t mb_tolerance = {int(tolerance)}u;\n")
    lines.append(f"const uint8_t *const mb_sample_in[] = {{{', '.join(ins) or '0'}}};\n")
    lines.append(f"const uint8_t *const mb_sample_out[] = {{{', '.join(outs) or '0'}}};\n")
    codes = ", ".join(str(DTYPE_CODES[d]) for d in output_dtypes)
    lines.append(f"const uint8_t mb_output_dtype[] = {{{codes or '0'}}};\n")
    Path(path).write_text("".join(lines))
