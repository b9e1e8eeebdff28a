"""ember's NumPy-named namespace over Tensors.

Under ``create_graph=True`` the engine hands backward formulas this module as ``ns``: each name
does what NumPy's does, but on Tensors and through differentiable ops, so the gradient it
computes has a graph of its own (higher-order gradients).  Only the names that backward formulas
use live here; ``gradgradcheck`` over the op table keeps the list honest.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _dtype as D
from .._backend import _sum_to, xp
from ..autograd.function import Op, _apply
from . import linalg as _la
from . import comparison as _cmp
from . import pointwise as _pw
from . import reduction as _red
from . import shape as _sh
from ._utils import wrap

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence
    from typing import Any
    from types import EllipsisType
    from .._tensor import Tensor

    from ._types import Array, Ctx, Dims, Grads, NPDType, Namespace, Number, Size, Value

graph = True
newaxis = None
inf = float("inf")


def _t(x):
    from .._tensor import Tensor
    return x if isinstance(x, Tensor) else wrap(xp.asarray(x))


def sum(a: Value, axis: Dims | None = None, keepdims: bool = False,
        dtype: NPDType | None = None) -> Tensor:  # noqa: A001
    return _red.sum(_t(a), axis, keepdims)


def mean(a: Value, axis: Dims | None = None, keepdims: bool = False) -> Tensor:
    return _red.mean(_t(a), axis, keepdims)


def broadcast_to(a: Value, shape: Size) -> Tensor:
    return _sh.expand(_t(a), tuple(shape))


def swapaxes(a: Tensor, d0: int, d1: int) -> Tensor:
    return _sh.transpose(a, d0, d1)


def transpose(a: Tensor, axes: Sequence[int] | None = None) -> Tensor:
    if axes is None:
        axes = tuple(range(a.ndim - 1, -1, -1))
    return _sh.permute(a, *axes)


def moveaxis(a: Tensor, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    return _sh.movedim(a, source, destination)


def expand_dims(a: Tensor, axis: int) -> Tensor:
    return _sh.unsqueeze(a, axis)


def squeeze(a: Tensor, axis: int | Sequence[int] | None = None) -> Tensor:
    return _sh.squeeze(a, axis)


def reshape(a: Tensor, shape: int | Size) -> Tensor:
    return _sh.reshape(a, shape)


def matmul(a: Value, b: Value) -> Tensor:
    return _la.matmul(_t(a), _t(b))


def einsum(eq: str, *ops: Value, optimize: bool = False) -> Tensor:
    return _la.einsum(eq, *[_t(o) for o in ops])


def where(cond: Tensor, x: Tensor | Number, y: Tensor | Number) -> Tensor:
    return _pw.where(cond, x, y)


def zeros_like(a: Value, dtype: NPDType | None = None) -> Tensor:
    return _t(a) * 0


def ones_like(a: Value, dtype: NPDType | None = None) -> Tensor:
    return _t(a) * 0 + 1


def flip(a: Tensor, axis: int | Size) -> Tensor:
    return _sh.flip(a, axis)


def roll(a: Tensor, shift: int | Sequence[int], axis: int | Sequence[int] | None) -> Tensor:
    return _sh.roll(a, shift, axis)


def cumsum(a: Tensor, axis: int) -> Tensor:
    return _red.cumsum(a, axis)


def cumprod(a: Tensor, axis: int) -> Tensor:
    return _red.cumprod(a, axis)


def concatenate(arrays: Sequence[Value], axis: int = 0) -> Tensor:
    return _sh.cat([_t(a) for a in arrays], axis)


def stack(arrays: Sequence[Value], axis: int = 0) -> Tensor:
    return _sh.stack([_t(a) for a in arrays], axis)


def tril(a: Tensor, k: int = 0) -> Tensor:
    return _sh.tril(a, k)


def triu(a: Tensor, k: int = 0) -> Tensor:
    return _sh.triu(a, k)


def diag(a: Tensor, k: int = 0) -> Tensor:
    return _sh.diag(a, k)


def take_along_axis(a: Tensor, idx: Value, axis: int) -> Tensor:
    from .indexing import gather
    return gather(a, axis, wrap(idx) if not hasattr(idx, "_array") else idx)


def astype(a: Tensor, dtype: NPDType) -> Tensor:
    return a.to(D.from_numpy_dtype(dtype))


def pad(a: Value, pad_width: Sequence[tuple[int, int]]) -> Tensor:
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


def sum_to(g: Tensor, shape: Size) -> Tensor:
    import sys
    return _sum_to(g, shape, sys.modules[__name__])


for _name in ("exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "abs", "sign",
              "floor", "ceil", "trunc", "log1p", "expm1", "square", "reciprocal"):
    globals()[_name] = getattr(_pw, _name)
maximum, minimum = _pw._maximum, _pw._minimum  # NumPy's: a number is allowed
arcsin, arccos, arctan = _pw.asin, _pw.acos, _pw.atan


def isnan(a: Tensor) -> Tensor:
    return _cmp.isnan(a)


def asarray(a: Value) -> Tensor:
    """``a`` as a Tensor (an array becomes a constant: no grad)."""
    return _t(a)


def detach(a: Tensor) -> Tensor:
    """``a`` as a constant: no graph edge (the same array on NumPy's side)."""
    return a.detach()


def apply(cls: type[Op], *args: Any, **kwargs: Any) -> Any:
    """Op ``cls`` on ``args``: a node of its own under create_graph, only its forward on arrays
    (``nx.apply``), so a formula that calls an op reads the same in both namespaces."""
    return _apply(cls, args, kwargs, None)


# ------------------------------------------------------------------------------ scatter helpers


class PutAt(Op):
    """zeros(shape) with g written at a basic index; backward reads the index back."""
    node_name = "SliceBackwardBackward0"

    @staticmethod
    def forward(ctx: Ctx, g: Array, shape: tuple[int, ...],
                idx: tuple[Array | int | slice | EllipsisType | None, ...]) -> Array:
        ctx.idx = idx
        out = xp.zeros(shape, g.dtype)
        out[idx] = g
        return out

    @staticmethod
    def backward(ctx: Ctx, gg: Value, ns: Namespace) -> Grads:
        return gg[ctx.idx], None, None


class AddAt(Op):
    """zeros(shape) with g added at an advanced index; backward gathers."""
    node_name = "IndexBackwardBackward0"

    @staticmethod
    def forward(ctx: Ctx, g: Array, shape: tuple[int, ...], idx: Array | tuple[Array | slice, ...],
                dtype: NPDType | None) -> Array:
        ctx.idx = idx
        out = xp.zeros(shape, g.dtype if dtype is None else dtype)
        xp.add.at(out, idx, g)  # type: ignore[arg-type]  # (NumPy's stubs: any index)
        return out

    @staticmethod
    def backward(ctx: Ctx, gg: Value, ns: Namespace) -> Grads:
        return gg[ctx.idx], None, None, None


class ScatterAddAlong(Op):
    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx: Ctx, g: Array, shape: tuple[int, ...], idx: Array, axis: int) -> Array:
        from .._backend import _scatter_add_along
        ctx.save_for_backward(idx)
        ctx.axis = axis
        return _scatter_add_along(shape, idx, g, axis)

    @staticmethod
    def backward(ctx: Ctx, gg: Value, ns: Namespace) -> Grads:
        (idx,) = ctx.saved_tensors
        return ns.take_along_axis(gg, idx, ctx.axis), None, None, None


def put_at(shape: Size, idx: Any, g: Value) -> Tensor:
    return _apply(PutAt, (_t(g), tuple(shape), idx), {}, None)


def add_at(shape: Size, idx: Any, g: Value, dtype: NPDType | None = None) -> Tensor:
    return _apply(AddAt, (_t(g), tuple(shape), idx, dtype), {}, None)


def scatter_add_along(shape: Size, idx: Value, g: Value, axis: int) -> Tensor:
    idx = idx._array if hasattr(idx, "_array") else idx
    return _apply(ScatterAddAlong, (_t(g), tuple(shape), idx, axis), {}, None)


# ------------------------------------------------------------------------------ connect


class Connect(Op):
    """``r`` unchanged, with a zero-derivative edge to ``src``: the gradient a piecewise-linear
    op's backward computes from masks of its saved input still depends on that input in torch
    (threshold_backward(grad, self), ...), so under create_graph it requires grad and its
    second derivative is 0, not an error."""
    inputs = (0, 1)

    @staticmethod
    def forward(ctx: Ctx, r: Array, src: Array) -> Array:
        ctx.save_for_backward(src)
        return r

    @staticmethod
    def backward(ctx: Ctx, gg: Value, ns: Namespace) -> Grads:
        (src,) = ctx.saved_tensors
        a = getattr(src, "_array", src)  # (zeros, not src * 0: that is NaN at inf/NaN)
        return gg, ns.asarray(xp.zeros(a.shape, a.dtype))


class NoDoubleBackward(Connect):
    """``connect`` for a backward torch has no derivative of: differentiating it raises."""

    @staticmethod
    def backward(ctx: Ctx, gg: Value, ns: Namespace) -> Grads:
        raise RuntimeError(f"derivative for aten::{ctx._op._fn} is not implemented")


_CONNECT: dict[str, type[Op]] = {}


def connect(r: Value, src: Value, name: str = 'ThresholdBackwardBackward0') -> Tensor:
    """``r`` graph-connected to ``src`` with derivative 0 (see Connect); ``name``: the grad_fn
    class name torch's double-backward node has."""
    cls = _CONNECT.get(name)
    if cls is None:
        cls = _CONNECT[name] = type(name[:-len("Backward0")], (Connect,), {"node_name": name})
    return _apply(cls, (_t(r), src), {}, None)


def no_double_backward(r: Value, src: Value, fn: str) -> Tensor:
    """``r`` connected to ``src`` by a node whose backward raises torch's error for the
    backward function ``fn`` (``"hardsigmoid_backward"``) that has no derivative."""
    name = "".join(p.title() for p in fn.split("_")) + "Backward0"
    cls = _CONNECT.get(name)
    if cls is None:
        cls = _CONNECT[name] = type(name[:-len("Backward0")], (NoDoubleBackward,),
                                    {"node_name": name, "_fn": fn})
    return _apply(cls, (_t(r), src), {}, None)


class Cut(Op):
    """``r`` as a constant that still requires grad, with edges to ``srcs`` that carry no
    gradient: torch's double backward of some ops on empty tensors (convolution) is undefined,
    so the second-order gradient of a leaf it reaches only that way is None."""
    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx: Ctx, r: Array, *srcs: Array) -> Array:
        ctx.n = len(srcs)
        return r

    @staticmethod
    def backward(ctx: Ctx, gg: Value, ns: Namespace) -> Grads:
        return (None,) * (ctx.n + 1)


def cut(r: Value, *srcs: Value) -> Tensor:
    return _apply(Cut, (r.detach(),) + tuple(s for s in srcs if s is not None), {}, None)
