"""`-f instr_mix`: the invoke region's executed instructions per class and per mnemonic, from the
QEMU plugin's per-block counts (spike: the same ELF on QEMU)."""
from __future__ import annotations

import json

import pytest

from mcubench import home
from mcubench.cli import main
from mcubench.targets.cortexm import CortexM4
from mcubench.targets.spike import Spike
from mcubench.targets.xtensa import XtensaLx106

from test_targets import build_and_run, make_target


@pytest.mark.parametrize("cls", (CortexM4, XtensaLx106, Spike), ids=lambda c: c.name)
def test_mix_adds_up_to_the_invoke_count(cls, tmp_path):
    """The loop model runs 1000 x (load, add, store, decrement, branch): the mix shows them, and
    sums to the invoke count exactly (the markers drop out as they do from the count)."""
    _, metrics = build_and_run(make_target(cls), tmp_path, 1000)
    mix = json.loads((tmp_path / "run" / "instr_mix.json").read_text())
    assert mix["total"] == sum(mix["by_mnemonic"].values()) == metrics["invoke_instructions"]
    assert sum(mix["by_kind"].values()) == mix["total"]
    for kind in ("load", "store", "branch"):
        assert 1000 <= mix["by_kind"][kind] < 1010
    assert 2000 <= mix["by_kind"]["alu"] < 2020


def test_host_is_refused_before_anything_runs(capsys):
    assert main(["run", "sine", "-b", "aot", "-t", "host", "-f", "instr_mix"]) == 2
    assert "instr_mix: target host records no instruction trace" in capsys.readouterr().err


def test_table_and_html(capsys, tmp_path):
    assert main(["run", "sine", "-b", "aot", "-t", "cortex-m0", "-f", "instr_mix",
                 "-c", "instr_mix.top=5"]) == 0
    out = capsys.readouterr().out
    assert "Instruction mix of one inference (instr_mix.csv):" in out
    sid = (home.sessions_dir() / "latest").resolve().name
    csv = (home.sessions_dir() / sid / "instr_mix.csv").read_text().splitlines()
    assert csv[0] == "Run,Model,Backend,Target,Group,Name,Instructions,Share"
    mnemonics = [line for line in csv if ",mnemonic," in line]
    assert len(mnemonics) == 5
    assert main(["report", sid, "--format", "html", "-o", str(tmp_path / "r.html")]) == 0
    page = (tmp_path / "r.html").read_text()
    assert "Instruction mix by class" in page and "Top 5 mnemonics" in page
