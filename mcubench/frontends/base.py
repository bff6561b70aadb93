from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np

from ..component import Component
from ..ir.graph import Graph


class Frontend(Component):
    """Model file -> IR graph."""

    kind = "frontend"
    extensions: ClassVar[tuple[str, ...]] = ()

    def load(self, path: Path) -> Graph:
        raise NotImplementedError

    def reference(self, path: Path, samples: list[list[np.ndarray]],
                  n_outputs: int) -> list[list[np.ndarray]] | None:
        """Golden outputs for validation: for each sample (one array per graph input, in the IR's
        shapes and dtypes) one array per output, likewise; computed on the host by the framework
        the model comes from. None: this frontend has no reference, so outputs cannot be checked."""
        return None
