"""Injective ops (padding, layout transposes, reshapes) go with the kernel that *consumes* them.

Relax's FuseOps never fuses an injective producer into a convolution, and it does fuse an
injective op into the *preceding* convolution's epilogue: the ``nn.pad`` (input zero point) in
front of a padded convolution then ends the previous kernel, whose output becomes the padded
tensor, larger than the activation, in the arena. So:

- ``HoldProducers`` (before FuseOps) marks injective PrimFuncs, and widening casts of int8
  activations (which would make the previous kernel store an int32 tensor), opaque: FuseOps leaves
  them alone;
- ``MergeProducers`` (after FuseOps, before FuseTIR) restores them and merges each group of them
  whose result has exactly one use into the consuming group. FuseTIR then builds one PrimFunc, and
  the scheduler inlines the padding / cast into the consumer's loads.

A held op whose result has several uses stays a kernel of its own.
"""
from __future__ import annotations

import tvm
from tvm import relax, tirx

INJECTIVE = 2  # relax op_pattern kInjective; reductions: 3 (kCommReduce), 4 (kOutEWiseFusable)
OPAQUE = 8
HELD = "mcubench.held_op_pattern"


def _reshapes(f: tirx.PrimFunc) -> bool:
    """Output shape differs from an input's beyond broadcasting (a pad AnnotateTIROpPattern calls
    elementwise when the padding is only at the end, because the indices of the data match)."""
    *ins, out = [tuple(int(d) for d in b.shape) for b in f.params]
    for shape in ins:  # numpy broadcasting: aligned at the last axis
        if len(shape) > len(out):
            return True
        shape = (1,) * (len(out) - len(shape)) + shape
        if any(a not in (b, 1) for a, b in zip(shape, out)):
            return True
    return False


WIDTH = {"int8": 8, "uint8": 8, "int16": 16, "int32": 32, "int64": 64}


def _widens(f: tirx.PrimFunc) -> bool:
    """A cast of an 8/16-bit activation to a wider integer: fused into its producer, it would make
    that kernel store the wider tensor (e.g. ADD's int32 input scaling after a convolution)."""
    if len(f.params) != 2:
        return False
    src, dst = (str(b.dtype) for b in f.params)
    return src in WIDTH and dst in WIDTH and WIDTH[dst] > WIDTH[src] and WIDTH[src] <= 16


@tvm.transform.module_pass(opt_level=0, name="HoldProducers")
class HoldProducers:
    def transform_module(self, mod: tvm.IRModule, _ctx) -> tvm.IRModule:
        for gv, f in list(mod.functions.items()):
            if not isinstance(f, tirx.PrimFunc) or f.attrs is None or "op_pattern" not in f.attrs:
                continue
            pattern = int(f.attrs["op_pattern"])
            if pattern == INJECTIVE or (pattern < INJECTIVE and (_reshapes(f) or _widens(f))):
                mod[gv] = f.with_attr("op_pattern", OPAQUE).with_attr(HELD, pattern)
        return mod


def _pattern(mod, gv) -> int:
    f = mod[gv]
    return int(f.attrs["op_pattern"]) if f.attrs and "op_pattern" in f.attrs else 8


def _prim_calls(fn: relax.Function):
    for block in fn.body.blocks:
        for b in block.bindings:
            if isinstance(b.value, relax.Call) and b.value.op == tvm.ir.Op.get("relax.call_tir"):
                yield b.value.args[0]


def _group(mod, call):
    """(Relax function, arguments) of a fused-group call or a bare call_tir, else None."""
    if isinstance(call.op, relax.GlobalVar) and isinstance(mod[call.op], relax.Function):
        fn = mod[call.op]
        if fn.attrs and fn.attrs.get("Primitive"):
            return fn, list(call.args)
        return None
    if call.op == tvm.ir.Op.get("relax.call_tir") and isinstance(mod[call.args[0]], tirx.PrimFunc):
        args = list(call.args[1].fields)
        params = [relax.Var(f"p{i}", a.ty) for i, a in enumerate(args)]
        inner = relax.Call(call.op, [call.args[0], relax.Tuple(params)], call.attrs, call.ty_args)
        out = relax.Var("out", call.ty)
        body = relax.SeqExpr([relax.DataflowBlock([relax.VarBinding(out, inner)])], out)
        return relax.Function(params, body, call.ty).with_attr("Primitive", True), args
    return None


def _substitute(expr, mapping):
    if isinstance(expr, relax.Var):
        return mapping.get(expr, expr)
    if isinstance(expr, relax.Tuple):
        return relax.Tuple([_substitute(f, mapping) for f in expr.fields])
    if isinstance(expr, relax.Call):
        return relax.Call(expr.op, [_substitute(a, mapping) for a in expr.args], expr.attrs,
                          expr.ty_args)
    return expr


def _inline(bb: relax.BlockBuilder, fn: relax.Function, args: list) -> relax.Expr:
    mapping = dict(zip(fn.params, args))
    for block in fn.body.blocks:
        for b in block.bindings:
            mapping[b.var] = bb.emit(_substitute(b.value, mapping))
    return _substitute(fn.body.body, mapping)


def _merge(mod, name, prod, cons, k):
    """One Primitive function: `prod`'s body, then `cons`'s with parameter k fed by it."""
    bb = relax.BlockBuilder(mod)
    p_params = [relax.Var(p.name, p.ty) for p in prod.params]
    c_params = [relax.Var(p.name, p.ty) for p in cons.params]
    with bb.function(name, p_params + c_params[:k] + c_params[k + 1:], {"Primitive": True},
                     private=True):
        with bb.dataflow():
            mid = _inline(bb, prod, p_params)
            res = _inline(bb, cons, c_params[:k] + [mid] + c_params[k + 1:])
            out = bb.emit_output(res)
        gv = bb.emit_func_output(out)
    return bb.get(), gv


@tvm.transform.module_pass(opt_level=0, name="MergeProducers")
class MergeProducers:
    def transform_module(self, mod: tvm.IRModule, _ctx) -> tvm.IRModule:
        for gv, f in list(mod.functions.items()):
            if isinstance(f, tirx.PrimFunc) and f.attrs is not None and HELD in f.attrs:
                mod[gv] = f.with_attr("op_pattern", int(f.attrs[HELD])).without_attr(HELD)
        changed = True
        while changed:  # one merge per round: every merge rebuilds main
            mod, changed = self.merge_one(mod)
        return relax.transform.DeadCodeElimination(["main"])(relax.transform.Normalize()(mod))

    def merge_one(self, mod):
        main = mod["main"]
        uses: dict = {}

        def count(expr):
            if isinstance(expr, relax.Var):
                uses[expr] = uses.get(expr, 0) + 1

        relax.analysis.post_order_visit(main.body, count)
        for bi, block in enumerate(main.body.blocks):
            bindings = list(block.bindings)
            producers = {}
            for i, b in enumerate(bindings):
                if not isinstance(b.value, relax.Call):
                    continue
                group = _group(mod, b.value)
                if group is None:
                    continue
                fn, args = group
                patterns = [_pattern(mod, gv) for gv in _prim_calls(fn)]
                if patterns and max(patterns) <= INJECTIVE and uses.get(b.var, 0) == 1:
                    producers[b.var] = (i, fn, args)
                    continue
                for k, a in enumerate(args):
                    if a in producers and sum(x is a or x.same_as(a) for x in args) == 1:
                        pi, pfn, pargs = producers[a]
                        cons_name = b.value.op.name_hint if isinstance(
                            b.value.op, relax.GlobalVar) else b.value.args[0].name_hint
                        name = f"fused_{'_'.join(g.name_hint for g in _prim_calls(pfn))}" \
                               f"_{cons_name.removeprefix('fused_')}"
                        mod, gv = _merge(mod, name, pfn, fn, k)
                        call = relax.Call(gv, pargs + args[:k] + args[k + 1:])
                        bindings[i] = relax.VarBinding(b.var, call)
                        del bindings[pi]
                        blocks = list(main.body.blocks)
                        blocks[bi] = relax.DataflowBlock(bindings) if isinstance(
                            block, relax.DataflowBlock) else relax.BindingBlock(bindings)
                        body = relax.SeqExpr(blocks, main.body.body)
                        new_main = relax.Function(main.params, body, main.ret_ty, main.is_pure,
                                                  main.attrs)
                        mod["main"] = new_main
                        return mod, True
        return mod, False
