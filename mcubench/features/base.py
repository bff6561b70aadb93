from __future__ import annotations

from typing import ClassVar

from ..component import Component


class Feature(Component):
    """An optional behaviour switched on per run (`-f NAME`). `stages` names the stages whose output
    it changes, so only those cache keys include it."""

    kind = "feature"
    stages: ClassVar[frozenset[str]] = frozenset()
