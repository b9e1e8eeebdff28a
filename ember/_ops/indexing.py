"""Indexing: ``x[idx]`` (basic views and advanced copies), gather/scatter and friends.

PyTorch's order for ``x[idx]`` (and ``x[idx] = v``): the integers (``select``), slices, ``None``
and bools (``unsqueeze``) apply first, as views; the index tensors then index that view, each at
the dim it stood at.  So an integer never takes part in advanced-index broadcasting or placement
(NumPy's rule differs: ``x[0, :, [0, 2]]`` is (2, 3, ...) in NumPy and (3, 2, ...) in torch).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import warnings

from .. import _dtype as D
from .._backend import ndarray, nx, xp
from .._backend import xp as _xp  # for masks built inside backward formulas
from .._tensor import Tensor
from ..autograd import function as _function
from ..autograd.function import Op, _apply, _apply_view
from ..autograd.grad_mode import _state
from ._utils import (broadcast_error, invalid_args, not_implemented, quiet, shape_str, vmap_call,
                     wrap, wrap_dim)
from .shape import Select, Slice

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence
    from typing import Any, Literal, overload

    from ._types import Array, Ctx, Grads, NPDType, Namespace, Number, Value


def _index_empty(a, idx):
    """a[idx] of an empty array without NumPy 2.1's DeprecationWarning for an out-of-range index
    (later NumPy returns the empty result silently, as torch does)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Out of bound index found", DeprecationWarning)
        return a[idx]


class Index(Op):
    """Advanced indexing (a copy); duplicates accumulate in the gradient."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, idx: tuple[Array | slice, ...]) -> Array:
        ctx.shape, ctx.idx = a.shape, idx
        if a.size == 0:  # torch: an out-of-range index that gathers nothing is no error
            return _index_empty(a, idx)
        return a[idx]

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        if 0 in ctx.shape:  # an empty gather: as forward, no NumPy 2.1 DeprecationWarning
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Out of bound index found", DeprecationWarning)
                return ns.add_at(ctx.shape, ctx.idx, g), None
        return ns.add_at(ctx.shape, ctx.idx, g), None


class BasicIndexUnsqueeze(Slice):
    node_name = "UnsqueezeBackward0"


class BasicIndexAlias(Slice):
    node_name = "AliasBackward0"


_ALL = slice(None)


_IDX_DTYPE = "tensors used as indices must be long, int, byte or bool tensors"
_UINT8 = ("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
          "instead.")
_SEQ_AS_TUPLE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
    "a different result")
_ZERO_DIM = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")


def _as_tuple(idx):
    """torch (like old NumPy) reads a short list holding a sequence, tensor, slice, None or
    ``...`` as a tuple of indices, with a deprecation warning."""
    if idx.__class__ is list and len(idx) < 32:
        for i in idx:
            if isinstance(i, (Tensor, list, tuple, slice, ndarray)) or i is None or \
                    i is Ellipsis:
                warnings.warn(_SEQ_AS_TUPLE, UserWarning, stacklevel=4)
                return tuple(idx)
    return (idx,)


def _array_index(a, tensor):
    """An index array (from a tensor or NumPy array) -> int/bool array, an int (0-d integer)
    or a bool (0-d bool/uint8)."""
    dt = a.dtype
    if dt.kind == "b":
        return bool(a) if a.ndim == 0 else a
    if dt == xp.uint8:
        warnings.warn(_UINT8, UserWarning, stacklevel=5)
        return bool(a) if a.ndim == 0 else a.astype(bool)
    if dt.kind in "iu":
        if tensor and dt != xp.int64 and dt != xp.int32:
            raise IndexError(_IDX_DTYPE)
        return int(a) if a.ndim == 0 else a
    if dt.kind == "f" and not tensor:  # NumPy float arrays: torch converts them
        return int(a) if a.ndim == 0 else a.astype(xp.int64)
    raise IndexError(_IDX_DTYPE)


def _items(idx):
    """The index as a list of ints, bools, slices, None, ``...`` and index arrays (>= 1-d),
    and whether it is advanced (has an array or a bool: True, or "u8" when a uint8 mask was
    read as a bool one)."""
    if idx.__class__ is not tuple:
        idx = _as_tuple(idx)
    out = []
    adv = False
    for i in idx:
        c = i.__class__
        if c is int or c is slice or i is None or i is Ellipsis:
            out.append(i)
            continue
        if c is bool or c is xp.bool_:
            out.append(bool(i))
            adv = True
            continue
        if isinstance(i, (Tensor, ndarray)):
            tensor = isinstance(i, Tensor)
            a = i._array if tensor else i
            i = _array_index(a, tensor)
            if a.dtype == xp.uint8 and a.ndim:
                adv = "u8"
        elif isinstance(i, (list, tuple)):
            a = xp.asarray(i)
            if a.size == 0 or a.dtype.kind == "f":
                a = a.astype(xp.int64)
            elif a.dtype.kind not in "iub":
                raise IndexError(_IDX_DTYPE)
            i = a
        elif hasattr(i, "__index__"):
            i = int(i.__index__())
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             f"byte Variables are valid indices (got {type(i).__name__})")
        if i.__class__ is not int and not adv:
            adv = True
        out.append(i)
    return out, adv


_ONE = xp.zeros(1, xp.int64)  # x[True]: index [0] on a new dim; x[False]: index []
_NONE = xp.zeros(0, xp.int64)


def _walk(shape, items, lone):
    """Read the index as torch's applySlicing does.  Returns ``(basic, adv, ops)``: the whole
    basic part as one NumPy index (``...`` expanded; index arrays as full slices), the advanced
    part as an index of the basic view (arrays where they stood, full slices elsewhere), and the
    view ops torch applies one by one, as ``(op class, dim, index item)``.  Integers select,
    ``None`` and bools unsqueeze, slices slice unless they span the whole dim (a ``lone`` slice,
    ``x[a:b]``, always does); no ops means an alias.  Integer errors name the item's position."""
    ndim = len(shape)
    n = 0
    for i in items:
        if i.__class__ is ndarray:
            n += i.ndim if i.dtype.kind == "b" else 1
        elif i is not None and i is not Ellipsis and i.__class__ is not bool:
            n += 1
    if n > ndim:
        first = next(i for i in items if i is not None and i is not Ellipsis and
                     i.__class__ is not bool)
        if ndim == 0 and first.__class__ is int:
            raise IndexError(_ZERO_DIM)
        if ndim == 0 and first.__class__ is slice:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic, adv, ops = [], [], []
    p = d = 0  # the dim in the tensor, in the basic view
    bad = None  # a mask that does not fit its dims
    ell = ndim - n
    for k, i in enumerate(items):
        c = i.__class__
        if c is int:
            size = shape[p]
            if not -size <= i < size:
                raise IndexError(f"index {i} is out of bounds for dimension {k} with size {size}")
            basic.append(i)
            ops.append((Select, d, i))
            p += 1
        elif c is slice:
            if i.step is not None and i.step <= 0:
                raise ValueError("step must be greater than zero" if i.step else
                                 "slice step cannot be zero")
            basic.append(i)
            adv.append(_ALL)
            if lone or i.start not in (None, 0) or i.step not in (None, 1) or \
                    i.stop is not None and i.stop < shape[p]:  # (torch's test, on raw values)
                ops.append((Slice, d, i))
            p += 1
            d += 1
        elif c is ndarray:
            m = i.ndim if i.dtype.kind == "b" else 1
            if bad is None and i.dtype.kind == "b" and i.shape != shape[p:p + m]:
                bad = (p, d, i)
            basic.extend([_ALL] * m)
            adv.append(i)
            p += m
            d += m
        elif c is bool or i is None:
            basic.append(None)
            adv.append(_ALL if c is not bool else _ONE if i else _NONE)
            ops.append((BasicIndexUnsqueeze, d, None))
            d += 1
        else:  # Ellipsis (a second one spans the same count, as in torch, within the dims)
            e = max(0, min(ell, ndim - p))
            basic.extend([_ALL] * e)
            adv.extend([_ALL] * e)
            p += e
            d += e
    basic = tuple(basic)
    if bad is not None:
        _mask_error(shape, basic, *bad)
    return basic, tuple(adv), ops


def _mask_error(shape, basic, p, d, m):
    """torch's error for a mask that does not match the dims it indexes, named in the shape of
    the basic view (NumPy lets some through when the result is empty)."""
    view = xp.broadcast_to(xp.zeros((), bool), shape)[basic].shape
    for j, s in enumerate(m.shape):
        if shape[p + j] != s:
            raise IndexError(f"The shape of the mask {shape_str(m.shape)} at index {j} does not "
                             f"match the shape of the indexed tensor {shape_str(view)} at index "
                             f"{d + j}")


def _view_ops(t, ops):
    """torch's chain of view nodes (one per op) when t records a graph."""
    for cls, d, i in ops:
        t = _apply_view(cls, t, (_ALL,) * d + (i,))
    return t


def _basic_view(t, basic, ops):
    if t._requires_grad and _state.enabled:
        return _view_ops(t, ops) if ops else _apply_view(BasicIndexAlias, t, ())
    return _apply_view(Slice, t, basic)


def _adv_error(e, shape, adv):
    """torch's error for an advanced index ``adv`` of a ``shape`` that NumPy refused, checked
    in torch's order: mask shapes, broadcasting, then bounds."""
    p = 0
    shapes = []
    for i in adv:
        if i.__class__ is ndarray and i.dtype.kind == "b":
            for j, s in enumerate(i.shape):
                if p + j >= len(shape) or shape[p + j] != s:
                    return IndexError(
                        f"The shape of the mask {shape_str(i.shape)} at index {j} does not "
                        f"match the shape of the indexed tensor {shape_str(shape)} at index "
                        f"{p + j}")
            shapes += [(int(i.sum()),)] * i.ndim
            p += i.ndim
        else:
            if i.__class__ is ndarray:
                shapes.append(i.shape)
            p += 1
    try:
        xp.broadcast_shapes(*shapes)
    except ValueError:
        return IndexError("shape mismatch: indexing tensors could not be broadcast together "
                          "with shapes " + ", ".join(shape_str(s) for s in shapes))
    p = k = 0
    for i in adv:
        if i.__class__ is ndarray:
            if i.dtype.kind == "b":
                p += i.ndim
                k += i.ndim
                continue
            n = shape[p]
            bad = i[(i >= n) | (i < -n)]
            if bad.size:
                if n == 0:
                    return IndexError("index is out of bounds for dimension with size 0")
                return IndexError(f"index {int(bad.flat[0])} is out of bounds for dimension "
                                  f"{k} with size {n}")
            k += 1
        p += 1
    return e


def _empty_result(shape, adv):
    """The shape of ``x[adv]`` when it has no elements (torch then checks no bounds), else
    None."""
    fake = list(shape)
    p = 0
    for i in adv:
        if i.__class__ is ndarray and i.dtype.kind != "b":
            if i.size:
                fake[p] = max(fake[p], int(i.max()) + 1, -int(i.min()))
            p += 1
        else:
            p += i.ndim if i.__class__ is ndarray else 1
    try:
        r = xp.broadcast_to(xp.zeros((), bool), tuple(fake))[adv]
    except (IndexError, ValueError):
        return None
    return r.shape if r.size == 0 else None


class IndexEmpty(Index):
    """An advanced index with an empty result (whatever its index values)."""
    node_name = "IndexBackward0"

    @staticmethod  # (its own forward arguments; Index's backward)
    def forward(ctx: Ctx, a: Array, shape: tuple[int, ...],  # type: ignore[override]
                out_shape: tuple[int, ...]) -> Array:
        ctx.shape = a.shape
        return xp.zeros(out_shape, a.dtype)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:  # (graph-connected to g)
        return ns.broadcast_to(g.sum() * 0, ctx.shape), None, None

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # (a fresh zeros array, not a broadcast view)
        return _xp.zeros(ctx.shape, g.dtype), None, None


def getitem(t: Tensor, idx: Any) -> Tensor:
    if _function._VMAP and idx.__class__ is not int and idx.__class__ is not slice:
        r = vmap_call("getitem", _getitem, (t, idx))  # a batched index tensor (ember.func)
        if r is not NotImplemented:
            return r
    return _getitem(t, idx)


def _getitem(t: Tensor, idx: Any) -> Tensor:
    if idx.__class__ is int:  # x[i]: the common case, without the general index parsing
        shape = t._array.shape
        if shape and -shape[0] <= idx < shape[0]:
            return _apply_view(Select, t, (idx,))
    items, advanced = _items(idx)
    basic, adv, ops = _walk(t._array.shape, items, idx.__class__ is slice)
    if not advanced:
        return _basic_view(t, basic, ops)
    if ops:
        t = _basic_view(t, basic, ops)
    try:
        return _apply(Index, (t, adv), {}, None)
    except IndexError as e:
        shape = t._array.shape
        err = _adv_error(e, shape, adv)
        if "out of bounds" in str(err):
            out = _empty_result(shape, adv)
            if out is not None:
                return _apply(IndexEmpty, (t, shape, out), {}, None)
        raise err from None


class IndexPut(Op):
    """out = a with ``out[idx] = v``: grad_a = g with idx zeroed, grad_v = g[idx]."""
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, v: Array, idx: tuple[Array | slice, ...],
                accumulate: bool) -> Array:
        ctx.idx, ctx.acc = idx, accumulate
        out = a.copy()
        if accumulate:
            xp.add.at(out, idx, v)  # type: ignore[arg-type]  # (NumPy's stubs: any index)
        else:
            out[idx] = v
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        idx = ctx.idx
        ga = g if ctx.acc else _zero_at(g, idx, ns)
        return ga, g[idx], None, None


def _zero_at(g, idx, ns):
    """g with the positions ``idx`` set to zero (as a product with a 0/1 mask)."""
    m = _xp.ones(tuple(g.shape), dtype=bool)
    m[idx] = False
    return g * m


class _TwoStep:
    """``x[idx]`` in torch's two steps: the basic view ``basic`` (a NumPy basic index without
    ``...``; None: none), then the advanced index ``adv`` (None: none) of that view.
    ``empty``: the shape of an empty advanced result whose index NumPy would refuse (out of
    range values: torch checks none when there is nothing to write)."""
    __slots__ = ("basic", "adv", "empty")

    def __init__(self, basic, adv):
        self.basic, self.adv, self.empty = basic, adv, None

    def _view(self, a):
        r = a[self.basic]
        if r.__class__ is not a.__class__:  # a full integer index of an array: a scalar
            r = a[self.basic + (Ellipsis,)]
        return r

    def view_shape(self, a):
        return a.shape if self.basic is None else self._view(a).shape

    def take(self, a):
        if self.basic is not None:
            a = self._view(a)
        if self.empty is not None:
            return a.reshape(-1)[:0].reshape(self.empty)
        return a if self.adv is None else a[self.adv]

    def put(self, a, v):
        if self.empty is not None:
            return
        if self.basic is not None:
            if self.adv is None:
                a[self.basic] = v
                return
            a = self._view(a)
        a[Ellipsis if self.adv is None else self.adv] = v


class SetItem(Op):
    """``x[idx] = v`` on a graph tensor: x with the positions replaced; grad_x = g zeroed
    there, grad_v = g at idx.  torch's node: CopySlices when the index applies a view first."""
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx: Ctx, a: Array, v: Array, ix: _TwoStep) -> Array:
        ctx.ix = ix
        out = a.copy()
        ix.put(out, v)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        ix = ctx.ix
        m = _xp.ones(tuple(g.shape), dtype=bool)
        ix.put(m, False)
        return g * m, (ix.take(g) if ctx.needs_input_grad[1] else None), None


class SetItemIndexPut(SetItem):
    node_name = "IndexPutBackward0"


class SetItemCopy(SetItem):
    node_name = "CopyBackwards"


class SetItemFill(SetItem):
    node_name = "FillBackward3"


def _index_put_dtype_error(dst, src):
    from .inplace import _word
    return RuntimeError(f"Index put requires the source and destination dtypes match, got "
                        f"{_word(D.from_numpy_dtype(dst))} for the destination and "
                        f"{_word(D.from_numpy_dtype(src))} for the source.")


def _setitem_value(t, value):
    """A Python number as torch takes it (a 0-d tensor of t's dtype); other types: TypeError."""
    if isinstance(value, (int, float, complex)):
        return checked_scalar(value, t._array.dtype, setitem=True)
    if hasattr(value, "__index__") and not isinstance(value, ndarray):
        return checked_scalar(int(value.__index__()), t._array.dtype, setitem=True)
    from .._tensor import _TYPE_NAMES
    cls = type(value)
    name = cls.__qualname__ if cls.__module__ == "builtins" else \
        f"{cls.__module__.split('.')[0]}.{cls.__qualname__}"
    raise TypeError(f"can't assign a {name} to a "
                    f"{_TYPE_NAMES.get(t._array.dtype.name, 'torch.Tensor')}")


def checked_scalar(value: Number, dt: NPDType, setitem: bool = False) -> Array:
    """A Python number as a 0-d array of dtype ``dt``, with torch's overflow check (integers:
    in range, unsigned ones from -max; floats: finite values within range; complex only into
    complex; anything into bool)."""
    if dt.kind == "b":
        return xp.asarray(bool(value))
    if isinstance(value, complex) and dt.kind != "c":
        raise _overflow(dt)
    if dt.kind in "iu":
        info = xp.iinfo(dt)
        if isinstance(value, float):  # (NaN fails the range test too)
            if not info.min <= value <= info.max:
                raise _overflow(dt)
            value = int(value)
        # (a complex value was refused above)
        elif not (-info.max if dt.kind == "u" else info.min) <= value <= info.max:  # type: ignore[operator]
            raise _overflow(dt)
        return xp.asarray(value).astype(dt)
    if dt.kind == "f" and not isinstance(value, complex) and \
            abs(value) > float(xp.finfo(dt).max) and abs(value) != float("inf") and \
            not (setitem and dt == xp.float16):  # (torch's quirk)
        raise _overflow(dt)
    return quiet(xp.asarray(value).astype, dt)  # (inf past float16's max, silently)


def _overflow(dt):
    return RuntimeError(f"value cannot be converted to type {D.spelling(dt, 'c_type')} "
                        "without overflow")


def setitem(t: Tensor, idx: Any, value: Tensor | Number) -> None:
    """``x[idx] = value`` as torch: the basic view of the index, then ``copy_`` (``fill_``
    for a 0-d value) into it, or ``index_put_`` with the index arrays.  A graph tensor gets one
    node: CopySlices when a view is taken, else IndexPutBackward0 / CopyBackwards /
    FillBackward3."""
    from .inplace import check_inplace, bump, rebase, _fw_dual
    from ..autograd import function as _function
    if idx is False:  # torch: a no-op
        return
    if idx is True:  # torch: copy_ into x.unsqueeze(0)
        idx = None
    items, advanced = _items(idx)
    a = t._array
    basic, adv, ops = _walk(a.shape, items, False)
    ix = _TwoStep(basic if ops else None, adv if advanced else None)
    if isinstance(value, Tensor):
        vt, v = value, value._array
        if advanced and v.dtype != a.dtype and not (v.size == 1 and _one_mask(adv)):
            raise _index_put_dtype_error(a.dtype, v.dtype)
        if advanced == "u8" and v.size == 1 and _one_mask(adv):
            raise _uint8_fill()
        k = 0
        while k < v.ndim and v.shape[k] == 1:  # torch drops the value's leading size-1 dims
            k += 1
        if k:
            v = v.reshape(v.shape[k:])
    else:
        vt, v = None, _setitem_value(t, value)
        if advanced == "u8" and _one_mask(adv):
            raise _uint8_fill()
    if not (_state.enabled and (t._requires_grad or vt is not None and vt._requires_grad)) \
            and not (_function._FW_ON and _fw_dual(t, (vt,))):  # (forward AD: a dual tensor)
        try:
            ix.put(a, v)
        except ValueError:
            raise _setitem_error(t, ix, v) from None
        except IndexError as e:
            _empty_put(e, ix, a, v)
        bump(t)
        return
    check_inplace(t, vt, view_name=ops[-1][0].node_name if ops else None)
    if vt is None:
        vt, fill = wrap(v), True
    else:
        fill = vt._array.ndim == 0
        if advanced:  # torch's value for index_put_: viewed without its leading 1s
            if k:
                vt = vt.view(v.shape)
        elif not fill:  # copy_to: viewed so, then expanded to the target
            target = ix.view_shape(a)
            if vt._array.shape != target:
                vt = vt.view(v.shape)
                if v.shape != target:
                    vt = vt.expand(*target)
    cls = SetItem if ops else SetItemIndexPut if advanced else \
        SetItemFill if fill and a.ndim else SetItemCopy
    cast = a.dtype if vt._array.dtype != a.dtype else None
    try:
        res = _apply(cls, (t, vt, ix), {}, cast)
    except ValueError:
        raise _setitem_error(t, ix, vt._array) from None
    except IndexError as e:
        _empty_put(e, ix, a, v)
        res = _apply(cls, (t, vt, ix), {}, cast)
    rebase(t, res)


def _target_ndim(ix, a):
    """The number of dims ``x[idx]`` has (without computing it)."""
    nd = len(ix.view_shape(a))
    if ix.adv is None:
        return nd
    b = 0
    for i in ix.adv:
        if i.__class__ is ndarray:
            m = i.ndim if i.dtype.kind == "b" else 1
            nd -= m
            b = max(b, 1 if i.dtype.kind == "b" else i.ndim)
    return nd + b


def _target_shape(ix, a):
    """The shape ``x[idx]`` has (an empty one with an index NumPy refuses: see _TwoStep)."""
    try:
        return ix.take(a).shape
    except IndexError as e:
        shape = ix.view_shape(a)
        err = _adv_error(e, shape, ix.adv)
        out = _empty_result(shape, ix.adv) if "out of bounds" in str(err) else None
        if out is None:
            raise err from None
        ix.empty = out
        return out


def _empty_put(e, ix, a, v):
    """x[idx] = v where NumPy refused the index: torch's error, unless nothing is written."""
    out = _target_shape(ix, a)
    try:
        xp.broadcast_shapes(out, xp.shape(v)[_lead_ones(xp.shape(v), len(out)):])
    except ValueError:
        raise _setitem_error(None, ix, v, out) from None


def _uint8_fill():
    """torch sends a one-element value with one mask to masked_fill_, which refuses uint8."""
    return RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                        "unsigned char")


def _one_mask(adv):
    """Whether the advanced index is one bool mask (full slices elsewhere): torch then fills a
    one-element value of any dtype (index_put_ dispatches to masked_fill_)."""
    masks = 0
    for i in adv:
        if i.__class__ is ndarray:
            if i.dtype.kind != "b":
                return False
            masks += 1
    return masks == 1


def _lead_ones(shape, ndim):
    """How many leading size-1 dims of ``shape`` go beyond ``ndim`` dims."""
    k = 0
    while len(shape) - k > ndim and shape[k] == 1:
        k += 1
    return k


def _setitem_error(t, ix, value, target=None):
    """torch's text for a value that does not fit: the basic form expands the value to the
    indexed shape (leading size-1 dims dropped first); the advanced one says shape mismatch."""
    from .shape import expand_shape
    if target is None:
        target = ix.take(t._array).shape
    vshape = tuple(xp.shape(value))
    while len(vshape) > len(target) and vshape[0] == 1:
        vshape = vshape[1:]
    if ix.adv is not None:
        return RuntimeError(f"shape mismatch: value tensor of shape {shape_str(vshape)} cannot "
                            f"be broadcast to indexing result of shape {shape_str(target)}")
    try:
        expand_shape(vshape, target, t._array.dtype)
    except RuntimeError as err:
        return err
    return RuntimeError(f"shape mismatch: value tensor of shape {shape_str(vshape)} cannot be "
                        f"broadcast to indexing result of shape {shape_str(target)}")


def _put_indices(indices, ndim):
    """index_put's indices (a tuple of index tensors) -> a NumPy index."""
    out = []
    for k, i in enumerate(indices):
        if not isinstance(i, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got "
                            f"{type(i).__name__}")
        a = i._array
        dt = a.dtype
        if dt == xp.uint8:
            warnings.warn(_UINT8, UserWarning, stacklevel=4)
            a = a.astype(bool)
        elif dt.kind != "b" and dt != xp.int64 and dt != xp.int32:
            raise IndexError(_IDX_DTYPE)
        out.append(a)
    n = sum(i.ndim if i.dtype.kind == "b" else 1 for i in out)
    if n > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim} (got {n})")
    return tuple(out)


def _index_put_args(input, indices, values):
    idx = _put_indices(indices, input._array.ndim)
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 2) must be Tensor, not "
                        f"{type(values).__name__}")
    if values._array.dtype != input._array.dtype:
        raise _index_put_dtype_error(input._array.dtype, values._array.dtype)
    return idx


def index_put(input: Tensor, indices: Sequence[Tensor | None], values: Tensor,
              accumulate: bool = False) -> Tensor:
    idx = _index_put_args(input, indices, values)
    try:
        return _apply(IndexPut, (input, values, idx, accumulate), {}, None)
    except ValueError:
        raise _setitem_error(input, _TwoStep(None, idx), values._array) from None
    except IndexError as e:
        raise _adv_error(e, input._array.shape, idx) from None


def index_put_(input: Tensor, indices: Sequence[Tensor | None], values: Tensor,
               accumulate: bool = False) -> Tensor:
    from .inplace import check_inplace, bump, rebase
    idx = _index_put_args(input, indices, values)
    if check_inplace(input, values):
        rebase(input, index_put(input, indices, values, accumulate))
        return input
    a = input._array
    try:
        if accumulate:
            xp.add.at(a, idx, values._array)
        else:
            a[idx] = values._array
    except ValueError:
        raise _setitem_error(input, _TwoStep(None, idx), values._array) from None
    except IndexError as e:
        raise _adv_error(e, a.shape, idx) from None
    bump(input)
    return input


# ------------------------------------------------------------------------------ gather/scatter


_INDEX_DTYPES = {  # op -> (accepted index dtypes, torch's error class and text)
    "gather": ("int64 int32", RuntimeError, "gather(): Expected dtype int32/int64 for index"),
    "scatter": ("int64 int32", RuntimeError, "scatter(): Expected dtype int32/int64 for index"),
    "index_select": ("int64 int32", RuntimeError,
                     "index_select(): Expected dtype int32 or int64 for index"),
    "index_add": ("int64 int32", RuntimeError,
                  "index_add_(): Expected dtype int32/int64 for index but got: {}"),
    "index_copy": ("int64", RuntimeError,
                   "index_copy_(): Expected a long tensor for index, but got {}"),
    "index_fill": ("int64", IndexError, "index_fill_(): Expected dtype int64 for index."),
    "take": ("int64", RuntimeError, "take(): Expected a long tensor for index, but got {}"),
    "take_along_dim": ("int64", RuntimeError,
                       "torch.take_along_dim(): dtype of indices should be Long but got {}"),
}


def _idx_array(index, name):
    """The index tensor of op ``name`` as an int64 array (torch's dtype rules and errors)."""
    a = index._array if isinstance(index, Tensor) else xp.asarray(index)
    if a.dtype != xp.int64:
        ok, exc, text = _INDEX_DTYPES[name]
        if a.dtype.name not in ok.split():
            raise exc(text.format(_word(a.dtype)))
        a = a.astype(xp.int64)
    return a


def _word(dt):
    return D.spelling(dt)


class Gather(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int, idx: Array) -> Array:
        ctx.shape, ctx.axis = a.shape, axis
        ctx.save_for_backward(idx)
        if a.ndim == 0:  # (a 0-d self takes a 0-d or 1-d index)
            return a.reshape(1)[idx]
        if any(s != a.shape[d] for d, s in enumerate(idx.shape) if d != axis):
            a = a[tuple(slice(0, s) if d != axis else _ALL for d, s in enumerate(idx.shape))]
        return nx.take_along_axis(a, idx, axis)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (idx,) = ctx.saved_tensors
        shape, axis = ctx.shape, ctx.axis
        if not shape:
            return ns.add_at((1,), (idx,), g).reshape(()), None, None
        sub = tuple(s if d != axis else shape[d] for d, s in enumerate(idx.shape))
        if sub == shape:
            return ns.scatter_add_along(shape, idx, g, axis), None, None
        # an index smaller than self in other dims: scatter into that corner, then pad
        gs = ns.scatter_add_along(sub, idx, g, axis)
        return ns.pad(gs, [(0, s - k) for s, k in zip(shape, sub)]), None, None


def _check_gather(a, axis, idx, name, src=None):
    """torch's checks of a gather/scatter index: the same rank, no larger than self (but along
    axis; a scatter's: nor than src), entries in [0, size)."""
    if idx.ndim != a.ndim and not (a.ndim == 0 and idx.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    if a.ndim and name == "gather":
        for d, s in enumerate(idx.shape):
            if d != axis and s > a.shape[d]:
                raise RuntimeError(
                    f"Size does not match at dimension {d} expected index "
                    f"{shape_str(idx.shape)} to be no larger than self {shape_str(a.shape)} "
                    f"apart from dimension {axis}")
    elif a.ndim and (any(i != axis and s > a.shape[i] for i, s in enumerate(idx.shape)) or
                     src is not None and src.ndim and
                     any(s > src.shape[i] for i, s in enumerate(idx.shape))):
        raise RuntimeError(
            f"Expected index {shape_str(idx.shape)} to be no larger than self "
            f"{shape_str(a.shape)} apart from dimension {axis} and to be no larger size than src "
            f"{shape_str(src.shape if src is not None else ())}")
    n = a.shape[axis] if a.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].flat[0]
        raise RuntimeError(f"index {int(bad)} is out of bounds for dimension {axis} with size {n}")


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    idx = _idx_array(index, "gather")
    axis = wrap_dim(dim, input._array.ndim)
    _check_gather(input._array, axis, idx, "gather")
    return _apply(Gather, (input, axis, idx), {}, None)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    _idx_array(indices, "take_along_dim")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    ax = wrap_dim(dim, input.ndim)
    xs = tuple(1 if i == ax else s for i, s in enumerate(input.shape))
    js = tuple(1 if i == ax else s for i, s in enumerate(indices.shape))
    try:
        shape = xp.broadcast_shapes(xs, js)
    except ValueError:
        raise broadcast_error(xs, js) from None
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
    def forward(ctx: Ctx, a: Array, axis: int, idx: Array, src: Array, reduce: str | None) -> Array:
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
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (idx,) = ctx.saved_tensors
        ga = _zero_at(g, ctx.full, ns)
        gs = None
        if ctx.needs_input_grad[3]:  # torch's grad.gather(dim, index): index's shape (the
            gs = _gather_at(g, idx, ctx.axis, ns)  # engine rejects it unless it fits src)
        return ga, None, None, gs, None


def _gather_src_grad(g, idx, axis, src_shape, ns):
    """grad of a scatter's src: g gathered at idx (idx may be smaller than g and src in any
    dim), zero-padded to src's shape."""
    return _pad_to(_gather_at(g, idx, axis, ns), src_shape, ns)


def _gather_at(g, idx, axis, ns):
    if any(s != gs for i, (s, gs) in enumerate(zip(idx.shape, g.shape)) if i != axis):
        g = g[tuple(slice(0, s) if i != axis else slice(None) for i, s in enumerate(idx.shape))]
    return ns.take_along_axis(g, idx, axis)


def _pad_to(gs, src_shape, ns):
    if tuple(gs.shape) != tuple(src_shape):
        gs = ns.pad(gs, [(0, s - gi) for s, gi in zip(src_shape, gs.shape)])
    return gs


class ScatterAdd(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int, idx: Array, src: Array) -> Array:
        out = nx.scatter_add_along(a.shape, idx, src[tuple(slice(0, s) for s in idx.shape)],
                                   axis, a.copy())
        ctx.axis = axis
        ctx.save_for_backward(idx)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (idx,) = ctx.saved_tensors
        return g, None, None, _gather_at(g, idx, ctx.axis, ns)  # torch's, as Scatter's


class ScatterValue(Scatter):
    node_name = "ScatterBackward1"


def scatter(input: Tensor, dim: int, index: Tensor, src: Tensor | Number | None = None,
            value: Number | None = None, *, reduce: str | None = None) -> Tensor:
    if src is None:
        if value is None:  # torch has no overload without a source
            raise invalid_args("scatter", input, dim, index)
        src = value
    idx = _idx_array(index, "scatter")
    axis = wrap_dim(dim, input._array.ndim)
    if isinstance(src, (int, float, bool, complex)):
        a = input._array
        _check_gather(a, axis, idx, "scatter")
        # torch converts the value (with its overflow check) only when it writes something
        src = checked_scalar(src, a.dtype) if idx.size else \
            xp.zeros((), a.dtype)  # type: ignore[assignment]  # (the value as a 0-d array)
        return _apply(ScatterValue, (input, axis, idx, src, reduce), {}, None)
    _check_src(input, src)  # (neither src nor value: src is None, unsupported as in torch)
    _check_gather(input._array, axis, idx, "scatter", src._array)  # type: ignore[union-attr]
    return _apply(Scatter, (input, axis, idx, src, reduce), {}, None)


def _check_src(input, src):
    if src._array.dtype != input._array.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    idx = _idx_array(index, "scatter")
    axis = wrap_dim(dim, input._array.ndim)
    _check_src(input, src)
    _check_gather(input._array, axis, idx, "scatter", src._array)
    return _apply(ScatterAdd, (input, axis, idx, src), {}, None)


_REDUCE = {"sum": "sum", "prod": "prod", "mean": "mean", "amax": "amax", "amin": "amin",
           "max": "amax", "min": "amin"}


def _reduce_identity(reduce, dt):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dt.kind == "f":
        return -xp.inf if reduce == "amax" else xp.inf
    if dt.kind == "b":
        return reduce == "amin"
    info = xp.iinfo(dt)
    return info.min if reduce == "amax" else info.max


def _arr(x):
    return x._array if isinstance(x, Tensor) else x


class ScatterReduce(Op):
    """out = a with src reduced in along ``axis`` at ``idx`` (sum, prod, mean, amax, amin),
    a's values taking part unless ``include_self`` is False.  Gradients as torch's
    scatter_reduce_backward: amax/amin share the gradient evenly among the tied values."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, src: Array, axis: int, idx: Array, reduce: str,
                include_self: bool) -> Array:
        full = _full_index(idx, axis)
        vals = src[tuple(slice(0, s) for s in idx.shape)]
        out = a.copy()
        if not include_self:
            out[full] = _reduce_identity(reduce, a.dtype)
        if reduce == "mean":
            xp.add.at(out, full, vals)
            n = xp.zeros(a.shape, xp.int64)
            xp.add.at(n, full, 1)
            if include_self:
                n += 1
            else:
                n[n == 0] = 1
            out = out / n if a.dtype.kind in "fc" else xp.floor_divide(out, n)
            out = out.astype(a.dtype, copy=False)
            ctx.n = n
        else:
            ufunc = {"sum": xp.add, "prod": xp.multiply, "amax": xp.maximum,
                     "amin": xp.minimum}[reduce]
            ufunc.at(out, full, vals)
        ctx.full, ctx.axis, ctx.idx = full, axis, idx
        ctx.reduce, ctx.incl = reduce, include_self
        if reduce in ("prod", "amax", "amin"):
            ctx.save_for_backward(a, src, out)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return _scatter_reduce_backward(ctx, g, ns, True)

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # prod: the product of the other factors, from the forward's values, where the
        # reference divides out when no factor is zero; equal but for the rounding
        return _scatter_reduce_backward(ctx, g, ns, False)


def _scatter_reduce_backward(ctx, g, ns, prod_by_ops):
    """``prod_by_ops``: when no factor is zero, the gradient of a product as ops (another
    scatter_reduce and a division: differentiable under create_graph)."""
    full, axis, idx, r = ctx.full, ctx.axis, ctx.idx, ctx.reduce
    gs = None
    if r == "sum":  # src: torch's grad.gather(dim, index), as Scatter's
        ga = g
        gs = _gather_at(g, idx, axis, ns)
    elif r == "mean":
        ga = g / ctx.n.astype(_arr(g).dtype)
        gs = _gather_at(ga, idx, axis, ns)
    else:
        a, src, out = ctx.saved_tensors
        ga, gs = _scatter_reduce_grads(ctx, g, a, src, out, ns, prod_by_ops)
    if not ctx.incl:
        ga = _zero_at(ga, full, ns)
    return ga, gs, None, None, None, None


def _scatter_reduce_grads(ctx, g, a, src, out, ns, prod_by_ops):
    full, axis, idx, r = ctx.full, ctx.axis, ctx.idx, ctx.reduce
    A, S, OUT = _arr(a), _arr(src), _arr(out)
    sub = tuple(slice(0, s) for s in idx.shape)
    V = S[sub]
    dt = _arr(g).dtype
    if r in ("amax", "amin"):
        self_is = A == OUT
        src_is = V == OUT[full]
        n = self_is.astype(dt)
        _xp.add.at(n, full, src_is.astype(dt))
        n[n == 0] = 1
        gd = g / n
        src_mask = _xp.zeros(S.shape, dt)
        src_mask[sub] = src_is
        return gd * self_is.astype(dt), _gather_src_grad(gd, idx, axis, S.shape, ns) * src_mask
    # prod: the gradient of each factor is the product of the others at its position
    if prod_by_ops and not (V == 0).any() and not (ctx.incl and (A == 0).any()):
        ones = ns.asarray(_xp.ones(A.shape, A.dtype))
        ga = g * ns.apply(ScatterReduce, ones, src, axis, idx, "prod", True)
        gv = _gather_at(g * out, idx, axis, ns) / src[sub]
        return ga, _pad_to(gv, S.shape, ns)
    p_src = _xp.ones(A.shape, A.dtype)
    _xp.multiply.at(p_src, full, V)
    f0 = A if ctx.incl else _xp.ones_like(A)
    zeros = (f0 == 0).astype(_xp.int64)
    p_nz = _xp.where(f0 == 0, 1, f0)
    vz = V == 0
    _xp.multiply.at(p_nz, full, _xp.where(vz, 1, V))
    _xp.add.at(zeros, full, vz.astype(_xp.int64))
    zk, pk = zeros[full], p_nz[full]
    others = _xp.where(vz, _xp.where(zk == 1, pk, 0),
                       _xp.where(zk == 0, pk / _xp.where(vz, 1, V), 0)).astype(dt)
    gv = _gather_at(g, idx, axis, ns) * others
    return g * p_src.astype(dt), _pad_to(gv, S.shape, ns)


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    r = _REDUCE.get(reduce)
    if r is None:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    idx = _idx_array(index, "scatter")
    a = input._array
    _check_src(input, src)
    if a.ndim == 0:
        return scatter_reduce(input.reshape(1), 0, wrap(idx.reshape(-1)), src.reshape(-1),
                              reduce, include_self=include_self).reshape(())
    axis = wrap_dim(dim, a.ndim)
    _check_gather(a, axis, idx, "scatter", src._array)
    return _apply(ScatterReduce, (input, src, axis, idx, r, bool(include_self)), {}, None)


class IndexSelect(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int, idx: Array) -> Array:
        ctx.shape, ctx.axis = a.shape, axis
        ctx.save_for_backward(idx)
        if a.ndim == 0:  # (index [0] of a 0-d self: itself)
            return a.copy()
        return xp.take(a, idx, axis=axis)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (idx,) = ctx.saved_tensors
        if not ctx.shape:
            return g, None, None
        full = (slice(None),) * ctx.axis + (idx,)
        return ns.add_at(ctx.shape, full, g), None, None


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    idx = _idx_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    a = input._array
    if a.ndim == 0 and idx.size == 1:
        if idx.reshape(-1)[0] != 0:
            raise IndexError("index out of range in self")
        return _apply(IndexSelect, (input, 0, idx.reshape(())), {}, None)
    axis = wrap_dim(dim, a.ndim)
    _check_index_select(a.shape, axis, idx)
    return _apply(IndexSelect, (input, axis, idx.reshape(-1)), {}, None)


def _check_index_select(shape, axis, idx):
    """torch's index_select errors (its CPU kernel's words differ by case)."""
    n = shape[axis] if shape else 1
    if idx.size and len(shape) > 1 and n == 0:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if idx.size and (idx.max() >= n or idx.min() < 0):
        if len(shape) > 1 and (axis == 1 or 0 in shape):
            bad = idx[(idx < 0) | (idx >= n)].flat[0]
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(bad)} "
                               f"axis_dim={n}")
        raise IndexError("index out of range in self")


class IndexAdd(Op):
    """self with alpha * source added at ``idx`` along ``axis`` (repeats accumulate)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, v: Array, full: tuple[Array | slice, ...], alpha: int) -> Array:
        ctx.full, ctx.alpha = full, alpha
        out = a.copy()
        if out.size:  # (an empty self takes any index: torch adds nothing)
            # (NumPy's stubs refuse a tuple index, which ufunc.at takes)
            xp.add.at(out, full, v if alpha == 1 else v * alpha)  # type: ignore[arg-type]
        else:
            ctx.shape = a.shape
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        if not ctx.needs_input_grad[1]:
            return g, None, None, None
        if 0 in tuple(g.shape):  # torch's grad.index_select(dim, index) and its errors
            axis = len(ctx.full) - 1
            _check_index_select(ctx.shape, axis, ctx.full[-1])
        gs = g[ctx.full]
        return g, (gs if ctx.alpha == 1 else gs * ctx.alpha), None, None


class IndexCopy(IndexPut):
    node_name = "IndexCopyBackward0"


class IndexFill(IndexPut):
    node_name = "IndexFillBackward0"
    inputs = (0,)  # the value is a Scalar


class IndexFillTensor(IndexPut):
    node_name = "IndexFillBackward1"


def _index_vector(name, idx, input, axis, source=None):
    """index_add/index_copy's checks: a vector index, one per source slice, in range."""
    if idx.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector, but got dim: {idx.ndim} "
                         f"with type: Long and size: {shape_str(idx.shape)}")
    idx = idx.reshape(-1)
    if source is not None:
        ns = source._array.shape[axis] if source._array.ndim else 1
        if idx.size != ns:
            if name == "index_add_":
                raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be "
                                   f"equal to source.size(dim): ({ns}), for dim: {axis}")
            raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                             f"source.size(dim) ({ns})")
    a = input._array
    n = a.shape[axis] if a.ndim else 1
    if name == "index_add_" and a.ndim > 1 and a.size == 0:
        return idx  # (torch checks nothing when self is empty)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = int(idx[(idx < 0) | (idx >= n)][0])
        text = f"index {bad} is out of bounds for dimension {axis} with size {n}"
        if name == "index_copy_":
            raise IndexError("index_copy_(): " + text)
        if a.ndim <= 1 or a.size == n:  # (torch's kernel for one-element slices words it so)
            raise IndexError("index out of range in self")
        raise RuntimeError(text)
    return idx


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *,
              alpha: Number = 1) -> Tensor:
    idx = _idx_array(index, "index_add")
    a = input._array
    axis = wrap_dim(dim, a.ndim)
    if source._array.dtype != a.dtype:
        raise RuntimeError(f"index_add_(): self ({_word(a.dtype)}) and source "
                           f"({_word(source._array.dtype)}) must have the same scalar type")
    idx = _index_vector("index_add_", idx, input, axis, source)
    return _apply(IndexAdd, (input, source, (_ALL,) * axis + (idx,), alpha), {}, None)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Tensor | Number) -> Tensor:
    idx = _idx_array(index, "index_fill")
    a = input._array
    axis = wrap_dim(dim, a.ndim)
    if idx.ndim > 1:
        raise IndexError("Index has to be a vector/scalar")
    idx = idx.reshape(-1)
    n = a.shape[axis] if a.ndim else 1
    if a.size == 0 and idx.size:  # torch's kernel: no check at all, or a failed restride
        if n or 0 in a.shape[:axis] + a.shape[axis + 1:]:
            idx = idx[:0]
        else:
            raise RuntimeError(_set_storage_error(a, axis))
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx[(idx < -n) | (idx >= n)][0])
        raise IndexError(f"index {bad} is out of bounds for dimension {axis} with size {n}")
    full = (_ALL,) * axis + (idx,)
    if isinstance(value, Tensor):
        if value._array.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value._array.ndim} dimension(s).")
        return _apply(IndexFillTensor, (input, value, full, False), {}, None)
    v = wrap(checked_scalar(value, a.dtype))
    return _apply(IndexFill, (input, v, full, False), {}, None)


def _set_storage_error(a, axis):
    """torch's text where index_fill restrides an empty self to one slice along ``axis``."""
    sizes, strides, st = [], [], 1
    for i in range(a.ndim - 1, -1, -1):
        sizes.insert(0, 1 if i == axis else a.shape[i])
        strides.insert(0, 0 if i == axis else st)
        st *= max(a.shape[i], 1)
    need = a.itemsize * (1 + sum((s - 1) * t for s, t in zip(sizes, strides)))
    return (f"setStorage: sizes {shape_str(sizes)}, strides {shape_str(strides)}, storage offset "
            f"0, and itemsize {a.itemsize} requiring a storage size of {need} are out of bounds "
            f"for storage of size 0")


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    idx = _idx_array(index, "index_copy")
    a = input._array
    axis = wrap_dim(dim, a.ndim)
    if source._array.dtype != a.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {_word(a.dtype)} and (source) "
                           f"{_word(source._array.dtype)}")
    idx = _index_vector("index_copy_", idx, input, axis, source)
    return _apply(IndexCopy, (input, source, (_ALL,) * axis + (idx,), False), {}, None)


class MaskedSelect(Index):
    node_name = "MaskedSelectBackward0"


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    m = mask._array if isinstance(mask, Tensor) else xp.asarray(mask)
    if m.dtype != xp.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    try:
        shape = xp.broadcast_shapes(m.shape, input._array.shape)
    except ValueError:
        raise broadcast_error(m.shape, input._array.shape) from None
    x = input.expand(*shape) if input._array.shape != shape else input
    return _apply(MaskedSelect, (x, (xp.broadcast_to(m, shape),)), {}, None)


class MaskedScatter(Op):
    """self with source's first elements written where the (broadcast) mask is set."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, src: Array, m: Array, n: int) -> Array:
        ctx.m, ctx.n, ctx.src_shape = m, n, src.shape
        out = a.copy() if a.shape == m.shape else xp.broadcast_to(a, m.shape).copy()
        out[m] = src.reshape(-1)[:n]
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        gs = None
        if ctx.needs_input_grad[1]:
            size = 1
            for k in ctx.src_shape:
                size *= k
            gs = ns.pad(g[ctx.m], [(0, size - ctx.n)]).reshape(ctx.src_shape)
        return _zero_at(g, (ctx.m,), ns), gs, None, None


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    m = mask._array if isinstance(mask, Tensor) else xp.asarray(mask)
    if m.dtype != xp.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {_word(m.dtype)}")
    a = input._array
    if source._array.dtype != a.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got{_word(a.dtype)} and {_word(source._array.dtype)}")
    try:
        shape = xp.broadcast_shapes(a.shape, m.shape)
    except ValueError:
        raise broadcast_error(a.shape, m.shape) from None
    m = xp.broadcast_to(m, shape)
    n = int(m.sum())
    if n > source._array.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return _apply(MaskedScatter, (input, source, m, n), {}, None)


def masked_scatter_(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """In place: the mask may not grow self."""
    from .inplace import inplace
    m = mask._array if isinstance(mask, Tensor) else xp.asarray(mask)
    shape = input._array.shape
    if m.shape != shape and m.dtype == xp.bool_:  # the mask expands to self's shape
        from .shape import expand_shape
        try:
            expand_shape(m.shape, shape, m.dtype)
        except RuntimeError as e:
            raise RuntimeError(str(e).replace("torch.BoolTensor", "CPUBoolType")) from None
    return inplace(input, masked_scatter, mask, source)


class Take(Op):
    """input.flatten()[idx] (negative entries count from the end)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, idx: Array) -> Array:
        ctx.shape, ctx.idx = a.shape, idx
        return a.reshape(-1)[idx]

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        n = 1
        for s in ctx.shape:
            n *= s
        return ns.add_at((n,), (ctx.idx,), g).reshape(ctx.shape), None


def take(input: Tensor, index: Tensor) -> Tensor:
    idx = _idx_array(index, "take")
    n = input._array.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        if n == 0:
            raise IndexError("take(): tried to take from an empty tensor")
        bad = int(idx[(idx < -n) | (idx >= n)].flat[0])
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         f"elements.")
    return _apply(Take, (input, idx), {}, None)


if TYPE_CHECKING:
    @overload
    def nonzero(input: Tensor, *, as_tuple: Literal[False] = False) -> Tensor: ...

    @overload
    def nonzero(input: Tensor, *, as_tuple: Literal[True]) -> tuple[Tensor, ...]: ...

    @overload
    def nonzero(input: Tensor, *, as_tuple: bool) -> Tensor | tuple[Tensor, ...]: ...


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
    a = input._array
    if a.ndim == 0:  # a 0-d tensor: one (empty) coordinate row when it is nonzero
        k = int(bool(a))
        if as_tuple:
            return (wrap(xp.zeros(k, xp.int64)),)
        return wrap(xp.zeros((k, 0), xp.int64))
    nz = xp.nonzero(a)
    if as_tuple:
        return tuple(wrap(i.astype(xp.int64)) for i in nz)
    return wrap(xp.stack(nz, axis=1).astype(xp.int64))


def argwhere(input: Tensor) -> Tensor:
    return nonzero(input)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa
           return_counts: bool = False,
           dim: int | None = None) -> Tensor | tuple[Tensor, ...]:
    a = input._array
    if a.dtype.kind == "c":
        raise not_implemented("unique", a.dtype)
    if dim is not None:
        dim = _unique_dim(a, dim)
    # NumPy's stubs overload unique on literal flags only
    res = xp.unique(a, return_inverse=return_inverse,  # type: ignore[call-overload]
                    return_counts=return_counts, axis=dim)
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


def _unique_dim(a, dim):
    """unique(dim=...): torch's errors for a 0-d input and for zero-sized dims; the wrapped dim."""
    if a.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, a.ndim)
    zeros = [i for i, n in enumerate(a.shape) if n == 0]
    if len(zeros) > 1:
        raise RuntimeError("Number of zero sized dimensions is more than one, so unique cannot "
                           "be applied ")
    if zeros and zeros[0] != d:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique "
                           "cannot be applied")
    return d


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None) -> Tensor | tuple[Tensor, ...]:
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


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    w = weights._array if weights is not None else None
    r = xp.bincount(input._array, w, minlength)
    if w is None or not input._array.size:  # (torch: no weights summed -> int64 counts)
        return wrap(r.astype(xp.int64))
    # torch: weighted counts are float32 for float32 weights, else float64
    return wrap(r.astype(xp.float32) if w.dtype == xp.float32 else r)


def searchsorted(sorted_sequence: Tensor, values: Tensor | Number, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None) -> Tensor:
    side = side or ("right" if right else "left")
    s = sorted_sequence._array
    v = values._array if isinstance(values, Tensor) else xp.asarray(values)
    if s.dtype.kind == "f" and s.size and xp.isnan(s).any():  # rare: torch's search order
        return wrap(_nan_search(s, v, side == "right").astype(xp.int32 if out_int32 else
                                                               xp.int64))
    if s.ndim == 1:
        r = xp.searchsorted(s, v, side=side)  # type: ignore[call-overload]  # (Literal side)
    else:
        r = xp.stack([xp.searchsorted(s[i], v[i], side=side)  # type: ignore[call-overload]
                      for i in range(s.shape[0])])
    return wrap(r.astype(xp.int32 if out_int32 else xp.int64))


def _nan_search(s, v, right):
    """torch's binary search, step by step (a NaN in the sorted sequence compares false, so
    where it lands depends on the path the search takes, unlike NumPy's NaN-last order)."""
    n = s.shape[-1]
    s2 = s.reshape(1, n) if s.ndim == 1 else s.reshape(-1, n)
    v2 = v.reshape(1, -1) if s.ndim == 1 else v.reshape(s2.shape[0], -1)
    start = xp.zeros(v2.shape, xp.int64)
    end = xp.full(v2.shape, n, xp.int64)
    while True:
        act = start < end
        if not act.any():
            break
        mid = (start + end) >> 1
        mv = xp.take_along_axis(s2, xp.minimum(mid, n - 1), axis=1)
        go = ~(mv > v2) if right else ~(mv >= v2)
        start = xp.where(act & go, mid + 1, start)
        end = xp.where(act & ~go, mid, end)
    return start.reshape(v.shape)


def bucketize(input: Tensor | Number, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    b = boundaries._array
    v = input._array if isinstance(input, Tensor) else xp.asarray(input)  # (a Scalar input)
    if b.dtype.kind == "f" and b.size and xp.isnan(b).any():
        r = _nan_search(b, v, right)
        return wrap(r.astype(xp.int32 if out_int32 else xp.int64))
    r = xp.searchsorted(boundaries._array, v, side="left" if not right else "right")
    return wrap(r.astype(xp.int32 if out_int32 else xp.int64))
