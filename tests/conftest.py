import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_MODELS = Path(os.environ.get("MCUBENCH_SHARED_MODELS", REPO.parent / "shared" / "models"))
MLPERF = ("aww", "vww", "resnet", "toycar")


@pytest.fixture(scope="session")
def shared_models() -> Path:
    """The real MLPerf Tiny models beside the repository (never copied into it)."""
    if not (SHARED_MODELS / "aww" / "aww.tflite").is_file():
        pytest.skip(f"real models not found at {SHARED_MODELS} (set MCUBENCH_SHARED_MODELS)")
    return SHARED_MODELS


@pytest.fixture(autouse=True, scope="session")
def isolated_home(tmp_path_factory):
    """Every test session writes into its own mcubench home, never the user's."""
    home = tmp_path_factory.mktemp("mcubench-home")
    old = os.environ.get("MCUBENCH_HOME")
    os.environ["MCUBENCH_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("MCUBENCH_HOME", None)
    else:
        os.environ["MCUBENCH_HOME"] = old


@pytest.fixture(scope="session")
def gcc() -> str:
    """The host C compiler, for tests that build firmware natively."""
    import shutil

    if shutil.which("gcc") is None:
        pytest.skip("no host gcc")
    return "gcc"


@pytest.fixture(scope="session")
def tflm():
    """TFLite Micro's Python runtime: the golden reference for int8 outputs."""
    return pytest.importorskip("tflite_micro.python.tflite_micro.runtime",
                               reason="TFLite Micro (pip install --pre tflite-micro) gives the "
                                      "expected outputs")
