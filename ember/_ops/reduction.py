"""Reductions, scans, sorting and the numerically stable softmax family."""
from __future__ import annotations

from typing import TYPE_CHECKING

import builtins
import collections
import math
import warnings
from operator import truediv as _truediv

from .. import _autocast as _ac
from .. import _dtype as D
from .._backend import _take_along, max_last, ndarray, sum_last, xp
from .._backend import xp as _xp  # masks built inside backward formulas
from ..autograd import function as _function
from .._tensor import Tensor
from ..autograd.function import Op, _apply
from ..autograd.grad_mode import _state
from ._utils import (float_cast, not_implemented, quiet, scalar_type_name, vmap_call, wrap,
                     wrap_dim, wrap_dims)

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Callable, Sequence
    from typing import Any

    from ._types import Array, Ctx, DType, Dims, Grads, NPDType, Namespace, Number, OutGrads, Value


_RETURN_TYPES: dict[str, type] = {}  # torch.return_types.<name>: one class per name


def _return_type(name, fields):
    if name in _RETURN_TYPES:
        return _RETURN_TYPES[name]
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        inner = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"torch.return_types.{name}(\n{inner})"
    cls = _RETURN_TYPES[name] = type(name, (base,), {"__repr__": __repr__, "__slots__": ()})
    return cls


MaxResult = _return_type("max", ("values", "indices"))
MinResult = _return_type("min", ("values", "indices"))
SortResult = _return_type("sort", ("values", "indices"))
TopkResult = _return_type("topk", ("values", "indices"))
MedianResult = _return_type("median", ("values", "indices"))
ModeResult = _return_type("mode", ("values", "indices"))
KthResult = _return_type("kthvalue", ("values", "indices"))
AminmaxResult = _return_type("aminmax", ("min", "max"))


def _kshape(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _drop(out, axes, keepdim):
    """A keepdims=True reduction result in the requested layout (an ndarray, never a NumPy
    scalar, so a saved output is recognised as the op's output)."""
    if keepdim:
        return out if out.__class__ is ndarray else xp.asarray(out)  # (0-d: a NumPy scalar)
    return xp.asarray(out).reshape(tuple(s for i, s in enumerate(out.shape) if i not in axes))


def _keep(y, shape, axes, keepdim):
    """A saved reduced output back in keepdims layout (backward side of ``_drop``)."""
    return y if keepdim else y.reshape(_kshape(shape, axes))


def _expand_back(g, shape, axes, keepdim, ns):
    """Broadcast a reduced gradient back over the reduced axes."""
    if not keepdim:
        g = g.reshape(_kshape(shape, axes))
    return ns.broadcast_to(g, shape)


class Sum(Op):
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...], keepdim: bool,
                dtype: NPDType | type | None) -> Array:
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        return xp.sum(a, axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim, ns), None, None, None


class SumAll(Sum):
    node_name = "SumBackward0"


class Mean(Op):
    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...], keepdim: bool,
                dtype: NPDType | type | None) -> Array:
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        n = 1
        for ax in axes:
            n *= a.shape[ax]
        ctx.n = n
        if n == 0:  # torch: NaN, silently (NumPy warns "Mean of empty slice")
            return quiet(_truediv, xp.sum(a, axis=axes, keepdims=keepdim, dtype=dtype), 0)
        return xp.mean(a, axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return _expand_back(g / ctx.n, ctx.shape, ctx.axes, ctx.keepdim, ns), None, None, None


class MeanAll(Mean):
    node_name = "MeanBackward0"


def _grad_dtype(input, dtype):
    """``dtype=`` of a sum-like op: torch refuses an integral/bool result for an input that
    records a graph (rare path: called only with a dtype)."""
    dt = D.to_dtype(dtype)
    arr_dtype = dt.np
    if input._requires_grad and _state.enabled and arr_dtype.kind in "biu":
        raise RuntimeError(f"Autograd not support dtype: {scalar_type_name(arr_dtype)}")
    return dt


def _reduce(cls_all, cls_dim, input, dim, keepdim, dtype, name):
    ndim = input._array.ndim
    axes = wrap_dims(dim, ndim)
    full = dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0)
    cls = cls_all if full and not keepdim else cls_dim
    npd = _grad_dtype(input, dtype).np if dtype is not None else None
    if npd is None and input._array.dtype.kind in "biu" and name == "sum":
        npd = xp.int64  # torch: integral and bool sums are int64 (NumPy: uint64 for uint8)
    return _apply(cls, (input, axes, keepdim, npd), {}, None)


def sum(input: Tensor, dim: Dims | None = None, keepdim: bool = False, *,
        dtype: DType | None = None) -> Tensor:  # noqa: A001
    return _reduce(SumAll, Sum, input, dim, keepdim, dtype, "sum")


class Nansum(Op):
    """sum ignoring NaN; the gradient is zero at the NaN elements."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...], keepdim: bool,
                dtype: NPDType | type | None) -> Array:
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        if a.dtype.kind in "fc":
            ctx.save_for_backward(a)
            return xp.nansum(a, axis=axes, keepdims=keepdim, dtype=dtype)
        return xp.sum(a, axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (a,) = ctx.saved_tensors
        keep = ~_xp.isnan(_arr(a))  # a constant mask
        return _expand_back(g, ctx.shape, ctx.axes, ctx.keepdim, ns) * keep, None, None, None


def nansum(input: Tensor, dim: Dims | None = None, keepdim: bool = False, *,
           dtype: DType | None = None) -> Tensor:
    if input._array.dtype.kind == "c":
        raise RuntimeError("nansum on CPU does not support complex inputs")
    return _reduce(Nansum, Nansum, input, dim, keepdim, dtype, "sum")


def _arr(x):
    return x._array if isinstance(x, Tensor) else x


def _mean_dtype(name, input, dtype):
    """torch's refusal of a mean with a non-floating result dtype."""
    if dtype is None:
        if input._array.dtype.kind not in "fc":
            raise RuntimeError(
                f"{name}(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {_dtype_word(input)}")
    else:
        arr_dtype = D.to_dtype(dtype).np
        if arr_dtype.kind not in "fc":
            raise RuntimeError(
                f"{name}(): could not infer output dtype. Optional dtype must be either a "
                f"floating point or complex dtype. Got: {scalar_type_name(arr_dtype)}")


def mean(input: Tensor, dim: Dims | None = None, keepdim: bool = False, *,
         dtype: DType | None = None) -> Tensor:
    if dtype is not None or input._array.dtype.kind not in "fc":
        _mean_dtype("mean", input, dtype)
    return _reduce(MeanAll, Mean, input, dim, keepdim, dtype, "mean")


def nanmean(input: Tensor, dim: Dims | None = None, keepdim: bool = False, *,
            dtype: DType | None = None) -> Tensor:
    if input._array.dtype.kind not in "fc":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_dtype_word(input)}")
    if input._array.dtype.kind == "c":
        raise RuntimeError("nansum on CPU does not support complex inputs")
    if dtype is not None:
        _mean_dtype("nanmean", input, dtype)
    notnan = (~input.isnan()).sum(dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / notnan


def _dtype_word(t):
    return scalar_type_name(t._array.dtype)


class Prod(Op):
    """prod: d/dx_i = prod_{j != i} x_j, via exclusive cumulative products (zero-safe)."""
    node_name = "ProdBackward1"

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int | None, keepdim: bool) -> Array:
        ctx.save_for_backward(a)
        ctx.axis, ctx.keepdim = axis, keepdim
        if axis is None:
            return xp.prod(a, dtype=a.dtype)
        return xp.prod(a, axis=axis, keepdims=keepdim, dtype=a.dtype)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (a,) = ctx.saved_tensors
        axis = ctx.axis
        if a.ndim == 0:  # prod(dim=0) of a 0-d tensor: the element itself
            return g, None, None
        x = a.reshape(-1) if axis is None else ns.moveaxis(a, axis, -1)
        one = ns.ones_like(x[..., :1])
        left = ns.cumprod(ns.concatenate([one, x[..., :-1]], -1), -1)
        right = ns.flip(ns.cumprod(ns.flip(ns.concatenate([x[..., 1:], one], -1), -1), -1), -1)
        others = left * right
        if axis is None:
            return g * others.reshape(a.shape), None, None
        gk = g if ctx.keepdim else ns.expand_dims(g, axis)
        return gk * ns.moveaxis(others, -1, axis), None, None


class ProdAll(Prod):
    node_name = "ProdBackward0"


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *,
         dtype: DType | None = None) -> Tensor:
    if _ac.on:  # (on torch's autocast float32 list)
        (input,) = _ac.fp32(input)
    if dtype is not None:
        input = input.to(_grad_dtype(input, dtype))
    elif input._array.dtype.kind in "biu":
        input = input.to(D.int64)  # torch: integral and bool products are int64
    if dim is None:
        return _apply(ProdAll, (input, None, False), {}, None)
    return _apply(Prod, (input, wrap_dim(dim, input._array.ndim), keepdim), {}, None)


# ------------------------------------------------------------------------------ max / min


class AmaxAll(Op):
    """max over axes; the gradient is shared evenly among tied maxima (torch's rule)."""
    node_name = "AmaxBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...], keepdim: bool,
                fn: Callable[..., Any]) -> Array:
        out = _drop(fn(a, axis=axes, keepdims=True), axes, keepdim)
        ctx.save_for_backward(a, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace, nan_ties: bool = False) -> Grads:
        a, out = ctx.saved_tensors
        mask = a == _keep(out, a.shape, ctx.axes, ctx.keepdim)
        if nan_ties and _arr(a).dtype.kind in "fc":
            nan = _xp.isnan(_arr(a))
            if nan.any():  # max()/min(): a NaN result's gradient goes evenly to the NaN
                mask = mask | nan  # elements (amax/amin: NaN everywhere, as torch)
        count = ns.sum(mask, axis=ctx.axes, keepdims=True)
        gk = g if ctx.keepdim else g.reshape(_kshape(a.shape, ctx.axes))
        return gk * mask / count, None, None, None


class AminAll(AmaxAll):
    node_name = "AminBackward0"


class MaxAll(AmaxAll):
    node_name = "MaxBackward1"

    @staticmethod  # (the engine passes (ctx, g, ns) only: nan_ties is AmaxAll's own switch)
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:  # type: ignore[override]
        return AmaxAll.backward(ctx, g, ns, True)


class MinAll(AminAll):
    node_name = "MinBackward1"

    @staticmethod  # (the engine passes (ctx, g, ns) only: nan_ties is AmaxAll's own switch)
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:  # type: ignore[override]
        return AmaxAll.backward(ctx, g, ns, True)


class MaxDim(Op):
    """max along a dim -> (values, indices); gradient goes to the index."""
    node_name = "MaxBackward0"
    multi_output = True
    nondiff_outputs = (1,)

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int, keepdim: bool,
                argfn: Callable[..., Any]) -> tuple[Array, ...]:
        if a.ndim == 0:
            ctx.shape = ()
            return a.copy(), xp.zeros((), xp.int64)
        idx = argfn(a, axis=axis, keepdims=True)
        vals = _take_along(a, idx, axis, True)
        ctx.save_for_backward(idx)
        ctx.shape, ctx.axis, ctx.keepdim = a.shape, axis, keepdim
        if not keepdim:
            vals, idx = vals.squeeze(axis), idx.squeeze(axis)
        return vals, idx

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        g = grads[0]
        if ctx.shape == ():
            return g, None, None, None
        (idx,) = ctx.saved_tensors
        if not ctx.keepdim:
            g = ns.expand_dims(g, ctx.axis)
        return ns.scatter_add_along(ctx.shape, idx, g, ctx.axis), None, None, None


class MinDim(MaxDim):
    node_name = "MinBackward0"


def _empty_reduction(name, input, dim, wrapped=False, sep="(): "):
    """torch's errors for a max-like reduction (no identity) of an empty tensor: a full
    reduction, or a reduction over an empty dim (reported as given, or wrapped). Rare path:
    called only when the input has no elements."""
    shape = input._array.shape
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                           "input.numel() == 0. Specify the reduction dim with the 'dim' "
                           "argument.")
    for d in (dim if isinstance(dim, (list, tuple)) else (dim,)):
        w = wrap_dim(d, len(shape))
        if shape[w] == 0:
            raise IndexError(f"{name}{sep}Expected reduction dim {w if wrapped else d} to have "
                             "non-zero size.")


_KIND_WORD = {"b": "bool", "c": "complex"}


def _max_min(input, dim, keepdim, other, full_cls, dim_cls, result, pair_fn, fn, argfn):
    if isinstance(dim, Tensor):  # torch.max(a, b) elementwise
        return pair_fn(input, dim)
    if other is not None:
        return pair_fn(input, other)
    if dim.__class__ is bool or dim.__class__ is float:
        name = "max" if full_cls is MaxAll else "min"
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                        f"{type(dim).__name__}), but expected one of:")
    if input._array.size == 0:
        _empty_reduction("max" if full_cls is MaxAll else "min", input, dim, True)
    if input._array.dtype.kind == "c":
        name = "max" if full_cls is MaxAll else "min"
        if dim is None:
            raise not_implemented(f"{name}_all", input._array.dtype)
        raise RuntimeError(f"{name}(): does not support complex input")
    if dim is None:
        return _apply(full_cls, (input, tuple(range(input._array.ndim)), False, fn), {}, None)
    axis = wrap_dim(dim, input._array.ndim)
    return result(*_apply(dim_cls, (input, axis, keepdim, argfn), {}, None))


def max(input: Tensor, dim: int | Tensor | None = None, keepdim: bool = False, *,
        other: Tensor | None = None) -> Tensor | tuple[Tensor, Tensor]:  # noqa: A001
    from .pointwise import maximum
    return _max_min(input, dim, keepdim, other, MaxAll, MaxDim, MaxResult, maximum, xp.amax,
                    xp.argmax)


def min(input: Tensor, dim: int | Tensor | None = None, keepdim: bool = False, *,
        other: Tensor | None = None) -> Tensor | tuple[Tensor, Tensor]:  # noqa: A001
    from .pointwise import minimum
    return _max_min(input, dim, keepdim, other, MinAll, MinDim, MinResult, minimum, xp.amin,
                    xp.argmin)


def amax(input: Tensor, dim: Dims = (), keepdim: bool = False) -> Tensor:
    if input._array.size == 0:
        _empty_reduction("amax", input, dim)
    if input._array.dtype.kind == "c":
        raise not_implemented("max_values_cpu", input._array.dtype)
    return _apply(AmaxAll, (input, wrap_dims(dim, input._array.ndim), keepdim, xp.amax), {}, None)


def amin(input: Tensor, dim: Dims = (), keepdim: bool = False) -> Tensor:
    if input._array.size == 0:
        _empty_reduction("amin", input, dim)
    if input._array.dtype.kind == "c":
        raise not_implemented("min_values_cpu", input._array.dtype)
    return _apply(AminAll, (input, wrap_dims(dim, input._array.ndim), keepdim, xp.amin), {}, None)


def aminmax(input: Tensor, *, dim: int | None = None,
            keepdim: bool = False) -> tuple[Tensor, Tensor]:
    # (the name torch reports: torch.return_types.aminmax)
    r = AminmaxResult
    if input._array.dtype.kind == "c":
        raise not_implemented("aminmax_cpu", input._array.dtype)
    if input._array.size == 0:
        if dim is None:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        _empty_reduction("aminmax", input, dim, True, ": ")
    d = () if dim is None else dim
    return r(amin(input, d, keepdim), amax(input, d, keepdim))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("argreduce", argmax, (input, dim, keepdim))
        if r is not NotImplemented:
            return r
    a = input._array
    if a.dtype.kind in "bc":
        raise RuntimeError(f"argmax(): does not support {_KIND_WORD[a.dtype.kind]} input")
    if a.size == 0:
        if dim is None:
            raise IndexError("argmax(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        _empty_reduction("argmax", input, dim, True)
    if dim is None:
        r = xp.argmax(a.reshape(-1))
        return wrap(xp.asarray(r).reshape((1,) * a.ndim if keepdim else ()))
    return wrap(xp.argmax(a, axis=wrap_dim(dim, a.ndim), keepdims=keepdim))


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("argreduce", argmin, (input, dim, keepdim))
        if r is not NotImplemented:
            return r
    a = input._array
    if a.dtype.kind in "bc":
        raise RuntimeError(f"argmin(): does not support {_KIND_WORD[a.dtype.kind]} input")
    if a.size == 0:
        if dim is None:
            raise IndexError("argmin(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        _empty_reduction("argmin", input, dim, True)
    if dim is None:
        r = xp.argmin(a.reshape(-1))
        return wrap(xp.asarray(r).reshape((1,) * a.ndim if keepdim else ()))
    return wrap(xp.argmin(a, axis=wrap_dim(dim, a.ndim), keepdims=keepdim))


# ------------------------------------------------------------------------------ var / std / norm


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


class Var(Op):
    """var = sum((x - mean)^2) / (N - c);  d/dx = 2 (x - mean) / (N - c)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...], c: int, keepdim: bool,
                no_dims: bool) -> Array:
        ctx.save_for_backward(a)
        n = 1
        for ax in axes if not no_dims else ():  # (torch's backward counts dim=() as N = 1)
            n *= a.shape[ax]
        ctx.axes, ctx.keepdim, ctx.div = axes, keepdim, builtins.max(n - c, 0)
        return _var_std(xp.var, a, axes, c, keepdim)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (a,) = ctx.saved_tensors
        d = a - ns.mean(a, axis=ctx.axes, keepdims=True)
        gk = g if ctx.keepdim else g.reshape(_kshape(a.shape, ctx.axes))
        return gk * d * (2.0 / ctx.div if ctx.div else float("inf")), None, None, None, None


def _shifted(a, axes):
    """``a`` minus its first element along ``axes`` (var and std do not change): a constant
    slice becomes exact zeros, so its var/std is exactly 0 as torch's Welford sums give (and
    std's gradient there 0, as torch's), where ``mean`` would leave a rounding error."""
    if a.size == 0 or a.dtype.kind not in "fc":
        return a
    first = tuple(slice(0, 1) if i in axes else slice(None) for i in range(a.ndim))
    return a - a[first]


def _var_std(fn, a, axes, c, keepdim):
    """var/std as torch computes them: inf/NaN silently (an inf input, or a correction c >= N,
    where torch divides by max(N - c, 0): NumPy's "Degrees of freedom <= 0" is not torch's)."""
    if math.prod([a.shape[ax] for ax in axes]) > c:
        return quiet(_narrow_or_wide, fn, a, axes, c, keepdim)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Degrees of freedom <= 0", RuntimeWarning)
        return quiet(_narrow_or_wide, fn, a, axes, c, keepdim)


def _narrow_or_wide(fn, a, axes, c, keepdim):
    a0 = _shifted(a, axes)
    out = fn(a0, axis=axes, ddof=c, keepdims=keepdim)
    if a.dtype.itemsize < 8 and not xp.isfinite(out).all():
        out = _wide(fn, a0, axes, c, keepdim)
    return out


def _wide(fn, a, axes, c, keepdim):
    """var/std of a float32/float16 tensor in float64 (torch accumulates in double on CPU: no
    overflow of the squares near the type's max).  Rare path: a non-finite float32 result."""
    return xp.asarray(fn(a, axis=axes, ddof=c, keepdims=keepdim, dtype=xp.float64)).astype(
        a.dtype)


class Std(Op):
    """std = sqrt(var);  d/dx = (x - mean) / ((N - c) std)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...], c: int, keepdim: bool,
                no_dims: bool) -> Array:
        n = 1
        for ax in axes if not no_dims else ():  # (torch's backward counts dim=() as N = 1)
            n *= a.shape[ax]
        out = _drop(_var_std(xp.std, a, axes, c, True), axes, keepdim)
        ctx.save_for_backward(a, out)
        ctx.axes, ctx.keepdim, ctx.div = axes, keepdim, builtins.max(n - c, 0)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, out = ctx.saved_tensors
        out = _keep(out, a.shape, ctx.axes, ctx.keepdim)
        d = a - ns.mean(a, axis=ctx.axes, keepdims=True)
        gk = g if ctx.keepdim else g.reshape(_kshape(a.shape, ctx.axes))
        # torch: zero gradient where std == 0 (a constant slice), not 0/0
        nz = out != 0
        # torch's order: grad / (2 std) (0 where std == 0), times var's 2 (x - mean) / (N - c)
        # (std * (N - c) would overflow for a std near the dtype's max)
        scale = 2.0 / ctx.div if ctx.div else float("inf")
        return gk / (2 * ns.where(nz, out, 1.0)) * nz * scale * d, None, None, None, None


def _var_args(input, dim, unbiased, correction, name="std and var"):
    if isinstance(dim, bool):  # var(unbiased) old signature
        dim, unbiased = None, dim
    if input._array.dtype.kind not in "fc":
        raise RuntimeError(f"{name} only support floating point and complex dtypes")
    return wrap_dims(dim, input._array.ndim), _correction(unbiased, correction)


def var(input: Tensor, dim: Dims | None = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: Number | None = None) -> Tensor:
    axes, c = _var_args(input, dim, unbiased, correction)
    no_dims = dim.__class__ in (tuple, list) and not dim
    return _apply(Var, (input, axes, c, keepdim, no_dims), {}, None)


def std(input: Tensor, dim: Dims | None = None, unbiased: bool | None = None, keepdim: bool = False,
        *, correction: Number | None = None) -> Tensor:
    axes, c = _var_args(input, dim, unbiased, correction)
    no_dims = dim.__class__ in (tuple, list) and not dim
    return _apply(Std, (input, axes, c, keepdim, no_dims), {}, None)


def var_mean(input: Tensor, dim: Dims | None = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: Number | None = None) -> tuple[Tensor, Tensor]:
    _var_args(input, dim, unbiased, correction, "var_mean")
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input: Tensor, dim: Dims | None = None, unbiased: bool | None = None,
             keepdim: bool = False, *, correction: Number | None = None) -> tuple[Tensor, Tensor]:
    _var_args(input, dim, unbiased, correction, "std_mean")
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


class Norm(Op):
    """p-norm: d/dx = x |x|^(p-2) / norm^(p-1)  (p=2: x / norm; 0 where norm == 0)."""
    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, p: float, axes: tuple[int, ...], keepdim: bool) -> Array:
        ax = xp.abs(a)
        if p == 2:  # (|z|**2 for complex z: a * a would be z**2)
            sq = a * a if a.dtype.kind != "c" else ax * ax
            out = xp.sqrt(xp.sum(sq, axis=axes, keepdims=True))
        elif p == xp.inf:
            out = xp.amax(ax, axis=axes, keepdims=True)
        elif p == -xp.inf:
            out = xp.amin(ax, axis=axes, keepdims=True)
        elif p == 0:
            out = xp.sum(a != 0, axis=axes, keepdims=True).astype(ax.dtype)
        elif p == 1:
            out = xp.sum(ax, axis=axes, keepdims=True)
        else:
            out = xp.sum(ax ** p, axis=axes, keepdims=True) ** (1.0 / p)
        out = _drop(out, axes, keepdim)
        ctx.save_for_backward(a, out)
        ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, out = ctx.saved_tensors
        out = _keep(out, a.shape, ctx.axes, ctx.keepdim)
        gk = g if ctx.keepdim else g.reshape(_kshape(a.shape, ctx.axes))
        if ctx.p == 2:  # torch's formula, so that a zero norm has a NaN second derivative
            with xp.errstate(divide="ignore", invalid="ignore"):  # (arrays: where takes 0)
                return a * ns.where(_arr(out) == 0, 0.0, gk / out), None, None, None
        return Norm._grad(ctx, gk, a, out, ns)

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # p = 2: no division by a zero norm (0 there, as the reference's, whose second
        # derivative at a zero norm is NaN, as torch's); equal to the reference elsewhere
        a, out = ctx.saved_tensors
        out = _keep(out, a.shape, ctx.axes, ctx.keepdim)
        gk = g if ctx.keepdim else g.reshape(_kshape(a.shape, ctx.axes))
        if ctx.p == 2:
            safe = ns.where(out == 0, 1.0, out)
            return gk * a / safe * (out != 0), None, None, None
        return Norm._grad(ctx, gk, a, out, ns)

    @staticmethod
    def _grad(ctx, gk, a, out, ns):
        """p != 2 (one formula for both)."""
        p = ctx.p
        if p == 1:
            return gk * ns.sign(a), None, None, None
        if p == 0:  # torch: no gradient (None), not zeros
            return None, None, None, None
        if p in (ns.inf, -ns.inf):
            mask = ns.abs(a) == out
            cnt = ns.sum(mask, axis=ctx.axes, keepdims=True)
            return gk * ns.sign(a) * mask / cnt, None, None, None
        safe = ns.where(out == 0, 1.0, out)
        return (gk * a * ns.abs(a) ** (p - 2) / safe ** (p - 1) * (out != 0), None, None,
                None)


def norm(input: Tensor, p: float | str | None = 'fro', dim: Dims | None = None,
         keepdim: bool = False, dtype: DType | None = None, *, out: Tensor | None = None) -> Tensor:
    if input._array.dtype.kind not in "fc" and p != "nuc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtype_word(input)}")
    if dtype is not None:
        input = input.to(dtype)
    if p == "fro" or p is None:
        if isinstance(dim, (list, tuple)) and len(dim) > 2:
            raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got " +
                               " ".join(str(d) for d in dim))
        p = 2
    if p == "nuc":
        raise NotImplementedError("nuclear norm is not supported by ember")
    if isinstance(dim, int):
        dim = (dim,)
    axes = wrap_dims(dim, input._array.ndim)
    if p in (xp.inf, -xp.inf) and input._array.size == 0:
        _empty_norm(input, p, dim)
    return _apply(Norm, (input, float(p), axes, keepdim), {}, float_cast(input))


def _empty_norm(input, p, dim):
    """torch's errors for the (no identity) inf norms over an empty tensor or dim."""
    word = "inf" if p > 0 else "-inf"
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {word} norm on an empty "
                           "tensor because the operation does not have an identity")
    shape = input._array.shape
    for d in dim:
        if shape[wrap_dim(d, len(shape))] == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {word} norm on the "
                               f"dimension {d}because this dimension is empty and the "
                               "operation does not have an identity")


def vector_norm(x: Tensor, ord: float = 2, dim: Dims | None = None, keepdim: bool = False, *,
                dtype: DType | None = None) -> Tensor:
    return norm(x, ord, dim, keepdim, dtype)


class _NormDim(Norm):
    """at::norm(Tensor, Scalar p, dim, keepdim): NormBackward1 (torch.norm in Python records
    LinalgVectorNormBackward0, the C++ overload pairwise_distance calls does not)."""
    node_name = "NormBackward1"


# ------------------------------------------------------------------------------ softmax family


class Logsumexp(Op):
    """log sum exp, shifted by the max; d/dx = exp(x - out)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...], keepdim: bool) -> Array:
        m = xp.amax(a, axis=axes, keepdims=True, initial=-xp.inf)  # -inf if empty
        m = xp.where(xp.isfinite(m), m, 0)
        # log(0) = -inf (empty or all -inf), silently as torch
        out = _drop(quiet(xp.log, xp.sum(xp.exp(a - m), axis=axes, keepdims=True)) + m, axes,
                    keepdim)
        ctx.save_for_backward(a, out)
        ctx.axes, ctx.keepdim = axes, keepdim
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, out = ctx.saved_tensors
        gk = g if ctx.keepdim else g.reshape(_kshape(a.shape, ctx.axes))
        return gk * ns.exp(a - _keep(out, a.shape, ctx.axes, ctx.keepdim)), None, None


def logsumexp(input: Tensor, dim: int | Sequence[int], keepdim: bool = False) -> Tensor:
    if dim.__class__ in (tuple, list) and not dim and input._array.ndim and input._array.size:
        # torch (2.13) reduces nothing into a 0-d output and refuses the broadcast
        raise RuntimeError("output with shape [] doesn't match the broadcast shape "
                           f"[{', '.join(['1'] * input._array.ndim)}]")
    return _apply(Logsumexp, (input, wrap_dims(dim, input._array.ndim), keepdim), {},
                  float_cast(input))


class Softmax(Op):
    """y = exp(x - max) / sum;  dx = y (g - sum(g y))."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int | None) -> Array:
        if not a.size:  # (no max of an empty row)
            ctx.save_for_backward(a)
            ctx.axis = None
            return a.copy()
        if axis is not None and axis == a.ndim - 1:  # rows: the fast row reductions, in place
            e = a - max_last(a)
            xp.exp(e, out=e)
            e /= sum_last(e)
        else:
            e = xp.exp(a - xp.amax(a, axis=axis, keepdims=True))
            e /= xp.sum(e, axis=axis, keepdims=True)
        ctx.save_for_backward(e)
        ctx.axis = axis
        return e

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (y,) = ctx.saved_tensors
        gy = g * y
        return gy - y * ns.sum(gy, axis=ctx.axis, keepdims=True), None

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # (rows: the fast row sum, in place)
        (y,) = ctx.saved_tensors
        gy = g * y
        if ctx.axis != y.ndim - 1:
            return gy - y * ns.sum(gy, axis=ctx.axis, keepdims=True), None
        t = y * sum_last(gy)
        return ns.subtract(gy, t, out=t), None


class LogSoftmax(Op):
    """y = x - logsumexp(x);  dx = g - exp(y) sum(g)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int | None) -> Array:
        if not a.size:  # (no max of an empty row)
            ctx.save_for_backward(a)
            ctx.axis = None
            return a.copy()
        if axis is not None and axis == a.ndim - 1:
            out = a - max_last(a)
            out -= xp.log(sum_last(xp.exp(out)))
        else:
            s = a - xp.amax(a, axis=axis, keepdims=True)
            out = s - xp.log(xp.sum(xp.exp(s), axis=axis, keepdims=True))
            if out.__class__ is not xp.ndarray:  # (a 0-d input gives a NumPy scalar)
                out = xp.asarray(out)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (y,) = ctx.saved_tensors
        return g - ns.exp(y) * ns.sum(g, axis=ctx.axis, keepdims=True), None

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # (rows: the fast row sum, in place)
        (y,) = ctx.saved_tensors
        if ctx.axis != y.ndim - 1:
            return g - ns.exp(y) * ns.sum(g, axis=ctx.axis, keepdims=True), None
        t = ns.exp(y)
        t *= sum_last(g)
        return ns.subtract(g, t, out=t), None


def _softmax_dim(input, dim):
    if dim is None:
        import warnings
        warnings.warn("Implicit dimension choice for softmax has been deprecated. Change the "
                      "call to include dim=X as an argument.", stacklevel=3)
        nd = input._array.ndim
        dim = 0 if nd in (0, 1, 3) else 1
    axis = wrap_dim(dim, input._array.ndim)  # (a 0-d tensor takes dims 0 and -1 too)
    return axis if input._array.ndim else None


def _softmax_input(input, dim, dtype, name):
    """The input cast to ``dtype`` and the wrapped dim; integer inputs have no kernel."""
    if dtype is not None:
        input = input.to(dtype)
    axis = _softmax_dim(input, dim)
    if input._array.dtype.kind not in "fc" and input._array.size:  # (torch: no kernel runs
        # for no elements, and the empty result keeps the integer dtype)
        last = axis is None or axis == input._array.ndim - 1
        raise not_implemented(f"{name}_lastdim_kernel_impl" if last else f"{name}_kernel_impl",
                              input._array.dtype)
    return input, axis


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: DType | None = None) -> Tensor:
    input, axis = _softmax_input(input, dim, dtype, "softmax")
    if not input._array.size and input._array.dtype.kind not in "fc":
        return input.clone()
    return _apply(Softmax, (input, axis), {}, None)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: DType | None = None) -> Tensor:
    input, axis = _softmax_input(input, dim, dtype, "log_softmax")
    if not input._array.size and input._array.dtype.kind not in "fc":
        return input.clone()
    return _apply(LogSoftmax, (input, axis), {}, None)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: DType | None = None) -> Tensor:
    return softmax(-input, dim, dtype=dtype)


# ------------------------------------------------------------------------------ scans


class Cumsum(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int) -> Array:
        ctx.axis = axis
        return xp.cumsum(a, axis=axis, dtype=a.dtype) if a.ndim else a.copy()

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        ax = ctx.axis
        if g.ndim == 0:
            return g, None
        return ns.flip(ns.cumsum(ns.flip(g, ax), axis=ax), ax), None


class Cumprod(Op):
    """d/dx_i sum_j g_j prod_{k<=j} x_k, evaluated without dividing by x (zero-safe)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int) -> Array:
        out = xp.cumprod(a, axis=axis, dtype=a.dtype) if a.ndim else a.copy()
        ctx.save_for_backward(a, out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, out = ctx.saved_tensors
        ax = ctx.axis
        if a.ndim == 0:
            return g, None
        if not (ns.sum(a == 0) > 0):
            r = ns.flip(ns.cumsum(ns.flip(g * out, ax), axis=ax), ax)
            return r / a, None
        # slow exact path when zeros are present: O(n^2) along the axis
        x = ns.moveaxis(a, ax, -1)
        gg = ns.moveaxis(g, ax, -1)
        n = x.shape[-1]
        cols = []
        for i in range(n):
            acc = 0
            for j in range(i, n):
                parts = [x[..., k:k + 1] for k in range(j + 1) if k != i]
                p = parts[0] if parts else ns.ones_like(x[..., :1])
                for q in parts[1:]:
                    p = p * q
                acc = acc + gg[..., j:j + 1] * p
            cols.append(acc)
        return ns.moveaxis(ns.concatenate(cols, -1), -1, ax), None


def cumsum(input: Tensor, dim: int, *, dtype: DType | None = None) -> Tensor:
    if dtype is not None:
        input = input.to(_grad_dtype(input, dtype))
    elif input._array.dtype.kind in "biu":
        input = input.to(D.int64)
    return _apply(Cumsum, (input, wrap_dim(dim, input._array.ndim)), {}, None)


def cumprod(input: Tensor, dim: int, *, dtype: DType | None = None) -> Tensor:
    if dtype is not None:
        input = input.to(_grad_dtype(input, dtype))
    elif input._array.dtype.kind in "biu":
        input = input.to(D.int64)
    return _apply(Cumprod, (input, wrap_dim(dim, input._array.ndim)), {}, None)


class Cummax(Op):
    """running max -> (values, indices); the gradient goes to each running argmax."""
    multi_output = True
    nondiff_outputs = (1,)

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int) -> tuple[Array, ...]:
        ctx.shape, ctx.axis = a.shape, axis
        if a.ndim == 0:
            idx = xp.zeros((), xp.int64)
            ctx.save_for_backward(idx)
            return a.copy(), idx
        vals = xp.maximum.accumulate(a, axis=axis)
        idx = _cum_arg(a, vals, axis)
        ctx.save_for_backward(idx)
        return vals, idx

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        g = grads[0]
        if ctx.shape == ():
            return g, None
        (idx,) = ctx.saved_tensors
        return ns.scatter_add_along(ctx.shape, idx, g, ctx.axis), None


CummaxResult = _return_type("cummax", ("values", "indices"))


def cummax(input: Tensor, dim: int) -> tuple[Tensor, Tensor]:
    ax = wrap_dim(dim, input._array.ndim)
    return CummaxResult(*_apply(Cummax, (input, ax), {}, None))


def _cum_arg(a, vals, ax):
    n = a.shape[ax]
    pos = xp.arange(n).reshape([-1 if i == ax else 1 for i in range(a.ndim)])
    hit = xp.where(a == vals, pos, -1)
    return xp.maximum.accumulate(hit, axis=ax).astype(xp.int64)


# ------------------------------------------------------------------------------ logical


def all(input: Tensor, dim: Dims | None = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """torch: a bool result, except for uint8 input (uint8 0/1)."""
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("argreduce", all, (input, dim, keepdim))
        if r is not NotImplemented:
            return r
    a = input._array
    r = _no_dims_bool(a, dim)
    if r is None:
        axes = None if dim is None else wrap_dims(dim, a.ndim)
        r = xp.asarray(xp.all(a, axis=axes, keepdims=keepdim))
    return wrap(r.astype(xp.uint8) if a.dtype == xp.uint8 else r)


def any(input: Tensor, dim: Dims | None = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("argreduce", any, (input, dim, keepdim))
        if r is not NotImplemented:
            return r
    a = input._array
    r = _no_dims_bool(a, dim)
    if r is None:
        axes = None if dim is None else wrap_dims(dim, a.ndim)
        r = xp.asarray(xp.any(a, axis=axes, keepdims=keepdim))
    return wrap(r.astype(xp.uint8) if a.dtype == xp.uint8 else r)


def _no_dims_bool(a, dim):
    """all/any over ``dim=()``: torch reduces over no dim (each element's truth), not all."""
    if dim.__class__ in (tuple, list) and len(dim) == 0:
        return a.astype(bool)
    return None


def count_nonzero(input: Tensor, dim: Dims | None = None) -> Tensor:
    if _function._VMAP:  # inside vmap: once over the batch (ember.func)
        r = vmap_call("argreduce", count_nonzero, (input, dim))
        if r is not NotImplemented:
            return r
    axes = None if dim is None else wrap_dims(dim, input._array.ndim)
    return wrap(xp.asarray(xp.count_nonzero(input._array, axis=axes), dtype=xp.int64))


# ------------------------------------------------------------------------------ sorting


class SortOp(Op):
    node_name = "SortBackward0"
    multi_output = True
    nondiff_outputs = (1,)

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int, descending: bool,
                k: int | None) -> tuple[Array, ...]:
        if a.ndim == 0:  # topk of a 0-d tensor (k 0 or 1): the element itself
            ctx.shape = ()
            return a.copy(), xp.zeros((), xp.int64)
        if k is not None and 0 < k < a.shape[axis] and a.dtype.kind == "f" and \
                not xp.isnan(a).any():
            # float topk: partition out the k, then sort only those (torch ranks NaN as the
            # largest value: inputs with NaN take the full sort below)
            key = -a if descending else a
            part = xp.take(xp.argpartition(key, k - 1, axis=axis), xp.arange(k), axis=axis)
            part.sort(axis=axis)  # ties among the k: ascending index, like the full sort
            order = xp.argsort(_take_along(key, part, axis, True), axis=axis, kind="stable")
            idx = _take_along(part, order, axis, True)
            ctx.save_for_backward(idx)
            ctx.shape, ctx.axis = a.shape, axis
            return _take_along(a, idx, axis, True), idx.astype(xp.int64)
        if descending:
            if a.dtype.kind == "b":
                idx = xp.argsort(~a, axis=axis, kind="stable")
            else:
                idx = xp.flip(xp.argsort(xp.flip(a, axis), axis=axis, kind="stable"), axis)
                idx = a.shape[axis] - 1 - idx
        else:
            idx = xp.argsort(a, axis=axis, kind="stable")
        if k is not None:
            idx = xp.take(idx, xp.arange(k), axis=axis)
        ctx.save_for_backward(idx)
        ctx.shape, ctx.axis = a.shape, axis
        return _take_along(a, idx, axis, True), idx.astype(xp.int64)

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        if ctx.shape == ():
            return grads[0], None, None, None
        (idx,) = ctx.saved_tensors
        return ns.scatter_add_along(ctx.shape, idx, grads[0], ctx.axis), None, None, None


class TopkOp(SortOp):
    node_name = "TopkBackward0"


_SORT_OVERLOADS = {
    ("sort", False): (" * (Tensor input, *, bool stable, int dim = -1, bool descending = False, "
                      "tuple of Tensors out = None)\n * (Tensor input, int dim = -1, bool "
                      "descending = False, *, tuple of Tensors out = None)\n"),
    ("argsort", False): (" * (Tensor input, *, bool stable, int dim = -1, bool descending = "
                         "False, Tensor out = None)\n * (Tensor input, int dim = -1, bool "
                         "descending = False)\n"),
    ("sort", True): (" * (*, bool stable, int dim = -1, bool descending = False)\n * (int dim "
                     "= -1, bool descending = False)\n"),
}
_SORT_OVERLOADS["argsort", True] = _SORT_OVERLOADS["sort", True]


def _sort_args(name, args, kwargs, method=False):
    """(dim, descending) of sort/argsort called as torch's two overloads allow: ``(dim=-1,
    descending=False)`` positionally or by keyword, or ``(*, stable, dim, descending)`` with
    ``stable`` given: then dim and descending are keywords only."""
    stable = kwargs.get("stable")
    if (len(args) > 2 or (args and stable is not None)
            or not set(kwargs) <= {"dim", "descending", "stable"}
            or (args and "dim" in kwargs) or (len(args) > 1 and "descending" in kwargs)):
        got = ([] if method else ["Tensor"]) + [type(a).__name__ for a in args] + \
            [f"{k}={type(kwargs[k]).__name__}" for k in  # (torch: in signature order)
             sorted(kwargs, key=("stable", "dim", "descending").index)]
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({', '.join(got)}), but expected one of:\n"
                        + _SORT_OVERLOADS[name, method])
    dim = args[0] if args else kwargs.get("dim", -1)
    descending = args[1] if len(args) > 1 else kwargs.get("descending", False)
    return dim, descending


def sort(input: Tensor, *args: Any, **kwargs: Any) -> tuple[Tensor, Tensor]:
    """torch.sort(input, dim=-1, descending=False) or (input, *, stable, dim=-1,
    descending=False)."""
    dim, descending = _sort_args("sort", args, kwargs) if args or kwargs else (-1, False)
    return _sort(input, dim, descending)


def _sort(input, dim=-1, descending=False):
    if input._array.dtype.kind == "c":
        raise RuntimeError(" Sort does not support complex dtypes on CPU")
    if input._array.ndim == 0:
        return SortResult(input.clone(), wrap(xp.zeros((), xp.int64)))
    ax = wrap_dim(dim, input._array.ndim)
    return SortResult(*_apply(SortOp, (input, ax, descending, None), {}, None))


def argsort(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """torch.argsort(input, dim=-1, descending=False) or (input, *, stable, dim=-1,
    descending=False)."""
    dim, descending = _sort_args("argsort", args, kwargs) if args or kwargs else (-1, False)
    return _sort(input, dim, descending).indices


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> tuple[Tensor, Tensor]:  # noqa: A002
    if input._array.dtype.kind in "bc":
        kind = input._array.dtype.kind  # (torch's complex text starts with a space)
        raise RuntimeError(f"{' ' if kind == 'c' else ''}topk does not support "
                           f"{_KIND_WORD[kind]} dtypes on CPU")
    ax = wrap_dim(dim, input._array.ndim)
    n = input._array.shape[ax] if input._array.ndim else 1
    if k > n:
        raise RuntimeError("selected index k out of range")
    return TopkResult(*_apply(TopkOp, (input, ax, largest, k), {}, None))


def msort(input: Tensor) -> Tensor:
    return _sort(input, 0).values


class MedianAll(Op):
    """median of all elements (the lower one for an even count; NaN if any is NaN); the
    gradient is shared evenly among the elements equal to it, as torch does."""
    node_name = "MedianBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        flat = a.reshape(-1)
        if flat.size == 0:
            out = xp.asarray(xp.nan, a.dtype)
        elif a.dtype.kind == "f" and xp.isnan(flat).any():
            out = xp.asarray(xp.nan, a.dtype)
        else:
            out = xp.asarray(xp.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2])
        if ctx.needs_input_grad:
            mask = (a == out) | (xp.isnan(a) & xp.isnan(out)) if a.dtype.kind == "f" else \
                a == out
            ctx.save_for_backward(mask)
            ctx.count = int(mask.sum())
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (mask,) = ctx.saved_tensors
        return g * mask / ctx.count


def _kth_index(k):
    """``argfn`` for MaxDim-style ops: the index of the k-th smallest along the axis (stable
    order; a NaN, which torch ranks above everything, wins for the median)."""
    def argfn(a, axis, keepdims, nan_wins=False):
        idx = xp.take(xp.argsort(a, axis=axis, kind="stable"), [k(a.shape[axis])], axis=axis)
        if nan_wins and a.dtype.kind == "f":
            nan = xp.isnan(a)
            idx = xp.where(nan.any(axis=axis, keepdims=True),
                           xp.argmax(nan, axis=axis, keepdims=True), idx)
        return idx
    return argfn


class MedianDim(MaxDim):
    node_name = "MedianBackward1"


class KthvalueDim(MaxDim):
    node_name = "KthvalueBackward0"


def _nonempty_dim(name, input, ax):
    if input._array.ndim and input._array.shape[ax] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")


def median(input: Tensor, dim: int | None = None,
           keepdim: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    if input._array.dtype.kind in "bc":
        raise not_implemented("median_cpu" if dim is None else "median_out", input._array.dtype)
    if dim is None:
        return _apply(MedianAll, (input,), {}, None)
    ax = wrap_dim(dim, input._array.ndim)
    _nonempty_dim("median", input, ax)
    fn = _kth_index(lambda n: (n - 1) // 2)

    def argfn(a, axis, keepdims):
        return fn(a, axis, keepdims, True)

    return MedianResult(*_apply(MedianDim, (input, ax, keepdim, argfn), {}, None))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> tuple[Tensor, Tensor]:
    if input._array.dtype.kind == "b":
        raise not_implemented("kthvalue_cpu", input._array.dtype)
    ax = wrap_dim(dim, input._array.ndim)
    _nonempty_dim("kthvalue", input, ax)
    n = input._array.shape[ax] if input._array.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {ax}")
    argfn = _kth_index(lambda n: k - 1)
    return KthResult(*_apply(KthvalueDim, (input, ax, keepdim, argfn), {}, None))
