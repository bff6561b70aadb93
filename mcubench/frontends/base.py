from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ..component import Component
from ..ir.graph import Graph


class Frontend(Component):
    """Model file -> IR graph."""

    kind = "frontend"
    extensions: ClassVar[tuple[str, ...]] = ()

    def load(self, path: Path) -> Graph:
        raise NotImplementedError
