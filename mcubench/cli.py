"""The `mcubench` command. `run` (also spelled `flow run`, as in MLonMCU) benchmarks a matrix."""
from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
from pathlib import Path

from . import home, models, report
from .config import parse_assignments
from .errors import McubenchError
from .run import STAGES, RunSettings, RunSpec, get_registry
from .executors import EXECUTORS
from .session import expand, resume_session, run_session, validate
from .store import Store, open_store, safe_url

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
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="log each finished run to stderr (-vv: debug); always in session.log")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print only the summary line and errors, not the table")
    p.add_argument("--resume", metavar="SESSION",
                   help="run only the runs of SESSION (an id or `latest`) that are missing or failed")
    p.add_argument("--executor", choices=EXECUTORS, default="pool",
                   help="where runs execute: a local process pool (default), a Dask cluster "
                        "(with --scheduler), or a Dask LocalCluster of -j workers")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="the Dask scheduler to use")
    p.add_argument("--shared-storage", choices=["auto", "yes", "no"], default="auto",
                   help="Dask workers write into the session folder (yes), send artifacts back "
                        "(no), or detect which per run (auto)")
    _db_arg(p)


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help="results database (default: MCUBENCH_DB, `db:` in "
                   "the home config, or the home's results.db), e.g. postgresql://user@host/mcubench")


def cmd_run(args) -> int:
    _console_log(args.verbose, args.quiet)
    reg = get_registry()
    pp_config: list[tuple[str, str]] = []
    exec_args = dict(jobs=args.parallel, progress=args.progress and not args.quiet,
                     executor=args.executor, scheduler=args.scheduler,
                     shared_storage=args.shared_storage, db=args.db)
    if args.resume:
        if args.models or args.replay:
            raise McubenchError("--resume SESSION takes its runs from the session; give no models")
        specs = None
    elif args.replay:
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
        # postprocess keys configure the session's postprocesses, not the runs (nor their Config)
        pp_config = [kv for kv in config if kv[0].split(".", 1)[0] in reg.names("postprocess")]
        config = [kv for kv in config if kv not in pp_config]
        for prefix in dict.fromkeys(k.split(".", 1)[0] for k, _ in pp_config):
            if prefix not in args.postprocess and not (prefix == "plot" and "plot" in args.feature):
                print(f"warning: -c {prefix}.* given without --postprocess {prefix}",
                      file=sys.stderr)
        if "plot" in args.feature and "plot" not in reg.names("feature"):
            args.feature = [f for f in args.feature if f != "plot"]  # `-f plot`: plot the session
            args.postprocess = [*args.postprocess, "plot"]
        specs = expand(models.expand(args.models), args.backend or ["aot"],
                       args.target or ["host"], args.feature, fgen, config, cgen,
                       [str(Path(p).resolve()) for p in args.model_path], args.until)
    if specs is not None:
        validate(specs)
    post = [reg.get("postprocess", n)(_prefixed(pp_config or (specs[0].config if specs else ()), n))
            for n in args.postprocess]
    if args.resume:
        sid, df = resume_session(args.resume, use_cache=False if args.no_cache else None,
                                 **exec_args)
    else:
        argv = [safe_url(a) if "://" in a else a for a in sys.argv[1:]]
        command = "mcubench " + " ".join(shlex.quote(a) for a in argv)
        sid, df = run_session(specs, command=command, label=args.label,
                              use_cache=not args.no_cache, **exec_args)
    failed, n_runs = int(df["Failing"].sum()), len(df)
    prof = _profile_table(sid, df)
    mix = _mix_table(sid, df)
    for pp in post:
        pp.session_dir = home.sessions_dir() / sid
        df = pp.process(df)
    if not args.quiet:
        print(report.render(df))
    if prof is not None and not args.quiet:
        print("\nInstructions per operator (profile.csv):")
        print(prof.to_string(index=False, na_rep="-"))
    if mix is not None and not args.quiet:
        print("\nInstruction mix of one inference (instr_mix.csv):")
        print(mix.to_string(index=False, na_rep="-"))
    for pp in post:
        for note in pp.notes:
            print(note)
        if pp.failure:
            print(pp.failure, file=sys.stderr)
    print(f"\nsession {sid}: {n_runs} runs, {failed} failed; reports in "
          f"{home.sessions_dir() / sid}")
    return 1 if failed or any(pp.failure for pp in post) else 0


def _profile_table(sid: str, df):
    """The per-operator table of `-f profile` runs, also written as the session's profile.csv."""
    if not df["Features"].astype(str).str.split(",").apply(lambda f: "profile" in f).any():
        return None
    from .features.profile import session_profile

    prof = session_profile(home.sessions_dir() / sid, df)
    if not len(prof):
        return None
    prof.to_csv(home.sessions_dir() / sid / "profile.csv", index=False)
    return prof


def _mix_table(sid: str, df):
    """The instruction-mix table of `-f instr_mix` runs, also written as instr_mix.csv."""
    if not df["Features"].astype(str).str.split(",").apply(lambda f: "instr_mix" in f).any():
        return None
    from .features.instr_mix import session_mix

    mix = session_mix(home.sessions_dir() / sid, df)
    if not len(mix):
        return None
    mix.to_csv(home.sessions_dir() / sid / "instr_mix.csv", index=False)
    return mix


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (tests capture it per test)."""

    stream = property(lambda self: sys.stderr, lambda self, value: None)


def _console_log(verbose: int, quiet: bool) -> None:
    """-v: the session log's lines on stderr too (-vv: debug); -q: warnings only."""
    log = logging.getLogger("mcubench")
    log.setLevel(logging.DEBUG)
    if not any(getattr(h, "_mcubench_console", False) for h in log.handlers):
        h = _StderrHandler()
        h.setFormatter(logging.Formatter("%(message)s"))
        h._mcubench_console = True
        log.addHandler(h)
    level = logging.WARNING if quiet or not verbose else logging.INFO if verbose == 1 \
        else logging.DEBUG
    for h in log.handlers:
        if getattr(h, "_mcubench_console", False):
            h.setLevel(level)


def _prefixed(config, name: str) -> dict:
    return {k.split(".", 1)[1]: v for k, v in config if k.split(".", 1)[0] == name}


def cmd_list(args) -> int:
    if args.what == "operators":
        return _list_operators()
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


def _list_operators() -> int:
    """Every (operator, type) each backend runs, from its declarations (Backend.operators)."""
    reg = get_registry()
    for name in reg.names("backend"):
        ops = reg.get("backend", name).operators()
        if not ops:
            continue
        print(f"{name}: {sum(len(t) for t in ops.values())} (operator, type) pairs")
        for kind, types in sorted(ops.items()):
            print(f"    {kind:28s} {', '.join(types)}")
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


def cmd_setup(args) -> int:
    from .install import install

    reg = get_registry()
    names = args.components or [c.name for c in reg.all()]
    comps = []
    for n in names:
        comp = reg.find(n)
        if comp is None:
            raise McubenchError(f"unknown component {n!r}; see `mcubench doctor`")
        comps.append(comp)
        if comp.kind == "target":  # a target also needs its toolchains
            comps += [reg.get("toolchain", t) for t in reg.names("toolchain")
                      if t == comp.keys_default("toolchain")]
    return install(comps, args.dry_run)


def cmd_models(args) -> int:
    from .zoo.describe import models_command

    print(models_command(args.names, args.detailed, [str(Path(p)) for p in args.model_path]))
    return 0


def cmd_sessions(args) -> int:
    df = open_store(args.db).sessions()
    print(df.to_string(index=False) if len(df) else "no sessions yet")
    return 0


def _load_session(store: Store, name: str):
    sid = store.latest() if name == "latest" else name
    if sid is None:
        raise McubenchError("no sessions yet: run `mcubench run ...` first")
    df = store.report(sid)
    if df.empty:
        raise McubenchError(f"session {sid!r} has no runs; see `mcubench sessions`")
    return sid, df


def _session_meta(store: Store, sid: str) -> dict:
    rows = store.sessions()
    row = rows[rows["Session"] == sid]
    meta = {"session": sid}
    if len(row):
        meta.update(command=row["Command"].iloc[0], label=row["Label"].iloc[0],
                    created=row["Created"].iloc[0])
    return meta


def cmd_report(args) -> int:
    store = open_store(args.db)
    sid, df = _load_session(store, args.session)
    out = Path(args.output) if args.output else None
    if args.format in ("html", "xlsx"):  # files, by default into the session folder
        out = out or home.sessions_dir() / sid / f"report.{args.format}"
        if args.format == "html":
            from .html import write

            write(df, out, home.sessions_dir() / sid, _session_meta(store, sid))
        else:
            report.to_xlsx(df, out)
        print(f"wrote {out}")
        return 0
    text = report.render(df, args.format)
    if out:
        out.write_text(text + "\n")
        print(f"wrote {out}")
    else:
        print(text)
    return 0


def cmd_compare(args) -> int:
    from .compare import compare_sessions, parse_threshold, render

    store = open_store(args.db)
    (sa, a), (sb, b) = _load_session(store, args.a), _load_session(store, args.b)
    cmp = compare_sessions(a, b, args.metric or None, parse_threshold(args.threshold),
                           tuple(args.ignore_config))
    print(render(cmp, sa, sb))
    return 1 if cmp.regressions else 0


def cmd_plot(args) -> int:
    from .plot import plot_session

    store = open_store(args.db)
    sid, df = _load_session(store, args.session)
    out = Path(args.output) if args.output else home.sessions_dir() / sid / "plots"
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    paths = plot_session(df, out, home.sessions_dir() / sid, formats)
    print("\n".join(map(str, paths)) if paths else "no data to plot")
    return 0


def cmd_export(args) -> int:
    store = open_store(args.db)
    sid, df = _load_session(store, args.session)
    out = report.export_zip(df, home.sessions_dir() / sid, Path(args.out),
                            _session_meta(store, sid))
    print(f"wrote {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mcubench", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    add_run_args(sub.add_parser("run", help="benchmark models x backends x targets"))
    flow = sub.add_parser("flow", help="MLonMCU spelling: `mcubench flow run ...`")
    add_run_args(flow.add_subparsers(dest="flowcmd", required=True).add_parser("run"))
    ls = sub.add_parser("list", help="list components or models")
    ls.add_argument("what", choices=[*KIND_OF, "models", "operators"])
    sub.add_parser("doctor", help="what is installed and what is missing")
    st = sub.add_parser("setup", help="install what components need (apt, pip)")
    st.add_argument("components", nargs="*", help="targets/backends/... (default: all)")
    st.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    md = sub.add_parser("models", help="describe models: inputs, outputs, operators, MACs, weights")
    md.add_argument("names", nargs="*", help="model names, groups or files (default: all found)")
    md.add_argument("--detailed", action="store_true", help="one row per layer")
    md.add_argument("--model-path", action="append", default=[], metavar="DIR",
                    help="extra folder to search for models")
    _db_arg(sub.add_parser("sessions", help="sessions in the results database"))
    rp = sub.add_parser("report", help="print a session's report")
    _db_arg(rp)
    rp.add_argument("session", nargs="?", default="latest")
    rp.add_argument("--format", choices=["table", "csv", "md", "json", "html", "xlsx"],
                    default="table")
    rp.add_argument("-o", "--output", metavar="FILE",
                    help="write to FILE (html/xlsx default: report.html/.xlsx in the session)")
    cp = sub.add_parser("compare",
                        help="metric deltas between two sessions; exit 1 on a regression")
    _db_arg(cp)
    cp.add_argument("a", metavar="SESSION_A", help="the baseline session (or `latest`)")
    cp.add_argument("b", metavar="SESSION_B", help="the new session (or `latest`)")
    cp.add_argument("--threshold", default="1%",
                    help="relative increase that counts as a regression, in percent (default 1%%)")
    cp.add_argument("--metric", action="append", default=[],
                    help="metric to compare (repeatable; default: invoke and setup instructions, "
                         "Total ROM, Total RAM)")
    cp.add_argument("--ignore-config", action="append", default=[], metavar="KEY",
                    help="config key left out when joining runs, e.g. gcc.optimize (repeatable)")
    pl = sub.add_parser("plot", help="bar charts of a session (PNG and SVG)")
    _db_arg(pl)
    pl.add_argument("session", nargs="?", default="latest")
    pl.add_argument("-o", "--output", metavar="DIR", help="folder (default: <session>/plots)")
    pl.add_argument("--format", default="png,svg", help="comma-separated: png, svg, pdf")
    ex = sub.add_parser("export", help="one zip: the reports and every run's artifacts")
    _db_arg(ex)
    ex.add_argument("session", help="session id or `latest`")
    ex.add_argument("out", metavar="OUT.zip")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    handlers = {"run": cmd_run, "flow": cmd_run, "list": cmd_list, "doctor": cmd_doctor,
                "sessions": cmd_sessions, "report": cmd_report, "models": cmd_models,
                "setup": cmd_setup,
                "compare": cmd_compare, "plot": cmd_plot, "export": cmd_export}
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
