"""`mcubench doctor` and `mcubench setup`: missing tools are named with the command that installs them."""
import pytest

import mcubench.run as run_mod
from mcubench.cli import main

PLUGIN = '''
from mcubench.component import Need
from mcubench.targets.host import Host

class Lonely(Host):
    name = "lonely"
    description = "a target whose simulator is not installed"
    needs = (Need("mcubench-no-such-simulator", "apt-get install no-such-simulator"),
             Need("mcubench_no_such_module", "pip install no-such-module", kind="python"))

def register(registry):
    registry.add(Lonely)
'''


@pytest.fixture
def lonely_target(isolated_home):
    plugins = isolated_home / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "lonely.py").write_text(PLUGIN)
    run_mod._REGISTRY = None
    yield
    (plugins / "lonely.py").unlink()
    run_mod._REGISTRY = None


def test_doctor_names_missing_tool_and_fix(capsys, lonely_target):
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "lonely" in ln)
    assert "missing mcubench-no-such-simulator (apt-get install no-such-simulator)" in line
    assert "host" in out and "ready" in out


def test_setup_plans_apt_and_pip(capsys, lonely_target):
    assert main(["setup", "lonely", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "apt-get install -y no-such-simulator" in out
    assert "pip install no-such-module" in out


def test_setup_of_ready_target_installs_nothing(capsys):
    assert main(["setup", "host", "--dry-run"]) == 0
    assert "nothing to install" in capsys.readouterr().out


def test_run_on_target_with_missing_tool_is_a_clear_row(capsys, lonely_target):
    import json

    from mcubench import home

    assert main(["run", "sine", "-t", "lonely"]) == 1
    sid = (home.sessions_dir() / "latest").resolve().name
    (row,) = json.loads((home.sessions_dir() / sid / "report.json").read_text())
    assert row["Reason"].startswith("run: target 'lonely' needs mcubench-no-such-simulator")
    assert "mcubench setup lonely" in row["Reason"]
    assert row["ROM code"] > 0  # the stages before RUN still ran and were kept
