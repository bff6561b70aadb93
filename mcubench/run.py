"""One run: a (model, backend, target, features, config) combination taken through the stages
LOAD -> (TUNE) -> BUILD -> COMPILE -> RUN -> POSTPROCESS. Each stage writes into its own folder of the
run, and is restored from the content-addressed cache when its inputs did not change."""
from __future__ import annotations

import errno
import json
import os
import pickle
import shutil
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import home, models, registry
from .cache import Cache, file_digest, make_key
from .component import RUNTIME_DIR, Component, digest_tree
from .config import Key
from .data import write_data_c
from .errors import ConfigError, McubenchError, MissingDependency

STAGES = ("load", "tune", "build", "compile", "run", "postprocess")


class RunSettings(Component):
    """Settings of the run itself, written `run.KEY=VALUE`."""

    kind = "feature"  # not registered; only used for its keys
    name = "run"
    keys = (
        Key("timeout", float, 600.0, "seconds a simulator may run before it is killed"),
        Key("seed", int, 0, "seed for random inputs"),
        Key("cache", bool, True, "reuse stage results from the cache"),
        Key("resource", str, "", "worker resources the run needs on a Dask cluster, e.g. "
            "board-stm32f7 (NAME or NAME=COUNT, comma separated)"),
    )


@dataclass(frozen=True)
class RunSpec:
    model: str
    backend: str
    target: str
    features: tuple[str, ...] = ()
    config: tuple[tuple[str, str], ...] = ()  # ("component.key", raw value), user-given only
    model_paths: tuple[str, ...] = ()
    until: str = "postprocess"

    def config_for(self, prefix: str) -> dict[str, str]:
        return {k.split(".", 1)[1]: v for k, v in self.config if k.split(".", 1)[0] == prefix}

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> RunSpec:
        return cls(d["model"], d["backend"], d["target"], tuple(d["features"]),
                   tuple(tuple(x) for x in d["config"]), tuple(d.get("model_paths", ())),
                   d.get("until", "postprocess"))


@dataclass
class Parts:
    """The instantiated components of one run, with their fully resolved config."""

    model: models.ModelRef
    frontend: Component
    backend: Component
    target: Component
    toolchain: Component
    features: list[Component]
    settings: RunSettings
    resolved: dict = field(default_factory=dict)

    def needed_by(self, stage: str) -> list[Component]:
        """Whose tools a stage runs: parsing and code generation at LOAD/BUILD, the toolchain at
        COMPILE, the simulator at RUN."""
        return {"load": [self.frontend, *self.features], "build": [self.backend],
                "compile": [self.toolchain], "run": [self.target]}[stage]


_REGISTRY = None


def get_registry():
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = registry.load(home.plugins_dir())
    return _REGISTRY


def check_config_keys(spec: RunSpec, reg) -> None:
    """Every `-c` prefix must name a component (or `run`), checked before anything runs."""
    for key, _ in spec.config:
        prefix = key.split(".", 1)[0]
        if prefix != "run" and reg.find(prefix) is None:
            names = sorted({c.name for c in reg.all()} | {"run"})
            raise ConfigError(f"config key {key!r}: no component {prefix!r}; components: "
                              + ", ".join(names))


def assemble(spec: RunSpec, reg=None, resolve_model: bool = True) -> Parts:
    reg = reg or get_registry()
    check_config_keys(spec, reg)
    backend_cls = reg.get("backend", spec.backend)
    # A feature may switch on backend keys (profile -> aot.profile); the user's -c still wins.
    from_features = {}
    for f in spec.features:
        wanted = getattr(reg.get("feature", f), "backend_config", dict)()
        from_features.update({k: v for k, v in wanted.items()
                              if k in {key.name for key in backend_cls.keys}})
    backend = backend_cls({**from_features, **spec.config_for(spec.backend)})
    target_cls = reg.get("target", spec.target)
    target = target_cls(spec.config_for(spec.target))
    tc_name = target.config.get("toolchain", "gcc")
    toolchain = reg.get("toolchain", tc_name)(spec.config_for(tc_name))
    target.toolchain = toolchain
    features = [reg.get("feature", f)(spec.config_for(f)) for f in spec.features]
    for f in features:  # a feature that cannot apply to this target: said before anything runs
        reason = getattr(f, "check_target", lambda t: None)(target)
        if reason:
            raise ConfigError(reason)
    settings = RunSettings(spec.config_for("run"))
    # Keys of components that are not part of this run are still checked for typos.
    for key, value in spec.config:
        prefix = key.split(".", 1)[0]
        comp = reg.find(prefix)
        if comp is not None:
            comp.resolve({key.split(".", 1)[1]: value})
    model = models.resolve(spec.model, list(spec.model_paths)) if resolve_model else None
    ext = model.path.suffix if model else ".tflite"
    fe_cls = next((c for c in (reg.get("frontend", n) for n in reg.names("frontend"))
                   if ext in c.extensions), None)
    if fe_cls is None:
        raise ConfigError(f"no frontend reads {ext} files; frontends: "
                          + ", ".join(reg.names("frontend")))
    frontend = fe_cls(spec.config_for(fe_cls.name))
    parts = Parts(model, frontend, backend, target, toolchain, features, settings)
    for comp in (frontend, backend, target, toolchain, *features, settings):
        parts.resolved.update({f"{comp.name}.{k}": v for k, v in comp.config.items()})
    return parts


def _atomic_json(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str))
    os.replace(tmp, path)


class Stages:
    """The stage implementations; each returns the cache key of its output folder."""

    def __init__(self, parts: Parts, run_dir: Path, cache: Cache):
        self.p, self.dir, self.cache = parts, run_dir, cache
        self.keys: dict[str, str] = {}
        self.cached: list[str] = []
        self.metrics: dict = {}

    def _stage(self, stage: str, key: str, work) -> None:
        out = self.dir / stage
        if self.cache.fetch(stage, key, out):
            self.cached.append(stage)
        else:
            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True)
            work(out)
            self.cache.store(stage, key, out)
        self.keys[stage] = key

    def _features(self, stage: str) -> list:
        return [(f.name, f.version(), f.config) for f in self.p.features if stage in f.stages]

    def load(self) -> None:
        p = self.p
        key = make_key("load", file_digest(p.model.path), p.frontend.name, p.frontend.version(),
                       p.frontend.config, self._features("load"), p.settings["seed"],
                       str(p.model.folder))

        def work(out: Path) -> None:
            from .samples import load_samples

            shutil.copyfile(p.model.path, out / p.model.path.name)
            graph = p.frontend.load(p.model.path)
            graph.name = p.model.name
            (out / "graph.pkl").write_bytes(pickle.dumps(graph))
            (out / "summary.json").write_text(json.dumps(graph.summary(), indent=1))
            validate = next((f for f in p.features if f.name == "validate"), None)
            if validate:
                samples = load_samples(p.model.folder, graph, validate["samples"], validate["seed"])
                expected = p.frontend.reference(p.model.path, samples, len(graph.outputs))
                if expected is None:
                    raise ConfigError(f"frontend {p.frontend.name!r} has no reference outputs: "
                                      "the validate feature cannot check this model")
            else:
                samples, expected = load_samples(None, graph, 1, p.settings["seed"]), None
            out_dtypes = [graph.tensors[i].dtype for i in graph.outputs]
            write_data_c(out / "mb_data.c", samples, expected, out_dtypes,
                         validate["tolerance"] if validate else 0)

        self._stage("load", key, work)
        self.graph = pickle.loads((self.dir / "load" / "graph.pkl").read_bytes())
        p.backend.check(self.graph)

    def build(self) -> None:
        b = self.p.backend
        key = make_key("build", self.keys["load"], b.name, b.version(), b.config,
                       self._features("build"),
                       digest_tree(RUNTIME_DIR / "kernels", RUNTIME_DIR / "include"))
        self._stage("build", key, lambda out: _atomic_json(out / "meta.json", b.build(self.graph,
                                                                                       out)))
        meta = json.loads((self.dir / "build" / "meta.json").read_text())
        self.metrics["arena"] = meta.get("arena")

    def compile(self) -> None:
        t, tc = self.p.target, self.p.toolchain
        key = make_key("compile", self.keys["build"], self.keys["load"], t.name, t.version(),
                       t.config, tc.name, tc.version(), tc.config, self._features("compile"),
                       digest_tree(*(RUNTIME_DIR / d for d in ("harness", "include", "hal", "ld"))))

        def work(out: Path) -> None:
            meta = json.loads((self.dir / "build" / "meta.json").read_text())
            defines = {}
            for f in self.p.features:
                if hasattr(f, "compile_defines"):
                    defines.update(f.compile_defines(meta.get("ops", 0)))
            mem = t.compile(self.dir / "build", self.dir / "load" / "mb_data.c", out, defines)
            mem.pop("elf")
            _atomic_json(out / "metrics.json", mem)

        self._stage("compile", key, work)
        self.metrics.update(json.loads((self.dir / "compile" / "metrics.json").read_text()))

    def run(self) -> None:
        t = self.p.target
        key = make_key("run", self.keys["compile"], t.name, t.version(), t.config,
                       self._features("run"))
        elf = self.dir / "compile" / "firmware.elf"

        def work(out: Path) -> None:
            _atomic_json(out / "metrics.json", t.run(elf, out, self.p.settings["timeout"]))

        self._stage("run", key, work)
        self.metrics.update(json.loads((self.dir / "run" / "metrics.json").read_text()))


def disk_full(exc: BaseException, where: Path) -> str | None:
    """A clear reason when `exc` is a full disk (or quota), wherever it surfaced: an OSError, a
    shutil.Error listing several, or a tool's message inside a StageError."""
    text = str(exc)
    if getattr(exc, "errno", None) not in (errno.ENOSPC, errno.EDQUOT) and \
            "No space left on device" not in text and "Disk quota exceeded" not in text:
        return None
    path = getattr(exc, "filename", None) or where
    try:
        free = f", {shutil.disk_usage(where).free // 1024} kB free there"
    except OSError:
        free = ""
    sid = where.parent.parent.name if where.parent.name == "runs" else "SESSION"
    return (f"disk full: no space left on device writing {path}{free}; free some space, then "
            f"`mcubench run --resume {sid}` reruns this run")


def require(components: list[Component]) -> None:
    """A missing tool fails the stage that needs it, naming the tool and the install command."""
    for comp in components:
        missing = comp.missing()
        if missing:
            raise MissingDependency(
                f"{comp.kind} {comp.name!r} needs " + "; ".join(f"{n.name} ({n.install})"
                                                               for n in missing)
                + f"; or run `mcubench setup {comp.name}`")


def execute(spec: RunSpec, run_dir: Path, cache_enabled: bool = True) -> dict:
    """Take one run through its stages; never raises: a failure becomes the row's Reason (also a
    full disk, which may keep result.json from being written: the result is returned anyway)."""
    result = {"spec": spec.to_json(), "metrics": {}, "times": {}, "cached": [], "failing": False,
              "reason": "", "resolved": {}}
    stage = "load"
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        _atomic_json(run_dir / "spec.json", spec.to_json())
        parts = assemble(spec)
        result["resolved"] = parts.resolved
        _atomic_json(run_dir / "config.json", parts.resolved)
        cache = Cache(home.cache_dir(), cache_enabled and parts.settings["cache"])
        st = Stages(parts, run_dir, cache)
        last = STAGES.index(spec.until)
        for stage in ("load", "build", "compile", "run"):
            if STAGES.index(stage) > last:
                break
            require(parts.needed_by(stage))
            t0 = time.perf_counter()
            getattr(st, stage)()
            result["times"][stage] = round(time.perf_counter() - t0, 3)
            result["metrics"] = dict(st.metrics)
            result["cached"] = list(st.cached)
    except McubenchError as exc:
        result["failing"], result["reason"] = True, f"{stage}: {disk_full(exc, run_dir) or exc}"
    except Exception as exc:  # a bug or an unexpected tool failure: keep the traceback for the user
        result["failing"] = True
        full = disk_full(exc, run_dir)
        if full:
            result["reason"] = f"{stage}: {full}"
        else:
            try:
                (run_dir / "error.log").write_text(traceback.format_exc())
            except OSError:
                pass
            result["reason"] = (f"{stage}: internal error {type(exc).__name__}: {exc} "
                                "(see error.log)")
    try:
        _atomic_json(run_dir / "result.json", result)
    except OSError as exc:  # the row still reaches the session; a resume runs it again
        if not result["failing"]:
            result["failing"] = True
            result["reason"] = "postprocess: " + (disk_full(exc, run_dir) or
                                                  f"cannot write result.json: {exc}")
    return result
