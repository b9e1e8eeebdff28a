"""Generic tests driven by the op table (tests/op_table.py).

- forward: values, shapes, dtypes and requires_grad vs torch (float32, float64, int inputs);
- backward: gradients for a random upstream gradient vs torch, and grad_fn class names;
- float64 ``ember.autograd.gradcheck`` for every differentiable entry (no torch needed);
- ``gradgradcheck`` (second order through ``create_graph``) where torch has double backward.
Without torch the parity tests skip; gradcheck/gradgradcheck and the smoke test still run.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember
from op_table import OPS

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")


def _cases(pred=lambda o: True, samples="samples", dtypes=False, ints=True):
    out = []
    for o in OPS:
        if not pred(o):
            continue
        for k, s in enumerate(getattr(o, samples)):
            if dtypes:
                dts = list(o.dtypes) + (["int64"] if o.int_ok and ints else [])
                for dt in dts:
                    out.append(pytest.param(o, s, dt, id=f"{o.name}-{k}-{dt}"))
            else:
                out.append(pytest.param(o, s, id=f"{o.name}-{k}"))
    return out


def _cast(a, dt):
    """Float sample arrays take the dtype under test; int/bool arrays stay as they are."""
    if a.dtype.kind != "f":
        return a
    if dt == "int64":
        # round away from zero so non-zero samples (denominators) stay non-zero
        return np.where(a >= 0, np.ceil(a * 2), np.floor(a * 2)).astype(np.int64)
    return a.astype(dt)


def _make_args(lib, sample, dt, req):
    args, leaves = [], []
    for a in sample.args:
        if isinstance(a, np.ndarray):
            arr = _cast(a, dt)
            t = lib.from_numpy(arr.copy())
            if req and arr.dtype.kind == "f":
                t.requires_grad_(True)
                leaves.append(t)
            args.append(t)
        else:
            args.append(a)
    return args, leaves


def _flat(out):
    if isinstance(out, (tuple, list)):
        return list(out)
    return [out]


def _np(t):
    return t.detach().numpy()


def _tol(o, dt):
    if dt == "float32":
        return dict(atol=max(o.atol, 1e-5), rtol=max(o.rtol, 1e-4))
    return dict(atol=o.atol, rtol=o.rtol)


def _assert_same(e, t, what, tol):
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} != {tuple(t.shape)}"
    assert str(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} != {t.dtype}"
    np.testing.assert_allclose(_np(e), _np(t), equal_nan=True, err_msg=what, **tol)


def _run(lib, o, s, dt, req):
    args, leaves = _make_args(lib, s, dt, req)
    return _flat(o.fn(lib, *args)), leaves


# ------------------------------------------------------------------------------ smoke (no torch)


@pytest.mark.parametrize("o,s", _cases())
def test_runs_and_matches_float32(o, s):
    """Every entry runs in ember; float32 and float64 results agree (also without torch)."""
    r64, _ = _run(ember, o, s, "float64", False)
    r32, _ = _run(ember, o, s, "float32", False)
    assert len(r64) == len(r32) and len(r64) >= 1
    for a, b in zip(r64, r32):
        assert isinstance(a, ember.Tensor) and a.shape == b.shape
        if a.dtype.is_floating_point:
            np.testing.assert_allclose(a.numpy(), b.numpy().astype(np.float64), rtol=1e-3,
                                       atol=1e-4, equal_nan=True)
        else:
            np.testing.assert_array_equal(a.numpy(), b.numpy())


# ------------------------------------------------------------------------------ torch parity


@needs_torch
@pytest.mark.parametrize("o,s,dt", _cases(dtypes=True))
def test_forward_vs_torch(o, s, dt):
    req = o.grad and dt != "int64"
    te, _ = _run(ember, o, s, dt, req)
    tt, _ = _run(torch, o, s, dt, req)
    assert len(te) == len(tt), f"{len(te)} outputs, torch {len(tt)}"
    for i, (e, t) in enumerate(zip(te, tt)):
        _assert_same(e, t, f"{o.name} output {i}", _tol(o, dt))
        assert e.requires_grad == t.requires_grad, f"output {i} requires_grad"


@needs_torch
@pytest.mark.parametrize("o,s,dt", _cases(lambda o: o.grad and o.torch_backward, dtypes=True,
                                      ints=False))
def test_backward_vs_torch(o, s, dt):
    rng = np.random.default_rng(7)
    te, le = _run(ember, o, s, dt, True)
    tt, lt = _run(torch, o, s, dt, True)
    pairs = [(e, t) for e, t in zip(te, tt) if t.requires_grad]
    if not pairs or not lt:
        pytest.skip("no differentiable output")
    gos = [rng.standard_normal(tuple(t.shape)).astype(str(t.dtype).split(".")[-1])
           for _, t in pairs]
    ge = ember.autograd.grad([e for e, _ in pairs], le, [ember.tensor(g) for g in gos],
                             allow_unused=True)
    gt = torch.autograd.grad([t for _, t in pairs], lt, [torch.tensor(g) for g in gos],
                             allow_unused=True)
    for i, (a, b, x) in enumerate(zip(ge, gt, lt)):
        if a is None and b is None:
            continue
        a = a if a is not None else ember.zeros(tuple(x.shape), dtype=getattr(ember, dt))
        b = b if b is not None else torch.zeros_like(x)
        _assert_same(a, b, f"{o.name} grad of input {i}", _tol(o, dt))


@needs_torch
@pytest.mark.parametrize("o,s", _cases(lambda o: o.grad and o.torch_grad_fn))
def test_grad_fn_names_vs_torch(o, s):
    te, _ = _run(ember, o, s, "float64", True)
    tt, _ = _run(torch, o, s, "float64", True)
    checked = 0
    for i, (e, t) in enumerate(zip(te, tt)):
        want = type(t.grad_fn).__name__ if t.grad_fn is not None else None
        got = type(e.grad_fn).__name__ if e.grad_fn is not None else None
        assert got == want, f"{o.name} output {i}: grad_fn {got}, torch {want}"
        checked += 1
    assert checked


# ------------------------------------------------------------------------------ gradcheck


def _checker(o, s):
    args, leaves = _make_args(ember, s, "float64", True)
    pos = [i for i, a in enumerate(args) if isinstance(a, ember.Tensor)]

    def fn(*ts):
        full = list(args)
        for i, t in zip(pos, ts):
            full[i] = t
        out = o.fn(ember, *full)
        return tuple(out) if isinstance(out, (tuple, list)) else out

    return fn, tuple(args[i] for i in pos), leaves


@pytest.mark.parametrize("o,s", _cases(lambda o: o.grad, samples="grad_samples"))
def test_gradcheck(o, s):
    fn, inputs, leaves = _checker(o, s)
    if not leaves:
        pytest.skip("no float input")
    assert ember.autograd.gradcheck(fn, inputs, eps=1e-6, atol=o.gc_atol, rtol=o.gc_rtol)


@pytest.mark.parametrize("o,s", _cases(lambda o: o.grad and o.gradgrad,
                                       samples="grad_samples"))
def test_gradgradcheck(o, s):
    fn, inputs, leaves = _checker(o, s)
    if not leaves:
        pytest.skip("no float input")
    if sum(x.numel() for x in inputs) == 0:
        pytest.skip("empty input")
    assert ember.autograd.gradgradcheck(fn, inputs, eps=1e-6, atol=o.gc_atol, rtol=o.gc_rtol)


def test_gradcheck_catches_a_wrong_backward():
    """The checker itself must fail on a wrong formula, or the table proves nothing."""
    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2 * g * x

    x = ember.tensor(np.random.default_rng(0).standard_normal(3), requires_grad=True)
    with pytest.raises(RuntimeError):
        ember.autograd.gradcheck(Bad.apply, (x,))
    assert not ember.autograd.gradcheck(Bad.apply, (x,), raise_exception=False)


def test_table_covers_the_issue_list():
    names = {o.name.split("_")[0] for o in OPS}
    required = """add sub mul div remainder pow neg abs matmul mm bmm mv dot outer addmm einsum
    exp log log1p log2 sqrt rsqrt sin cos tan sinh cosh tanh sigmoid relu erf softplus clamp clip
    maximum minimum where lerp sign floor ceil round sum mean prod max min amax amin argmax
    argmin std var norm logsumexp softmax log cumsum cumprod all any view reshape flatten
    unflatten squeeze unsqueeze permute transpose t expand repeat tile cat stack split chunk
    unbind narrow flip roll gather scatter index masked tril triu diag sort topk getitem
    setitem""".split()
    missing = [r for r in required if r not in names]
    assert not missing, missing
