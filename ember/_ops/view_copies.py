"""torch's ``*_copy`` functions: each view op's result as a new tensor (``permute_copy``,
``select_copy``, ``split_copy`` ...), generated here from one table of the view functions.

The graph is torch's: one node named after the view's with ``_copy`` appended
(``PermuteBackward0_copy``); ``narrow_copy`` is ``NarrowCopyBackward0``.  All share one op,
:class:`ViewCopy`: its forward runs the view function and copies the result; its backward
runs the same view on the element numbers of the input (``arange(numel)`` in its shape) and
adds the gradient back at those numbers, the adjoint of any view (``expand`` repeats numbers,
so their gradients sum).  ``as_strided_copy`` reads storage, so it has its own subclass of the
view op (``AsStridedBackward0_copy``); ``detach_copy`` has torch's ``NotImplemented`` node.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply
from ..autograd.grad_mode import no_grad
from ._utils import wrap_dim
from .construct import AsStridedView, _storage, as_strided

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence

    from ._types import Array, Ctx, Grads, Namespace, OutGrads, Value


def _run(view: Callable[..., Any], a: Array, args: tuple[Any, ...]) -> Any:
    with no_grad():
        return view(_make(a, False, None, 0, None), *args)


class ViewCopy(Op):
    """``view(input, *args)`` copied; subclasses (one per torch node name) are made by
    :func:`_copy_op`."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, view: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        ctx.view, ctx.args, ctx.shape = view, args, a.shape
        out = _run(view, a, args)
        if isinstance(out, (tuple, list)):
            return tuple(o._array.copy() for o in out)
        return out._array.copy()

    @staticmethod
    def backward(ctx: Ctx, g: Value | OutGrads, ns: Namespace) -> Grads:
        n = math.prod(ctx.shape)
        ids = _run(ctx.view, xp.arange(n, dtype=xp.int64).reshape(ctx.shape), ctx.args)
        if isinstance(ids, (tuple, list)):  # (a multi-output view: one gradient per output)
            pos = xp.concatenate([i._array.reshape(-1) for i in ids])
            flat = ns.concatenate([ns.reshape(gi, (-1,)) for gi in g], axis=0)  # type: ignore[union-attr]
        else:
            pos, flat = ids._array.reshape(-1), ns.reshape(g, (-1,))
        return ns.reshape(ns.add_at((n,), pos, flat), ctx.shape), None, None


def _copy_op(node: str, multi: bool = False) -> type[Op]:
    return type(node.replace("Backward0", "").replace("_copy", "") + "Copy", (ViewCopy,),
                {"node_name": node, "multi_output": multi, "__doc__": ViewCopy.__doc__,
                 "__module__": __name__})


def _slice(input: Tensor, dim: int = 0, start: int | None = None, end: int | None = None,
           step: int = 1) -> Tensor:
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    ax = wrap_dim(dim, input.dim())
    return input[(slice(None),) * ax + (slice(start, end, step),)]


def _narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    return input.narrow(dim, start, length)


def _squeeze(input: Tensor, dim: Any = None) -> Tensor:
    return input.squeeze() if dim is None else input.squeeze(dim)


def _split_sizes(input: Tensor, split_sizes: Sequence[int], dim: int = 0) -> Any:
    return input.split(list(split_sizes), dim)


def _split(input: Tensor, split_size: int, dim: int = 0) -> Any:
    if not isinstance(split_size, int):
        raise TypeError(f"split_copy(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size).__name__}")
    return input.split(split_size, dim)


# name: (the view function, torch's node name, multi-output); the node of squeeze depends on
# its dim argument (SqueezeBackward0/1/2), so it is picked per call
_VIEWS: dict[str, tuple[Callable[..., Any], str, bool]] = {
    "view_copy": (lambda x, size: x.view(size), "ViewBackward0_copy", False),
    "permute_copy": (lambda x, dims: x.permute(dims), "PermuteBackward0_copy", False),
    "expand_copy": (lambda x, size, implicit=False: x.expand(size), "ExpandBackward0_copy",
                    False),
    "select_copy": (lambda x, dim, index: x.select(dim, index), "SelectBackward0_copy", False),
    "slice_copy": (_slice, "SliceBackward0_copy", False),
    "split_copy": (_split, "SplitBackward0_copy", True),
    "split_with_sizes_copy": (_split_sizes, "SplitWithSizesBackward0_copy", True),
    "unsqueeze_copy": (lambda x, dim: x.unsqueeze(dim), "UnsqueezeBackward0_copy", False),
    "t_copy": (lambda x: x.t(), "TBackward0_copy", False),
    "transpose_copy": (lambda x, dim0, dim1: x.transpose(dim0, dim1),
                       "TransposeBackward0_copy", False),
    "unbind_copy": (lambda x, dim=0: x.unbind(dim), "UnbindBackward0_copy", True),
    "unfold_copy": (lambda x, dimension, size, step: x.unfold(dimension, size, step),
                    "UnfoldBackward0_copy", False),
    "diagonal_copy": (lambda x, offset=0, dim1=0, dim2=1: x.diagonal(offset, dim1, dim2),
                      "DiagonalBackward0_copy", False),
    "alias_copy": (lambda x: x.view(x.shape), "AliasBackward0_copy", False),
    "narrow_copy": (_narrow, "NarrowCopyBackward0", False),
}
_OPS = {name: _copy_op(node, multi) for name, (_, node, multi) in _VIEWS.items()}
_SQUEEZE = {k: _copy_op(f"SqueezeBackward{k}_copy") for k in (0, 1, 2)}


def _check(name: str, input: Any) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def _form(name: str) -> Callable[..., Any]:
    view, node, multi = _VIEWS[name]
    op = _OPS[name]

    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        _check(name, input)
        if kwargs:  # (the view functions take them positionally: bind by name here)
            import inspect
            bound = inspect.signature(view).bind(input, *args, **kwargs)
            bound.apply_defaults()
            args = tuple(bound.arguments.values())[1:]
        _run(view, input._array, args)  # the view's own argument checks and errors
        out = _apply(op, (input, view, args), {}, None)
        return tuple(out) if multi else out
    fn.__name__ = fn.__qualname__ = name
    what = node.replace("Backward0_copy", "").replace("Backward0", "").lower()
    fn.__doc__ = (f"A copy of the view ``{what}`` gives (``ember.{name}(input, ...)`` is "
                  f"``input.{what}(...).clone()`` as one op; its node is ``{node}``).")
    fn.__module__ = "ember"
    return fn


for _name in _VIEWS:
    globals()[_name] = _form(_name)


def squeeze_copy(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """A copy of ``input.squeeze(dim)`` (node ``SqueezeBackward0/1/2_copy`` as torch: no dim,
    one dim, several dims)."""
    _check("squeeze_copy", input)
    _squeeze(input.detach(), dim)
    k = 0 if dim is None else 1 if isinstance(dim, int) else 2
    return _apply(_SQUEEZE[k], (input, _squeeze, (dim,)), {}, None)


class AsStridedCopy(AsStridedView):
    """``as_strided`` copied: the view op's backward (it reads storage positions)."""
    is_view = False
    node_name = "AsStridedBackward0_copy"

    @staticmethod
    def forward(ctx: Ctx, a: Array, flat: Array, size: tuple[int, ...],
                stride: tuple[int, ...], off: int, in_off: int) -> Array:
        return AsStridedView.forward(ctx, a, flat, size, stride, off, in_off).copy()


def as_strided_copy(input: Tensor, size: Sequence[int], stride: Sequence[int],
                    storage_offset: int | None = None) -> Tensor:
    """A copy of ``input.as_strided(size, stride, storage_offset)``."""
    _check("as_strided_copy", input)
    as_strided(input.detach(), size, stride, storage_offset)  # (its checks and errors)
    flat, in_off = _storage(input)
    off = in_off if storage_offset is None else int(storage_offset)
    return _apply(AsStridedCopy, (input, flat, tuple(int(s) for s in size),
                                  tuple(int(s) for s in stride), off, in_off), {}, None)


class DetachCopy(Op):
    """torch's ``detach_copy`` keeps ``requires_grad`` with a node whose backward raises."""
    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        return a.copy()

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        raise RuntimeError("derivative for aten::detach_copy is not implemented")


def detach_copy(input: Tensor) -> Tensor:
    """A copy of ``input.detach()`` (as torch, the result still requires grad when ``input``
    does; differentiating through it raises)."""
    _check("detach_copy", input)
    return _apply(DetachCopy, (input,), {}, None)


__all__ = list(_VIEWS) + ["squeeze_copy", "as_strided_copy", "detach_copy"]
TENSOR_METHODS = ["narrow_copy"]
NO_INPLACE = ("narrow_copy",)
