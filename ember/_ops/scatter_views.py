"""The scatter/split family and Tensor methods torch has over ember's existing ops.

- ``diagonal_scatter``, ``select_scatter``, ``slice_scatter``, ``as_strided_scatter``: a copy
  of ``input`` with ``src`` written where the view would read; one op (:class:`ViewScatter`)
  whose backward finds those places by running the view on the element numbers (as
  ``view_copies.ViewCopy``): ``input`` gets the gradient with them zeroed, ``src`` the
  gradient read there.
- ``split_with_sizes``, ``unsafe_chunk``/``unsafe_split``/``unsafe_split_with_sizes`` (pieces
  sharing memory that autograd does not count as views), ``hsplit``/``vsplit``/``dsplit``.
- Tensor methods of functions ember already has (``addmv``, ``bitwise_and``, ``kron`` ...),
  ``igamma``/``igammac`` (``special.gammainc``/``gammaincc``), the device predicates
  (``is_cpu`` and the other backends' ``is_*``), ``is_same_size``, ``is_signed``,
  ``sum_to_size``, ``addr``, ``get_device``, ``unravel_index``.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply
from ._utils import shape_str, wrap_dim
from .view_copies import _run, _slice

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence

    from ._types import Array, Ctx, Grads, Namespace, OutGrads, Value


# ------------------------------------------------------------------------------- scatters


def _places(view: Callable[..., Any], shape: tuple[int, ...], args: tuple[Any, ...]) -> Array:
    n = math.prod(shape)
    return _run(view, xp.arange(n, dtype=xp.int64).reshape(shape), args)._array


class ViewScatter(Op):
    """``input`` copied with ``src`` written into ``view(copy, *args)``."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, src: Array, view: Callable[..., Any],
                args: tuple[Any, ...]) -> Array:
        out = a.copy()
        _run(view, out, args)._array[...] = src
        ctx.view, ctx.args, ctx.shape = view, args, a.shape
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        pos = _places(ctx.view, ctx.shape, ctx.args)
        mask = xp.zeros(math.prod(ctx.shape), bool)
        mask[pos.reshape(-1)] = True
        ga = ns.where(mask.reshape(ctx.shape), 0.0, g) if ctx.needs_input_grad[0] else None
        gs = ns.reshape(g, (-1,))[pos] if ctx.needs_input_grad[1] else None
        return ga, gs, None, None


class DiagonalScatter(ViewScatter):
    pass


class SelectScatter(ViewScatter):
    pass


class SliceScatter(ViewScatter):
    pass


class AsStridedScatter(ViewScatter):
    pass


def _scatter(cls: type[Op], input: Tensor, src: Tensor, view: Callable[..., Any],
             args: tuple[Any, ...]) -> Tensor:
    for i, t in enumerate((input, src)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{cls.__name__.replace('Scatter', '_scatter').lower()}(): "
                            f"argument '{('input', 'src')[i]}' (position {i + 1}) must be "
                            f"Tensor, not {type(t).__name__}")
    sl = _run(view, input._array, args)
    if tuple(sl.shape) != tuple(src.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {shape_str(src.shape)}, slice size = {shape_str(sl.shape)}")
    if src.dtype != input.dtype:
        src = src.to(input.dtype)
    return _apply(cls, (input, src, view, args), {}, None)


def _diag_view(x: Tensor, offset: int, dim1: int, dim2: int) -> Tensor:
    return x.diagonal(offset, dim1, dim2)


def _select_view(x: Tensor, dim: int, index: int) -> Tensor:
    return x.select(dim, index)


def _strided_view(x: Tensor, size: Sequence[int], stride: Sequence[int],
                  offset: int | None) -> Tensor:
    from .construct import as_strided
    return as_strided(x, size, stride, offset)


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Tensor:
    """A copy of ``input`` with ``src`` on the diagonal ``input.diagonal(offset, dim1, dim2)``
    reads."""
    return _scatter(DiagonalScatter, input, src, _diag_view, (offset, dim1, dim2))


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``src`` at ``input.select(dim, index)``."""
    return _scatter(SelectScatter, input, src, _select_view, (dim, index))


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    """A copy of ``input`` with ``src`` at the slice ``start:end:step`` of ``dim``."""
    return _scatter(SliceScatter, input, src, _slice, (dim, start, end, step))


def as_strided_scatter(input: Tensor, src: Tensor, size: Sequence[int], stride: Sequence[int],
                       storage_offset: int | None = None) -> Tensor:
    """A copy of ``input`` with ``src`` where ``input.as_strided(size, stride,
    storage_offset)`` reads (``input`` taken as contiguous).  The gradient of ``input`` is the
    output's with those places zeroed (torch 2.13's formula gives another, which fails its own
    gradcheck)."""
    return _scatter(AsStridedScatter, input.contiguous(), src, _strided_view,
                    (tuple(size), tuple(stride), storage_offset))


# --------------------------------------------------------------------------------- splits


def split_with_sizes(input: Tensor, split_sizes: Sequence[int],
                     dim: int = 0) -> tuple[Tensor, ...]:
    """Views of ``input`` of the given sizes along ``dim`` (they must sum to its size)."""
    return tuple(input.split(list(split_sizes), dim))


class UnsafeSplitSizes(Op):
    """Pieces of the given sizes along ``dim`` that share the input's memory but are not
    views of it for autograd (torch's ``unsafe_split``, as its RNN cells use)."""
    node_name = "UnsafeSplitBackward0"
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, sizes: tuple[int, ...], dim: int) -> tuple[Array, ...]:
        ctx.dim = dim
        bounds = [sum(sizes[:i]) for i in range(1, len(sizes))]
        return tuple(xp.split(a, bounds, axis=dim))

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        return ns.concatenate(list(grads), axis=ctx.dim), None, None


class UnsafeSplitWithSizes(UnsafeSplitSizes):
    node_name = "UnsafeSplitWithSizesBackward0"


def _unsafe(cls: type[Op], input: Tensor, sizes: Sequence[int], dim: int) -> tuple[Tensor, ...]:
    return tuple(_apply(cls, (input, tuple(sizes), dim), {}, None))


def _split_sizes(input: Tensor, split_size: int, dim: int) -> tuple[list[int], int]:
    """split's piece sizes (its checks and errors: run on a no-grad alias)."""
    ax = wrap_dim(dim, input.dim())
    pieces = _make(input._array, False, None, 0, None).split(split_size, ax)
    return [p.shape[ax] for p in pieces], ax


def unsafe_split(input: Tensor, split_size: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``split`` whose pieces autograd does not treat as views (in-place ops on them are
    recorded on their own nodes)."""
    sizes, ax = _split_sizes(input, split_size, dim)
    return _unsafe(UnsafeSplitSizes, input, sizes, ax)


def unsafe_split_with_sizes(input: Tensor, split_sizes: Sequence[int],
                            dim: int = 0) -> tuple[Tensor, ...]:
    """``split_with_sizes`` whose pieces autograd does not treat as views."""
    sizes, ax = _split_sizes(input, list(split_sizes), dim)  # type: ignore[arg-type]
    return _unsafe(UnsafeSplitWithSizes, input, sizes, ax)


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``chunk`` whose pieces autograd does not treat as views."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    ax = wrap_dim(dim, input.dim())
    n = input.shape[ax]
    return unsafe_split(input, -(-n // chunks) if n else 1, ax) if n else \
        _unsafe(UnsafeSplitSizes, input, [0] * chunks, ax)


def _nsplit(name: str, input: Tensor, sections: int | Sequence[int], dim: int,
            need: int) -> tuple[Tensor, ...]:
    if input.dim() < need:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {need} dimension, "
                           f"but got a tensor with {input.dim()} dimensions!")
    if isinstance(sections, int):
        n = input.shape[dim]
        if sections == 0 or n % sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but "
                               f"the size of the dimension {n} is not divisible by the "
                               f"split_size {sections}!")
    return tuple(input.tensor_split(sections, dim))


def hsplit(input: Tensor, indices_or_sections: int | Sequence[int]) -> tuple[Tensor, ...]:
    """Splits along dim 1 (dim 0 of a 1-D tensor): equal sections or at indices."""
    return _nsplit("hsplit", input, indices_or_sections, 1 if input.dim() > 1 else 0, 1)


def vsplit(input: Tensor, indices_or_sections: int | Sequence[int]) -> tuple[Tensor, ...]:
    """Splits along dim 0 of a tensor of 2 or more dims."""
    return _nsplit("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input: Tensor, indices_or_sections: int | Sequence[int]) -> tuple[Tensor, ...]:
    """Splits along dim 2 of a tensor of 3 or more dims."""
    return _nsplit("dsplit", input, indices_or_sections, 2, 3)


# ------------------------------------------------------------------------ small predicates


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """True when both tensors have the same shape."""
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input: Tensor) -> bool:
    """True for signed dtypes (all but uint8 and bool)."""
    return input._array.dtype.kind in "ifc"


def get_device(input: Tensor) -> int:
    """The CUDA device index of ``input``; -1 for a CPU tensor (all of ember's)."""
    return -1


def unravel_index(indices: Tensor | int, shape: int | Sequence[int]) -> tuple[Tensor, ...]:
    """The coordinates in ``shape`` of flat ``indices`` (a tuple of int64 tensors)."""
    from .._creation import tensor
    idx = indices if isinstance(indices, Tensor) else tensor(indices)
    if idx._array.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {idx.dtype}")
    shp = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(s < 0 for s in shp):
        raise ValueError("'shape' cannot have negative values, but got " + str(shp))
    n = math.prod(shp)
    a = idx._array.astype(xp.int64)
    if a.size and (a.min() < -n or a.max() >= n):
        raise RuntimeError("'indices' must be in range [-" + str(n) + ", " + str(n - 1) + "]")
    a = xp.where(a < 0, a + n, a)
    return tuple(_make(c.astype(xp.int64), False, None, 0, None)
                 for c in xp.unravel_index(a, shp))


def sum_to_size(input: Tensor, *size: Any) -> Tensor:
    """Sums ``input`` down to ``size`` (which it must be expandable from)."""
    shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size
    cur = tuple(input.shape)
    from .shape import expand_shape
    try:
        expand_shape(shape, cur, input._array.dtype)
    except RuntimeError:
        raise RuntimeError(f"size {{{shape_str(shape)}}} is not expandable to size "
                           f"{{{shape_str(cur)}}}.") from None
    lead = len(cur) - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                      if s == 1 and cur[lead + i] != 1)
    if not dims:
        return input
    out = input.sum(dims, keepdim=True)
    return out.view(shape) if lead else out


class Addr(Op):
    """``beta * input + alpha * outer(vec1, vec2)`` (input broadcast to the outer product)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, v1: Array, v2: Array, beta: Any, alpha: Any) -> Array:
        ctx.save_for_backward(v1, v2)
        ctx.k = (beta, alpha)
        out = xp.outer(v1, v2)
        if alpha != 1:
            out = out * alpha
        if beta == 0:
            return xp.broadcast_to(out, xp.broadcast_shapes(a.shape, out.shape)).copy()
        return out + (a if beta == 1 else a * beta)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        v1, v2 = ctx.saved_tensors
        beta, alpha = ctx.k
        ga = g * beta if beta != 1 else g
        return (ga, ns.matmul(g, v2) * alpha, ns.matmul(ns.swapaxes(g, 0, 1), v1) * alpha,
                None, None)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    for nm, v in (("vec1", vec1), ("vec2", vec2)):
        if v.dim() != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {nm}, but got {v.dim()}-D")
    from .. import promote_types, result_type
    dt = promote_types(result_type(input, vec1), vec2.dtype)
    cast = [t if t.dtype == dt else t.to(dt) for t in (input, vec1, vec2)]
    return _apply(Addr, (*cast, beta, alpha), {}, None)


def igamma(input: Tensor, other: Tensor) -> Tensor:
    """The regularized lower incomplete gamma function (``special.gammainc``)."""
    from ..special import gammainc
    return gammainc(input, other)


def igammac(input: Tensor, other: Tensor) -> Tensor:
    """The regularized upper incomplete gamma function (``special.gammaincc``)."""
    from ..special import gammaincc
    return gammaincc(input, other)


def _alias(name: str) -> Callable[..., Any]:
    import importlib
    fn = getattr(importlib.import_module("ember"), name)
    return fn


def _is_nonzero(self: Tensor) -> bool:
    """True if the single-element tensor is not zero (raises on other sizes)."""
    return bool(self)


def _true(self: Tensor) -> bool:
    """True: ember's tensors are CPU tensors."""
    return True


def _false(self: Tensor) -> bool:
    """False: ember's tensors are dense CPU tensors."""
    return False


__all__ = ["diagonal_scatter", "select_scatter", "slice_scatter", "as_strided_scatter",
           "split_with_sizes", "unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk",
           "hsplit", "vsplit", "dsplit", "is_same_size", "is_signed",
           "get_device", "unravel_index", "igamma", "igammac", "addr"]
newaxis = None
__all__ += ["newaxis"]

TENSOR_METHODS = ["diagonal_scatter", "select_scatter", "slice_scatter", "as_strided_scatter",
                  "split_with_sizes", "unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk",
                  "hsplit", "vsplit", "dsplit", "is_same_size", "is_signed",
                  "sum_to_size", "igamma", "igammac", "addr"]
NO_INPLACE = ("diagonal_scatter", "select_scatter", "slice_scatter", "as_strided_scatter",
              "split_with_sizes", "unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk",
              "hsplit", "vsplit", "dsplit", "is_same_size", "is_signed",
              "sum_to_size")
TENSOR_PROPERTIES = {"is_cpu": _true, **{n: _false for n in (
    "is_meta", "is_xpu", "is_mps", "is_ipu", "is_maia", "is_mtia", "is_vulkan", "is_xla",
    "is_mkldnn", "is_quantized")}}


def install_aliases() -> None:
    """Tensor methods (and their in-place twins) of functions ember has at the top level
    (``t.addmv(...)``, ``t.bitwise_and_(...)``, ``t.kron(...)``), installed after ``ember``'s
    namespace is complete."""
    from ._utils import _inplace_method, _method
    from .inplace import inplace
    with_inplace = "addbmm addmv baddbmm bitwise_and bitwise_or bitwise_xor".split()
    plain = "inner kron vdot msort bincount unique_consecutive isposinf isneginf".split()
    for name in with_inplace + plain:
        fn = _alias(name)
        if name not in Tensor.__dict__:
            setattr(Tensor, name, _method(fn, name))
        if name in with_inplace and name + "_" not in Tensor.__dict__:
            setattr(Tensor, name + "_", _inplace_method(fn, name, inplace))
    if "is_nonzero" not in Tensor.__dict__:
        Tensor.is_nonzero = _is_nonzero  # type: ignore[attr-defined]
