"""The fast entry points of ``ember/autograd/function.py`` (``_apply1`` for unary math,
``_apply2`` for binary math, ``_apply_view`` for one-tensor views) are proved equal to the
reference path ``_apply`` on the op table: for every entry they reach, the same code is run
twice, once as it is and once with every fast entry routed through ``_apply``, and the results
must be identical: values, dtypes, requires_grad, view/base relations and version counters, the
whole graph (node classes, ``next_functions``, input metadata, ``needs_input_grad``, argument
positions, what each saved array refers to) and the gradients.
Each sample runs with every float input requiring grad, and again with only one of them.
No torch needed.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager

import numpy as np
import pytest

import ember
from ember.autograd import function as fn_mod
from ember.autograd.graph import AccumulateGrad
from op_table import OPS

_FAST = ("_apply1", "_apply2", "_apply_view")


def _reference(name):
    ref = fn_mod._apply
    if name == "_apply1":
        return lambda cls, a: ref(cls, (a,), {}, None)
    if name == "_apply2":
        return lambda cls, a, b: ref(cls, (a, b), {}, None)
    return lambda cls, a, *extra: ref(cls, (a,) + extra, {}, None)


def _counting(name, f, hits):
    def run(*args):
        hits[name] += 1
        return f(*args)
    return run


@contextmanager
def _routed(reference):
    """Within: each fast entry, wherever an ember module imported it, counts its calls and
    (``reference=True``) runs through ``_apply`` instead."""
    hits = dict.fromkeys(_FAST, 0)
    originals = {name: getattr(fn_mod, name) for name in _FAST}
    patched = []
    for mod in list(sys.modules.values()):
        if not getattr(mod, "__name__", "").startswith("ember"):
            continue
        for name, orig in originals.items():
            if getattr(mod, name, None) is orig:
                new = _counting(name, _reference(name) if reference else orig, hits)
                patched.append((mod, name, orig))
                setattr(mod, name, new)
    try:
        yield hits
    finally:
        for mod, name, orig in patched:
            setattr(mod, name, orig)


def _flat(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _describe(args, leaves, outs):
    """A comparable description of the outputs and the graph behind them."""
    tensors = [a for a in args if isinstance(a, ember.Tensor)]

    def tensor_id(t):
        for k, a in enumerate(tensors):
            if t is a:
                return ("arg", k)
        for k, o in enumerate(outs):
            if t is o:
                return ("out", k)
        return ("other", tuple(t.shape))

    def vc_id(vc):
        for k, a in enumerate(tensors):
            if vc is a._version_counter:
                return ("arg", k)
        for k, o in enumerate(outs):
            if isinstance(o, ember.Tensor) and vc is o._version_counter:
                return ("out", k)
        return "own"

    desc = []
    for o in outs:
        if not isinstance(o, ember.Tensor):
            desc.append(("value", repr(o)))
            continue
        desc.append(("tensor", tuple(o.shape), str(o.dtype), o.requires_grad, o.is_leaf,
                     o._output_nr, o._version, vc_id(o._version_counter),
                     None if o._base is None else tensor_id(o._base),
                     o.__dict__.get("_no_grad_view"), o.detach().numpy().tobytes()))
    order = {}
    stack = [o.grad_fn for o in reversed(outs) if isinstance(o, ember.Tensor) and o.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in order:
            continue
        order[node] = len(order)
        if not isinstance(node, AccumulateGrad):
            stack.extend(n for n, _ in reversed(node.next_functions))
    for node in order:
        if isinstance(node, AccumulateGrad):
            desc.append(("acc", [k for k, t in enumerate(leaves) if t is node.variable]))
            continue
        edges = tuple((None if n is None else order[n], nr) for n, nr in node.next_functions)
        meta = tuple(None if m is None else (m[0], str(m[1])) for m in node._in_meta)
        saved = node._saved_info
        saved = None if saved is None or all(s is None for s in saved) else tuple(
            None if s is None else (s[0], tensor_id(s[1]) if isinstance(s[1], ember.Tensor)
                                    else s[1], vc_id(s[2]), s[3]) for s in saved)
        desc.append((type(node).__name__, edges, meta, tuple(node.needs_input_grad),
                     node._tpos, node._n_out, saved, node._vver is not None))
    return desc


def _run(o, sample, grad_mask):
    rng = np.random.default_rng(0)
    args, leaves = [], []
    for k, a in enumerate(sample.args):
        if isinstance(a, np.ndarray):
            t = ember.from_numpy(a.copy())
            if a.dtype.kind == "f" and o.grad and grad_mask(k):
                t.requires_grad_(True)
                leaves.append(t)
            args.append(t)
        else:
            args.append(a)
    try:
        outs = _flat(o.fn(ember, *args))
    except Exception as e:  # noqa: BLE001 - both paths must raise the same
        return [("raised", type(e).__name__, str(e))]
    desc = _describe(args, leaves, outs)
    diff = [t for t in outs if isinstance(t, ember.Tensor) and t.grad_fn is not None]
    if diff and leaves:
        seeds = [ember.from_numpy(rng.standard_normal(t.shape).astype(t.detach().numpy().dtype))
                 for t in diff]
        grads = ember.autograd.grad(diff, leaves, seeds, allow_unused=True)
        desc.append(("grads", [None if g is None else g.numpy().tobytes() for g in grads]))
    return desc


def _masks(sample):
    floats = [k for k, a in enumerate(sample.args)
              if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    yield "all", lambda k: True
    if len(floats) > 1:
        for f in floats:
            yield f"only{f}", (lambda f: lambda k: k == f)(f)


def _cases():
    out = []
    for o in OPS:
        for k, s in enumerate(o.samples):
            for mname, mask in _masks(s):
                out.append(pytest.param(o, s, mask, id=f"{o.name}-{k}-{mname}"))
    return out


_REACHED = dict.fromkeys(_FAST, 0)


@pytest.mark.parametrize("o,s,mask", _cases())
def test_fast_entry_equals_reference(o, s, mask):
    with _routed(reference=False) as hits:
        fast = _run(o, s, mask)
    if not any(hits.values()):
        return  # this entry never takes a fast entry point: nothing to compare
    for name, n in hits.items():
        _REACHED[name] += bool(n)
    with _routed(reference=True) as ref_hits:
        ref = _run(o, s, mask)
    assert ref_hits == hits
    assert fast == ref


def _stale_view_scenarios():
    """Views whose base changed in place since: each fast entry must regenerate their history
    exactly as ``_apply`` does."""
    def unary(x):
        v = x[0]
        x.mul_(2)
        return v.exp()

    def binary(x):
        v = x[1]
        x.add_(1)
        return v * x[0]

    def binary_right(x):
        v = x[1]
        x.add_(1)
        return 3.0 - v

    def view(x):
        v = x[:, 1]
        x.mul_(3)
        return v.unsqueeze(0).t()

    return [unary, binary, binary_right, view]


@pytest.mark.parametrize("f", _stale_view_scenarios(), ids=lambda f: f.__name__)
def test_fast_entry_equals_reference_on_stale_views(f):
    arr = np.arange(6.0).reshape(2, 3) / 7

    def run():
        leaf = ember.from_numpy(arr.copy()).requires_grad_()
        x = leaf * 1
        out = f(x)
        desc = _describe([leaf, x], [leaf], [out])
        (g,) = ember.autograd.grad(out.sum(), leaf)
        return desc + [g.numpy().tobytes()]

    with _routed(reference=False) as hits:
        fast = run()
    assert any(hits.values())
    with _routed(reference=True):
        ref = run()
    assert fast == ref


def test_every_fast_entry_was_compared():
    """Runs last in this file (pytest keeps file order; with xdist the module's tests may be
    split, so only check when the whole table ran in this process)."""
    if sum(_REACHED.values()) == 0:
        pytest.skip("the table tests ran in another worker")
    for name, n in _REACHED.items():
        assert n >= 5, f"{name} was compared on only {n} op-table entries"
