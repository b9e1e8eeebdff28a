"""Differential tests against torch 2.13 of the rarer Tensor methods (ember/_ops/tensor_extras.py)
and of inference tensors: as_strided_, as_subclass, the deprecated resize/resize_as (warnings),
map_/map2_, const_data_ptr, dim_order, slice_inverse, Tensor.solve's removal error,
Tensor.name, is_inference and torch's errors for inference tensors outside inference_mode."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch (the test oracle) not installed")
pytestmark = needs_torch

_rng = np.random.default_rng(1314)
A6 = _rng.standard_normal(6)
A34 = _rng.standard_normal((3, 4))


def _norm(x):
    if isinstance(x, (ember.Tensor, getattr(torch, "Tensor", ()))):
        gf = type(x.grad_fn).__name__ if x.grad_fn is not None else None
        return ("T", type(x).__name__, str(x.dtype), tuple(x.shape), x.detach().tolist(),
                x.requires_grad, gf)
    if isinstance(x, BaseException):
        return ("E", type(x).__name__, str(x))
    if isinstance(x, (tuple, list)):
        return type(x).__name__, [_norm(v) for v in x]
    if isinstance(x, (ember.dtype, getattr(torch, "dtype", ()))):
        return str(x)
    return x


def both(fn, warns=True):
    """fn(lib) in ember and torch: the same result (or exception) and (``warns``) the same
    warnings."""
    out = []
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                r = _norm(fn(lib))
            except Exception as e:  # noqa: BLE001 - compared with the oracle's
                r = _norm(e)
        out.append((r, [(type(m.message).__name__, str(m.message)) for m in w if warns]))
    assert out[0] == out[1], f"ember {out[0]!r}\n torch {out[1]!r}"
    return out[0]


def T(L, a, req=False):
    t = L.tensor(a)
    return t.requires_grad_() if req else t


def _sub(L):
    return type("MyTensor", (L.Tensor,), {})


def _grad_of(L, fn, a):
    x = T(L, a, True)
    y = fn(L, x)
    y.sum().backward() if y.requires_grad else None
    return y, x.grad


CASES = {
    # as_strided_ (in place, over the tensor's own storage)
    "as_strided_": lambda L: (lambda x: (x.as_strided_((2, 2), (1, 2), 1), x.storage_offset(),
                                         x.stride()))(T(L, A6)),
    "as_strided_fn": lambda L: (lambda x: (L.as_strided_(x, (2,), (2,)), x.shape))(T(L, A6)),
    "as_strided_grad": lambda L: _grad_of(
        L, lambda L, x: (x * 2).as_strided_((2, 2), (1, 2), 1), A6),
    "as_strided_oob": lambda L: T(L, A6).as_strided_((4,), (2,)),
    "as_strided_neg": lambda L: T(L, A6).as_strided_((2,), (-1,)),
    "as_strided_leaf": lambda L: T(L, A6, True).as_strided_((2,), (1,)),
    "as_strided_view": lambda L: (lambda x: (x[1:].as_strided_((2,), (1,)), x))(T(L, A6)),
    # as_subclass
    "as_subclass": lambda L: (lambda x: (lambda s: (type(s).__name__, s._base is x,
                                                    s.data_ptr() == x.data_ptr()))(
        x.as_subclass(_sub(L))))(T(L, A6)),
    "as_subclass_grad": lambda L: _grad_of(
        L, lambda L, x: (x * 3).as_subclass(L.Tensor), A6),
    "as_subclass_leaf": lambda L: (lambda x: (lambda s: (s.grad_fn is not None, s.is_leaf,
                                                         s.requires_grad))(
        x.as_subclass(L.Tensor)))(T(L, A6, True)),
    "as_subclass_bad": lambda L: T(L, A6).as_subclass(int),
    "as_subclass_param": lambda L: type(T(L, A6).as_subclass(L.nn.Parameter)).__name__,
    # deprecated resize / resize_as
    "resize": lambda L: (lambda x: (lambda r: (r, r._base is x,
                                               r.data_ptr() == x.data_ptr()))(x.resize(2, 3)))(
        T(L, A6)),
    "resize_tuple": lambda L: T(L, A6).resize((3, 2)),
    "resize_as": lambda L: T(L, A6).resize_as(T(L, A34[:2, :3])),
    "resize_grad": lambda L: _grad_of(L, lambda L, x: x.resize(3, 2) * 2, A6),
    "resize_bad": lambda L: T(L, A6).resize(4),
    "resize_bad_grad": lambda L: T(L, A6, True).resize(2, 2),
    "resize_noncontig": lambda L: T(L, A34).t().resize(12),
    # map_ / map2_
    "map_": lambda L: T(L, A34).map_(T(L, A34[0]), lambda a, b: a * 10 + b),
    "map2_": lambda L: T(L, A34).map2_(T(L, A34[:, :1]), T(L, A34[0]),
                                       lambda a, b, c: a + 2 * b - c),
    "map_int": lambda L: L.arange(4).map_(L.arange(4), lambda a, b: a * b + 1),
    "map_bad": lambda L: T(L, A6[:3]).map_(T(L, A6[:2]), lambda a, b: a),
    "map_noncontig": lambda L: (lambda x: (x.t().map_(T(L, A34.T), lambda a, b: a - b), x))(
        T(L, A34)),
    # small queries
    "const_data_ptr": lambda L: (lambda x: x.const_data_ptr() == x.data_ptr())(T(L, A34)[1:]),
    "dim_order": lambda L: [t.dim_order() for t in (
        L.zeros(2, 3), L.zeros(2, 3).t(), L.zeros(2, 3, 4, 5).permute(0, 2, 3, 1), L.zeros(()),
        L.zeros(2, 1, 3), L.zeros(2, 3, 4).permute(2, 0, 1))],
    "dim_order_ambiguous": lambda L: L.zeros(2, 1, 4).dim_order(ambiguity_check=True),
    "dim_order_unique": lambda L: L.zeros(2, 3, 4).dim_order(ambiguity_check=True),
    "dim_order_badarg": lambda L: L.zeros(2).dim_order(ambiguity_check=3),
    "dim_order_badlist": lambda L: L.zeros(2).dim_order(ambiguity_check=[3]),
    "dim_order_formats": lambda L: L.zeros(1, 2, 3, 4).dim_order(
        ambiguity_check=[L.contiguous_format, L.channels_last]),
    "dim_order_formats_cl": lambda L: L.zeros(2, 3, 4, 5).permute(0, 2, 3, 1).dim_order(
        ambiguity_check=[L.contiguous_format, L.channels_last]),
    "dim_order_formats_none": lambda L: L.zeros(2, 1, 4).dim_order(
        ambiguity_check=[L.channels_last]),
    "dim_order_more": lambda L: [t.dim_order() for t in (
        L.zeros(3, 4)[:, ::2], L.zeros(2, 3, 4).transpose(0, 2), L.zeros(4, 1).expand(4, 3),
        L.zeros(2, 2, 2).permute(1, 2, 0), L.zeros(1, 3, 1, 2).permute(3, 1, 0, 2),
        L.zeros(3, 4, 5).as_strided((3, 4), (1, 3)), L.zeros(6).as_strided((2, 3), (3, 3)))],
    "dim_order_unique_perm": lambda L: L.zeros(2, 3, 4).permute(2, 0, 1).dim_order(
        ambiguity_check=True),
    "dim_order_dup_strides": lambda L: L.zeros(6).as_strided((2, 3), (3, 3)).dim_order(
        ambiguity_check=True),
    "name": lambda L: T(L, A6).name,
    "solve": lambda L: T(L, A34).solve(T(L, A34)),
    # slice_inverse
    "slice_inverse": lambda L: (lambda b: L.slice_inverse(b[:, 1:3], b, 1, 1, 3, 1))(
        T(L, A34)),
    "slice_inverse_m": lambda L: (lambda b: b[1:].slice_inverse(b, 0, 1))(T(L, A34)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_extra_method(name):
    both(CASES[name])


def test_slice_inverse_shares_memory_and_graph():
    def fn(L):
        x = T(L, A34, True)
        b = x * 1
        v = L.slice_inverse(b[:, 1::2], b, 1, 1, None, 2)
        (v * T(L, A34)).sum().backward()
        return v, v.data_ptr() - b.data_ptr(), v._base is b, x.grad
    both(fn)


# ------------------------------------------------------------------------------------ inference

def _inf(L):
    with L.inference_mode():
        i = L.ones(3)
        v = i[1:]
        t = L.tensor([1.0, 2.0, 3.0])
        n = L.ones(2) * 2
    return i, v, t, n


def _normal_view_inside(L):
    x = L.ones(2)
    with L.inference_mode():
        v = x[1:]
    return v.is_inference(), v._version


def _disabled(L):
    with L.inference_mode(False):
        return L.ones(1).is_inference()


def _disabled_nested(L):
    out = []
    with L.no_grad():
        with L.inference_mode(False):
            out.append((L.is_grad_enabled(), L.is_inference_mode_enabled()))
    with L.inference_mode():
        with L.inference_mode(False):
            out.append((L.is_grad_enabled(), L.is_inference_mode_enabled(),
                        L.ones(1).is_inference()))
        out.append((L.is_grad_enabled(), L.is_inference_mode_enabled()))
    return out


def _no_grad_made(L):
    with L.no_grad():
        return L.ones(1).is_inference()


def _inplace_inside(L):
    i = _inf(L)[0]
    with L.inference_mode():
        i.add_(1)
    return i


def _no_grad_read(L):
    with L.no_grad():
        return _inf(L)[0] * 2


INF_CASES = {
    "flags": lambda L: [x.is_inference() for x in _inf(L)] + [L.ones(1).is_inference()],
    "torch_fn": lambda L: L.is_inference(_inf(L)[0]),
    "view_outside": lambda L: _inf(L)[0].view(3).is_inference(),
    "clone_outside": lambda L: _inf(L)[0].clone().is_inference(),
    "normal_view_inside": _normal_view_inside,
    "disabled": _disabled,
    "disabled_nested": _disabled_nested,
    "decorator": lambda L: L.inference_mode()(lambda: L.ones(1))().is_inference(),
    "no_grad_made": _no_grad_made,
    "inplace_outside": lambda L: _inf(L)[0].add_(1),
    "inplace_view_outside": lambda L: _inf(L)[1].mul_(2),
    "setitem_outside": lambda L: _inf(L)[0].__setitem__(0, 5.0),
    "inplace_inside": _inplace_inside,
    "version": lambda L: _inf(L)[0]._version,
    "saved_for_backward": lambda L: L.ones(3, requires_grad=True) * _inf(L)[0],
    "not_saved": lambda L: L.ones(3, requires_grad=True) + _inf(L)[0],
    "clone_in_graph": lambda L: (L.ones(3, requires_grad=True) * _inf(L)[0].clone()).sum(),
    "read": lambda L: (_inf(L)[0] * 2).sum(),
    "no_grad_read": _no_grad_read,
    "type_error": lambda L: L.is_inference(3),
}


@pytest.mark.parametrize("name", sorted(INF_CASES))
def test_inference_tensors(name):
    both(INF_CASES[name])


def test_inference_mode_leaves_make_untouched():
    """The variant of ``_make`` that marks inference tensors runs only inside the blocks."""
    from ember import _tensor
    plain = _tensor._make.__code__
    with ember.inference_mode():
        with ember.inference_mode():
            assert _tensor._make.__code__ is not plain
        assert _tensor._make.__code__ is not plain
    assert _tensor._make.__code__ is plain
    assert not ember.ones(1).is_inference()


# ------------------------------------------------------------------------------------ grad_dtype

class _Double:
    """A custom Function whose backward returns float64 (per library)."""

    @staticmethod
    def make(L):
        class F(L.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 1

            @staticmethod
            def backward(ctx, g):
                return g.double()
        return F


def _set(t, v):
    t.grad_dtype = v
    return t.grad_dtype


def _gd_backward(L, gd, custom=False, twice=False):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    x.grad_dtype = gd
    for _ in range(2 if twice else 1):
        y = _Double.make(L).apply(x) if custom else x * 3
        y.sum().backward()
    return x.grad, x.grad_dtype


def _gd_assign(L, gd, dt):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    x.grad_dtype = gd
    x.grad = L.zeros(2, dtype=dt)
    return x.grad


def _gd_change_with_grad(L):
    x = L.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    return _set(x, L.int64)


GD_CASES = {
    "default": lambda L: L.tensor([1.0], requires_grad=True).grad_dtype,
    "default_int": lambda L: L.tensor([1]).grad_dtype,
    "no_grad_leaf": lambda L: L.tensor([1.0]).grad_dtype,
    "param": lambda L: L.nn.Parameter(L.zeros(2, dtype=L.float64)).grad_dtype,
    "nonleaf_set": lambda L: _set(L.tensor([1.0], requires_grad=True) * 2, L.float16),
    "set_none": lambda L: _set(L.tensor([1.0], requires_grad=True), None),
    "set_f64": lambda L: _set(L.tensor([1.0], requires_grad=True), L.float64),
    "set_bad": lambda L: _set(L.tensor([1.0], requires_grad=True), 3),
    "set_with_grad": _gd_change_with_grad,
    "backward_f64": lambda L: _gd_backward(L, L.float64),
    "backward_f64_twice": lambda L: _gd_backward(L, L.float64, twice=True),
    "backward_f16": lambda L: _gd_backward(L, L.float16),
    "backward_none_custom": lambda L: _gd_backward(L, None, custom=True),
    "backward_none_twice": lambda L: _gd_backward(L, None, custom=True, twice=True),
    "backward_f32_custom": lambda L: _gd_backward(L, L.float32, custom=True),
    "backward_none_plain": lambda L: _gd_backward(L, None),
    "assign_refused": lambda L: _gd_assign(L, L.float16, L.float32),
    "assign_match": lambda L: _gd_assign(L, L.float16, L.float16),
    "assign_any": lambda L: _gd_assign(L, None, L.float64),
    "assign_default": lambda L: _gd_assign(L, L.float32, L.float64),
}


@pytest.mark.parametrize("name", sorted(GD_CASES))
def test_grad_dtype(name):
    # (torch's setter on a non-leaf also warns about reading .grad, from inside its C++)
    both(GD_CASES[name], warns=name != "nonleaf_set")


def test_grad_dtype_nonleaf_read():
    for L in (ember, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # (torch also warns about .grad here)
            with pytest.raises(RuntimeError, match="grad_dtype can only be accessed on leaf"):
                (L.tensor([1.0], requires_grad=True) * 2).grad_dtype


@pytest.mark.skipif(ember.bfloat16 is None, reason="bfloat16 needs ml_dtypes")
def test_bfloat16_method():
    both(lambda L: L.tensor(A34).bfloat16())
    both(lambda L: L.tensor([1, 2]).bfloat16())
    both(lambda L: (lambda x: (x.bfloat16().float() * 2).sum().backward() or x.grad)(
        L.tensor(A6, requires_grad=True)))



def _requires_grad_inside(L):
    with L.inference_mode():
        i = L.ones(2)
        i.requires_grad_()
    return i.requires_grad


INF_MORE = {
    "requires_grad_outside": lambda L: _inf(L)[0].requires_grad_(),
    "requires_grad_false_outside": lambda L: _inf(L)[0].requires_grad_(False),
    "requires_grad_inside": _requires_grad_inside,
    "requires_grad_int": lambda L: L.arange(2).requires_grad_(),
}


@pytest.mark.parametrize("name", sorted(INF_MORE))
def test_inference_requires_grad(name):
    both(INF_MORE[name])


def test_dim_order_sweep():
    """Random permutations, steps and expands of small tensors: torch's order (and refusals)."""
    rng = np.random.default_rng(7)
    for _ in range(150):
        nd = int(rng.integers(1, 5))
        shape = tuple(int(s) for s in rng.integers(1, 4, nd))
        perm = tuple(int(p) for p in rng.permutation(nd))
        steps = tuple(int(s) for s in rng.integers(1, 3, nd))
        check = bool(rng.integers(0, 2))

        def fn(L):
            t = L.zeros(shape).permute(perm)[tuple(slice(None, None, s) for s in steps)]
            return t.dim_order(ambiguity_check=check)
        both(fn)
