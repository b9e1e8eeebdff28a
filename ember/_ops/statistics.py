"""Statistics and the rarer reductions/scans real programs use: cdist, dist, isin, quantile,
nanquantile, histc, histogram, mode, nanmedian, logcumsumexp, cummin, diff, trapezoid,
cumulative_trapezoid, cov, corrcoef, renorm.

Where torch's graph is a composite of other ops (quantile, diff, trapezoid, cov, corrcoef, the
mm path of cdist) so is ember's, built from the same differentiable ops; where torch has a node
of its own (CdistBackward0, DistBackward0, LogcumsumexpBackward0, CumminBackward0,
ModeBackward0, NanmedianBackward0/1, RenormBackward0) ember has an Op of that name.
"""
from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

from .. import _dtype as D
from .._backend import xp
from .._tensor import Tensor
from ..autograd.function import Op, _apply
from ._utils import not_implemented, quiet, scalar_type_name, wrap, wrap_dim
from . import reduction as _red
from .loss import _DivScalar, _MulScalar
from .reduction import MaxDim, _cum_arg, _return_type

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from typing import Any

    from ._types import Array, Ctx, Grads, Namespace, Number, OutGrads, Value

CumminResult = _return_type("cummin", ("values", "indices"))
ModeResult = _return_type("mode", ("values", "indices"))
NanmedianResult = _return_type("nanmedian", ("values", "indices"))
HistogramResult = _return_type("histogram", ("hist", "bin_edges"))


def _check_tensor(fn: str, x: Any, arg: str = "input", pos: int = 1) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


# ------------------------------------------------------------------------------ scans


class Cummin(Op):
    """running min -> (values, indices); the gradient goes to each running argmin (a NaN, once
    seen, stays the minimum with its own index, as torch)."""
    multi_output = True
    nondiff_outputs = (1,)

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int) -> tuple[Array, ...]:
        ctx.shape, ctx.axis = a.shape, axis
        if a.ndim == 0:
            idx = xp.zeros((), xp.int64)
            ctx.save_for_backward(idx)
            return a.copy(), idx
        vals = xp.fmin.accumulate(a, axis=axis) if a.dtype.kind != "f" else \
            xp.minimum.accumulate(a, axis=axis)
        if a.dtype.kind == "f" and a.size and xp.isnan(a).any():
            n = a.shape[axis]
            pos = xp.arange(n).reshape([-1 if i == axis else 1 for i in range(a.ndim)])
            hit = xp.where((a == vals) | xp.isnan(a), pos, -1)
            first_nan = xp.maximum.accumulate(xp.where(xp.isnan(a), pos, -1), axis=axis)
            idx = xp.where(first_nan >= 0, xp.minimum.accumulate(
                xp.where(xp.isnan(a), pos, n), axis=axis), xp.maximum.accumulate(hit, axis=axis))
            idx = idx.astype(xp.int64)
        else:
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


def cummin(input: Tensor, dim: int) -> tuple[Tensor, Tensor]:
    """Returns the running minimum of ``input`` along ``dim`` and its indices (a named tuple
    ``(values, indices)``)."""
    _check_tensor("cummin", input)
    ax = wrap_dim(dim, input._array.ndim)
    return CumminResult(*_apply(Cummin, (input, ax), {}, None))


def _lcse_array(a: Array, axis: int) -> Array:
    return quiet(xp.logaddexp.accumulate, a, axis)


class Logcumsumexp(Op):
    """log(cumsum(exp(a))) along an axis, computed stably (NumPy's logaddexp.accumulate); the
    backward is torch's (split by the gradient's sign, each part a reversed logcumsumexp)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int) -> Array:
        out = a.copy() if a.ndim == 0 else _lcse_array(a, axis)
        ctx.save_for_backward(a, out)
        ctx.axis, ctx.ndim, ctx.low = axis, a.ndim, float(xp.finfo(a.dtype).min)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, out = ctx.saved_tensors
        if ctx.ndim == 0:
            return g, None
        ax, low = ctx.axis, ctx.low

        def rev(x):
            return ns.flip(ns.apply(Logcumsumexp, ns.flip(x, ax), ax), ax)

        def part(mask):
            return ns.exp(rev(ns.where(mask, log_abs, low) - out) + a)
        log_abs = quiet(ns.log, ns.abs(g))
        return quiet(part, g > 0) - quiet(part, g < 0), None


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """Returns ``log(cumsum(exp(input), dim))``, computed without overflow."""
    _check_tensor("logcumsumexp", input)
    if input._array.dtype.kind not in "fc":
        raise not_implemented("logcumsumexp_out_cpu", input._array.dtype)
    ax = wrap_dim(dim, input._array.ndim)
    return _apply(Logcumsumexp, (input, ax), {}, None)


# ------------------------------------------------------------------------------ mode, nanmedian


def _mode_argfn(a, axis, keepdims):
    """The index torch's mode returns: the most frequent value (the smallest among equally
    frequent ones), at its last position along the axis."""
    m = xp.moveaxis(a, axis, -1)
    lead, n = m.shape[:-1], m.shape[-1]
    rows = m.reshape(-1, n)
    order = xp.argsort(rows, axis=-1, kind="stable")
    s = xp.take_along_axis(rows, order, -1)
    out = xp.empty(rows.shape[0], xp.int64)
    for r in range(rows.shape[0]):
        v = s[r]
        new = xp.ones(n, bool)
        new[1:] = (v[1:] != v[:-1]) & ~(xp.isnan(v[1:]) & xp.isnan(v[:-1])) \
            if v.dtype.kind == "f" else v[1:] != v[:-1]
        starts = xp.flatnonzero(new)
        counts = xp.diff(xp.append(starts, n))
        k = int(xp.argmax(counts))  # the first (smallest) value with the largest count
        out[r] = order[r, starts[k] + counts[k] - 1]  # its last position (stable sort)
    idx = out.reshape(lead + (1,))
    return xp.moveaxis(idx, -1, axis)


class ModeDim(MaxDim):
    node_name = "ModeBackward0"


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> tuple[Tensor, Tensor]:
    """Returns the most frequent value along ``dim`` (the smallest of equally frequent ones)
    and its index (the last position it occurs at), as ``(values, indices)``."""
    _check_tensor("mode", input)
    ax = wrap_dim(dim, input._array.ndim)
    if input._array.ndim and input._array.shape[ax] == 0:
        raise IndexError(f"mode(): Expected reduction dim {ax} to have non-zero size.")
    return ModeResult(*_apply(ModeDim, (input, ax, keepdim, _mode_argfn), {}, None))


class NanmedianAll(Op):
    """the lower median of the non-NaN elements (NaN if all are NaN); the gradient is shared
    evenly among the elements equal to it, as torch's median."""
    node_name = "NanmedianBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        flat = a.reshape(-1)
        if flat.dtype.kind == "f":
            flat = flat[~xp.isnan(flat)]
        if flat.size == 0:
            out = xp.asarray(xp.nan, a.dtype)
        else:
            out = xp.asarray(xp.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2])
        if ctx.needs_input_grad:
            mask = (a == out) | (xp.isnan(a) & xp.isnan(out)) if a.dtype.kind == "f" else \
                a == out
            ctx.save_for_backward(mask)
            ctx.count = max(int(mask.sum()), 1)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (mask,) = ctx.saved_tensors
        return g * mask / ctx.count


class NanmedianDim(MaxDim):
    node_name = "NanmedianBackward1"


def _nanmedian_argfn(a, axis, keepdims):
    idx = xp.argsort(a, axis=axis, kind="stable")  # NaN sorts last
    if a.dtype.kind == "f":
        n_ok = (~xp.isnan(a)).sum(axis=axis, keepdims=True)
        k = xp.maximum(n_ok - 1, 0) // 2
    else:
        k = xp.full(a.shape[:axis] + (1,) + a.shape[axis + 1:], (a.shape[axis] - 1) // 2)
    return xp.take_along_axis(idx, k, axis)


def nanmedian(input: Tensor, dim: int | None = None,
              keepdim: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """median ignoring NaN: of all elements (a tensor), or along ``dim`` as
    ``(values, indices)``; NaN only where every element is NaN."""
    _check_tensor("nanmedian", input)
    if input._array.dtype.kind == "b":
        raise not_implemented("nanmedian_cpu" if dim is None else "nanmedian_out",
                              input._array.dtype)
    if dim is None:
        return _apply(NanmedianAll, (input,), {}, None)
    ax = wrap_dim(dim, input._array.ndim)
    if input._array.ndim and input._array.shape[ax] == 0:
        raise IndexError(f"nanmedian(): Expected reduction dim {ax} to have non-zero size.")
    return NanmedianResult(*_apply(NanmedianDim, (input, ax, keepdim, _nanmedian_argfn), {},
                                   None))


# ------------------------------------------------------------------------------ quantile

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name: str, input: Tensor, q: Any, dim: int | None, keepdim: bool,
              interpolation: str, ignore_nan: bool) -> Tensor:
    _check_tensor(name, input)
    a = input._array
    if a.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    scalar_q = not isinstance(q, Tensor)
    if not scalar_q and q._array.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if a.dtype.kind != "f" or a.dtype == xp.float16:
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if not scalar_q and q._array.dtype != a.dtype:
        raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    qa = xp.asarray(q, a.dtype) if scalar_q else q._array
    if scalar_q:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    elif qa.size and not ((qa >= 0) & (qa <= 1)).all():
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    qa = qa.reshape(-1)
    from .shape import flatten, movedim, unsqueeze
    if dim is None:
        x = flatten(input)
        out_lead: tuple[int, ...] = ()
        if keepdim:
            out_lead = (1,) * a.ndim
        ax = 0
    else:
        ax = wrap_dim(dim, a.ndim)
        x = unsqueeze(input, 0) if a.ndim == 0 else input
        ax = 0 if a.ndim == 0 else ax
        x = movedim(x, ax, -1)
    srt = _red._sort(x, -1).values  # (..., n), NaN last
    sa = srt._array
    n = sa.shape[-1]
    nan = xp.isnan(sa)
    if ignore_nan:
        cnt = (~nan).sum(-1, keepdims=True)
    else:
        cnt = xp.full(sa.shape[:-1] + (1,), n)
    # ranks: (..., nq)
    ranks = qa.astype(xp.float64) * (cnt - 1)
    if ignore_nan:
        ranks = xp.maximum(ranks, 0)
    else:
        ranks = xp.where(nan.any(-1, keepdims=True), n - 1, ranks)
    ranks = ranks.astype(a.dtype)
    if interpolation == "lower":
        ranks = xp.floor(ranks)
    elif interpolation == "higher":
        ranks = xp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = xp.round(ranks)
    below = ranks.astype(xp.int64)
    from .indexing import gather
    from .pointwise import lerp
    vb = gather(srt, -1, wrap(below))
    if interpolation in ("linear", "midpoint"):
        above = xp.ceil(ranks).astype(xp.int64)
        va = gather(srt, -1, wrap(above))
        w = xp.full_like(ranks, 0.5) if interpolation == "midpoint" else ranks - below
        res = lerp(vb, va, wrap(w.astype(a.dtype)))
    else:
        res = vb
    # res: (..., nq); torch ends with in-place unsqueeze/transpose/squeeze (its node names)
    if keepdim:
        if dim is None:
            res = res.reshape(out_lead + (res.shape[-1],))
        elif a.ndim:
            res = res.unsqueeze_(ax)
    if not scalar_q:
        res = res.unsqueeze_(0).transpose_(0, -1)  # (nq, ..., 1)
    return res.squeeze_(-1)


def quantile(input: Tensor, q: float | Tensor, dim: int | None = None, keepdim: bool = False,
             *, interpolation: str = "linear") -> Tensor:
    """The ``q``-th quantiles of ``input`` (all elements, or along ``dim``); ``q`` a number or a
    1-D tensor (its quantiles along a new first dim); NaN where a reduced row has a NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input: Tensor, q: float | Tensor, dim: int | None = None,
                keepdim: bool = False, *, interpolation: str = "linear") -> Tensor:
    """:func:`quantile` ignoring NaN (NaN only where a reduced row is all NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


# ------------------------------------------------------------------------------ distances


def _pnorm_grad(diff, dist, p, ns):
    """d ||diff||_p / d diff (0 where the norm is 0), with ``dist`` broadcast against diff."""
    if p == 0:
        return ns.zeros_like(diff)
    zero = dist == 0
    safe = ns.where(zero, 1.0, dist)
    if p == 1:
        r = ns.sign(diff)
    elif p == 2:
        r = diff / safe
    elif p == math.inf:
        r = ns.sign(diff) * (ns.abs(diff) == dist)
        cnt = ns.sum(ns.abs(diff) == dist, axis=-1, keepdims=True)
        r = r / ns.maximum(cnt, 1) if hasattr(cnt, "_array") else r / xp.maximum(cnt, 1)
        return r
    else:
        ad = ns.abs(diff)
        r = ns.sign(diff) * ad ** (p - 1) / safe ** (p - 1)
    return ns.where(zero, 0.0, r)


def _pnorm(diff: Array, p: float) -> Array:
    ad = xp.abs(diff)
    if p == 0:
        return (ad != 0).sum(-1).astype(diff.dtype)
    if p == 1:
        return ad.sum(-1)
    if p == 2:
        return xp.sqrt((ad * ad).sum(-1))
    if p == math.inf:
        return ad.max(-1) if ad.shape[-1] else xp.zeros(ad.shape[:-1], ad.dtype)
    return quiet(lambda: (ad ** p).sum(-1) ** (1.0 / p))


class Cdist(Op):
    """p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M)."""

    @staticmethod
    def forward(ctx: Ctx, x1: Array, x2: Array, p: float) -> Array:
        ctx.p = p
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        out = _pnorm(diff, p)
        ctx.save_for_backward(x1, x2, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        x1, x2, out = ctx.saved_tensors
        diff = ns.expand_dims(x1, -2) - ns.expand_dims(x2, -3)
        gd = _pnorm_grad(diff, ns.expand_dims(out, -1), ctx.p, ns) * ns.expand_dims(g, -1)
        return ns.sum(gd, axis=-2), -ns.sum(gd, axis=-3), None


def _euclid_mm(x1: Tensor, x2: Tensor) -> Tensor:
    """torch's _euclidean_dist: the distances as one matmul of padded operands."""
    from .shape import cat
    from .._creation import ones_like as ones_like_t
    x1n = (x1 * x1).sum(-1, keepdim=True)
    x2n = (x2 * x2).sum(-1, keepdim=True)
    a = cat([x1 * -2, x1n, ones_like_t(x1n)], -1)
    b = cat([x2, ones_like_t(x2n), x2n], -1)
    from .linalg import matmul
    return matmul(a, b.transpose(-1, -2)).clamp_min(0).sqrt()


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """p-norm distance between each pair of rows of ``x1`` (B x P x M) and ``x2`` (B x R x M);
    for p=2 the matrix-multiply form is used when ``compute_mode`` asks for it (or, by default,
    when P or R exceeds 25), as torch."""
    _check_tensor("cdist", x1, "x1")
    _check_tensor("cdist", x2, "x2", 2)
    a, b = x1._array, x2._array
    if a.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {a.ndim}D")
    if b.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {b.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} "
                           f"X2: {b.shape[-1]}")
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        bad = a.dtype if a.dtype.kind != "f" else b.dtype
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: "
                           f"{scalar_type_name(a.dtype if a.dtype.kind != 'f' else bad)}"
                           if a.dtype.kind != "f" else
                           f"cdist only supports floating-point dtypes, X2 got: "
                           f"{scalar_type_name(bad)}")
    if not p >= 0:
        raise RuntimeError("cdist only supports non-negative p values")
    modes = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
             "donot_use_mm_for_euclid_dist")
    if compute_mode not in modes:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    if a.dtype != b.dtype:
        raise RuntimeError(f"cdist: expected both inputs to have same dtype, but x1 has "
                           f"{a.dtype} and x2 has {b.dtype}")
    lead = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    from .shape import expand
    if a.shape[:-2] != lead:
        x1 = expand(x1, lead + a.shape[-2:])
    if b.shape[:-2] != lead:
        x2 = expand(x2, lead + b.shape[-2:])
    P, R = a.shape[-2], b.shape[-2]
    use_mm = p == 2 and (compute_mode == modes[1] or compute_mode == modes[0] and
                         (P > 25 or R > 25))
    if use_mm and P and R and a.shape[-1]:
        return _euclid_mm(x1, x2).reshape(lead + (P, R))
    return _apply(Cdist, (x1, x2, float(p)), {}, None)


class Dist(Op):
    """||a - b||_p of the broadcast difference (a 0-d tensor)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array, p: float) -> Array:
        diff = (a - b).reshape(-1)
        out = xp.asarray(_pnorm(diff, p))
        ctx.save_for_backward(a, b, out)
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, b, out = ctx.saved_tensors
        diff = a - b
        shape = tuple(diff.shape)
        flat = ns.reshape(diff, (1, -1))
        gr = ns.reshape(_pnorm_grad(flat, out, ctx.p, ns), shape) * g
        return gr, -gr, None


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other`` (broadcast)."""
    _check_tensor("dist", input)
    _check_tensor("dist", other, "other", 2)
    dt = D.result_type(input, other)
    if not dt.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {dt.scalar_name}")
    try:
        xp.broadcast_shapes(input._array.shape, other._array.shape)
    except ValueError:
        from ._utils import broadcast_error
        raise broadcast_error(input._array.shape, other._array.shape) from None
    return _apply(Dist, (input, other, float(p)), {}, dt.np)


class Renorm(Op):
    """Each slice along ``dim`` whose p-norm exceeds ``maxnorm`` scaled down to it."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, p: float, axis: int, maxnorm: float) -> Array:
        axes = tuple(i for i in range(a.ndim) if i != axis)
        m = xp.moveaxis(a, axis, 0).reshape(a.shape[axis] if a.ndim else 1, -1)
        n = _pnorm(m, p).reshape([-1 if i == axis else 1 for i in range(a.ndim)])
        ctx.save_for_backward(a, n)
        ctx.args = (p, axes, maxnorm)
        factor = xp.where(n > maxnorm, maxnorm / (n + 1e-7), 1.0).astype(a.dtype)
        return a * factor

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        a, n0 = ctx.saved_tensors
        p, axes, maxnorm = ctx.args
        over = n0 > maxnorm  # (a constant mask; the norm is recomputed to be differentiable)
        ad = ns.abs(a)
        if p == 2:
            n = ns.sqrt(ns.sum(a * a, axis=axes, keepdims=True))
        elif p == 1:
            n = ns.sum(ad, axis=axes, keepdims=True)
        else:
            n = ns.sum(ad ** p, axis=axes, keepdims=True) ** (1.0 / p)
        safe = ns.where(over, n, 1.0)
        denom = safe + 1e-7
        factor = ns.where(over, maxnorm / denom, 1.0)
        if p == 2:
            dn = a / safe
        elif p == 1:
            dn = ns.sign(a)
        else:
            dn = ns.sign(a) * ad ** (p - 1) / safe ** (p - 1)
        s = ns.sum(g * a, axis=axes, keepdims=True)
        corr = ns.where(over, maxnorm / (denom * denom), 0.0) * s * dn
        return g * factor - corr, None, None, None


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """``input`` with each slice along ``dim`` rescaled to p-norm at most ``maxnorm``."""
    _check_tensor("renorm", input)
    if input._array.dtype.kind not in "fc":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {scalar_type_name(input._array.dtype)}")
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    if input._array.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got "
                           f"{input._array.ndim} dimensions")
    ax = wrap_dim(dim, input._array.ndim)
    return _apply(Renorm, (input, float(p), ax, float(maxnorm)), {}, None)


# ------------------------------------------------------------------ membership, histograms


def isin(elements: Tensor | Number, test_elements: Tensor | Number, *,
         assume_unique: bool = False, invert: bool = False) -> Tensor:
    """A bool tensor of ``elements``' shape: True where the element occurs in
    ``test_elements`` (False with ``invert=True``)."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        "expected one of:")
    ea = elements._array if isinstance(elements, Tensor) else xp.asarray(elements)
    ta = test_elements._array if isinstance(test_elements, Tensor) else \
        xp.asarray(test_elements)
    return wrap(xp.isin(ea, ta, assume_unique=assume_unique, invert=invert))


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Histogram of ``input`` in ``bins`` equal bins over [min, max] (the data's range when
    both are 0); elements outside are ignored; the result has ``input``'s dtype."""
    _check_tensor("histc", input)
    a = input._array
    if a.dtype.kind != "f":
        raise not_implemented("histogram_cpu", a.dtype)
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc(): range of [{lo}, {hi}] is not finite")
    flat = a.reshape(-1)
    flat = flat[(flat >= lo) & (flat <= hi)]
    pos = ((flat.astype(xp.float64) - lo) * bins / (hi - lo)).astype(xp.int64)
    pos = xp.minimum(pos, bins - 1)
    return wrap(xp.bincount(pos, minlength=bins).astype(a.dtype))


def histogram(input: Tensor, bins: int | Tensor = 100, *, range: tuple[float, float] | None = None,  # noqa: A002
              weight: Tensor | None = None, density: bool = False) -> tuple[Tensor, Tensor]:
    """``(hist, bin_edges)``: the histogram of ``input``'s values in ``bins`` equal bins over
    ``range`` (the data's) or between the given increasing ``bins`` edges; with ``weight``
    each element counts its weight; ``density`` normalises to a probability density."""
    _check_tensor("histogram", input)
    a = input._array
    if a.dtype.kind != "f":
        raise not_implemented("histogramdd", a.dtype)
    if weight is not None and weight._array.shape != a.shape:
        raise RuntimeError("torch.histogram(): if weight tensor is provided, it should have "
                           "the same shape as the input tensor excluding its innermost "
                           "dimension, but got input with shape " +
                           str(list(a.shape)) + " and weight with shape " +
                           str(list(weight._array.shape)))
    w = None if weight is None else weight._array.reshape(-1)
    flat = a.reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins._array
        if edges.ndim != 1:
            raise RuntimeError(f"torch.histogram(): bins tensor should have one dimension, but "
                               f"got {edges.ndim} dimensions in the bins tensor")
        if edges.dtype != a.dtype:
            raise RuntimeError("torch.histogramdd: input tensor and bins tensors should have the "
                               f"same dtype, but got input with dtype {_c(a.dtype)} and bins "
                               f"for dimension 0 with dtype {_c(edges.dtype)}")
    else:
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               "dimension 0")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
            if lo > hi:
                raise RuntimeError(f"torch.histogram(): min should not exceed max, but got min "
                                   f"{lo} max {hi}")
        elif flat.size:
            lo, hi = float(flat.min()), float(flat.max())
        else:
            lo, hi = 0.0, 0.0
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5  # (torch widens an empty range as NumPy does)
        edges = xp.linspace(lo, hi, bins + 1).astype(a.dtype)
    hist, _ = xp.histogram(flat, bins=edges.astype(xp.float64), weights=w)
    hist = hist.astype(a.dtype)
    if density:
        widths = xp.diff(edges).astype(a.dtype)
        total = hist.sum()
        hist = quiet(lambda: hist / widths / total).astype(a.dtype)
    edges = xp.ascontiguousarray(edges)
    if input._requires_grad and _grad_enabled():  # torch: outputs of a NotImplemented node
        return HistogramResult(*_apply(_HistogramNoGrad, (input, hist, edges), {}, None))
    return HistogramResult(wrap(hist), wrap(edges))


class _HistogramNoGrad(Op):
    """torch's histogram has no derivative: its outputs hang off a node whose backward raises."""
    node_name = "NotImplemented"
    inputs = (0,)
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, hist: Array, edges: Array) -> tuple[Array, Array]:
        return hist, edges

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        raise RuntimeError("derivative for aten::histogram is not implemented")


def _grad_enabled() -> bool:
    from ..autograd.grad_mode import _state
    return bool(_state.enabled)


def _c(npd: Any) -> str:
    from ._utils import cpp_dtype_name
    return cpp_dtype_name(npd)


# ------------------------------------------------------------------------------ diff, trapezoid


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The n-th forward difference along ``dim`` (of ``prepend``, ``input``, ``append``
    concatenated); bool tensors give logical_xor of neighbours."""
    _check_tensor("diff", input)
    a = input._array
    if a.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    ax = wrap_dim(dim, a.ndim)
    from .shape import cat, narrow
    parts = []
    for t in (prepend, input, append):
        if t is None:
            continue
        if not isinstance(t, Tensor):
            t = wrap(xp.asarray(t))
        ta = t._array
        if t is not input:
            if ta.ndim != a.ndim:
                raise RuntimeError("diff expects prepend or append to be the same dimension as "
                                   "input")
            for i in builtins_range(a.ndim):
                if i != ax and ta.shape[i] != a.shape[i]:
                    raise RuntimeError(
                        "diff expects the shape of tensor to prepend or append to match that "
                        "of input except along the differencing dimension; input.size("
                        f"{i}) = {a.shape[i]}, but got tensor.size({i}) = {ta.shape[i]}")
        parts.append(t)
    if n == 0:
        return input
    x = cat(parts, ax) if len(parts) > 1 else input
    for _ in builtins_range(n):
        length = x._array.shape[ax]
        if length <= 1:
            return narrow(x, ax, 0, 0) if length == 1 else x
        hi, lo = narrow(x, ax, 1, length - 1), narrow(x, ax, 0, length - 1)
        if x._array.dtype == xp.bool_:
            from .comparison import logical_xor
            x = logical_xor(hi, lo)
        else:
            x = hi - lo
    return x


builtins_range = range


def _trapezoid_dx(y: Tensor, dx: Number, ax: int) -> Tensor:
    from .shape import select
    n = y._array.shape[ax]
    if n == 0:  # torch: zeros, outside the graph
        return wrap(xp.zeros(y._array.shape[:ax] + y._array.shape[ax + 1:], y._array.dtype))
    return _apply(_MulScalar, (_red.sum(y, ax) - (select(y, ax, 0) + select(y, ax, -1)) * 0.5,),
                  {"s": dx}, None)


def _trap_check(y, x, ax):
    xa = x._array
    if xa.ndim == 1:
        if xa.shape[0] != y._array.shape[ax]:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        return x.reshape(tuple(-1 if i == ax else 1 for i in builtins_range(y._array.ndim)))
    return x


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Number | None = None,
              dim: int = -1) -> Tensor:
    """The trapezoidal rule along ``dim``: spacing ``dx`` (default 1) or sample points ``x``."""
    _check_tensor("trapezoid", y, "y")
    if y._array.dtype.kind == "b":
        raise RuntimeError("trapezoid: received a bool input for `y`, but bool is not "
                           "supported")
    ax = wrap_dim(dim, y._array.ndim)
    if x is None or not isinstance(x, Tensor):
        if x is not None:
            if dx is not None:
                raise invalid_trapz("trapezoid", y, x)
            dx = x
        return _trapezoid_dx(y, 1 if dx is None else dx, ax)
    if dx is not None:
        raise invalid_trapz("trapezoid", y, x)
    if y._array.shape[ax] == 0:
        return _trapezoid_dx(y, 1, ax)
    x = _trap_check(y, x, ax)
    dxs = diff(x, dim=dim)
    from .shape import narrow
    n = y._array.shape[ax]
    s = _red.sum(dxs * (narrow(y, ax, 1, n - 1) + narrow(y, ax, 0, n - 1)), ax)
    return _apply(_DivScalar, (s,), {"s": 2.0}, None)


def invalid_trapz(fn, *args):
    from ._utils import invalid_args
    return invalid_args(fn, *args)


def trapz(y: Tensor, x: Tensor | None = None, *, dx: Number | None = None,
          dim: int = -1) -> Tensor:
    """Alias of :func:`trapezoid`."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: Number | None = None,
                         dim: int = -1) -> Tensor:
    """The running trapezoidal rule along ``dim`` (one element fewer than ``y``)."""
    _check_tensor("cumulative_trapezoid", y, "y")
    if y._array.dtype.kind == "b":
        raise RuntimeError("cumulative_trapezoid: received a bool input for `y`, but bool is "
                           "not supported")
    ax = wrap_dim(dim, y._array.ndim)
    from .shape import narrow
    n = y._array.shape[ax]
    m = builtins_max(n - 1, 0)
    right, left = narrow(y, ax, builtins_min(1, n), m), narrow(y, ax, 0, m)
    if isinstance(x, Tensor):
        if dx is not None:
            raise invalid_trapz("cumulative_trapezoid", y, x)
        x = _trap_check(y, x, ax)
        dxs = diff(x, dim=dim)
        return _red.cumsum((dxs * (left + right)) / 2.0, ax)
    if x is not None:
        dx = x
    dx = 1 if dx is None else dx
    return _red.cumsum(_apply(_MulScalar, (left + right,), {"s": dx / 2.0}, None), ax)


builtins_max, builtins_min = max, min


# ------------------------------------------------------------------------------ cov, corrcoef


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance matrix of the variables in ``input``'s rows (observations in columns),
    with ``correction`` (1: Bessel's) and optional frequency/observation weights."""
    _check_tensor("cov", input)
    a = input._array
    if a.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {a.ndim} dimensions")
    from .shape import unsqueeze
    obs = unsqueeze(input, 0) if a.ndim < 2 else input
    nobs = obs._array.shape[1]
    w = None
    if fweights is not None:
        fa = fweights._array
        if fa.ndim > 1:
            raise RuntimeError(f"cov(): expected fweights to have one or fewer dimensions but "
                               f"got fweights with {fa.ndim} dimensions")
        if fa.dtype.kind not in "iub":
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got "
                               f"fweights with {scalar_type_name(fa.dtype)} dtype")
        if fa.size != nobs:
            raise RuntimeError(f"cov(): expected fweights to have the same numel as there are "
                               f"observations in the input but got {fa.size} != {nobs}")
        if fa.size and fa.min() < 0:
            raise RuntimeError("cov(): fweights cannot be negative")
        w = fweights
    if aweights is not None:
        aa = aweights._array
        if aa.ndim > 1:
            raise RuntimeError(f"cov(): expected aweights to have one or fewer dimensions but "
                               f"got aweights with {aa.ndim} dimensions")
        if aa.dtype.kind != "f":
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {scalar_type_name(aa.dtype)} dtype")
        if aa.size != nobs:
            raise RuntimeError(f"cov(): expected aweights to have the same numel as there are "
                               f"observations in the input but got {aa.size} != {nobs}")
        if aa.size and aa.min() < 0:
            raise RuntimeError("cov(): aweights cannot be negative")
        w = aweights if w is None else w * aweights
    if w is None:
        w_sum: Any = nobs
        avg = _red.sum(obs, 1) / w_sum
    else:
        w_sum = _red.sum(w)
        avg = _red.sum(obs * w, 1) / w_sum
    if w is None:
        norm = w_sum - correction
    elif correction != 0 and aweights is not None:
        norm = w_sum - correction * _red.sum(w * aweights) / w_sum
    else:
        norm = w_sum - correction
    bad = (norm <= 0) if not isinstance(norm, Tensor) else bool((norm <= 0).item())
    if bad:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm = norm * 0 if isinstance(norm, Tensor) else 0
    obs = obs - unsqueeze(avg, 1)
    from .linalg import mm
    c = mm(obs, (obs * w if w is not None else obs).t())
    from .pointwise import true_divide
    from .shape import squeeze
    return squeeze(true_divide(c, norm))


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in ``input``'s rows."""
    _check_tensor("corrcoef", input)
    if input._array.ndim > 2:
        raise RuntimeError(f"corrcoef(): expected input to have two or fewer dimensions but "
                           f"got an input with {input._array.ndim} dimensions")
    c = cov(input)
    if c._array.ndim == 0:
        return c / c
    from .shape import diagonal
    d = diagonal(c)
    sd = d.sqrt()
    c = c / sd.reshape(-1, 1)
    c = c / sd.reshape(1, -1)
    return c.clip(-1, 1)


__all__ = ["cummin", "logcumsumexp", "mode", "nanmedian", "quantile", "nanquantile", "cdist",
           "dist", "renorm", "isin", "histc", "histogram", "diff", "trapezoid", "trapz",
           "cumulative_trapezoid", "cov", "corrcoef"]
TENSOR_METHODS: tuple[str, ...] = (
    "cummin", "cummax", "logcumsumexp", "mode", "nanmedian", "quantile", "nanquantile", "dist",
    "renorm", "histc", "histogram", "diff", "cov", "corrcoef", "nanmean", "aminmax", "kthvalue")
# torch has an in-place form of renorm only (t.renorm_(...)); the others get none
NO_INPLACE = tuple(n for n in TENSOR_METHODS if n != "renorm")
cummax, nanmean, aminmax, kthvalue = _red.cummax, _red.nanmean, _red.aminmax, _red.kthvalue
