"""AVERAGE_POOL_2D: int8 (reference and optimized kernel) and float32, TFLite Micro's windows
(padding counted out of the average) and rounding (half away from zero)."""
from __future__ import annotations

from ..ir.graph import Graph, Op
from .base import INT8_F32
from .common import pool
from .common.fold import int8_operands


class AveragePool2D(pool.Pool, kind="AVERAGE_POOL_2D", types=INT8_F32,
                    note="int8 also on the `opt` kernel"):
    stem = "avg_pool"
    opt_interp = ("mbi_avg_pool_opt_prepare", "mbi_avg_pool_opt_eval")
    opt_files = ("interp/mbi_op_avg_pool_opt.c", "interp/mbi_op_pool.c",
                 "kernels/opt/avg_pool_opt.c")

    def prepare_opt(self, graph: Graph, op: Op, config: dict) -> dict | None:
        """mb_avg_pool_s8_opt takes the reference kernel's params."""
        if graph.tensors[op.outputs[0]].dtype != "int8":
            return None
        return {"pool": pool.params_s8(graph, op), "scratch": 0, "overlap": []}

    def emit_opt(self, gen, i: int, op: Op, o: dict) -> None:
        gen.use("kernels/opt/avg_pool_opt.c", header="kernels/opt/mb_kernels_opt.h")
        gen.struct(f"op{i}_params", pool.PARAMS(**o["pool"]))
        pool.call(gen, i, op, "mb_avg_pool_s8_opt")

    def interp_opt_plan(self, graph: Graph, op: Op) -> dict | None:
        if int8_operands(graph, op, 1) is None:
            return None
        return {"records": None, "scratch": 0, "k": None}
