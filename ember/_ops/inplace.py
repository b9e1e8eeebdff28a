"""In-place ops and PyTorch's rules for them.

- Under no_grad, or when nothing involved needs a gradient: write into ``_array`` and bump the
  version counter shared with every view.
- A leaf that requires grad (or a view of one), grad mode on: torch's error.
- Otherwise compute out of place (the new node's input edge is the old ``grad_fn``), write the
  result into the storage, bump the version and rebase the tensor's history onto the new node.
  In-place on a view of a graph tensor rebases the base through a ``CopySlices`` node.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import re

from .. import _dtype as D
from .._backend import ndarray, xp
from .._tensor import _LEAF_INPLACE, _VIEW_LEAF_INPLACE, Tensor, _make
from ..autograd import function as _function
from ..autograd.function import _NOGRAD, Op, _apply, _apply_view, grad_fn_of
from ..autograd.grad_mode import _state
from ..autograd.graph import _IN
from ._utils import (as_tensor_arg, broadcast_error, quiet, shape_str, wrap, wrap_dim,
                     wrap_dims)
from .shape import Squeeze, T, Transpose, Unsqueeze
from .._tensor import bump_version

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Callable, Sequence
    from typing import Any
    from .._random import Generator

    from ._types import Array, Ctx, Grads, Namespace, Number, Operand, Size, Value

bump = bump_version  # (the name the op modules use)


def check_inplace(t: Tensor, *others: object, view_name: str | None = None) -> bool:
    """Raise torch's errors; return True when the in-place op must be recorded in the graph.

    ``view_name``: the in-place op writes through a view of ``t`` made by that view op (as
    ``x[0] = v`` does: ``select`` then ``copy_``)."""
    if not _state.enabled:
        return _function._FW_ON and _fw_dual(t, others)
    if t._base is not None:
        ngv = t.__dict__.get("_no_grad_view")
        if ngv is not None:
            raise RuntimeError(_no_grad_view_error(t, ngv, view_name))
    if not t._requires_grad:
        for o in others:
            if isinstance(o, Tensor) and o._requires_grad:
                break
        else:
            return _function._FW_ON and _fw_dual(t, others)
    if t._base is not None and t.grad_fn is not None:
        grad_fn_of(t)  # a stale view gets its base's current history first
        _check_multi_output_view(t, view_name)
    if t._requires_grad:
        if t.grad_fn is None:
            raise RuntimeError(_VIEW_LEAF_INPLACE if view_name else _LEAF_INPLACE)
        base = t._base  # a differentiable view of a leaf that requires grad
        if base is not None and base._requires_grad and base.grad_fn is None:
            raise RuntimeError(_VIEW_LEAF_INPLACE)
    return True


def _fw_dual(t, others):
    """Forward AD is on and a dual tensor takes part: the in-place op runs out of place (its
    tangent is computed there) and ``rebase`` moves the tangent onto ``t``."""
    from ..autograd.forward_ad import _get
    return _get(t) is not None or any(_get(o) is not None for o in others
                                      if isinstance(o, Tensor))


_NO_GRAD_VIEW = ("created in no_grad mode and is being modified inplace with grad mode enabled. "
                 "Given that this use case is ambiguous and error-prone, it is forbidden. You "
                 "can clarify your code by moving both the view and the inplace either both "
                 "inside the no_grad block (if you don't want the inplace to be tracked) or "
                 "both outside (if you want the inplace to be tracked).")


def _no_grad_view_error(t, kind, view_name):
    if view_name is None and kind == "self":
        return "A view was " + _NO_GRAD_VIEW
    name = re.sub(r"Backward\d*$", "", view_name or type(t.grad_fn).__name__)
    return f"Output 0 of {name} is a view of a view which was " + _NO_GRAD_VIEW


_MULTI_OUTPUT = (" is a view and is being modified inplace. This view is the output of a "
                 "function that returns multiple views. Such functions do not allow the output "
                 "views to be modified inplace. You should replace the inplace operation by an "
                 "out-of-place one.")


def _check_multi_output_view(t, view_name):
    """torch forbids recorded in-place on (views of) the outputs of split/chunk/unbind: their
    grad_fn chain of view ops reaches a multi-output view op."""
    node = t.grad_fn
    while node is not None:
        op = getattr(node, "_op", None)
        if op is None or not op.is_view:
            return
        if op.multi_output:
            break
        node = node.next_functions[0][0]
    else:
        return
    name, nr = (view_name, 0) if view_name else (type(t.grad_fn).__name__, t._output_nr)
    raise RuntimeError(f"Output {nr} of {_op_name(name)}{_MULTI_OUTPUT}")


def _op_name(node_name):
    """SplitWithSizesBackward0 -> SplitWithSizes (the view op's name in torch's message)."""
    k = node_name.rfind("Backward")
    return node_name[:k] if k > 0 else node_name


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
        raise RuntimeError(_OVERLAP)
    xp.copyto(a, arr, casting="unsafe")


_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")


def _word(d):
    return d.scalar_name


def rebase(t: Tensor, res: Tensor) -> None:
    """Make ``t`` hold ``res``'s values (in its own storage) and ``res``'s history."""
    node = res.grad_fn
    if node is not None and node._saved_info is not None:
        # an input saved by the new node is about to be overwritten: keep its old values
        saved = list(node._saved)
        info = list(node._saved_info)
        for k, item in enumerate(info):
            if item is not None and item[0] == _IN and item[1] is t:
                # torch's original_self: the old values with t's old history (create_graph)
                saved[k] = saved[k].copy()
                old = _make(saved[k], t._requires_grad, t.grad_fn, t._output_nr, None)
                info[k] = (_IN, old, old._version_counter, 0)
        node._saved, node._saved_info = tuple(saved), info
    if t._base is not None and res._requires_grad:
        _rebase_view(t, res)
    else:
        _write(t, res._array)
        bump(t)
        t.grad_fn = node
        t._output_nr = res._output_nr
        t._requires_grad = res._requires_grad
    if _function._FW_ON:
        from ..autograd._jvp import inplace_tangent
        inplace_tangent(t, res)


def inplace(t: Tensor, fn: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
    """``t.op_(*args)`` as ``fn(t, *args)`` computed out of place, then written back."""
    if _function._VMAP and "_bvalue" in t.__dict__:  # a batched tensor inside vmap
        from ..func._batched import _assign
        _assign(t, fn(t, *args, **kwargs), "inplace")  # type: ignore[arg-type]
        return t
    if check_inplace(t, *args):
        try:
            res = fn(t, *args, **kwargs)
        except ValueError as e:
            raise _broadcast_failure(e, t, args) from None
        rebase(t, res)
        return t
    prev = _state.enabled
    _state.enabled = False
    try:
        res = fn(t, *args, **kwargs)
    except ValueError as e:
        raise _broadcast_failure(e, t, args) from None
    finally:
        _state.enabled = prev
    _write(t, res._array)
    bump(t)
    if _function._FW_ON:
        from ..autograd._jvp import inplace_tangent
        inplace_tangent(t, res)
    return t


def _broadcast_failure(e, t, args):
    """torch's text where NumPy could not broadcast the operands of an in-place op."""
    if "broadcast" not in str(e):
        return e
    shape = t._array.shape
    for o in args:
        if isinstance(o, Tensor):
            try:
                shape = xp.broadcast_shapes(shape, o._array.shape)
            except ValueError:
                return broadcast_error(shape, o._array.shape)
    return e


def _alpha_check(t, other, alpha):
    """torch's checks of add's alpha against the result dtype."""
    if alpha.__class__ is int:
        return
    dt = D.result_type(t, other) if isinstance(other, Tensor) else t.dtype
    if isinstance(alpha, bool):
        if dt.name != "bool":
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif isinstance(alpha, float) and not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def sub_(t: Tensor, other: Tensor | Number, alpha: Number = 1) -> Tensor:
    if t._array.dtype.kind == "b" and isinstance(other, Tensor) and \
            other._array.dtype.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    return add_(t, other, -alpha)


def add_(t: Tensor, other: Tensor | Number, alpha: Number = 1) -> Tensor:
    if alpha.__class__ is not int:
        _alpha_check(t, other, alpha)
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
            try:
                xp.broadcast_shapes(a.shape, o.shape)
            except ValueError:
                raise broadcast_error(a.shape, o.shape) from None
        if o.dtype != a.dtype:
            src, dst = D.result_type(t, other), D.from_numpy_dtype(a.dtype)
            if src.category > dst.category:
                raise RuntimeError(f"result type {_word(src)} can't be cast to the desired "
                                   f"output type {_word(dst)}")
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
    """fill_ with a Python number."""
    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx: Ctx, a: Array, value: Operand) -> Array:
        return xp.full_like(a, value)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g * 0, None


class FillTensor(Op):
    """fill_ with a 0-d tensor: its gradient is the sum of the gradient."""
    node_name = "FillBackward3"
    int_grad = True  # torch records it on an integer tensor too

    @staticmethod
    def forward(ctx: Ctx, a: Array, value: Array) -> Array:
        return xp.full_like(a, value)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g * 0, (ns.sum(g) if ctx.needs_input_grad[1] else None)


class Zero(Fill):
    node_name = "ZeroBackward0"


def fill_(t: Tensor, value: Tensor | Number, cls: type[Op] | None = None) -> Tensor:
    if isinstance(value, Tensor):
        if value._array.ndim != 0:
            check_inplace(t, value)  # torch reports a leaf that requires grad first
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._array.ndim} dimensions.")
        cls = FillTensor
    elif cls is None:  # (zero_ passes Zero and 0)
        from .indexing import checked_scalar
        # (the number converted to t's dtype: a 0-d array from here on)
        value = checked_scalar(as_tensor_arg(value),  # type: ignore[arg-type, assignment]
                               t._array.dtype)
        cls = Fill
    if check_inplace(t, value):
        rebase(t, _apply(cls, (t, value), {}, None))
        return t
    v = value._array if isinstance(value, Tensor) else value
    t._array[...] = v
    bump(t)
    return t


def zero_(t: Tensor) -> Tensor:
    return fill_(t, 0, Zero)


class CopyFrom(Op):
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx: Ctx, a: Array, src: Array) -> Array:
        return xp.broadcast_to(src, a.shape).astype(a.dtype, copy=True)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g * 0, g  # the engine reduces and casts g to src's shape and dtype


def copy_(t: Tensor, src: Tensor | Number) -> Tensor:
    src = as_tensor_arg(src)
    if not isinstance(src, Tensor):  # a number: torch's wrapped scalar, cast unchecked
        src = wrap(xp.asarray(src))
    shape, sshape = t._array.shape, src._array.shape
    if sshape != shape:
        try:
            out = xp.broadcast_shapes(shape, sshape)
        except ValueError:
            raise broadcast_error(shape, sshape) from None
        if out != shape:
            raise RuntimeError(f"output with shape {shape_str(shape)} doesn't match the "
                               f"broadcast shape {shape_str(out)}")
    if check_inplace(t, src):
        rebase(t, _apply(CopyFrom, (t, src), {}, None))
        return t
    if not t._array.flags.writeable:  # an expanded view: torch's internal-overlap error
        raise RuntimeError(_OVERLAP)
    if t._array.dtype == src._array.dtype:
        xp.copyto(t._array, xp.broadcast_to(src._array, t._array.shape))
    else:  # a cast: NaN or an overflow converts silently, as in torch
        quiet(_copy_cast, t._array, src._array)
    bump(t)
    return t


def set_(t: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """torch's ``set_`` overloads: (), (Tensor or storage), (source, storage_offset, size,
    stride=None); ``t`` then shares the source's storage (ember/_ops/tensor_extras.py)."""
    from .tensor_extras import ctype_name, parse_set_args, set_storage
    src, off, size, stride = parse_set_args(args, kwargs)
    if _state.enabled and t._requires_grad and t.grad_fn is None:
        raise RuntimeError(_LEAF_INPLACE)
    if src is None:
        from ..storage import UntypedStorage
        set_storage(t, UntypedStorage(), 0, (0,), (1,))
    elif isinstance(src, Tensor):
        if src._array.dtype != t._array.dtype:
            raise RuntimeError(f"Could not set tensor of type {ctype_name(src._array.dtype)} to "
                               f"a tensor of type {ctype_name(t._array.dtype)}")
        from ..storage import storage_of
        if off is None:
            from ..storage import _Cached
            st, t._array = storage_of(src), src._array
            t._base = None
            t.__dict__["_ustorage"] = _Cached((st, src._array))
        else:  # (the offset counts from the source's own)
            set_storage(t, storage_of(src), off + src.storage_offset(),  # type: ignore[attr-defined]
                        size, stride)
    else:
        from ..storage import TypedStorage
        if isinstance(src, TypedStorage):
            if src.dtype.np != t._array.dtype:
                raise RuntimeError(f"Expected a Storage of type {ctype_name(t._array.dtype)}"
                                   " or an UntypedStorage, but got type "
                                   f"{src.dtype.scalar_name} for argument 1 'storage'")
            src = src._untyped_storage
        set_storage(t, src, off, size, stride)
    bump(t)
    return t


def resize_(t: Tensor, *sizes: int | Size) -> Tensor:
    if t._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    given = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    shape = tuple(int(s) for s in given)  # type: ignore[arg-type]  # (ints once unpacked)
    n = 1
    for s in shape:
        n *= s
    a = t._array
    if a.size == n:
        t._array = a.reshape(shape)
    else:
        new = xp.zeros(n, a.dtype)
        k = min(n, a.size)
        new[:k] = a.reshape(-1)[:k]
        t._array = new.reshape(shape)
    bump(t)
    return t


class TInplace(T):
    node_name = "TBackward1"


class TransposeInplace(Transpose):
    node_name = "TransposeBackward1"


class UnsqueezeInplace(Unsqueeze):
    node_name = "UnsqueezeBackward1"


class SqueezeInplace(Squeeze):
    node_name = "SqueezeBackward3"


class SqueezeDimInplace(Squeeze):
    node_name = "SqueezeBackward4"


class SqueezeDimsInplace(Squeeze):
    node_name = "SqueezeBackward5"


def view_(t: Tensor, cls: type[Op], *extra: Any) -> Tensor:
    """``t.t_()``, ``t.unsqueeze_(d)``, ...: t becomes that view of itself (same storage), with
    the view's node on top of its history when autograd records it."""
    if check_inplace(t):
        r = _apply_view(cls, t, *extra)
        t.grad_fn, t._output_nr = r.grad_fn, 0
        t._array = r._array
        if _function._FW_ON:
            from ..autograd._jvp import view_inplace_tangent
            view_inplace_tangent(t, r)
    else:
        t._array = cls.forward(_NOGRAD, t._array, *extra)
    bump(t)
    return t


def t_(t: Tensor) -> Tensor:
    nd = t._array.ndim
    if nd > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return view_(t, TInplace)


def transpose_(t: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = t._array.ndim
    if nd == 0:
        return t
    return view_(t, TransposeInplace, wrap_dim(dim0, nd), wrap_dim(dim1, nd))


def unsqueeze_(t: Tensor, dim: int) -> Tensor:
    return view_(t, UnsqueezeInplace, wrap_dim(dim, t._array.ndim + 1))


def squeeze_(t: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    sh = t._array.shape
    if dim is None:
        return view_(t, SqueezeInplace, tuple(i for i, s in enumerate(sh) if s == 1))
    axes = tuple(i for i in wrap_dims(dim, len(sh)) if sh[i] == 1) if sh else ()
    cls = SqueezeDimsInplace if isinstance(dim, (tuple, list)) else SqueezeDimInplace
    return view_(t, cls, axes)


class RandomFill(Op):
    """An in-place random fill of a graph tensor: the new values carry no gradient, so the
    history before them gets zeros (torch's UniformBackward0 and friends)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, arr: Array) -> Array:
        return arr

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g * 0, None


_RANDOM_NODES = {k: type(k, (RandomFill,), {"node_name": k}) for k in (
    "UniformBackward0", "NormalBackward0", "BernoulliBackward1", "BernoulliBackward2",
    "ExponentialBackward0", "RandomBackward0", "RandomBackward1", "RandomBackward2",
    "GeometricBackward0", "CauchyBackward0", "LogNormalBackward0")}


def random_fill_(t: Tensor, kind: str, a: Tensor | Number | None, b: Tensor | Number | None,
                 generator: Generator | None = None, node: str | None = None) -> Tensor:
    """``t.uniform_(a, b)`` and friends; ``node``: torch's grad_fn name for the overload."""
    from .. import _random
    arr = _random.sample(kind, t._array, a, b, generator)
    if check_inplace(t):
        name = node or {"uniform": "UniformBackward0", "normal": "NormalBackward0",
                        "exponential": "ExponentialBackward0"}.get(kind)
        if name is None:
            name = "BernoulliBackward1" if isinstance(a, Tensor) else "BernoulliBackward2"
        rebase(t, _apply(_RANDOM_NODES[name], (t, arr), {}, None))
        return t
    xp.copyto(t._array, arr, casting="unsafe")
    bump(t)
    return t


# ------------------------------------------------------------------------------ views


class CopySlices(Op):
    """base with the elements at flat positions ``pos`` replaced by ``v``."""
    node_name = "CopySlices"
    int_grad = True  # only recorded when ``v`` requires grad

    @staticmethod
    def forward(ctx: Ctx, base: Array, v: Array, pos: Array) -> Array:
        ctx.save_for_backward(pos)
        out = base.copy()
        out.reshape(-1)[pos.reshape(-1)] = v.reshape(-1)
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
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
    int_grad = True

    @staticmethod
    def forward(ctx: Ctx, base: Array, pos: Array) -> Array:
        ctx.save_for_backward(pos)
        ctx.shape, ctx.size = base.shape, base.size
        return base.reshape(-1)[pos.reshape(-1)].reshape(pos.shape)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        (pos,) = ctx.saved_tensors
        return ns.add_at((ctx.size,), pos.reshape(-1), g.reshape(-1)).reshape(ctx.shape), None


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
    base._requires_grad = True
    view_node = _apply(AsStrided, (base, pos), {}, None).grad_fn
    view_node._vver = t._version_counter[0]
    t.grad_fn = view_node
    t._output_nr = 0
    t._requires_grad = True


def _copy_cast(dst, src):
    xp.copyto(dst, xp.broadcast_to(src, dst.shape), casting="unsafe")
