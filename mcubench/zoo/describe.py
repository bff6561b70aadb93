"""`mcubench models`: what a model is, from its IR: inputs and outputs, operators, MACs, weights."""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import models
from ..frontends.tflite import parse
from ..ir.graph import Graph, Op, Tensor


def op_macs(graph: Graph, op: Op) -> int:
    """Multiply-accumulates of one operator (conv, depthwise conv, fully connected; others 0)."""
    if op.kind not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
        return 0
    out = graph.tensors[op.outputs[0]]
    w = graph.tensors[op.inputs[1]].shape
    if op.kind == "CONV_2D":  # filter OHWI: every output value sums kh * kw * in_channels/groups
        return out.size * w[1] * w[2] * w[3]
    if op.kind == "DEPTHWISE_CONV_2D":  # filter 1HWC: kh * kw per output value
        return out.size * w[1] * w[2]
    return out.size * w[-1]  # FULLY_CONNECTED: weights (units, in_features)


def _details(op: Op, graph: Graph) -> str:
    o = op.options
    parts = []
    if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        w = graph.tensors[op.inputs[1]].shape
        parts.append(f"{w[1]}x{w[2]}")
    if "filter_height" in o:
        parts.append(f"{o['filter_height']}x{o['filter_width']}")
    if "stride_h" in o:
        parts.append(f"s{o['stride_h']}" if o["stride_h"] == o.get("stride_w") else
                     f"s{o['stride_h']}x{o.get('stride_w')}")
    if "padding" in o:
        parts.append(str(o["padding"]))
    act = o.get("fused_activation_function")
    if act and act != "NONE":
        parts.append(str(act))
    if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED") and len(op.inputs) > 1:
        q = graph.tensors[op.inputs[1]].quant
        if q is not None:
            parts.append(f"per-channel(axis {q.axis})" if q.per_channel else "per-tensor")
    return " ".join(parts)


def _tensor_text(t: Tensor) -> str:
    text = f"{t.dtype}[{','.join(map(str, t.shape))}]"
    if t.quant is not None:
        if t.quant.per_channel:
            text += f" per-channel(axis {t.quant.axis})"
        else:
            text += f" s={float(t.quant.scale[0]):.4g} zp={int(t.quant.zero_point[0])}"
    return text


@dataclass
class ModelInfo:
    name: str
    source: str
    path: str
    inputs: list[str]
    outputs: list[str]
    ops: dict[str, int]
    macs: int
    weight_bytes: int
    layers: list[dict] = field(default_factory=list)


def describe(graph: Graph, name: str, source: str = "", path: str = "") -> ModelInfo:
    layers = []
    for k, op in enumerate(graph.ops):
        params = sum(graph.tensors[i].size for i in op.inputs if i >= 0
                     and graph.tensors[i].is_const)
        layers.append({"index": k, "kind": op.kind,
                       "output": tuple(graph.tensors[op.outputs[0]].shape) if op.outputs else (),
                       "macs": op_macs(graph, op), "params": params,
                       "details": _details(op, graph)})
    return ModelInfo(name, source, path,
                     [_tensor_text(graph.tensors[i]) for i in graph.inputs],
                     [_tensor_text(graph.tensors[i]) for i in graph.outputs],
                     graph.op_histogram(), sum(r["macs"] for r in layers), graph.weight_bytes(),
                     layers)


def source_text(ref: models.ModelRef) -> str:
    return {"built-in": "built-in", "file": "file"}.get(ref.source, f"zoo {ref.source}")


def default_names(extra_paths: list[str] | None = None) -> list[str]:
    """Every built-in model, then every model in the search paths, each name once."""
    from . import names as builtin_names

    found = list(builtin_names())
    for root in models.search_paths(extra_paths):
        if root.is_dir():
            for p in sorted(root.iterdir()):
                if (p / f"{p.name}.tflite").is_file() or p.suffix in models.EXTENSIONS:
                    found.append(p.stem)
    return list(dict.fromkeys(found))


def load(name: str, extra_paths: list[str] | None = None) -> ModelInfo:
    ref = models.resolve(name, extra_paths)
    graph = parse(ref.path.read_bytes(), ref.name)
    return describe(graph, ref.name, source_text(ref), str(ref.path))


def human(n: int) -> str:
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= div:
            return f"{n / div:.2f} {unit}"
    return str(n)


def table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]

    def line(cells):
        return "  ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in rows])


def render(infos: list[ModelInfo], detailed: bool = False) -> str:
    rows = [[i.name, i.source, "; ".join(i.inputs), "; ".join(i.outputs), sum(i.ops.values()),
             human(i.macs), f"{i.weight_bytes:,}"] for i in infos]
    out = [table(["model", "source", "inputs", "outputs", "ops", "MACs", "weight bytes"], rows,
                 right={4, 5, 6})]
    out.append("")
    for i in infos:
        ops = ", ".join(f"{k} x{v}" if v > 1 else k for k, v in i.ops.items())
        out.append(f"{i.name}: {ops}")
    if detailed:
        for i in infos:
            out += ["", f"{i.name} ({i.path})"]
            rows = [[r["index"], r["kind"], "x".join(map(str, r["output"])), r["details"],
                     f"{r['macs']:,}", f"{r['params']:,}"] for r in i.layers]
            rows.append(["", "total", "", "", f"{i.macs:,}",
                         f"{sum(r['params'] for r in i.layers):,}"])
            out.append(table(["#", "kind", "output", "details", "MACs", "params"], rows,
                             right={0, 4, 5}))
    return "\n".join(out)


def models_command(names: list[str], detailed: bool = False,
                   extra_paths: list[str] | None = None) -> str:
    """The text `mcubench models` prints: groups expand, no names means every model there is."""
    names = models.expand(names) if names else default_names(extra_paths)
    return render([load(n, extra_paths) for n in names], detailed)

