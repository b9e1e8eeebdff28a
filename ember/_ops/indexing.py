"""Indexing: ``x[idx]`` (basic views and advanced copies), gather/scatter and friends."""
from __future__ import annotations

from .. import _dtype as D
from .._backend import ndarray, nx, xp
from .._backend import xp as _xp  # for masks built inside backward formulas
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply, _apply_view
from ._utils import shape_str, wrap, wrap_dim
from .shape import Select, Slice


class Index(Op):
    """Advanced indexing (a copy); duplicates accumulate in the gradient."""

    @staticmethod
    def forward(ctx, a, idx):
        ctx.shape, ctx.idx = a.shape, idx
        return a[idx]

    @staticmethod
    def backward(ctx, g, xp):
        return xp.add_at(ctx.shape, ctx.idx, g), None


class BasicIndexUnsqueeze(Slice):
    node_name = "UnsqueezeBackward0"


class BasicIndexAlias(Slice):
    node_name = "AliasBackward0"


def _full_slice(i):
    return i.start in (None, 0) and i.stop is None and i.step in (None, 1)


def _basic_kind(idx):
    """torch's grad_fn for a basic index is the last view op it applies: full slices (inside
    a tuple) and ``...`` apply none; a lone slice always applies one."""
    if idx.__class__ is slice:
        return Slice
    kind = BasicIndexAlias
    for i in idx if isinstance(idx, tuple) else (idx,):
        if i is None:
            kind = BasicIndexUnsqueeze
        elif i.__class__ is slice:
            if not _full_slice(i):
                kind = Slice
        elif i is not Ellipsis:
            kind = Select
    return kind


def _convert_index(idx):
    """Tensor/list parts of an index -> arrays; returns (index, is_advanced, None)."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    advanced = False
    for i in idx:
        if isinstance(i, Tensor):
            a = i._array
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
            if a.ndim == 0 and a.dtype.kind in "iu":
                out.append(int(a))
                continue
            out.append(a)
            advanced = True
        elif isinstance(i, (list, ndarray)):
            a = xp.asarray(i)
            if a.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
            out.append(a if a.size or a.dtype.kind == "b" else a.astype(xp.int64))
            advanced = True
        elif isinstance(i, bool):
            out.append(i)
            advanced = True
        elif isinstance(i, int) or hasattr(i, "__index__") and not isinstance(i, slice) and \
                i is not None and i is not Ellipsis:
            out.append(int(i))
        else:
            out.append(i)
    return tuple(out), advanced, None


def _check_bounds(a, idx):
    """torch's text for an out-of-range integer index (positions before any Ellipsis; NumPy
    reports the rest)."""
    dim = 0
    for i in idx:
        if i is Ellipsis:
            break
        if i is None:
            continue
        if isinstance(i, int) and not isinstance(i, bool):
            if dim < a.ndim and not -a.shape[dim] <= i < a.shape[dim]:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size "
                                 f"{a.shape[dim]}")
        dim += 1


def getitem(t, idx):
    if idx.__class__ is int:  # x[i]: the common case, without the general index parsing
        shape = t._array.shape
        if shape and -shape[0] <= idx < shape[0]:
            return _apply_view(Select, t, (idx,))
    index, advanced, kind = _convert_index(idx)
    a = t._array
    if not advanced:
        if a.ndim == 0 and index not in ((), (Ellipsis,), (None,)) and \
                not all(i is None or i is Ellipsis for i in index):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        _check_bounds(a, index)
        return _apply_view(_basic_kind(idx), t, index)
    try:
        return _apply(Index, (t, index), {}, None)
    except IndexError as e:
        raise IndexError(_index_error_text(e, a)) from None


def _index_error_text(e, a):
    msg = str(e)
    if "out of bounds" in msg:
        return msg.replace(" for axis ", " for dimension ")
    if "boolean index did not match" in msg:
        return msg.replace("boolean index did not match indexed array",
                           "The shape of the mask does not match the shape of the indexed tensor")
    return msg


class IndexPut(Op):
    """out = a with ``out[idx] = v``: grad_a = g with idx zeroed, grad_v = g[idx]."""
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, a, v, idx, accumulate):
        ctx.idx, ctx.acc = idx, accumulate
        out = a.copy()
        if accumulate:
            xp.add.at(out, idx, v)
        else:
            out[idx] = v
        return out

    @staticmethod
    def backward(ctx, g, xp):
        idx = ctx.idx
        ga = g if ctx.acc else _zero_at(g, idx, xp)
        return ga, g[idx], None, None


def _zero_at(g, idx, xp):
    """g with the positions ``idx`` set to zero (as a product with a 0/1 mask)."""
    m = _xp.ones(tuple(g.shape), dtype=bool)
    m[idx] = False
    return g * m


class CopySlices(IndexPut):
    node_name = "CopySlices"


def setitem(t, idx, value):
    from .inplace import check_inplace, bump, rebase
    index, advanced, _ = _convert_index(idx)
    if not isinstance(value, Tensor):
        if isinstance(value, (int, float, bool)):
            value_arr = value
        else:
            value_arr = xp.asarray(value, dtype=t._array.dtype)
        value_t = None
    else:
        value_arr = value._array
        value_t = value
    needs_graph = check_inplace(t, value_t)
    if not needs_graph:
        try:
            t._array[index] = value_arr
        except ValueError as e:
            raise RuntimeError(_setitem_shape_error(t, index, value_arr, e)) from None
        bump(t)
        return
    v = value_t if value_t is not None else wrap(xp.asarray(value_arr, dtype=t._array.dtype))
    cls = IndexPut if advanced else CopySlices
    res = _apply(cls, (t, v, index, False), {}, t._array.dtype if v._array.dtype !=
                 t._array.dtype else None)
    rebase(t, res)


def _setitem_shape_error(t, index, value, e):
    """torch expands the value to the indexed shape (leading size-1 dims dropped first)."""
    from .shape import expand_shape
    target = t._array[index].shape
    vshape = tuple(xp.shape(value))
    while len(vshape) > len(target) and vshape[0] == 1:
        vshape = vshape[1:]
    try:
        expand_shape(vshape, target, t._array.dtype)
    except RuntimeError as err:
        return str(err)
    return (f"shape mismatch: value tensor of shape {shape_str(vshape)} cannot be broadcast to "
            f"indexing result of shape {shape_str(target)}")


def index_put(input, indices, values, accumulate=False):
    index = tuple(i._array if isinstance(i, Tensor) else i for i in indices)
    return _apply(IndexPut, (input, values, index, accumulate), {}, None)


# ------------------------------------------------------------------------------ gather/scatter


def _idx_array(index, name="index"):
    a = index._array if isinstance(index, Tensor) else xp.asarray(index)
    if a.dtype != xp.int64:
        if a.dtype.kind not in "iu":
            raise RuntimeError(f"{name}(): Expected dtype int64 for index")
        a = a.astype(xp.int64)
    return a


class Gather(Op):
    @staticmethod
    def forward(ctx, a, axis, idx):
        ctx.shape, ctx.axis = a.shape, axis
        ctx.save_for_backward(idx)
        return nx.take_along_axis(a, idx, axis)

    @staticmethod
    def backward(ctx, g, xp):
        (idx,) = ctx.saved_tensors
        return xp.scatter_add_along(ctx.shape, idx, g, ctx.axis), None, None


def _check_gather(a, axis, idx, name):
    if idx.ndim != a.ndim and not (a.ndim == 0 and idx.ndim <= 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as input "
                           f"tensor")
    n = a.shape[axis] if a.ndim else 1
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise RuntimeError(f"index {bad} is out of bounds for dimension {axis} with size {n}")


def gather(input, dim, index, *, sparse_grad=False):
    idx = _idx_array(index, "gather")
    axis = wrap_dim(dim, input._array.ndim)
    _check_gather(input._array, axis, idx, "gather")
    if idx.shape != input._array.shape:
        # torch allows index smaller than input in non-gather dims: slice input accordingly
        sl = tuple(slice(0, s) if i != axis else slice(None) for i, s in enumerate(idx.shape))
        src = input[sl] if any(s != input._array.shape[i] for i, s in enumerate(idx.shape)
                               if i != axis) else input
        return _apply(Gather, (src, axis, idx), {}, None)
    return _apply(Gather, (input, axis, idx), {}, None)


def take_along_dim(input, indices, dim=None):
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    shape = xp.broadcast_shapes(
        tuple(1 if i == wrap_dim(dim, input.ndim) else s for i, s in enumerate(input.shape)),
        tuple(1 if i == wrap_dim(dim, input.ndim) else s for i, s in enumerate(indices.shape)))
    ax = wrap_dim(dim, input.ndim)
    ishape = list(shape)
    ishape[ax] = indices.shape[ax]
    xshape = list(shape)
    xshape[ax] = input.shape[ax]
    return gather(input.expand(*xshape), ax, indices.expand(*ishape))


def _full_index(idx, axis):
    grid = list(xp.ogrid[tuple(slice(0, s) for s in idx.shape)])
    grid[axis] = idx
    return tuple(grid)


class Scatter(Op):
    """out = a; out[index] = src along axis.  grad_a zeroes scattered places; grad_src
    gathers."""

    @staticmethod
    def forward(ctx, a, axis, idx, src, reduce):
        full = _full_index(idx, axis)
        out = a.copy()
        if not isinstance(src, ndarray) or src.ndim == 0:
            vals = src
        else:
            vals = src[tuple(slice(0, s) for s in idx.shape)]
        if reduce is None:
            out[full] = vals
        elif reduce in ("add", "sum"):
            xp.add.at(out, full, vals)
        elif reduce in ("multiply", "prod"):
            xp.multiply.at(out, full, vals)
        else:
            raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
        ctx.full, ctx.axis = full, axis
        ctx.save_for_backward(idx)
        ctx.src_shape = xp.shape(src)
        return out

    @staticmethod
    def backward(ctx, g, xp):
        (idx,) = ctx.saved_tensors
        ga = _zero_at(g, ctx.full, xp)
        gs = None
        if ctx.needs_input_grad[3]:
            gs = _gather_src_grad(g, idx, ctx.axis, ctx.src_shape, xp)
        return ga, None, None, gs, None


def _gather_src_grad(g, idx, axis, src_shape, xp):
    """grad of a scatter's src: g gathered at idx (idx may be smaller than g and src in any
    dim), zero-padded to src's shape."""
    if any(s != gs for i, (s, gs) in enumerate(zip(idx.shape, g.shape)) if i != axis):
        g = g[tuple(slice(0, s) if i != axis else slice(None) for i, s in enumerate(idx.shape))]
    gs = xp.take_along_axis(g, idx, axis)
    if tuple(gs.shape) != tuple(src_shape):
        gs = xp.pad(gs, [(0, s - gi) for s, gi in zip(src_shape, gs.shape)])
    return gs


class ScatterAdd(Op):
    @staticmethod
    def forward(ctx, a, axis, idx, src):
        out = nx.scatter_add_along(a.shape, idx, src[tuple(slice(0, s) for s in idx.shape)],
                                   axis, a.copy())
        ctx.axis = axis
        ctx.save_for_backward(idx)
        ctx.src_shape = src.shape
        return out

    @staticmethod
    def backward(ctx, g, xp):
        (idx,) = ctx.saved_tensors
        return g, None, None, _gather_src_grad(g, idx, ctx.axis, ctx.src_shape, xp)


class ScatterValue(Scatter):
    node_name = "ScatterBackward1"


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    if src is None:
        src = value
    idx = _idx_array(index, "scatter")
    axis = wrap_dim(dim, input._array.ndim)
    _check_gather(input._array, axis, idx, "scatter")
    if isinstance(src, (int, float, bool)):
        return _apply(ScatterValue, (input, axis, idx, src, reduce), {}, None)
    return _apply(Scatter, (input, axis, idx, src, reduce), {}, None)


def scatter_add(input, dim, index, src):
    idx = _idx_array(index, "scatter_add")
    axis = wrap_dim(dim, input._array.ndim)
    _check_gather(input._array, axis, idx, "scatter_add")
    return _apply(ScatterAdd, (input, axis, idx, src), {}, None)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    if reduce == "sum":
        return scatter_add(input, dim, index, src)
    idx = _idx_array(index)
    axis = wrap_dim(dim, input._array.ndim)
    out = input._array.copy()
    full = _full_index(idx, axis)
    vals = src._array[tuple(slice(0, s) for s in idx.shape)]
    ufunc = {"prod": xp.multiply, "amax": xp.maximum, "amin": xp.minimum}.get(reduce)
    if reduce == "mean":
        cnt = xp.ones_like(out) if include_self else xp.zeros_like(out)
        if not include_self:
            out[full] = 0
        xp.add.at(out, full, vals)
        xp.add.at(cnt, full, 1)
        return wrap((out / xp.maximum(cnt, 1)).astype(out.dtype))
    if ufunc is None:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    if not include_self:
        out[full] = vals.max() if reduce == "amin" else (vals.min() if reduce == "amax" else 1)
    ufunc.at(out, full, vals)
    return wrap(out)


class IndexSelect(Op):
    @staticmethod
    def forward(ctx, a, axis, idx):
        ctx.shape, ctx.axis = a.shape, axis
        ctx.save_for_backward(idx)
        return xp.take(a, idx, axis=axis)

    @staticmethod
    def backward(ctx, g, xp):
        (idx,) = ctx.saved_tensors
        full = (slice(None),) * ctx.axis + (idx,)
        return xp.add_at(ctx.shape, full, g), None, None


def index_select(input, dim, index):
    idx = _idx_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    axis = wrap_dim(dim, input._array.ndim)
    n = input._array.shape[axis] if input._array.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < -n):
        raise IndexError(f"index out of range in self")
    return _apply(IndexSelect, (input, axis, idx.reshape(-1)), {}, None)


def index_add(input, dim, index, source, *, alpha=1):
    idx = _idx_array(index)
    axis = wrap_dim(dim, input._array.ndim)
    full = (slice(None),) * axis + (idx,)
    src = source * alpha if alpha != 1 else source
    return _apply(IndexPut, (input, src, full, True), {}, None)


def index_fill(input, dim, index, value):
    idx = _idx_array(index)
    axis = wrap_dim(dim, input._array.ndim)
    full = (slice(None),) * axis + (idx,)
    v = value if isinstance(value, Tensor) else wrap(xp.asarray(value, input._array.dtype))
    return _apply(IndexPut, (input, v, full, False), {}, None)


def index_copy(input, dim, index, source):
    idx = _idx_array(index)
    axis = wrap_dim(dim, input._array.ndim)
    return _apply(IndexPut, (input, source, (slice(None),) * axis + (idx,), False), {}, None)


def masked_select(input, mask):
    m = mask._array if isinstance(mask, Tensor) else xp.asarray(mask)
    if m.dtype != xp.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask")
    shape = xp.broadcast_shapes(input._array.shape, m.shape)
    x = input.expand(*shape) if input._array.shape != shape else input
    return _apply(Index, (x, (xp.broadcast_to(m, shape),)), {}, None)


def masked_scatter(input, mask, source):
    m = xp.broadcast_to(mask._array, input._array.shape)
    n = int(m.sum())
    vals = source.reshape(-1)[:n]
    return _apply(IndexPut, (input, vals, (m,), False), {}, None)


def take(input, index):
    idx = _idx_array(index)
    return _apply(Index, (input.reshape(-1), (idx,)), {}, None)


def nonzero(input, *, as_tuple=False):
    nz = xp.nonzero(input._array if input._array.ndim else input._array.reshape(1))
    if as_tuple:
        return tuple(wrap(i.astype(xp.int64)) for i in nz)
    return wrap(xp.stack(nz, axis=1).astype(xp.int64) if nz else xp.zeros((0, 0), xp.int64))


def argwhere(input):
    return nonzero(input)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa
    a = input._array
    res = xp.unique(a, return_inverse=return_inverse, return_counts=return_counts, axis=dim)
    if not (return_inverse or return_counts):
        return wrap(res)
    res = list(res)
    out = [wrap(res[0])]
    k = 1
    if return_inverse:
        out.append(wrap(res[k].reshape(a.shape if dim is None else -1).astype(xp.int64)))
        k += 1
    if return_counts:
        out.append(wrap(res[k].astype(xp.int64)))
    return tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    a = input._array.reshape(-1)
    if a.size == 0:
        return wrap(a)
    keep = xp.concatenate([[True], a[1:] != a[:-1]])
    out = [wrap(a[keep])]
    if return_inverse:
        out.append(wrap((xp.cumsum(keep) - 1).reshape(input._array.shape).astype(xp.int64)))
    if return_counts:
        pos = xp.flatnonzero(keep)
        out.append(wrap(xp.diff(xp.append(pos, a.size)).astype(xp.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input, weights=None, minlength=0):
    w = weights._array if weights is not None else None
    r = xp.bincount(input._array, w, minlength)
    return wrap(r if w is not None else r.astype(xp.int64))


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None):
    side = side or ("right" if right else "left")
    s = sorted_sequence._array
    v = values._array if isinstance(values, Tensor) else xp.asarray(values)
    if s.ndim == 1:
        r = xp.searchsorted(s, v, side=side)
    else:
        r = xp.stack([xp.searchsorted(s[i], v[i], side=side) for i in range(s.shape[0])])
    return wrap(r.astype(xp.int32 if out_int32 else xp.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False):
    r = xp.searchsorted(boundaries._array, input._array, side="left" if not right else "right")
    return wrap(r.astype(xp.int32 if out_int32 else xp.int64))
