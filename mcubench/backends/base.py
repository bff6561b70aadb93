from __future__ import annotations

import shutil
from pathlib import Path
from typing import ClassVar

from ..component import RUNTIME_DIR, Component
from ..errors import ModelError
from ..ir.graph import Graph


class Backend(Component):
    """IR graph -> C sources (in `out_dir`) implementing runtime/include/mb_model.h.

    `build` writes every C file the firmware needs besides the harness and HAL, copying the kernels it
    uses, so a run's build folder is self-contained. It returns metadata for the report (e.g. arena)."""

    kind = "backend"
    supported_ops: ClassVar[frozenset[str]] = frozenset()

    def check(self, graph: Graph) -> None:
        """Fail at LOAD, naming every unsupported operator at once."""
        bad = sorted({op.kind for op in graph.ops} - self.supported_ops)
        if bad:
            raise ModelError(
                f"backend {self.name!r} does not support operator(s) {', '.join(bad)} "
                f"of model {graph.name!r}; supported: {', '.join(sorted(self.supported_ops))}"
            )

    def build(self, graph: Graph, out_dir: Path) -> dict:
        raise NotImplementedError

    @classmethod
    def operators(cls) -> dict[str, tuple[str, ...]]:
        """Operator kind -> the types it runs (`mcubench list operators`); {}: not a model
        backend."""
        return {}

    @staticmethod
    def copy_runtime(out_dir: Path, files: list[str]) -> None:
        """Copy runtime files (paths relative to runtime/, e.g. "kernels/conv2d.c") into out_dir."""
        for rel in files:
            src = RUNTIME_DIR / rel
            dst = out_dir / Path(rel).name
            shutil.copyfile(src, dst)
