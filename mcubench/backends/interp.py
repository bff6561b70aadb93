"""Interpreter backend: the .tflite file embedded unchanged, run by a small C interpreter.

The TFLite Micro style (tflmi): the firmware holds the model's flatbuffer as a ``const`` array and
an interpreter (runtime/interp/) that reads it at setup: it verifies every offset it follows,
records the tensors' shapes and locations, computes each operator's parameters from the float
scales (the same arithmetic as ir/quant.py, in C), and plans the arena (the same greedy algorithm as
ir/planner.py). Invoke calls the same kernels as the aot backend. So setup costs instructions, ROM
is the model bytes plus the interpreter, and the generated C is tiny.

Output (in the build folder):
- ``interp_model.c``: the .tflite bytes (16-byte aligned), the arena and its size.
- ``interp_ops.c``: the registration table of the operators the model uses; only their prepare and
  eval files and kernels are copied, so nothing else is linked.
- the interpreter core, the used operators' files and kernels, copied from runtime/.

The arena is computed here, mirroring the C allocations exactly (``arena_layout``): activations as
planned by ir/planner.py (during setup the planner's scratch uses the same bytes), plus the
interpreter's records (tensors, operators, prepared parameters), made of fixed-width fields so
their sizes do not depend on the target; runtime/interp/mbi.h checks the sizes at compile time.
Setup reports an arena that is too small with code 6 (MBI_ERR_ARENA).
"""
from __future__ import annotations

from pathlib import Path

from ..component import RUNTIME_DIR, digest_tree
from ..config import Key
from ..errors import ConfigError, ModelError
from ..ir.graph import Graph
from ..ir.planner import plan_graph
from ..ops import SPECS
from ..ops.common.cstruct import PARAMS, RECORDS, write_headers
from ..ops.common.records import IO_ENTRY, OP, PLAN_SCRATCH, RECORD_ALIGN, TENSOR, record, records
from .aot import check_op
from .base import Backend
from .interp_opt import OPT_CORE, OPT_OPS, gemm_instances, opt_plan, scratch_bytes

CORE = ("interp/mbi.h", "interp/mbi_fb.c", "interp/mbi_interp.c", "interp/mbi_plan.c",
        "interp/mbi_prep.c", "interp/mbi_model.c", "kernels/requant.c")
MODEL_ALIGN = 16  # TFLite aligns constant buffers to 16 inside the file
ROW = 32  # bytes per line of the model array

# Setup error codes (runtime/interp/mbi.h): what the harness's `MB error=setup code=N` means.
SETUP_ERRORS = {1: "malformed model (an offset or length outside the file)",
                2: "not a TFLite schema-3 file with one subgraph", 3: "operator not linked",
                4: "unsupported tensor", 5: "unsupported operator options or shapes",
                6: "arena too small", 7: "invoke before setup"}


def _align_up(x: int, align: int) -> int:
    return (x + align - 1) // align * align


def arena_layout(graph: Graph, align: int = 16, kernels: str = "ref") -> dict:
    """The arena the interpreter's setup needs for `graph`, in the C allocation's terms: the
    activations as planned by ir/planner.py, the interpreter's own records, and each operator's
    (its module's interp_records; with kernels "opt", interp_opt_plan's), plus the largest
    optimized operator's scratch between the activations and the records ("arena" includes it,
    "used" is what setup needs). Every size comes from the declared structs (ops/common/)."""
    plan = plan_graph(graph, align)
    opt = [opt_plan(graph, op) if kernels == "opt" else None for op in graph.ops]
    total = (record(TENSOR, len(graph.tensors)) + record(OP, len(graph.ops))
             + records(len(graph.inputs), IO_ENTRY) + records(len(graph.outputs), IO_ENTRY))
    for op, o in zip(graph.ops, opt):
        if len(op.inputs) > 3 or len(op.outputs) > 1:  # the op's io list (mbi_interp.c)
            total += records(len(op.inputs) + len(op.outputs), IO_ENTRY)
        if o and o["records"] is not None:
            total += o["records"]
        else:
            total += SPECS[op.kind].interp_records(graph, op)
    used = _align_up(max(plan.size, PLAN_SCRATCH.value * len(graph.tensors)),
                     RECORD_ALIGN.value) + total
    scratch = scratch_bytes(opt)
    return {"arena": _align_up(used + scratch, max(align, RECORD_ALIGN.value)),
            "activations": plan.size, "records": total, "used": used, "scratch": scratch,
            "offsets": plan.offsets, "opt_ops": [i for i, o in enumerate(opt) if o],
            "gemm_depths": sorted({o["k"] for o in opt if o and o["k"]})}


def _registration(kind: str) -> tuple[int, str, str, int]:
    """(TFLite code, prepare function, eval function, MBI_REG_* flags) of an operator kind."""
    spec = SPECS[kind]
    return spec.code, spec.prepare_fn, spec.eval_fn, 1 if spec.alias else 0


def _registrations(kinds, opt=(), fallback=None) -> list[tuple]:
    """(code, prepare, eval, flags, kind) per registration: an optimized kind (in `opt`) first on
    its optimized functions, then, if it is in `fallback` (None: every kind), on the reference
    ones its prepare hands the operators it does not cover to (mbi_opt_fallback)."""
    regs = []
    for k in set(kinds):
        code, prep, ev, flags = _registration(k)
        if k in opt:
            regs.append((code, 0, OPT_OPS[k][0], OPT_OPS[k][1], flags, k + " (opt)"))
            if fallback is not None and k not in fallback:
                continue
        regs.append((code, 1, prep, ev, flags, k))
    return [r[:1] + r[2:] for r in sorted(regs, key=lambda r: r[:2])]


def ops_table_c(kinds, opt=(), fallback=None) -> str:
    """interp_ops.c: the registration table for these operator kinds (`opt`, `fallback`: see
    _registrations)."""
    regs = _registrations(kinds, opt, fallback)

    def name(kind: str) -> str:  # a custom operator's custom_code (mbi_registration.custom)
        custom = SPECS[kind.split(" ")[0]].custom
        return f', "{custom}"' if custom else ", 0"
    rows = [f"  {{{code}, {prep}, {ev}, {flags}u{name(k)}}}, /* {k} */"
            for code, prep, ev, flags, k in regs]
    protos = sorted({f"int {prep}(mbi_ctx *, mbi_op *, uint8_t, const mbi_table *);"
                     for _, prep, _, _, _ in regs} |
                    {f"int {ev}(const mbi_ctx *, const mbi_op *);" for _, _, ev, _, _ in regs})
    return "\n".join([
        "/* Generated by mcubench (interp backend): the operators the model uses. Only these are",
        " * linked; setup fails with MBI_ERR_OP for any other. */",
        '#include "mbi.h"', "", *protos, "",
        f"const mbi_registration mbi_registrations[{max(len(rows), 1)}] = {{",
        *(rows or ["  {-1, 0, 0, 0u, 0},"]), "};",
        f"const uint32_t mbi_num_registrations = {len(rows)};", ""])


def model_c(name: str, model: bytes, arena: int, align: int, layout: dict) -> str:
    """interp_model.c: the model bytes as they are, and the arena."""
    safe = "".join(c if c.isalnum() or c in "._-" else "?" for c in name)
    body = ",\n".join(",".join(map(str, model[i:i + ROW])) for i in range(0, len(model), ROW))
    return "\n".join([
        f"/* Generated by mcubench (interp backend) for model {safe}: the .tflite file unchanged "
        f"({len(model)} bytes)",
        f" * and the arena: {arena} bytes (needed {layout['used']}: activations "
        f"{layout['activations']}, interpreter records {layout['records']}). */",
        "#include <stdint.h>", "", '#include "mbi.h"', "",
        f"const uint32_t mbi_model_size = {len(model)};",
        f"const uint8_t mbi_model_data[{max(len(model), 1)}] "
        f"__attribute__((aligned({MODEL_ALIGN}))) = {{",
        body or "0", "};", "",
        f"uint8_t mbi_arena[{max(arena, 1)}] "
        f"__attribute__((aligned({max(align, RECORD_ALIGN.value)})));",
        f"const uint32_t mbi_arena_size = {arena};",
        f"const uint32_t mbi_arena_align = {align};", ""])


def runtime_files(kinds, opt=(), fallback=None) -> list[str]:
    """The runtime files of these operator kinds (`opt`, `fallback`: see _registrations)."""
    files = list(CORE)
    for k in sorted(set(kinds)):
        more = SPECS[k].interp_files
        if k in opt:
            more = OPT_CORE + OPT_OPS[k][2] + \
                (more if fallback is None or k in fallback else ())
        files += [f for f in dict.fromkeys(more) if f not in files]
    return files


class Interp(Backend):
    name = "interp"
    description = "the .tflite file embedded unchanged, run by a small C interpreter (tflmi style)"
    supported_ops = frozenset(SPECS)
    keys = (Key("arena_size", int, 0, "arena bytes; 0 = computed (activations + interpreter "
                                      "records)"),
            Key("arena_align", int, 16, "alignment in bytes of every tensor in the arena "
                                        "(a power of two, at most 4096)"),
            Key("kernels", str, "ref", "opt: the optimized kernels (runtime/kernels/opt/, "
                                       "parameters computed at setup, filters read in place) "
                                       "where they apply; ref: the reference kernels only",
                ("ref", "opt")),
            Key("specialize", bool, True, "with kernels=opt: the GEMM compiled for each depth of "
                                          "the model (others run the generic one)"))

    @classmethod
    def operators(cls) -> dict[str, tuple[str, ...]]:
        return {kind: spec.types for kind, spec in SPECS.items()}

    @classmethod
    def version(cls) -> str:
        """The C interpreter is part of what this backend produces: its sources count too."""
        return super().version() + ":" + digest_tree(RUNTIME_DIR / "interp")

    def __init__(self, config=None):
        super().__init__(config)
        align = self["arena_align"]
        if align < 1 or align & (align - 1) or align > 4096:
            raise ConfigError(f"interp.arena_align={align}: must be a power of two, at most 4096")
        if self["arena_size"] < 0:
            raise ConfigError(f"interp.arena_size={self['arena_size']}: must be >= 0 "
                              "(0: computed)")

    def check(self, graph: Graph) -> None:
        super().check(graph)
        for i, op in enumerate(graph.ops):
            check_op(graph, i, op, interp=True)
        for t in graph.inputs + graph.outputs:
            if graph.tensors[t].is_const:
                raise ModelError(f"{graph.name}: graph input/output {graph.tensors[t].name!r} is a "
                                 "constant; the interpreter needs them in the arena")

    def build(self, graph: Graph, out_dir: Path, model: bytes | None = None) -> dict:
        """`model`: the .tflite bytes `graph` was read from (else found by `model_bytes`)."""
        self.check(graph)
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        if model is None:
            model, source, runs = model_bytes(graph)
        else:
            source, runs = "given", _same_graph(model, graph)
            if runs is None:
                raise ModelError(f"{graph.name}: the model bytes given to the interp backend do "
                                 "not describe this graph (other tensors or operators)")
        align = self["arena_align"]
        if align < 4 and any(t.dtype == "float32" for t in runs.tensors):
            raise ConfigError(f"interp.arena_align={align}: float32 tensors need 4 or more "
                              "(a misaligned float load faults on Cortex-M)")
        kernels = self["kernels"]
        layout = arena_layout(runs, align, kernels)  # what the firmware's setup will read: the file
        arena = self["arena_size"] or layout["arena"]
        kinds = {op.kind for op in runs.ops}
        # optimized kinds, and those of them with an operator that needs the reference kernels
        opt = {runs.ops[i].kind for i in layout["opt_ops"]}
        fallback = {op.kind for i, op in enumerate(runs.ops) if op.kind in opt and
                    i not in layout["opt_ops"]}
        (out_dir / "interp_model.c").write_text(model_c(graph.name, model, arena, align, layout))
        (out_dir / "interp_ops.c").write_text(ops_table_c(kinds, opt, fallback))
        files = runtime_files(kinds, opt, fallback)
        generated = gemm_instances(layout["gemm_depths"] if self["specialize"] else ()) \
            if opt else {}
        stale = runtime_files(self.supported_ops, OPT_OPS) + \
            [p.name for p in out_dir.glob("mbi_gemm_k*.c")] + ["interp_gemm.c"]
        for f in stale:  # a reused build folder: no stale, unused operators or instances
            if f not in files and Path(f).name not in generated:
                (out_dir / Path(f).name).unlink(missing_ok=True)
        self.copy_runtime(out_dir, files)
        write_headers(out_dir, (PARAMS, RECORDS))
        for name, text in generated.items():
            (out_dir / name).write_text(text)
        return {
            "arena": arena,
            "arena_needed": layout["used"],
            "activations": layout["activations"],
            "interp_records": layout["records"],
            "model_bytes": len(model),
            "model_source": source,
            "ops": len(graph.ops),
            "kernels": sorted(Path(f).stem for f in files if f.startswith("kernels/")),
            "arena_align": align,
            "opt_ops": layout["opt_ops"],
            "scratch": layout["scratch"],
            "gemm_instances": sorted(Path(n).stem for n in generated if n != "interp_gemm.c"),
        }


def model_bytes(graph: Graph) -> tuple[bytes, str, Graph]:
    """The .tflite bytes of `graph`, how they were found, and the graph they describe: the file the
    frontend read (`graph.source`), else the graph written anew (the same tensors and operators, so
    the same arena and outputs; only the file's bytes differ, e.g. for an ONNX model)."""
    if graph.source is not None:
        return graph.source, "original", graph
    from ..frontends.tflite import parse
    from ..frontends.tflite_writer import write_tflite

    data = write_tflite(graph)
    return data, "rewritten", parse(data, graph.name)  # the file as written (no trailing -1s)


def _same_graph(data: bytes, graph: Graph) -> Graph | None:
    """The graph `data` describes, if it has the same tensors and operators as `graph`."""
    from ..frontends.tflite import parse

    try:
        g = parse(data, graph.name)
    except ModelError:
        return None
    same = len(g.tensors) == len(graph.tensors) and g.inputs == graph.inputs and \
        g.outputs == graph.outputs and [(o.kind, o.inputs, o.outputs) for o in g.ops] == \
        [(o.kind, o.inputs, o.outputs) for o in graph.ops]
    return g if same else None
