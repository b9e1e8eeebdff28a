"""Indexing and storage odds torch has and ember lacked: ``put``/``put_`` (flat indices,
``PutBackward0``), ``index_reduce`` (``IndexReduceBackward0``: scatter_reduce's op along one
dim), ``fill_diagonal_`` (a fill of strided diagonal views, as ATen), ``embedding_renorm_``,
``resize_as_``, ``is_set_to``, ``empty_permuted`` and ``new_empty_strided`` (with their
strides)."""
from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

from .. import _dtype as D
from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply
from ..autograd.grad_mode import no_grad
from ._utils import shape_str, wrap_dim
from .indexing import ScatterReduce, _idx_array

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence

    from ._types import Array, Ctx, Grads, Namespace, Number, Value


class Put(Op):
    """``a`` with ``src`` written (or added, ``accumulate``) at flat indices ``idx``."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, src: Array, idx: Array, accumulate: bool) -> Array:
        out = a.copy()
        flat = out.reshape(-1)
        if accumulate:
            xp.add.at(flat, idx, src.reshape(-1))
        else:
            flat[idx] = src.reshape(-1)
        ctx.idx, ctx.acc, ctx.shapes = idx, accumulate, (a.shape, src.shape)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        shape, sshape = ctx.shapes
        ga = g
        if not ctx.acc and ctx.needs_input_grad[0]:
            keep = xp.ones(math.prod(shape), bool)
            keep[ctx.idx] = False
            ga = ns.where(keep.reshape(shape), g, 0.0)
        gs = ns.reshape(ns.reshape(g, (-1,))[ctx.idx], sshape) if ctx.needs_input_grad[1] \
            else None
        return ga, gs, None, None


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``source``'s values at the flat positions ``index`` (added
    there when ``accumulate``); negative indices count from the end."""
    if index._array.dtype != xp.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{D.spelling(index._array.dtype)}")
    if source._array.dtype != input._array.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {D.spelling(input._array.dtype)} and source.dtype = "
                           f"{D.spelling(source._array.dtype)}")
    if index._array.size != source._array.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source._array.size}, "
                         f"index.numel() = {index._array.size}")
    n = input._array.size
    idx = index._array.reshape(-1)
    bad = idx[(idx >= n) | (idx < -n)]
    if bad.size:
        raise IndexError(f"out of range: tried to access index {int(bad[0])} on a tensor of "
                         f"{n} elements.")
    return _apply(Put, (input, source, xp.where(idx < 0, idx + n, idx), bool(accumulate)), {},
                  None)


_BETA_WARNED = False


class IndexReduce(ScatterReduce):
    """``index_reduce``: scatter_reduce with the index spread along ``dim``."""
    node_name = "IndexReduceBackward0"


def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """``input`` with ``source``'s slices along ``dim`` reduced (prod, mean, amax, amin) into
    the slices ``index`` names (``input``'s own values taking part unless
    ``include_self=False``)."""
    global _BETA_WARNED
    if not _BETA_WARNED:  # (torch's TORCH_WARN_ONCE)
        _BETA_WARNED = True
        warnings.warn("index_reduce() is in beta and the API may change at any time.",
                      UserWarning, stacklevel=2)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    idx = _idx_array(index, "index_add")
    if idx.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: "
                         f"{idx.ndim} with type: {D.spelling(idx.dtype)} and size: "
                         f"{shape_str(idx.shape)}")
    a, s = input._array, source._array
    ax = wrap_dim(dim, a.ndim)
    ns = s.shape[ax] if s.ndim else 1
    if idx.size != ns:
        raise RuntimeError(f"index_reduce_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({ns}), for dim: {ax}")
    if s.ndim != a.ndim or any(x != y for i, (x, y) in enumerate(zip(a.shape, s.shape))
                                 if i != ax):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {shape_str(a.shape)} "
                           f"source.shape = {shape_str(s.shape)}")
    n = a.shape[ax] if a.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError("index out of range in self")
    idx = xp.where(idx < 0, idx + n, idx)
    full = xp.broadcast_to(idx.reshape((-1,) + (1,) * (s.ndim - ax - 1)), s.shape).copy()
    if source.dtype != input.dtype:
        source = source.to(input.dtype)
    return _apply(IndexReduce, (input, source, ax, full, reduce, bool(include_self)), {}, None)


def fill_diagonal_(input: Tensor, fill_value: Number, wrap: bool = False) -> Tensor:
    """Fills the main diagonal of ``input`` (2-D, or all dims of one length) in place; with
    ``wrap``, a tall matrix's diagonal restarts below every ``width + 1`` rows."""
    from .construct import _storage_offset, as_strided
    nd = input.dim()
    if nd < 2:
        raise RuntimeError("dimensions must larger than 1")
    h, w = input.shape[0], input.shape[1]
    if nd > 2 and any(s != h for s in input.shape):
        raise RuntimeError("all dimensions of input must be of equal length")
    st = input.stride()
    off = _storage_offset(input)
    step = sum(st)
    as_strided(input, (min(h, w),), (step,), off).fill_(fill_value)
    if wrap and nd == 2 and h > w + 1:
        n = (input.numel() + w) // (w + 1) - min(h, w)
        as_strided(input, (n,), (step,), off + st[0] * (w + 1)).fill_(fill_value)
    return input


def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float,
                      norm_type: float) -> Tensor:
    """Rescales the rows of ``input`` that ``indices`` names whose ``norm_type``-norm exceeds
    ``max_norm`` to that norm, in place (what ``embedding(max_norm=...)`` does first)."""
    from ..nn._functional_layers import _embedding_renorm
    with no_grad():
        _embedding_renorm(input, _idx_array(indices, "index_select"), max_norm, norm_type)
    return input


def resize_as_(input: Tensor, the_template: Tensor, *, memory_format: Any = None) -> Tensor:
    """Resizes ``input`` in place to ``the_template``'s shape (``resize_``)."""
    return input.resize_(tuple(the_template.shape))


def is_set_to(input: Tensor, tensor: Tensor) -> bool:
    """True when both tensors view the same memory with the same shape, strides and offset."""
    a, b = input._array, tensor._array
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
            and a.shape == b.shape and a.strides == b.strides and a.dtype == b.dtype)


def empty_permuted(size: Sequence[int], physical_layout: Sequence[int], *, dtype: Any = None,
                   layout: Any = None, device: Any = None, pin_memory: bool = False,
                   requires_grad: bool = False) -> Tensor:
    """An uninitialized tensor of ``size`` whose memory is laid out in the dim order
    ``physical_layout`` (``(0, 2, 3, 1)``: channels last), as its strides show."""
    from .._creation import empty
    size, perm = tuple(size), tuple(physical_layout)
    if sorted(perm) != list(range(len(size))):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the "
                           f"physical_layout; Expected {len(size)} but got {len(perm)}"
                           if len(perm) != len(size) else
                           "physical_layout must be a permutation of the dims")
    phys = empty(tuple(size[p] for p in perm), dtype=dtype)._array
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return _make(phys.transpose(inv), requires_grad, None, 0, None)


def new_empty_strided(self: Tensor, size: Sequence[int], stride: Sequence[int], *,
                      dtype: Any = None, device: Any = None, requires_grad: bool = False,
                      **kwargs: Any) -> Tensor:
    """An uninitialized tensor of ``size`` and ``stride`` (elements), of ``self``'s dtype
    unless ``dtype`` is given."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    dt = D.to_dtype(dtype).np if dtype is not None else self._array.dtype
    span = 0 if 0 in size else 1 + sum((n - 1) * s for n, s in zip(size, stride))
    buf = xp.empty(max(span, 1), dt)
    arr = xp.lib.stride_tricks.as_strided(buf, size, tuple(s * buf.itemsize for s in stride))
    return _make(arr, requires_grad, None, 0, None)


__all__ = ["put", "index_reduce", "embedding_renorm_", "resize_as_", "empty_permuted"]
TENSOR_METHODS = ["put", "index_reduce", "is_set_to", "fill_diagonal_", "resize_as_",
                  "new_empty_strided"]
NO_INPLACE = ("is_set_to", "fill_diagonal_", "resize_as_", "new_empty_strided")
