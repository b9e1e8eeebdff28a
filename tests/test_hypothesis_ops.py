"""Hypothesis sweeps: broadcasting of binary ops and reductions over random dims/keepdim.

With torch: values, dtypes and gradients vs torch.  Without torch: values vs NumPy and gradient
shapes (the broadcast gradient is reduced to each input's shape)."""
from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import ember  # noqa: E402

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None

BINARY = {
    "add": (lambda lib, a, b: a + b, np.add),
    "sub": (lambda lib, a, b: lib.sub(a, b, alpha=2), lambda a, b: a - 2 * b),
    "mul": (lambda lib, a, b: a * b, np.multiply),
    "div": (lambda lib, a, b: a / b, np.divide),
    "pow": (lambda lib, a, b: lib.pow(a.abs() + 0.5, b), lambda a, b: (np.abs(a) + 0.5) ** b),
    "maximum": (lambda lib, a, b: lib.maximum(a, b), np.maximum),
    "minimum": (lambda lib, a, b: lib.minimum(a, b), np.minimum),
    "atan2": (lambda lib, a, b: lib.atan2(a, b), np.arctan2),
    "lerp": (lambda lib, a, b: lib.lerp(a, b, 0.25), lambda a, b: a + 0.25 * (b - a)),
    "remainder": (lambda lib, a, b: lib.remainder(a, b), np.remainder),
}

shapes2 = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=1,
                                            max_side=3)


def _arrays(seed, shapes, dtype):
    rng = np.random.default_rng(seed)
    out = []
    for s in shapes:
        a = rng.uniform(0.5, 1.5, s) * rng.choice([-1.0, 1.0], s)  # no zeros, no ties
        out.append(np.asarray(a, dtype=dtype))
    return out


def _grads(lib, fn, arrays, seed):
    xs = [lib.from_numpy(a.copy()).requires_grad_(True) for a in arrays]
    y = fn(lib, *xs)
    g = np.random.default_rng(seed + 1).standard_normal(tuple(y.shape)).astype(arrays[0].dtype)
    gs = lib.autograd.grad(y, xs, lib.from_numpy(np.asarray(g)), allow_unused=True)
    return y, gs


@given(name=st.sampled_from(sorted(BINARY)), shapes=shapes2, seed=st.integers(0, 2**16),
       dtype=st.sampled_from(["float32", "float64"]))
def test_binary_broadcasting(name, shapes, seed, dtype):
    fn, ref = BINARY[name]
    arrays = _arrays(seed, shapes.input_shapes, dtype)
    y, gs = _grads(ember, fn, arrays, seed)
    expected = np.asarray(ref(*arrays))
    assert tuple(y.shape) == shapes.result_shape == expected.shape
    assert str(y.dtype) == f"torch.{dtype}"
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-5, atol=1e-6)
    for g, a in zip(gs, arrays):
        assert g is not None and tuple(g.shape) == a.shape and str(g.dtype) == f"torch.{dtype}"
    if torch is None:
        return
    yt, gt = _grads(torch, fn, arrays, seed)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    for g, t in zip(gs, gt):
        np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-4, atol=1e-5)


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3,
                                                max_side=3), seed=st.integers(0, 2**16))
def test_where_broadcasting(shapes, seed):
    c_shape, a_shape, b_shape = shapes.input_shapes
    cond = np.random.default_rng(seed).random(c_shape) < 0.5
    a, b = _arrays(seed, (a_shape, b_shape), "float64")

    def fn(lib, x, y):
        return lib.where(lib.from_numpy(np.asarray(cond)), x, y)

    y, gs = _grads(ember, fn, [a, b], seed)
    np.testing.assert_array_equal(y.detach().numpy(), np.where(cond, a, b))
    assert tuple(gs[0].shape) == a.shape and tuple(gs[1].shape) == b.shape
    if torch is not None:
        yt, gt = _grads(torch, fn, [a, b], seed)
        for g, t in zip(gs, gt):
            np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-10)


@given(shapes=st.tuples(hnp.array_shapes(min_dims=0, max_dims=4, max_side=3),
                        hnp.array_shapes(min_dims=0, max_dims=4, max_side=3)))
def test_non_broadcastable_shapes_raise_torch_text(shapes):
    sa, sb = shapes
    try:
        np.broadcast_shapes(sa, sb)
        return  # broadcastable: covered above
    except ValueError:
        pass
    a, b = ember.zeros(sa), ember.zeros(sb)
    with pytest.raises(RuntimeError) as ei:
        a + b
    assert "must match the size of tensor b" in str(ei.value)
    if torch is not None:
        with pytest.raises(RuntimeError) as et:
            torch.zeros(sa) + torch.zeros(sb)
        assert str(ei.value) == str(et.value)


# ------------------------------------------------------------------------------ reductions

MULTI = {  # reductions taking a dim tuple and keepdim
    "sum": (lambda lib, x, d, k: x.sum(d, keepdim=k), lambda a, d, k: a.sum(d, keepdims=k)),
    "mean": (lambda lib, x, d, k: x.mean(d, keepdim=k), lambda a, d, k: a.mean(d, keepdims=k)),
    "amax": (lambda lib, x, d, k: lib.amax(x, d, keepdim=k), lambda a, d, k: a.max(d, keepdims=k)),
    "amin": (lambda lib, x, d, k: x.amin(d, keepdim=k), lambda a, d, k: a.min(d, keepdims=k)),
    "var": (lambda lib, x, d, k: x.var(d, keepdim=k, correction=0),
            lambda a, d, k: a.var(d, keepdims=k)),
    "std": (lambda lib, x, d, k: lib.std(x, d, keepdim=k, correction=0),
            lambda a, d, k: a.std(d, keepdims=k)),
    "norm": (lambda lib, x, d, k: lib.norm(x, p=2, dim=d, keepdim=k),
             lambda a, d, k: np.sqrt((a * a).sum(d, keepdims=k))),
    "logsumexp": (lambda lib, x, d, k: lib.logsumexp(x, d, keepdim=k),
                  lambda a, d, k: np.log(np.exp(a).sum(d, keepdims=k))),
}
SINGLE = {  # reductions and scans along one dim
    "prod": (lambda lib, x, d, k: x.prod(d, keepdim=k), lambda a, d, k: a.prod(d, keepdims=k)),
    "max": (lambda lib, x, d, k: x.max(d, keepdim=k).values,
            lambda a, d, k: a.max(d, keepdims=k)),
    "min": (lambda lib, x, d, k: lib.min(x, d, keepdim=k)[0],
            lambda a, d, k: a.min(d, keepdims=k)),
    "cumsum": (lambda lib, x, d, k: x.cumsum(d), lambda a, d, k: a.cumsum(d)),
    "cumprod": (lambda lib, x, d, k: x.cumprod(d), lambda a, d, k: a.cumprod(d)),
    "softmax": (lambda lib, x, d, k: x.softmax(d),
                lambda a, d, k: np.exp(a) / np.exp(a).sum(d, keepdims=True)),
    "log_softmax": (lambda lib, x, d, k: x.log_softmax(d),
                    lambda a, d, k: a - np.log(np.exp(a).sum(d, keepdims=True))),
}


@st.composite
def reduction_case(draw, multi):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    nd = len(shape)
    if multi:
        dims = draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=nd,
                             unique_by=lambda d: d % nd))
        dims = tuple(dims)
    else:
        dims = draw(st.integers(-nd, nd - 1))
    return shape, dims, draw(st.booleans()), draw(st.integers(0, 2**16))


def _check_reduction(fn, ref, shape, dims, keepdim, seed):
    (a,) = _arrays(seed, (shape,), "float64")
    npd = tuple(d % len(shape) for d in dims) if isinstance(dims, tuple) else dims % len(shape)
    y, (g,) = _grads(ember, lambda lib, x: fn(lib, x, dims, keepdim), [a], seed)
    expected = np.asarray(ref(a, npd, keepdim))
    assert tuple(y.shape) == expected.shape
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-7, atol=1e-10)
    assert tuple(g.shape) == a.shape
    if torch is not None:
        yt, (gt,) = _grads(torch, lambda lib, x: fn(lib, x, dims, keepdim), [a], seed)
        assert tuple(yt.shape) == tuple(y.shape)
        np.testing.assert_allclose(g.numpy(), gt.numpy(), rtol=1e-7, atol=1e-10)


@given(name=st.sampled_from(sorted(MULTI)), case=reduction_case(True))
def test_reductions_dim_tuples(name, case):
    _check_reduction(*MULTI[name], *case)


@given(name=st.sampled_from(sorted(SINGLE)), case=reduction_case(False))
def test_reductions_single_dim(name, case):
    _check_reduction(*SINGLE[name], *case)


@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=3),
       data=st.data())
def test_all_any_dims(shape, data):
    nd = len(shape)
    a = np.asarray(np.random.default_rng(0).random(shape) < 0.5)
    dims = tuple(data.draw(st.lists(st.integers(0, max(nd - 1, 0)), unique=True,
                                    max_size=nd))) if nd else ()
    keepdim = data.draw(st.booleans())
    for name, ref in (("all", np.all), ("any", np.any)):
        x = ember.from_numpy(a.copy())
        r = getattr(x, name)(dims, keepdim=keepdim) if dims else getattr(x, name)()
        e = ref(a, axis=dims if dims else None, keepdims=keepdim if dims else False)
        np.testing.assert_array_equal(r.numpy(), e)
        assert r.dtype == ember.bool
        if torch is not None:
            t = torch.from_numpy(a.copy())
            rt = getattr(t, name)(dims, keepdim=keepdim) if dims else getattr(t, name)()
            assert tuple(rt.shape) == tuple(r.shape)
