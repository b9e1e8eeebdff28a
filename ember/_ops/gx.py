"""ember's NumPy-named namespace over Tensors.

Under ``create_graph=True`` the engine hands backward formulas this module as ``xp``: each name
does what NumPy's does, but on Tensors and through differentiable ops, so the gradient it
computes has a graph of its own (higher-order gradients).  Only the names that backward formulas
use live here; ``gradgradcheck`` over the op table keeps the list honest.
"""
from __future__ import annotations

from .. import _dtype as D
from .._backend import _sum_to, xp
from ..autograd.function import Op, _apply
from . import linalg as _la
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh
from ._utils import wrap

graph = True
newaxis = None
inf = float("inf")


def _t(x):
    from .._tensor import Tensor
    return x if isinstance(x, Tensor) else wrap(xp.asarray(x))


def sum(a, axis=None, keepdims=False, dtype=None):  # noqa: A001
    return _red.sum(_t(a), axis, keepdims)


def mean(a, axis=None, keepdims=False):
    return _red.mean(_t(a), axis, keepdims)


def broadcast_to(a, shape):
    return _sh.expand(_t(a), tuple(shape))


def swapaxes(a, d0, d1):
    return _sh.transpose(a, d0, d1)


def transpose(a, axes=None):
    if axes is None:
        axes = tuple(range(a.ndim - 1, -1, -1))
    return _sh.permute(a, *axes)


def moveaxis(a, source, destination):
    return _sh.movedim(a, source, destination)


def expand_dims(a, axis):
    return _sh.unsqueeze(a, axis)


def reshape(a, shape):
    return _sh.reshape(a, shape)


def matmul(a, b):
    return _la.matmul(_t(a), _t(b))


def einsum(eq, *ops, optimize=False):
    return _la.einsum(eq, *[_t(o) for o in ops])


def where(cond, x, y):
    return _pw.where(cond, x, y)


def zeros_like(a, dtype=None):
    return _t(a) * 0


def ones_like(a, dtype=None):
    return _t(a) * 0 + 1


def flip(a, axis):
    return _sh.flip(a, axis)


def roll(a, shift, axis):
    return _sh.roll(a, shift, axis)


def cumsum(a, axis):
    return _red.cumsum(a, axis)


def cumprod(a, axis):
    return _red.cumprod(a, axis)


def concatenate(arrays, axis=0):
    return _sh.cat([_t(a) for a in arrays], axis)


def stack(arrays, axis=0):
    return _sh.stack([_t(a) for a in arrays], axis)


def tril(a, k=0):
    return _sh.tril(a, k)


def triu(a, k=0):
    return _sh.triu(a, k)


def diag(a, k=0):
    return _sh.diag(a, k)


def take_along_axis(a, idx, axis):
    from .indexing import gather
    return gather(a, axis, wrap(idx) if not hasattr(idx, "_array") else idx)


def astype(a, dtype):
    return a.to(D.from_numpy_dtype(dtype))


def pad(a, pad_width):
    a = _t(a)
    for axis, (lo, hi) in enumerate(pad_width):
        parts = []
        if lo:
            parts.append(wrap(xp.zeros(a.shape[:axis] + (lo,) + a.shape[axis + 1:],
                                       a._array.dtype)))
        parts.append(a)
        if hi:
            parts.append(wrap(xp.zeros(a.shape[:axis] + (hi,) + a.shape[axis + 1:],
                                       a._array.dtype)))
        if len(parts) > 1:
            a = _sh.cat(parts, axis)
    return a


def sum_to(g, shape):
    import sys
    return _sum_to(g, shape, sys.modules[__name__])


for _name in ("exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "abs", "sign",
              "floor", "ceil", "trunc", "log1p", "expm1", "square", "reciprocal"):
    globals()[_name] = getattr(_pw, _name)
maximum, minimum = _pw._maximum, _pw._minimum  # NumPy's: a number is allowed
arcsin, arccos, arctan = _pw.asin, _pw.acos, _pw.atan


def isnan(a):
    return _pw.isnan(a)


# ------------------------------------------------------------------------------ scatter helpers


class PutAt(Op):
    """zeros(shape) with g written at a basic index; backward reads the index back."""
    node_name = "SliceBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, idx):
        ctx.idx = idx
        out = xp.zeros(shape, g.dtype)
        out[idx] = g
        return out

    @staticmethod
    def backward(ctx, gg, xp):
        return gg[ctx.idx], None, None


class AddAt(Op):
    """zeros(shape) with g added at an advanced index; backward gathers."""
    node_name = "IndexBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, idx, dtype):
        ctx.idx = idx
        out = xp.zeros(shape, g.dtype if dtype is None else dtype)
        xp.add.at(out, idx, g)
        return out

    @staticmethod
    def backward(ctx, gg, xp):
        return gg[ctx.idx], None, None, None


class ScatterAddAlong(Op):
    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, g, shape, idx, axis):
        from .._backend import _scatter_add_along
        ctx.save_for_backward(idx)
        ctx.axis = axis
        return _scatter_add_along(shape, idx, g, axis)

    @staticmethod
    def backward(ctx, gg, xp):
        (idx,) = ctx.saved_tensors
        return xp.take_along_axis(gg, idx, ctx.axis), None, None, None


def put_at(shape, idx, g):
    return _apply(PutAt, (_t(g), tuple(shape), idx), {}, None)


def add_at(shape, idx, g, dtype=None):
    return _apply(AddAt, (_t(g), tuple(shape), idx, dtype), {}, None)


def scatter_add_along(shape, idx, g, axis):
    idx = idx._array if hasattr(idx, "_array") else idx
    return _apply(ScatterAddAlong, (_t(g), tuple(shape), idx, axis), {}, None)
