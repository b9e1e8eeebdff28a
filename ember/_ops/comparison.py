"""Comparisons, logic and bitwise ops, and the floating-point class tests (``isnan`` ...).

None of them is differentiable: each returns a bool (or integer) tensor without a graph node.
Comparisons promote their operands as torch does (an integer tensor compared with a number
casts the number into the tensor's dtype: ``u8 < -3`` compares with 253).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _dtype as D
from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd import function as _function
from ._utils import (as_tensor_arg, broadcast_error, vmap_call, fit_int, quiet,
                     invalid_args, not_implemented,
                     scalar_type_name, wrap)

from .clamp import _tensors_only

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from ._types import Number


def _compare(fn, a, b):
    if _function._VMAP:  # inside vmap: the elementwise batching rule (ember.func)
        r = _function._VMAP_HOOK(("compare", lambda x, y: _compare(fn, x, y)), (a, b), {}, None)
        if r is not NotImplemented:
            return r
    a = as_tensor_arg(a)
    b = as_tensor_arg(b)
    if not isinstance(b, Tensor) and not isinstance(b, (int, float, bool, complex)):
        return NotImplemented
    aa = a._array if isinstance(a, Tensor) else a
    bb = b._array if isinstance(b, Tensor) else b
    if isinstance(b, Tensor):
        if isinstance(a, Tensor) and aa.dtype != bb.dtype:
            dt = D.result_type(a, b).np
            aa, bb = aa.astype(dt, copy=False), bb.astype(dt, copy=False)
    elif isinstance(a, Tensor) and aa.dtype.kind != "f":
        # integer/bool tensor with a number: compare in the promoted dtype, the number cast to
        # it as torch does (u8 < -3 compares with 253)
        dt = D.result_type(a, b).np
        if dt != aa.dtype:
            aa = aa.astype(dt)
        if b.__class__ is int and dt.kind in "iu":
            bb = fit_int(b, dt)
    try:
        return _make(xp.asarray(fn(aa, bb)), False, None, 0, None)
    except ValueError:
        raise broadcast_error(getattr(aa, "shape", ()), getattr(bb, "shape", ())) from None


def _cmp_fn(name, fn):
    ordered = name in ("lt", "le", "gt", "ge")

    def f(input, other):
        if not isinstance(input, Tensor):
            raise invalid_args(name, input, other)
        if ordered and (input._array.dtype.kind == "c" or isinstance(other, complex) or (
                isinstance(other, Tensor) and other._array.dtype.kind == "c")):
            raise not_implemented(f"{name}_cpu", D.result_type(input, other).np)
        return _compare(fn, input, other)
    f.__name__ = name
    return f


eq, ne = _cmp_fn("eq", xp.equal), _cmp_fn("ne", xp.not_equal)
lt, le = _cmp_fn("lt", xp.less), _cmp_fn("le", xp.less_equal)
gt, ge = _cmp_fn("gt", xp.greater), _cmp_fn("ge", xp.greater_equal)
less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


def _logical(name, fn):
    def f(input, other):
        _tensors_only(name, input, other)
        return _compare(fn, input, other)
    f.__name__ = name
    return f


logical_and = _logical("logical_and", xp.logical_and)
logical_or = _logical("logical_or", xp.logical_or)
logical_xor = _logical("logical_xor", xp.logical_xor)


def logical_not(input: Tensor) -> Tensor:
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("elementwise", logical_not, (input,))
        if r is not NotImplemented:
            return r
    return wrap(xp.logical_not(input._array))


def _bitwise(name, fn, a, b):
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("elementwise", _bitwise, (name, fn, a, b))
        if r is not NotImplemented:
            return r
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        ad = a._array.dtype
        if ad == b._array.dtype and ad.kind in "biu":  # masks: straight through
            try:
                return wrap(fn(a._array, b._array))
            except ValueError:
                raise broadcast_error(a._array.shape, b._array.shape) from None
    a, b = as_tensor_arg(a), as_tensor_arg(b)
    dt = D.result_type(a, b)
    if dt.category >= 2:
        raise not_implemented(f"{name}_cpu", dt.np)
    if dt.category == 1:
        if a.__class__ is int:
            a = fit_int(a, dt.np)
        if b.__class__ is int:
            b = fit_int(b, dt.np)
    aa, bb = _arr(a, dt), _arr(b, dt)
    try:
        return wrap(xp.asarray(fn(aa, bb), dtype=dt.np))
    except ValueError:
        raise broadcast_error(getattr(aa, "shape", ()), getattr(bb, "shape", ())) from None


def _arr(x, dt):
    return x._array.astype(dt.np, copy=False) if isinstance(x, Tensor) else x


def bitwise_and(input: Tensor, other: Tensor | Number) -> Tensor:
    return _bitwise("bitwise_and", xp.bitwise_and, input, other)


def bitwise_or(input: Tensor, other: Tensor | Number) -> Tensor:
    return _bitwise("bitwise_or", xp.bitwise_or, input, other)


def bitwise_xor(input: Tensor, other: Tensor | Number) -> Tensor:
    return _bitwise("bitwise_xor", xp.bitwise_xor, input, other)


def bitwise_not(input: Tensor) -> Tensor:
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("elementwise", bitwise_not, (input,))
        if r is not NotImplemented:
            return r
    a = input._array
    if a.dtype.kind not in "biu":
        raise not_implemented("bitwise_not_cpu", a.dtype)
    return wrap(xp.logical_not(a) if a.dtype == xp.bool_ else xp.invert(a))


def equal(input: Tensor, other: Tensor) -> bool:
    return input._array.shape == other._array.shape and bool(
        xp.array_equal(input._array, other._array))


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    _tensors_only("isclose", input, other)
    ad, bd = input._array.dtype, other._array.dtype
    if ad != bd:
        raise RuntimeError(f"{scalar_type_name(ad)} did not match {scalar_type_name(bd)}")
    if ad.kind == "b":
        return wrap(xp.asarray(input._array == other._array))
    return wrap(quiet(lambda: xp.isclose(input._array, other._array, rtol=rtol, atol=atol,
                                         equal_nan=equal_nan)))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    b = other._array if isinstance(other, Tensor) else other
    return bool(quiet(lambda: xp.allclose(input._array, b, rtol=rtol, atol=atol,
                                          equal_nan=equal_nan)))


def isnan(input: Tensor) -> Tensor:
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("elementwise", isnan, (input,))
        if r is not NotImplemented:
            return r
    return wrap(xp.isnan(input._array))


def isinf(input: Tensor) -> Tensor:
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("elementwise", isinf, (input,))
        if r is not NotImplemented:
            return r
    return wrap(xp.isinf(input._array))


def isfinite(input: Tensor) -> Tensor:
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("elementwise", isfinite, (input,))
        if r is not NotImplemented:
            return r
    return wrap(xp.isfinite(input._array))


def isposinf(input: Tensor) -> Tensor:
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("elementwise", isposinf, (input,))
        if r is not NotImplemented:
            return r
    if input._array.dtype.kind == "c":
        raise RuntimeError("isposinf does not support complex inputs.")
    return wrap(xp.isposinf(input._array))


def isneginf(input: Tensor) -> Tensor:
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("elementwise", isneginf, (input,))
        if r is not NotImplemented:
            return r
    if input._array.dtype.kind == "c":
        raise RuntimeError("isneginf does not support complex inputs.")
    return wrap(xp.isneginf(input._array))


def signbit(input: Tensor) -> Tensor:
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("elementwise", signbit, (input,))
        if r is not NotImplemented:
            return r
    if input._array.dtype.kind == "c":
        raise NotImplementedError("signbit is not implemented for complex tensors.")
    return wrap(xp.signbit(input._array))


__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "less", "less_equal", "greater", "greater_equal",
    "not_equal", "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
    "bitwise_or", "bitwise_xor", "bitwise_not", "equal", "isclose", "allclose", "isnan", "isinf",
    "isfinite", "isposinf", "isneginf", "signbit",
]
TENSOR_METHODS: tuple[str, ...] = ()
