"""Differential tests (ember vs torch) for pointwise, in-place and scatter-family ops: values,
dtypes, gradients (also under create_graph) and error classes/texts."""
from __future__ import annotations

import math

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _np(x):
    if isinstance(x, (ember.Tensor,)) or (torch is not None and isinstance(x, torch.Tensor)):
        return x.detach().numpy()
    return x


def _same(e, t):
    if e is None or t is None:
        assert e is None and t is None, (e, t)
        return
    if not hasattr(t, "shape"):
        assert e == t or (math.isnan(e) and math.isnan(t)), (e, t)
        return
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype) == str(t.dtype)
    assert e.requires_grad == t.requires_grad
    np.testing.assert_allclose(_np(e), _np(t), rtol=1e-5, atol=1e-6)


def _run(fn, lib):
    try:
        return fn(lib), None
    except Exception as exc:  # noqa: BLE001 - the error is what we compare
        return None, exc


def check(fn):
    """Run fn with both libraries: same results (flat list of tensors/numbers) or same error."""
    er, ee = _run(fn, ember)
    tr, te = _run(fn, torch)
    if te is not None or ee is not None:
        assert ee is not None and te is not None, (ee, te)
        assert type(ee) is type(te), (ee, te)
        head = str(te).split("\n")[0][:60]
        assert str(ee).startswith(head), (str(ee), str(te))
        return
    assert len(er) == len(tr)
    for e, t in zip(er, tr):
        _same(e, t)


def f32(x, lib, req=False):
    return lib.tensor(np.asarray(x, dtype=np.float32), requires_grad=req)


# --------------------------------------------------------------------------- in-place graphs


@needs_torch
@pytest.mark.parametrize("op", ["mul_", "div_", "pow_", "abs_", "addcmul_", "addcdiv_"])
def test_inplace_double_backward_sees_old_self(op):
    """The old value of self saved by an in-place op stays connected to its history."""
    def fn(lib):
        a = f32([0.5, -1.5], lib, True)
        b = f32([2.0, 3.0], lib, True)
        base = a * 1.5
        if op in ("addcmul_", "addcdiv_"):
            r = getattr(base, op)(b, base.detach() + b)
        elif op == "abs_":
            r = base.abs_() * b
        else:
            r = getattr(base, op)(b)
        ga, gb = lib.autograd.grad(r.sum(), [a, b], create_graph=True)
        g2 = lib.autograd.grad((ga * gb).sum(), [a, b], allow_unused=True)
        return [r, ga, gb, *g2]
    check(fn)
