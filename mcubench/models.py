"""Model names -> files, through search paths (MLonMCU zoo layout `<dir>/<name>/<name>.tflite`).

A name is looked up in the search paths first (--model-path, MCUBENCH_MODELS, the home config's
model_paths, $MCUBENCH_HOME/models), so a real model in a user's folder always wins; only a name no
search path has falls back to a built-in model (mcubench/zoo), generated into $MCUBENCH_HOME/models
on first use. Groups: the built-in `tinymlperf`, plus the home config's model_groups, which can add
groups or redefine it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import zoo
from .errors import ModelError
from .home import home_dir, user_config

EXTENSIONS = (".tflite", ".onnx", ".c")


@dataclass(frozen=True)
class ModelRef:
    name: str
    path: Path
    folder: Path | None  # the zoo folder with input/ and output_* samples, if any
    source: str = "file"  # "file" (a path given), "built-in", or the search path it was found in


def search_paths(extra: list[str] | None = None) -> list[Path]:
    paths = [Path(p) for p in extra or []]
    paths += [Path(p) for p in os.environ.get("MCUBENCH_MODELS", "").split(":") if p]
    paths += [Path(p).expanduser() for p in user_config().get("model_paths", [])]
    paths.append(home_dir() / "models")
    return paths


def groups() -> dict[str, list[str]]:
    return {**zoo.GROUPS, **dict(user_config().get("model_groups", {}))}


def expand(names: list[str]) -> list[str]:
    out: list[str] = []
    g = groups()
    for n in names:
        out += g.get(n, [n])
    return out


def resolve(name: str, extra_paths: list[str] | None = None) -> ModelRef:
    if name.startswith("program:"):
        from .frontends.program import builtin_program

        path = builtin_program(name)  # a ModelError listing the built-ins if unknown
        return ModelRef(path.stem, path, None, "built-in")
    p = Path(name)
    if p.suffix in EXTENSIONS or p.exists():
        if not p.is_file():
            raise ModelError(f"model file {p} does not exist")
        folder = p.parent if (p.parent / "input").is_dir() else None
        return ModelRef(p.stem, p.resolve(), folder and folder.resolve())
    tried = search_paths(extra_paths)
    for root in tried:
        for ext in EXTENSIONS:
            for cand in (root / name / f"{name}{ext}", root / f"{name}{ext}"):
                if cand.is_file():
                    folder = cand.parent if cand.parent.name == name else None
                    if zoo.is_generated(folder) and name in zoo.BUILTIN:
                        return _builtin(name, root)  # regenerated if an older mcubench wrote it
                    return ModelRef(name, cand.resolve(), folder and folder.resolve(), str(root))
    if name in zoo.BUILTIN:
        return _builtin(name)
    raise ModelError(
        f"model {name!r} not found; searched {', '.join(map(str, tried))}. Give a path to a "
        ".tflite, .onnx or .c file, or add a folder with --model-path DIR or MCUBENCH_MODELS=DIR. "
        "Built-in models: "
        + ", ".join(zoo.names())
    )


def _builtin(name: str, root: Path | None = None) -> ModelRef:
    path = zoo.ensure(name, root).resolve()
    return ModelRef(name, path, path.parent, "built-in")
