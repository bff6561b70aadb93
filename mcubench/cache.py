"""Content-addressed stage cache: a stage's output folder stored under a key of its real inputs."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path


def make_key(*parts) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Cache:
    def __init__(self, root: Path, enabled: bool = True):
        self.root = root
        self.enabled = enabled

    def fetch(self, stage: str, key: str, dest: Path) -> bool:
        src = self.root / stage / key
        if not self.enabled or not src.is_dir():
            return False
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest)
        return True

    def store(self, stage: str, key: str, src: Path) -> None:
        """Atomic: copy to a temporary folder next to the entry, then rename into place."""
        if not self.enabled:
            return
        final = self.root / stage / key
        if final.exists():
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=".tmp-"))
        shutil.copytree(src, tmp, dirs_exist_ok=True)
        try:
            os.rename(tmp, final)
        except OSError:  # another process stored the same key first: same content
            shutil.rmtree(tmp, ignore_errors=True)
