"""In-place ops and PyTorch's rules for them.

- Under no_grad, or when nothing involved needs a gradient: write into ``_array`` and bump the
  version counter shared with every view.
- A leaf that requires grad (or a view of one), grad mode on: torch's error.
- Otherwise compute out of place (the new node's input edge is the old ``grad_fn``), write the
  result into the storage, bump the version and rebase the tensor's history onto the new node.
  In-place on a view of a graph tensor rebases the base through a ``CopySlices`` node.
"""
from __future__ import annotations

from .. import _dtype as D
from .._backend import ndarray, xp
from .._tensor import _LEAF_INPLACE, _VIEW_LEAF_INPLACE, Tensor
from ..autograd.function import Op, _apply
from ..autograd.grad_mode import _state
from ..autograd.graph import _IN
from ._utils import as_tensor_arg, shape_str, wrap


def bump(t):
    t._vc[0] += 1


def check_inplace(t, *others) -> bool:
    """Raise torch's errors; return True when the in-place op must be recorded in the graph."""
    if not _state.enabled:
        return False
    if t._req and t.grad_fn is None:
        raise RuntimeError(_LEAF_INPLACE)
    if t._req:
        base = t._base  # a differentiable view of a leaf that requires grad
        if base is not None and base._req and base.grad_fn is None:
            raise RuntimeError(_VIEW_LEAF_INPLACE)
        return True
    for o in others:
        if isinstance(o, Tensor) and o._req:
            return True
    return False


def _write(t, arr):
    a = t._array
    if arr.shape != a.shape:
        try:
            arr = xp.broadcast_to(arr, a.shape)
        except ValueError:
            raise RuntimeError(f"output with shape {shape_str(a.shape)} doesn't match the "
                               f"broadcast shape {shape_str(arr.shape)}") from None
    if arr.dtype != a.dtype:
        src, dst = D.from_numpy_dtype(arr.dtype), D.from_numpy_dtype(a.dtype)
        if src.category > dst.category:
            raise RuntimeError(f"result type {_word(src)} can't be cast to the desired output "
                               f"type {_word(dst)}")
    if not a.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the "
                           "tensor before performing the operation.")
    xp.copyto(a, arr, casting="unsafe")


def _word(d):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(d.name, d.name)


def rebase(t, res):
    """Make ``t`` hold ``res``'s values (in its own storage) and ``res``'s history."""
    node = res.grad_fn
    if node is not None and node._saved_info is not None:
        # an input saved by the new node is about to be overwritten: keep its old values
        saved = list(node._saved)
        info = list(node._saved_info)
        for k, item in enumerate(info):
            if item is not None and item[0] == _IN and item[1] is t:
                saved[k] = saved[k].copy()
                info[k] = None
        node._saved, node._saved_info = tuple(saved), info
    if t._base is not None and res._req:
        _rebase_view(t, res)
        return
    _write(t, res._array)
    bump(t)
    t.grad_fn = node
    t._output_nr = res._output_nr
    t._req = res._req


def inplace(t, fn, *args, **kwargs):
    """``t.op_(*args)`` as ``fn(t, *args)`` computed out of place, then written back."""
    if check_inplace(t, *args):
        rebase(t, fn(t, *args, **kwargs))
        return t
    prev = _state.enabled
    _state.enabled = False
    try:
        res = fn(t, *args, **kwargs)
    finally:
        _state.enabled = prev
    _write(t, res._array)
    bump(t)
    return t


def add_(t, other, alpha=1):
    if check_inplace(t, other):
        from .pointwise import add
        rebase(t, add(t, other, alpha=alpha))
        return t
    a = t._array
    o = other._array if isinstance(other, Tensor) else other
    if alpha != 1:
        o = o * alpha
    if isinstance(o, ndarray) and (o.dtype != a.dtype or o.shape != a.shape):
        if o.shape != a.shape:
            xp.broadcast_shapes(o.shape, a.shape)
        res = a + o
        _write(t, res)
    elif isinstance(o, float) and a.dtype.kind in "iub":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_word(D.from_numpy_dtype(a.dtype))}")
    else:
        xp.add(a, o, out=a)
    bump(t)
    return t


class Fill(Op):
    @staticmethod
    def forward(ctx, a, value):
        return xp.full_like(a, value)

    @staticmethod
    def backward(ctx, g, xp):
        return g * 0, (xp.sum(g) if ctx.needs_input_grad[1] else None)


def fill_(t, value):
    if isinstance(value, Tensor) and value._array.ndim != 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._array.ndim} dimensions.")
    if check_inplace(t, value):
        rebase(t, _apply(Fill, (t, value), {}, None))
        return t
    v = value._array if isinstance(value, Tensor) else value
    t._array[...] = v
    bump(t)
    return t


class CopyFrom(Op):
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, a, src):
        return xp.broadcast_to(src, a.shape).astype(a.dtype, copy=True)

    @staticmethod
    def backward(ctx, g, xp):
        return g * 0, g  # the engine reduces and casts g to src's shape and dtype


def copy_(t, src):
    src = as_tensor_arg(src)
    if not isinstance(src, Tensor):
        src = wrap(xp.asarray(src, dtype=t._array.dtype))
    try:
        xp.broadcast_shapes(src._array.shape, t._array.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({t._array.shape[-1] if t._array.ndim else 1})"
                           f" must match the size of tensor b "
                           f"({src._array.shape[-1] if src._array.ndim else 1}) at non-singleton "
                           f"dimension {max(t._array.ndim - 1, 0)}") from None
    if check_inplace(t, src):
        rebase(t, _apply(CopyFrom, (t, src), {}, None))
        return t
    xp.copyto(t._array, xp.broadcast_to(src._array, t._array.shape), casting="unsafe")
    bump(t)
    return t


def set_(t, new):
    t._array = new._array
    bump(t)
    return t


def resize_(t, *sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(int(s) for s in sizes)
    n = 1
    for s in sizes:
        n *= s
    a = t._array
    if a.size == n:
        t._array = a.reshape(sizes)
    else:
        new = xp.zeros(n, a.dtype)
        k = min(n, a.size)
        new[:k] = a.reshape(-1)[:k]
        t._array = new.reshape(sizes)
    bump(t)
    return t


def random_fill_(t, kind, a, b, generator=None):
    if _state.enabled and t._req and t.grad_fn is None:
        raise RuntimeError(_LEAF_INPLACE)
    from .. import _random
    arr = _random.sample(kind, t._array.shape, t._array.dtype, a, b, generator)
    xp.copyto(t._array, arr, casting="unsafe")
    bump(t)
    return t


# ------------------------------------------------------------------------------ views


class CopySlices(Op):
    """base with the elements at flat positions ``pos`` replaced by ``v``."""
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, v, pos):
        ctx.save_for_backward(pos)
        out = base.copy()
        out.reshape(-1)[pos.reshape(-1)] = v.reshape(-1)
        return out

    @staticmethod
    def backward(ctx, g, xp):
        (pos,) = ctx.saved_tensors
        flat = g.reshape(-1)
        mask = _np_ones(tuple(flat.shape))
        mask[pos.reshape(-1)] = False
        gb = (flat * mask).reshape(g.shape)
        gv = flat[pos.reshape(-1)].reshape(pos.shape)
        return gb, gv, None


def _np_ones(shape):
    return xp.ones(shape, dtype=bool)


class AsStrided(Op):
    """The view at flat positions ``pos`` of its base (gives views a grad_fn after rebase)."""
    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, base, pos):
        ctx.save_for_backward(pos)
        ctx.shape, ctx.size = base.shape, base.size
        return base.reshape(-1)[pos.reshape(-1)].reshape(pos.shape)

    @staticmethod
    def backward(ctx, g, xp):
        (pos,) = ctx.saved_tensors
        return xp.add_at((ctx.size,), pos.reshape(-1), g.reshape(-1)).reshape(ctx.shape), None


def _view_positions(base, view):
    """Flat (C-order) positions in ``base`` of each element of ``view`` (a NumPy view of it)."""
    isz = base.itemsize
    if any(s < 0 for s in base.strides):
        raise NotImplementedError("in-place on a view of a tensor with negative strides")
    span = 1 + sum((n - 1) * s // isz for n, s in zip(base.shape, base.strides) if n > 0)
    buf = xp.full(span, -1, dtype=xp.int64)
    st = xp.lib.stride_tricks.as_strided
    bview = st(buf, base.shape, tuple(s // isz * 8 for s in base.strides))
    bview[...] = xp.arange(base.size, dtype=xp.int64).reshape(base.shape)
    off = (view.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // isz
    pos = st(buf[off:], view.shape, tuple(s // isz * 8 for s in view.strides)).copy()
    return pos


def _rebase_view(t, res):
    base = t._base
    pos = _view_positions(base._array, t._array)
    new_base = _apply(CopySlices, (base, res, pos), {}, None)
    _write(t, res._array)  # writes through into the base's storage
    bump(t)
    base.grad_fn = new_base.grad_fn
    base._output_nr = 0
    base._req = True
    view_node = _apply(AsStrided, (base, pos), {}, None)
    t.grad_fn = view_node.grad_fn
    t._output_nr = 0
    t._req = True
