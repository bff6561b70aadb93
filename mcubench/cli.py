"""The `mcubench` command. `run` (also spelled `flow run`, as in MLonMCU) benchmarks a matrix."""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from . import home, models, report
from .config import parse_assignments
from .errors import McubenchError
from .run import STAGES, RunSettings, RunSpec, get_registry
from .session import expand, run_session, validate
from .store import Store

KIND_OF = {"backends": "backend", "targets": "target", "features": "feature",
           "postprocesses": "postprocess", "frontends": "frontend", "toolchains": "toolchain"}


def add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("models", nargs="*", help="model names (resolved via search paths) or files")
    p.add_argument("-b", "--backend", action="append", default=[], help="backend (repeatable)")
    p.add_argument("-t", "--target", action="append", default=[], help="target (repeatable)")
    p.add_argument("-f", "--feature", action="append", default=[], help="feature for every run")
    p.add_argument("-c", "--config", action="append", default=[], metavar="KEY=VALUE",
                   help="config for every run, e.g. run.timeout=60 (repeatable)")
    p.add_argument("--feature-gen", nargs="+", action="append", default=[], metavar="FEATURE",
                   help="one feature variant per use; `_` is the variant with no extra feature")
    p.add_argument("--config-gen", nargs="+", action="append", default=[], metavar="KEY=VALUE",
                   help="one config variant per use; `_` is the empty variant")
    p.add_argument("--postprocess", action="append", default=[], help="session postprocess")
    p.add_argument("-j", "--parallel", type=int, default=None, help="parallel runs (default: cores)")
    p.add_argument("--progress", action="store_true", help="show a progress bar")
    p.add_argument("--until", choices=[s for s in STAGES if s != "tune"], default="postprocess",
                   help="stop every run after this stage")
    p.add_argument("--label", default="", help="a label stored with the session")
    p.add_argument("--model-path", action="append", default=[], metavar="DIR",
                   help="extra folder to search for models (MLonMCU zoo layout works)")
    p.add_argument("--no-cache", action="store_true", help="recompute every stage")
    p.add_argument("--replay", metavar="RUN_DIR", help="run one earlier run again, exactly")


def cmd_run(args) -> int:
    if args.replay:
        spec = RunSpec.from_json(json.loads((Path(args.replay) / "spec.json").read_text()))
        specs = [spec]
    else:
        if not args.models:
            raise McubenchError("no model given: e.g. `mcubench run aww -b aot -t host`")
        user_defaults = home.user_config().get("config", {}) or {}
        config = list({**{k: str(v) for k, v in user_defaults.items()},
                       **parse_assignments(args.config)}.items())
        fgen = [[] if v == ["_"] else [f for f in v if f != "_"] for v in args.feature_gen]
        cgen = [list(parse_assignments([c for c in v if c != "_"]).items())
                for v in args.config_gen]
        specs = expand(models.expand(args.models), args.backend or ["aot"],
                       args.target or ["host"], args.feature, fgen, config, cgen,
                       [str(Path(p).resolve()) for p in args.model_path], args.until)
    validate(specs)
    reg = get_registry()
    post = [reg.get("postprocess", n)(_prefixed(specs[0].config, n)) for n in args.postprocess]
    command = "mcubench " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    sid, df = run_session(specs, args.parallel, args.progress, command, args.label,
                          not args.no_cache)
    for pp in post:
        df = pp.process(df)
    print(report.render(df))
    failed = int(df["Failing"].sum())
    print(f"\nsession {sid}: {len(df)} runs, {failed} failed; reports in "
          f"{home.sessions_dir() / sid}")
    return 1 if failed else 0


def _prefixed(config, name: str) -> dict:
    return {k.split(".", 1)[1]: v for k, v in config if k.split(".", 1)[0] == name}


def cmd_list(args) -> int:
    if args.what == "models":
        for root in models.search_paths():
            if root.is_dir():
                for p in sorted(root.iterdir()):
                    if (p / f"{p.name}.tflite").is_file() or p.suffix in models.EXTENSIONS:
                        print(f"{p.stem:20s} {p}")
        return 0
    reg = get_registry()
    kind = KIND_OF[args.what]
    for name in reg.names(kind):
        cls = reg.get(kind, name)
        missing = cls.missing()
        state = "ready" if not missing else "missing " + "; ".join(
            f"{n.name}: {n.install}" for n in missing)
        print(f"{name:16s} {cls.description}  [{state}]")
        for k in cls.keys:
            print(f"    {name}.{k.name} ({k.type.__name__}, default {k.default!r}) {k.help}")
    if kind == "feature":
        print(f"{'run':16s} settings of every run")
        for k in RunSettings.keys:
            print(f"    run.{k.name} ({k.type.__name__}, default {k.default!r}) {k.help}")
    return 0


def cmd_doctor(args) -> int:
    reg = get_registry()
    bad = 0
    for cls in reg.all():
        missing = cls.missing()
        bad += bool(missing)
        state = "ready" if not missing else "missing " + "; ".join(
            f"{n.name} ({n.install})" for n in missing)
        print(f"{cls.kind:12s} {cls.name:16s} {state}")
    print(f"\nhome: {home.home_dir()}")
    return 1 if bad else 0


def cmd_models(args) -> int:
    from .zoo.describe import models_command

    print(models_command(args.names, args.detailed, [str(Path(p)) for p in args.model_path]))
    return 0


def cmd_sessions(args) -> int:
    df = Store(home.db_path()).sessions()
    print(df.to_string(index=False) if len(df) else "no sessions yet")
    return 0


def cmd_report(args) -> int:
    store = Store(home.db_path())
    sid = store.latest() if args.session == "latest" else args.session
    if sid is None:
        raise McubenchError("no sessions yet: run `mcubench run ...` first")
    df = store.report(sid)
    if df.empty:
        raise McubenchError(f"session {sid!r} has no runs; see `mcubench sessions`")
    print(report.render(df, args.format))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mcubench", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    add_run_args(sub.add_parser("run", help="benchmark models x backends x targets"))
    flow = sub.add_parser("flow", help="MLonMCU spelling: `mcubench flow run ...`")
    add_run_args(flow.add_subparsers(dest="flowcmd", required=True).add_parser("run"))
    ls = sub.add_parser("list", help="list components or models")
    ls.add_argument("what", choices=[*KIND_OF, "models"])
    sub.add_parser("doctor", help="what is installed and what is missing")
    md = sub.add_parser("models", help="describe models: inputs, outputs, operators, MACs, weights")
    md.add_argument("names", nargs="*", help="model names, groups or files (default: all found)")
    md.add_argument("--detailed", action="store_true", help="one row per layer")
    md.add_argument("--model-path", action="append", default=[], metavar="DIR",
                    help="extra folder to search for models")
    sub.add_parser("sessions", help="sessions in the results database")
    rp = sub.add_parser("report", help="print a session's report")
    rp.add_argument("session", nargs="?", default="latest")
    rp.add_argument("--format", choices=["table", "csv", "md", "json"], default="table")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    handlers = {"run": cmd_run, "flow": cmd_run, "list": cmd_list, "doctor": cmd_doctor,
                "sessions": cmd_sessions, "report": cmd_report, "models": cmd_models}
    try:
        return handlers[args.cmd](args)
    except McubenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished runs are kept in the session folder and the database",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
