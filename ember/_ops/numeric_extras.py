"""``torch.gradient`` (ATen's composite, op for op: slices, a central difference and a
``cat`` of the edge differences, so its graph and rounding are torch's), ``torch.histogramdd``
and ``torch.nonzero_static``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply
from ._utils import wrap_dim
from .loss import _DivScalar, _MulScalar
from .reduction import _return_type

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence

    from ._types import Array, Ctx, Grads, Namespace, OutGrads

HistogramddResult = _return_type("histogramdd", ("hist", "bin_edges"))


def _sl(t: Tensor, dim: int, start: int | None, end: int | None = None) -> Tensor:
    return t[(slice(None),) * dim + (slice(start, end),)]


def _join(center: Tensor, prepend: Tensor, append: Tensor, dim: int) -> Tensor:
    from .shape import cat
    return cat([prepend, center, append], dim)


def _div(t: Tensor, s: Any) -> Tensor:
    """C++'s ``tensor / Scalar`` (DivBackward1) on floating tensors; integer ones promote."""
    if t.is_floating_point():
        return _apply(_DivScalar, (t,), {"s": s}, None)
    return t / s


def _mul(s: Any, t: Tensor) -> Tensor:
    """C++'s ``Scalar * tensor`` (MulBackward1) on floating tensors."""
    if t.is_floating_point():
        return _apply(_MulScalar, (t,), {"s": s}, None)
    return s * t


def _uniform(t: Tensor, d: int, dx: Any, edge_order: int) -> Tensor:
    center = _div(_sl(t, d, 2) - _sl(t, d, 0, -2), dx)
    if edge_order == 1:
        prepend = _div(_sl(t, d, 1, 2) - _sl(t, d, 0, 1), dx)
        append = _div(_sl(t, d, -1) - _sl(t, d, -2, -1), dx)
    else:
        prepend = _div(_mul(-1.5, _sl(t, d, 0, 1)) + _mul(2, _sl(t, d, 1, 2))
                       - _mul(0.5, _sl(t, d, 2, 3)), dx)
        append = _div(_mul(0.5, _sl(t, d, -3, -2)) - _mul(2, _sl(t, d, -2, -1))
                      + _mul(1.5, _sl(t, d, -1)), dx)
    return _join(_div(center, 2), prepend, append, d)


def _coordinates(t: Tensor, d: int, coords: Tensor, edge_order: int) -> Tensor:
    shape = [1] * t.dim()
    shape[d] = -1
    from .statistics import diff
    ax = diff(coords, 1, 0)
    dx1, dx2 = ax[:-1], ax[1:]
    a = (-dx2 / (dx1 * (dx1 + dx2))).reshape(shape)
    b = ((dx2 - dx1) / (dx1 * dx2)).reshape(shape)
    c = (dx1 / (dx2 * (dx1 + dx2))).reshape(shape)
    center = a * _sl(t, d, 0, -2) + b * _sl(t, d, 1, -1) + c * _sl(t, d, 2)
    if edge_order == 1:
        prepend = (_sl(t, d, 1, 2) - _sl(t, d, 0, 1)) / ax[0]
        append = (_sl(t, d, -1) - _sl(t, d, -2, -1)) / ax[-1]
    else:
        a = -(_mul(2.0, ax[0]) + ax[1]) / (ax[0] * (ax[0] + ax[1]))
        b = (ax[0] + ax[1]) / (ax[0] * ax[1])
        c = (-ax[0]) / (ax[1] * (ax[0] + ax[1]))
        prepend = a * _sl(t, d, 0, 1) + b * _sl(t, d, 1, 2) + c * _sl(t, d, 2, 3)
        a = ax[-1] / (ax[-2] * (ax[-1] + ax[-2]))
        b = -(ax[-1] + ax[-2]) / (ax[-1] * ax[-2])
        c = (_mul(2, ax[-1]) + ax[-2]) / (ax[-1] * (ax[-1] + ax[-2]))
        append = a * _sl(t, d, -3, -2) + b * _sl(t, d, -2, -1) + c * _sl(t, d, -1)
    return _join(center, prepend, append, d)


def gradient(input: Tensor, *, spacing: Any = 1, dim: int | Sequence[int] | None = None,
             edge_order: int = 1) -> tuple[Tensor, ...]:
    """The derivative of ``input`` along each of ``dim`` (default: every dim) by second-order
    central differences inside and first- or second-order (``edge_order``) one-sided ones at
    the ends; ``spacing`` is one step for all dims, one per dim, or one coordinate tensor per
    dim.  One tensor per dim, in a tuple."""
    nd = input.dim()
    dims = list(range(nd)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    dims = [wrap_dim(d, nd) for d in dims]
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            what = ("since dim argument was not given" if dim is None else
                    "since dim argument was given")
            n = f"'self.dim() = {nd}'" if dim is None else f"'dim = {len(dims)}'"
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, "
                               f"or a list of length equal to {n}, {what}, but got a list of "
                               f"length {len(spacing)}")
        steps = list(spacing)
    else:
        steps = [spacing] * len(dims)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    out = []
    for d, s in zip(dims, steps):
        if isinstance(s, Tensor) and s.dim() == 1:
            if s.shape[0] != input.shape[d]:
                raise RuntimeError(f"torch.gradient expected each tensor to be on the same "
                                   f"device and to have the same size as the dimension "
                                   f"{d} of the input, but got size {s.shape[0]}")
            out.append(_coordinates(input, d, s, edge_order))
        else:
            out.append(_uniform(input, d, s.item() if isinstance(s, Tensor) else s, edge_order))
    return tuple(out)


def histogramdd(input: Tensor, bins: int | Sequence[int] | Sequence[Tensor] = 10,
                range: Sequence[float] | None = None,  # noqa: A002 - torch's name
                weight: Tensor | None = None,
                density: bool = False) -> tuple[Tensor, tuple[Tensor, ...]]:
    """The D-dimensional histogram of the points ``input`` (..., D): ``(hist, bin_edges)``,
    ``bins`` a count for every dim, a count per dim or the edges per dim; ``range`` the
    flat bounds ``[min0, max0, min1, max1, ...]`` (default: the data's); ``weight`` per
    point; ``density`` normalises to a probability density."""
    from ._utils import not_implemented
    a = input._array
    if a.dtype.kind != "f":
        raise not_implemented("histogramdd", a.dtype)
    if a.ndim < 2:
        raise RuntimeError(f"torch.histogramdd: input tensor should have at least 2 dimensions, "
                           f"but got {a.ndim}")
    D = a.shape[-1]
    pts = a.reshape(-1, D)
    w = None
    if weight is not None:
        if tuple(weight.shape) != a.shape[:-1]:
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should "
                               f"have the same shape as the input tensor excluding its "
                               f"innermost dimension, but got input with shape "
                               f"{list(a.shape)} and weight with shape {list(weight.shape)}")
        w = weight._array.reshape(-1)
    per: list[Any] = [bins] * D if isinstance(bins, int) else list(bins)
    if len(per) != D:
        raise RuntimeError(f"torch.histogramdd: expected {D} sequences of bin edges for each of "
                           f"the {D} dimensions of the input, but got {len(per)}")
    edges = []
    given = all(isinstance(b, Tensor) for b in per)
    for i, b in enumerate(per):
        if isinstance(b, Tensor):
            edges.append(b._array.astype(a.dtype))
            continue
        b = int(b)
        if b <= 0:
            raise RuntimeError(f"torch.histogramdd(): bins must be > 0, but got {b} for "
                               f"dimension {i}")
        if range is not None:
            lo, hi = float(range[2 * i]), float(range[2 * i + 1])
            if lo > hi:
                raise RuntimeError(f"torch.histogramdd(): min should not exceed max, but got "
                                   f"min {lo} max {hi}")
        elif pts.shape[0]:
            lo, hi = float(pts[:, i].min()), float(pts[:, i].max())
        else:
            lo, hi = 0.0, 1.0
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges.append(xp.linspace(lo, hi, b + 1).astype(a.dtype))
    hist, _ = xp.histogramdd(pts, bins=edges, weights=w)
    hist = hist.astype(a.dtype)
    if density:
        total = hist.sum()
        for i, e in enumerate(edges):
            shape = [1] * D
            shape[i] = -1
            hist = hist / xp.diff(e).reshape(shape)
        hist = (hist / total).astype(a.dtype)
    hist = xp.ascontiguousarray(hist)
    from ..autograd.grad_mode import _state
    srcs = [t for t in (input, weight) if t is not None and t.requires_grad]
    if srcs and _state.enabled:  # torch: outputs of a NotImplemented node
        kernel = "_histogramdd_from_bin_tensors" if given else "_histogramdd_from_bin_cts"
        outs = _apply(_HistogramddNoGrad, (srcs[0], kernel, hist, *edges), {}, None)
        if given:  # (edges given as tensors come back as those tensors)
            return HistogramddResult(outs[0], tuple(per))
        return HistogramddResult(outs[0], tuple(outs[1:]))
    return HistogramddResult(_make(hist, False, None, 0, None),
                             tuple(per) if given else
                             tuple(_make(e, False, None, 0, None) for e in edges))


class _HistogramddNoGrad(Op):
    """torch's histogramdd has no derivative: its outputs hang off a node whose backward
    raises."""
    node_name = "NotImplemented"
    inputs = (0,)
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, kernel: str, *outs: Array) -> tuple[Array, ...]:
        ctx.kernel = kernel
        return outs

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        raise RuntimeError(f"derivative for aten::{ctx.kernel} is not implemented")


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:
    """``nonzero(input)`` as exactly ``size`` rows: cut, or padded with ``fill_value``."""
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, but got "
                           f"size: {size}")
    a = input._array
    idx = xp.argwhere(a)
    out = xp.full((size, a.ndim), fill_value, xp.int64)
    k = min(size, idx.shape[0])
    out[:k] = idx[:k]
    return _make(out, False, None, 0, None)


__all__ = ["gradient", "histogramdd", "nonzero_static"]
TENSOR_METHODS = ["nonzero_static"]
NO_INPLACE = ("nonzero_static",)
