"""Every declared first-order fast path (``Op.fast_backward``) gives its op's reference formula
(``Op.backward``).

For every op-table entry (tests/op_table.py, tests/op_table_nn.py) whose forward graph holds an
op that declares ``fast_backward``, the float64 first-order input gradients are computed twice
from one forward: as the engine runs them (the fast paths), and with every fast path disabled,
so that the reference formulas run at first order on arrays (with ``ember._backend.nx`` as
their namespace).  They must agree to float64 rounding.  A coverage test makes sure every
declared fast path has a table entry (so a new one without a row fails), and a rule test that
no op inherits a fast path written for a different reference formula.  No torch needed.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from ember._ops import rnn as rnn_ops
from ember.autograd.function import _apply
from op_classes import all_op_classes
from op_table import OPS, S


OP_CLASSES = all_op_classes()
FAST = {c for c in OP_CLASSES if c.fast_backward is not None}  # declared or inherited
DECLARING = {c for c in FAST if c.__dict__.get("fast_backward") is not None}


class _ReferenceOnly:
    """Context: every fast path off, so the engine runs ``backward`` at first order too."""

    def __enter__(self):
        self.saved_fast = {c: c.__dict__["fast_backward"] for c in DECLARING}
        self.saved_bw = {c: c._node_cls.__dict__["_bw"] for c in FAST}
        for c in DECLARING:
            c.fast_backward = None
        for c in FAST:
            if not c.multi_output:
                c._node_cls._bw = staticmethod(c.backward)
        return self

    def __exit__(self, *exc):
        for c, f in self.saved_fast.items():
            setattr(c, "fast_backward", f)
        for c, bw in self.saved_bw.items():
            c._node_cls._bw = bw


class _Row:
    """An op-table-like row for ops the op table does not hold: the fused RNN layers
    (OP_TABLE_EXEMPT in tests/test_design_rules.py; torch parity in tests/test_nn_rnn.py)."""
    grad = True

    def __init__(self, name, fn, *samples):
        self.name, self.fn, self.samples = name, fn, samples


def _r(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape)


def _layer(cls, *const):
    return lambda lib, *a: _apply(cls, a + const, {}, None)


def _seq(reverse=False, bias=True):
    def f(lib, x, w_ih, w_hh, b_ih, b_hh, h0, c0):
        if not bias:
            b_ih = b_hh = None
        return _apply(rnn_ops.LSTMSeq, (x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse), {}, None)
    return f


def _seq_sample(T, B=2, n_in=3, H=2):
    return S(_r(T, B, n_in), _r(4 * H, n_in, seed=1), _r(4 * H, H, seed=2), _r(4 * H, seed=3),
             _r(4 * H, seed=4), _r(B, H, seed=5), _r(B, H, seed=6))


EXTRA_ROWS = [
    _Row("LSTMLayer", _layer(rnn_ops.LSTMLayer), S(_r(3, 2, 8), _r(8, 2, seed=1), _r(2, 2, seed=2),
                                                 _r(2, 2, seed=3))),
    _Row("LSTMLayer_lengths", lambda lib, xw, w, h, c: _apply(
        rnn_ops.LSTMLayer, (xw, w, h, c, [3, 1]), {}, None),
        S(_r(3, 2, 8), _r(8, 2, seed=1), _r(2, 2, seed=2), _r(2, 2, seed=3))),
    _Row("LSTMSeq", _seq(), _seq_sample(3)),
    _Row("LSTMSeq_reverse_nobias", _seq(True, False), _seq_sample(3)),
    _Row("LSTMCellStep", lambda lib, *a: _apply(rnn_ops.LSTMCellStep, a, {}, None), _seq_sample(1)),
    _Row("GRULayer", _layer(rnn_ops.GRULayer), S(_r(3, 2, 6), _r(6, 2, seed=1), _r(2, seed=2),
                                               _r(2, 2, seed=3))),
    _Row("RNNLayer_tanh", _layer(rnn_ops.RNNLayer, False), S(_r(3, 2, 2), _r(2, 2, seed=1),
                                                           _r(2, 2, seed=2))),
    _Row("RNNLayer_relu", _layer(rnn_ops.RNNLayer, True), S(_r(3, 2, 2), _r(2, 2, seed=1),
                                                          _r(2, 2, seed=2))),
]


def _run_forward(o, s):
    args, leaves = [], []
    for a in s.args:
        if isinstance(a, np.ndarray):
            t = ember.tensor(a.astype(np.float64) if a.dtype.kind == "f" else a)
            if a.dtype.kind == "f":
                t.requires_grad_(True)
                leaves.append(t)
            args.append(t)
        else:
            args.append(a)
    out = o.fn(ember, *args)
    outs = [t for t in (out if isinstance(out, (tuple, list)) else [out])
            if isinstance(t, ember.Tensor) and t.requires_grad]
    return outs, leaves


def _reached(outs):
    """Op classes of the nodes in the graph of ``outs``."""
    seen, done = set(), set()
    stack = [t.grad_fn for t in outs]
    while stack:
        n = stack.pop()
        if n is None or id(n) in done:
            continue
        done.add(id(n))
        op = getattr(type(n), "_op", None)
        if op is not None:
            seen.add(op)
        stack.extend(u for u, _ in getattr(n, "next_functions", ()))
    return seen


def _survey():
    """(op-table cases whose forward graph reaches a fast path, the Op classes they reach)."""
    cases, reached = [], set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for o in OPS + EXTRA_ROWS:
            if not o.grad:
                continue
            for k, s in enumerate(o.samples):
                try:
                    outs, leaves = _run_forward(o, s)
                except Exception:  # noqa: BLE001 - an entry's own failures are test_ops_table's
                    continue
                ops = _reached(outs) & FAST
                if ops and leaves:
                    reached |= ops
                    cases.append(pytest.param(o, s, id=f"{o.name}-{k}"))
    return cases, reached


CASES, REACHED = _survey()


def _first_order(outs, leaves, gos):
    gs = ember.autograd.grad(outs, leaves, [ember.tensor(g.copy()) for g in gos],
                             retain_graph=True, allow_unused=True)
    return [None if g is None else g.detach().numpy().copy() for g in gs]


@pytest.mark.parametrize("o,s", CASES)
def test_fast_backward_equals_reference(o, s):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outs, leaves = _run_forward(o, s)
        rng = np.random.default_rng(0)
        gos = [rng.standard_normal(tuple(t.shape)).astype(t.detach().numpy().dtype)
               for t in outs]
        fast = _first_order(outs, leaves, gos)
        with np.errstate(all="ignore"), _ReferenceOnly():
            ref = _first_order(outs, leaves, gos)
    assert len(fast) == len(ref)
    for i, (f, r) in enumerate(zip(fast, ref)):
        assert (f is None) == (r is None), f"input {i}: {f} vs {r}"
        if f is not None:
            assert f.shape == r.shape and f.dtype == r.dtype, f"input {i}"
            np.testing.assert_allclose(f, r, rtol=1e-10, atol=1e-12, equal_nan=True,
                                       err_msg=f"input {i}: fast_backward != backward")


# reached by its op-table entry on NumPy 2.4 only (see OP_TABLE_EXEMPT in test_design_rules.py)
_VERSION_DEPENDENT = {"IndexEmpty"}


def test_every_fast_backward_is_reached_by_the_op_table():
    """A declared fast path needs an op-table row that reaches it (itself, or a subclass that
    inherits it), so that the test above compares it with its reference formula."""
    missing = sorted(f"{c.__module__}.{c.__name__}" for c in DECLARING
                     if not any(issubclass(r, c) for r in REACHED)
                     and c.__name__ not in _VERSION_DEPENDENT)
    assert missing == [], f"fast_backward with no op-table entry reaching it: {missing}"


def test_no_op_inherits_a_fast_path_of_another_formula():
    """An op that overrides ``backward`` overrides (or clears) ``fast_backward`` too: an
    inherited fast path was written for the parent's formula."""
    bad = []
    for c in FAST:
        fb = next(k for k in c.__mro__ if "fast_backward" in k.__dict__)
        bw = next(k for k in c.__mro__ if "backward" in k.__dict__)
        if bw is not fb and issubclass(bw, fb):
            bad.append(f"{c.__module__}.{c.__name__}")
    assert bad == [], f"backward overridden below the fast_backward it inherits: {sorted(bad)}"


def test_reference_only_restores_the_fast_paths():
    before = {c: (c.__dict__["fast_backward"], c._node_cls.__dict__["_bw"]) for c in DECLARING}
    with _ReferenceOnly():
        assert all(c.fast_backward is None for c in FAST)
    assert before == {c: (c.__dict__["fast_backward"], c._node_cls.__dict__["_bw"])
                      for c in DECLARING}
