"""``add_graph``: a TensorBoard ``GraphDef`` from ember's own autograd graph of one forward.

torch traces the model with the JIT; ember records the forward's autograd graph instead. Each
op node becomes a NodeDef named ``<scope>/<op>.<n>`` (scope as torch writes it:
``Net/Linear[fc1]``, from the module whose call created the node), op ``aten::<op>``; each
parameter a ``prim::GetAttr`` node under its module; the inputs and outputs ``IO Node``s
(``input/input.<n>``, ``output/output.<n>``)."""
from __future__ import annotations

import re

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

__all__ = ["graph"]


def _node(name, op, inputs=(), shape=None, attr=""):
    attrs = {"attr": AttrValue(s=attr.encode("utf_8"))}
    if shape is not None:
        attrs["_output_shapes"] = AttrValue(list=AttrValue.ListValue(shape=[TensorShapeProto(
            dim=[TensorShapeProto.Dim(size=d) for d in shape])]))
    return NodeDef(name=name, op=op, input=list(inputs), attr=attrs)


def _as_tuple(x):
    if x is None:
        return ()
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _scopes(model):
    """Module scope names as torch writes them: ``Net``, ``Net/Linear[fc1]``, ..."""
    scopes = {id(model): type(model).__name__}
    for name, mod in model.named_modules():
        if name:
            parent = name.rpartition(".")[0]
            owner = model.get_submodule(parent) if parent else model
            scopes[id(mod)] = f"{scopes[id(owner)]}/{type(mod).__name__}[{name.split('.')[-1]}]"
    return scopes


def _record(model, inputs):
    """Runs the model once with grad enabled; returns its outputs and, for each autograd
    node, the scope of the innermost module whose call created it."""
    from ...autograd import graph as G
    from ...autograd.grad_mode import enable_grad
    scopes, owner, handles = _scopes(model), {}, []
    starts: dict = {}

    def pre(mod, args):
        starts.setdefault(id(mod), []).append(G.next_seq())

    def post(mod, args, out):
        start = starts[id(mod)].pop()
        stack = [t.grad_fn for t in _flat(out) if getattr(t, "grad_fn", None) is not None]
        while stack:
            n = stack.pop()
            if n is None or id(n) in owner or getattr(n, "_seq", -1) < start:
                continue
            owner[id(n)] = scopes[id(mod)]
            stack.extend(u for u, _ in n.next_functions)
    for mod in model.modules():
        handles += [mod.register_forward_pre_hook(pre), mod.register_forward_hook(post)]
    was_training = model.training
    model.train(False)
    try:
        with enable_grad():
            out = model(*inputs)
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return out, owner, scopes


def _flat(out):
    stack, flat = [out], []
    while stack:
        o = stack.pop()
        if isinstance(o, (tuple, list)):
            stack.extend(reversed(o))
        elif isinstance(o, dict):
            stack.extend(reversed(list(o.values())))
        else:
            flat.append(o)
    return flat


def graph(model, args, verbose=False, use_strict_trace=True):
    """``(GraphDef, RunMetadata)`` of one forward of ``model`` on ``args``."""
    from ... import Tensor
    inputs = []
    for a in _as_tuple(args):
        if isinstance(a, Tensor) and (a.is_floating_point() or a.is_complex()):
            a = a.detach().requires_grad_(True)  # a leaf of the recorded graph
        inputs.append(a)
    out, owner, scopes = _record(model, inputs)
    names: dict = {}
    nodes = []
    for i, a in enumerate(inputs):
        if isinstance(a, Tensor):
            names[id(a)] = f"input/input.{i}"
            nodes.append(_node(names[id(a)], "IO Node", shape=a.shape))
    params = {}
    for mname, mod in model.named_modules():
        for pname, p in mod.named_parameters(recurse=False):
            params.setdefault(id(p), f"{scopes[id(mod)]}/{pname}")
    outs = [t for t in _flat(out) if isinstance(t, Tensor)]
    order, seen = [], set()  # post-order: every node after its inputs
    stack = [(t.grad_fn, False) for t in reversed(outs) if t.grad_fn is not None]
    while stack:
        n, done = stack.pop()
        if done:
            order.append(n)
            continue
        if id(n) in seen:
            continue
        seen.add(id(n))
        stack.append((n, True))
        stack.extend((u, False) for u, _ in reversed(n.next_functions)
                     if u is not None and id(u) not in seen)
    counts: dict = {}
    for n in order:
        var = getattr(n, "variable", None)
        if var is not None:  # a leaf
            if id(var) in names:
                names[id(n)] = names[id(var)]
                continue
            name = params.get(id(var))
            op = "prim::GetAttr"
            if name is None:
                name, op = f"{type(model).__name__}/constant.{len(counts)}", "prim::Constant"
            names[id(n)] = name
            nodes.append(_node(name, op, shape=var.shape))
            continue
        opname = re.sub(r"Backward\d*$", "", n.name()).lower()
        scope = owner.get(id(n), type(model).__name__)
        k = counts[(scope, opname)] = counts.get((scope, opname), -1) + 1
        names[id(n)] = f"{scope}/{opname}" + (f".{k}" if k else "")
        nodes.append(_node(names[id(n)], f"aten::{opname}",
                           [names[id(u)] for u, _ in n.next_functions if u is not None]))
    for i, t in enumerate(outs):
        src = [names[id(t.grad_fn)]] if t.grad_fn is not None else []
        nodes.append(_node(f"output/output.{i}", "IO Node", src, shape=t.shape))
    if verbose:
        print(GraphDef(node=nodes))
    stepstats = RunMetadata(step_stats=StepStats(dev_stats=[DeviceStepStats(
        device="/device:CPU:0")]))
    return GraphDef(node=nodes, versions=VersionDef(producer=22)), stepstats
