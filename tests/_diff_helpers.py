"""Run one snippet in ember and in torch (the oracle) and compare what comes out: values,
dtypes, shapes, requires_grad, gradients of every float input, or the exception (class and
text).  Shared by tests/test_statistics_ops.py and tests/test_construct_ops.py."""
from __future__ import annotations

import numpy as np

import ember

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None


def _to(lib, a, req):
    if isinstance(a, np.ndarray):
        t = lib.from_numpy(a.copy())
        if req and a.dtype.kind == "f":
            t.requires_grad_(True)
        return t
    return a


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _flat(x)]
    return [out]


def run(lib, fn, args, req):
    ts = [_to(lib, a, req) for a in args]
    try:
        out = fn(lib, *ts)
    except Exception as e:  # noqa: BLE001 - compared with the oracle's
        return e, ts
    return out, ts


def _same(e, t, what, atol, rtol):
    if not isinstance(t, torch.Tensor):
        assert not isinstance(e, ember.Tensor), f"{what}: ember gave a tensor, torch {t!r}"
        if isinstance(t, float) and np.isnan(t):
            assert np.isnan(e)
        else:
            assert e == t, f"{what}: {e!r} != {t!r}"
        return
    assert isinstance(e, ember.Tensor), f"{what}: not a tensor: {e!r}"
    assert str(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} vs {t.dtype}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
    assert e.requires_grad == t.requires_grad, f"{what}: requires_grad"
    ea, ta = e.detach().numpy(), t.detach().numpy()
    if ea.dtype.kind in "fc":
        np.testing.assert_allclose(ea, ta, atol=atol, rtol=rtol, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(ea, ta, err_msg=what)


def compare(fn, *args, grad=True, atol=1e-6, rtol=1e-5, seed=0, msg=True):
    """fn(lib, *tensors) in both libraries: the same results (or the same error) and, when
    ``grad``, the same gradients for a random upstream gradient."""
    eo, ets = run(ember, fn, args, grad)
    to, tts = run(torch, fn, args, grad)
    if isinstance(to, Exception):
        assert isinstance(eo, Exception), f"torch raised {to!r}, ember returned {eo!r}"
        assert type(eo).__name__ == type(to).__name__, f"{eo!r} vs {to!r}"
        if msg:
            te = str(to).split("\n")[0]
            assert str(eo).split("\n")[0] == te, f"{eo!r} vs {to!r}"
        return None
    if isinstance(eo, Exception):
        raise AssertionError(f"ember raised {eo!r}, torch returned") from eo
    ef, tf = _flat(eo), _flat(to)
    assert len(ef) == len(tf)
    assert type(eo).__name__ == type(to).__name__ or not isinstance(to, tuple), \
        f"result type {type(eo).__name__} vs {type(to).__name__}"
    for i, (e, t) in enumerate(zip(ef, tf)):
        _same(e, t, f"output {i}", atol, rtol)
    if not grad:
        return eo
    pairs = [(e, t) for e, t in zip(ef, tf) if isinstance(t, torch.Tensor) and t.requires_grad]
    leaves = [(e, t) for e, t in zip(ets, tts)
              if isinstance(t, torch.Tensor) and t.requires_grad]
    if not pairs or not leaves:
        return eo
    rng = np.random.default_rng(seed)
    gos = [rng.standard_normal(tuple(t.shape)).astype(str(t.dtype).split(".")[-1])
           for _, t in pairs]
    try:
        gt = torch.autograd.grad([t for _, t in pairs], [t for _, t in leaves],
                                 [torch.tensor(g) for g in gos], allow_unused=True)
    except RuntimeError as err:  # no derivative in torch: ember's backward raises the same
        try:
            ember.autograd.grad([e for e, _ in pairs], [e for e, _ in leaves],
                                [ember.tensor(g) for g in gos], allow_unused=True)
        except RuntimeError as mine:
            assert str(mine) == str(err).split("\n")[0]
            return eo
        raise AssertionError(f"torch's backward raised {err!r}, ember's did not") from err
    ge = ember.autograd.grad([e for e, _ in pairs], [e for e, _ in leaves],
                             [ember.tensor(g) for g in gos], allow_unused=True)
    for i, (a, b) in enumerate(zip(ge, gt)):
        if b is None:
            assert a is None or not a.numpy().any(), f"grad {i}: torch None"
            continue
        _same(a, b, f"grad of input {i}", atol * 10, rtol * 10)
    return eo
