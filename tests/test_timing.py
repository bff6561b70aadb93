"""The timing models against the cycle counts the cores' manuals state, on microbenchmarks
(fixtures/timingbench.c): a dependent load chain, a taken-branch loop and a multiply-accumulate
chain (4 + 2 instructions per iteration; the branch loop 2), measured as the difference of two trip
counts (so calls and returns drop out). How close the model gets: exactly the manuals' figures for
the Cortex-M0, Cortex-M0+, Cortex-M3 and Cortex-M4, with the refill P = 2 where the manual states 1
to 3 (so within +-1 cycle per taken branch of any real part). The Cortex-M7, RISC-V and Xtensa
vendors publish no such tables: their figures are the model's own (docs/timing.md), checked here
only to follow its rules."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mcubench.targets.board import board_classes
from mcubench.targets.cortexm import CortexM0, CortexM3, CortexM4, CortexM7
from mcubench.targets.timing import MODELS

from test_targets import make_target

FIXTURE = Path(__file__).parent / "fixtures" / "timingbench.c"
TRIPS = (50, 250)  # both fit a MOVS immediate: the same setup code
LOADS, BRANCH, MAC = 0, 1, 2


def board(name):
    return next(c for c in board_classes() if c.name == name)


def cycles_per_iteration(target, mode: int, root: Path) -> tuple[float, float]:
    """(cycles, instructions) per loop iteration, from two runs."""
    out = []
    for n in TRIPS:
        d = root / f"{mode}-{n}"
        (d / "build").mkdir(parents=True)
        shutil.copy(FIXTURE, d / "build")
        (d / "build" / "bench_config.h").write_text(f"#define BENCH_N {n}\n"
                                                    f"#define BENCH_MODE {mode}\n")
        (d / "mb_data.c").write_text(
            '#include "mb_data.h"\nconst uint32_t mb_num_samples = 1;\nconst int mb_validate = 1;\n'
            "static const uint8_t in0[4] MB_DATA_SECTION = {0};\n"
            "static const uint8_t out0[4] MB_DATA_SECTION = {0x34, 0x12, 0, 0};\n"
            "const uint8_t *const mb_sample_in[] MB_DATA_SECTION = {in0};\n"
            "const uint8_t *const mb_sample_out[] MB_DATA_SECTION = {out0};\n"
            "const uint8_t mb_output_dtype[] = {MB_DTYPE_INT32};\n")
        mem = target.compile(d / "build", d / "mb_data.c", d / "compile")
        (d / "run").mkdir()
        m = target.run(mem["elf"], d / "run", 30.0)
        assert m["validation"] is True
        out.append((m["invoke_cycles"], m["invoke_instructions"]))
    (c0, i0), (c1, i1) = out
    span = TRIPS[1] - TRIPS[0]
    return (c1 - c0) / span, (i1 - i0) / span


# Per iteration: 4 loop-body instructions, SUBS (1 cycle), then a taken BNE. From the manuals:
#   Cortex-M0 (DDI 0432C Table 3-1): LDR 2, MULS 1 (fast multiplier), taken B 3.
#   Cortex-M0+ (DDI 0484C Table 3-1): LDR 2, MULS 1, taken B 2.
#   Cortex-M3 (DDI 0337I Table 3-1, 3.3.2): LDR 2 (a load whose address is the previous load's
#     result is not pipelined), MLA 2, taken B 1 + P.
#   Cortex-M4 (DDI 0439B Table 3-1, 3.3.2): LDR 2 (same rule), MLA 1, taken B 1 + P.
P = 2  # the model's pipeline refill for M3/M4: the manual says 1 to 3
MANUAL = {
    "cortex-m0": {LOADS: 4 * 2 + 1 + 3, BRANCH: 1 + 3, MAC: 4 * 1 + 1 + 3},
    "rp2040": {LOADS: 4 * 2 + 1 + 2, BRANCH: 1 + 2, MAC: 4 * 1 + 1 + 2},
    "cortex-m3": {LOADS: 4 * 2 + 1 + 1 + P, BRANCH: 1 + 1 + P, MAC: 4 * 2 + 1 + 1 + P},
    "cortex-m4": {LOADS: 4 * 2 + 1 + 1 + P, BRANCH: 1 + 1 + P, MAC: 4 * 1 + 1 + 1 + P},
}
TARGETS = {"cortex-m0": CortexM0, "rp2040": None, "cortex-m3": CortexM3, "cortex-m4": CortexM4}


@pytest.mark.parametrize("core", list(MANUAL))
def test_microbenchmarks_match_the_manuals(core, tmp_path):
    assert 1 <= MODELS["cortex-m3"].taken <= 3 and 1 <= MODELS["cortex-m4"].taken <= 3
    target = make_target(TARGETS[core] or board(core))
    for mode, want in MANUAL[core].items():
        cycles, insns = cycles_per_iteration(target, mode, tmp_path)
        assert insns == (2 if mode == BRANCH else 6)
        assert cycles == want, (core, mode, cycles, want)


def test_cortex_m7_follows_its_model(tmp_path):
    """No manual figures exist, so these follow the model's rules: the first LDR of an iteration
    issues in 1, each dependent one waits a cycle for the previous load (2); the first MLA in 1,
    each dependent one waits a cycle for the multiply result (2); SUBS pairs with the instruction
    before it (0); BNE issues in 1 (0 when paired with SUBS) plus 1 when taken. Dual issue makes
    the branch loop 2 cycles for 2 instructions, where the Cortex-M4 needs 4."""
    target = make_target(CortexM7)
    assert cycles_per_iteration(target, LOADS, tmp_path)[0] == 1 + 3 * 2 + 0 + 1 + 1
    assert cycles_per_iteration(target, BRANCH, tmp_path)[0] == 1 + 0 + 1
    assert cycles_per_iteration(target, MAC, tmp_path)[0] == 1 + 3 * 2 + 0 + 1 + 1
