"""Shape ops: views (sharing storage and version counter) and copies that move data."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import _autocast as _ac
from .. import _dtype as D
from .._backend import ndarray, xp
from .._backend import xp as _xp  # index arrays built inside backward formulas
from .._tensor import Tensor
from ..autograd.function import Op, _apply, _apply_view
from ._utils import (
    broadcast_error,
    not_implemented,
    scalar_type_name,
    shape_str,
    wrap_dim,
    wrap_dims,
)

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence
    from typing import Any

    from ._types import Array, Ctx, Grads, NPDType, Namespace, OutGrads, Size, Value


def _shape_args(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)) or \
            len(shape) == 1 and hasattr(shape[0], "__iter__") and not isinstance(shape[0], int):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _infer(shape, numel):
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return shape


class View(Op):
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, shape: tuple[int, ...]) -> Array:
        ctx.shape = a.shape
        try:
            return xp.reshape(a, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) "
                "instead.") from None

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g.reshape(ctx.shape), None


class UnsafeView(Op):
    """torch's ``_unsafe_view``: a view of a fresh intermediate (a clone, a product) that the
    result does not count as a view of (no ``_base``, its own version counter)."""
    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, shape: tuple[int, ...]) -> Array:
        ctx.shape = a.shape
        return xp.reshape(a, shape)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g.reshape(ctx.shape), None


def unsafe_view(input: Tensor, shape: Size) -> Tensor:
    return _apply(UnsafeView, (input, shape), {}, None)


class ReshapeAlias(View):
    """torch's ``_reshape_alias``: ``reshape`` of a non-contiguous tensor that can be viewed."""
    node_name = "ReshapeAliasBackward0"


def view(input: Tensor, *shape: int | Size) -> Tensor:
    shape = _infer(_shape_args(shape), input._array.size)
    return _apply_view(View, input, shape)


def reshape(input: Tensor, *shape: int | Size) -> Tensor:
    size = _infer(_shape_args(shape), input._array.size)
    a = input._array
    if a.flags.c_contiguous:
        return _apply_view(View, input, size)
    if size == a.shape:  # torch: a non-contiguous tensor that views is _reshape_alias'ed
        return _apply_view(ReshapeAlias, input, size)
    try:
        xp.reshape(a, size, copy=False)
        return _apply_view(ReshapeAlias, input, size)
    except ValueError:  # not viewable: torch copies, then views the copy
        from .pointwise import clone
        return _apply(UnsafeView, (clone(input), size), {}, None)


def contiguous(input: Tensor) -> Tensor:
    if input._array.flags.c_contiguous:
        return input
    from .pointwise import clone
    return clone(input)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    nd = input._array.ndim
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if nd == 0:
        return reshape(input, 1)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    sh = input._array.shape
    n = 1
    for d in sh[s:e + 1]:
        n *= d
    return reshape(input, sh[:s] + (n,) + sh[e + 1:])


def unflatten(input: Tensor, dim: int, sizes: Size) -> Tensor:
    sh = input._array.shape
    d = wrap_dim(dim, len(sh))
    sizes = _infer(tuple(sizes), sh[d])
    return view(input, sh[:d] + tuple(sizes) + sh[d + 1:])


class Squeeze(Op):
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...]) -> Array:
        ctx.shape = a.shape
        return a.reshape(tuple(s for i, s in enumerate(a.shape) if i not in axes))

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g.reshape(ctx.shape), None


class SqueezeDim(Squeeze):
    node_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    node_name = "SqueezeBackward2"


class SqueezeInplaceDim(Op):
    """``squeeze_(dim)`` on a fresh intermediate (matmul's 1-D @ 2-D): not a view."""
    node_name = "SqueezeBackward4"

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int) -> Array:
        ctx.shape = a.shape
        return xp.squeeze(a, axis) if a.shape[axis] == 1 else a.view()

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g.reshape(ctx.shape), None


def squeeze_inplace_dim(input: Tensor, dim: int) -> Tensor:
    return _apply(SqueezeInplaceDim, (input, wrap_dim(dim, input._array.ndim)), {}, None)


def squeeze(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    sh = input._array.shape
    if dim is None:
        axes = tuple(i for i, s in enumerate(sh) if s == 1)
        return _apply_view(Squeeze, input, axes)
    axes = wrap_dims(dim, len(sh)) if dim != () and dim != [] else ()  # (0-d: dims -1, 0)
    axes = tuple(i for i in axes if sh[i] == 1)
    cls = SqueezeDims if isinstance(dim, (tuple, list)) else SqueezeDim
    return _apply(cls, (input, axes), {}, None)


class Unsqueeze(Op):
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int) -> Array:
        ctx.shape = a.shape
        return xp.expand_dims(a, axis)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g.reshape(ctx.shape), None


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return _apply_view(Unsqueeze, input, wrap_dim(dim, input._array.ndim + 1))


class Permute(Op):
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, perm: tuple[int, ...]) -> Array:
        ctx.perm = perm
        return xp.transpose(a, perm)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        inv = [0] * len(ctx.perm)
        for i, p in enumerate(ctx.perm):
            inv[p] = i
        return ns.transpose(g, tuple(inv)), None


class Transpose(Op):
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, d0: int, d1: int) -> Array:
        ctx.d = (d0, d1)
        return xp.swapaxes(a, d0, d1)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.swapaxes(g, *ctx.d), None, None


class Transpose0d(View):
    """transpose/swapaxes of a 0-d tensor: an identity view."""
    node_name = "TransposeBackward0"


class Alias0d(View):
    """movedim of a 0-d tensor: an identity view."""
    node_name = "AliasBackward0"


class T(Op):
    """t(): transpose of a <= 2-D tensor (0-D and 1-D: itself)."""
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        return a.T

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.transpose(g)


def permute(input: Tensor, *dims: int | Size) -> Tensor:
    order = _shape_args(dims)
    nd = input._array.ndim
    if len(order) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(order)}")
    perm = tuple(wrap_dim(d, nd) for d in order)
    if len(set(perm)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _apply_view(Permute, input, perm)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = input._array.ndim
    d0, d1 = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    if nd == 0:
        return _apply_view(Transpose0d, input, ())
    return _apply_view(Transpose, input, d0, d1)


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    nd = input._array.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return _apply_view(T, input)


def movedim(input: Tensor, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    nd = input._array.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [wrap_dim(s, nd) for s in src]
    dst = [wrap_dim(d, nd) for d in dst]
    if nd == 0:
        return _apply_view(Alias0d, input, ())
    order = [i for i in range(nd) if i not in src]
    slots: list[int | None] = [None] * nd
    for s, d in zip(src, dst):
        slots[d] = s
    it = iter(order)
    perm = tuple(p if p is not None else next(it) for p in slots)
    return _apply_view(Permute, input, perm)


moveaxis = movedim


class Expand(Op):
    """broadcast view; the engine sums the gradient back to the input's shape."""
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, shape: tuple[int, ...]) -> Array:
        return xp.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g, None


def expand_shape(sh: Sequence[int], sizes: Sequence[int], dtype: NPDType) -> tuple[int, ...]:
    """The shape ``expand(sizes)`` gives a tensor of shape ``sh``, or torch's error."""
    if len(sizes) < len(sh):
        from .._tensor import _TYPE_NAMES
        tname = _TYPE_NAMES.get(dtype.name, "torch.Tensor")
        raise RuntimeError(
            f"expand({tname}{{{shape_str(sh)}}}, size={shape_str(sizes)}): the number "
            "of sizes provided (" + str(len(sizes)) + ") must be greater or equal to the number "
            "of dimensions in the tensor (" + str(len(sh)) + ")")
    lead = len(sizes) - len(sh)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            out.append(s)
        else:
            cur = sh[i - lead]
            if s == -1:
                s = cur
            elif cur != s and cur != 1:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) must match the existing size "
                    f"({cur}) at non-singleton dimension {i}.  Target sizes: "
                    f"{shape_str(sizes)}.  Tensor sizes: {shape_str(sh)}")
            out.append(s)
    return tuple(out)


def expand(input: Tensor, *sizes: int | Size) -> Tensor:
    a = input._array
    shape = expand_shape(a.shape, _shape_args(sizes), a.dtype)
    return _apply(Expand, (input, shape), {}, None)


def broadcast_to(input: Tensor, shape: Size) -> Tensor:
    return expand(input, shape)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """torch's: a tensor already of the broadcast shape is returned as it is (no Expand)."""
    shape = tensors[0]._array.shape if tensors else ()
    for t in tensors[1:]:
        try:
            shape = xp.broadcast_shapes(shape, t._array.shape)
        except ValueError:
            raise broadcast_error(shape, t._array.shape) from None
    return tuple(t if t._array.shape == shape else expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes: int | Size) -> Size:
    from .._tensor import Size
    return Size(xp.broadcast_shapes(*shapes))


class Repeat(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, reps: tuple[int, ...]) -> Array:
        lead = len(reps) - a.ndim
        ctx.shape = (1,) * lead + a.shape
        ctx.reps = reps
        ctx.in_shape = a.shape
        return xp.tile(a, reps)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        inter = []
        for r, s in zip(ctx.reps, ctx.shape):
            inter += [r, s]
        g = g.reshape(tuple(inter))
        g = ns.sum(g, axis=tuple(range(0, len(inter), 2)))
        return g.reshape(ctx.in_shape), None


def repeat(input: Tensor, *sizes: int | Size) -> Tensor:
    sizes = _shape_args(sizes)
    if len(sizes) < input._array.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return _apply(Repeat, (input, sizes), {}, None)


def tile(input: Tensor, *dims: int | Size) -> Tensor:
    dims = _shape_args(dims)
    nd = input._array.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return _apply(Repeat, (input, dims), {}, None)


def _legacy_empty(a):
    return a.ndim == 1 and a.shape[0] == 0


class Cat(Op):
    """concatenate; legacy empty 1-D inputs are skipped but stay inputs of the node (torch's
    CatBackward0 has an edge for them, their gradient is empty)."""

    @staticmethod
    def forward(ctx: Ctx, axis: int, *arrays: Array) -> Array:
        ctx.axis = axis
        kept: Sequence[Array] = [a for a in arrays if not _legacy_empty(a)]
        if not kept or len(kept) == len(arrays):
            kept = arrays
            ctx.sizes = [a.shape[axis] for a in arrays]
        else:
            ctx.sizes = [None if _legacy_empty(a) else a.shape[axis] for a in arrays]
        return xp.concatenate(kept, axis=axis)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        out = [None]
        start = 0
        for n in ctx.sizes:
            if n is None:  # a skipped legacy empty input
                out.append(g.reshape(-1)[:0])
                continue
            idx = (slice(None),) * ctx.axis + (slice(start, start + n),)
            out.append(g[idx])
            start += n
        return tuple(out)


def cat(tensors: Sequence[Tensor], dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    tensors = [t for t in tensors]
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # the result dtype comes from every input, the legacy empty 1-D ones included
    dt = D.result_type(*tensors) if len({t._array.dtype for t in tensors}) > 1 else None
    if out is not None:
        od = D.from_numpy_dtype(out._array.dtype)
        if not D.can_cast(dt or D.from_numpy_dtype(tensors[0]._array.dtype), od):
            raise TypeError("ember.cat(): input types can't be cast to the desired output type "
                            f"{scalar_type_name(od.np)}")
    # legacy: 1-D empty tensors are skipped (checked against nothing, concatenated as nothing)
    kept = [t for t in tensors if not _legacy_empty(t._array)] or tensors[:1]
    ref = kept[0]._array
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    axis = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(tensors):
        a = t._array
        if a is ref or _legacy_empty(a):
            continue
        if a.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and "
                               f"{a.ndim}")
        for d in range(ref.ndim):
            if d != axis and a.shape[d] != ref.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {axis}. Expected size "
                    f"{ref.shape[d]} but got size {a.shape[d]} for tensor number {i} in the "
                    "list.")
    res = _apply(Cat, (axis, *tensors), {}, dt.np if dt is not None else None)
    if out is not None:
        out.copy_(res)
        return out
    return res


concat = concatenate = cat


class Stack(Op):
    @staticmethod
    def forward(ctx: Ctx, axis: int, *arrays: Array) -> Array:
        ctx.axis = axis
        return xp.stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        n = g.shape[ctx.axis]
        return (None,) + tuple(g[(slice(None),) * ctx.axis + (i,)] for i in range(n))


def stack(tensors: Sequence[Tensor], dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]._array.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._array.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{shape_str(ref)} at entry 0 and {shape_str(t._array.shape)} at "
                               f"entry {i}")
    axis = wrap_dim(dim, len(ref) + 1)
    dt = D.result_type(*tensors) if len({t._array.dtype for t in tensors}) > 1 else None
    res = _apply(Stack, (axis, *tensors), {}, dt.np if dt is not None else None)
    if out is not None:
        out.copy_(res)
        return out
    return res


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    tensors = [atleast_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors[0]._array.ndim == 1 else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    return cat([atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    return cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    return hstack([t.reshape(-1, 1) if t._array.ndim <= 1 else t for t in tensors])


def atleast_1d(t: Tensor) -> Tensor:
    return t.reshape(1) if t._array.ndim == 0 else t


def atleast_2d(t: Tensor) -> Tensor:
    nd = t._array.ndim
    if nd == 0:
        return t.reshape(1, 1)
    return t.unsqueeze(0) if nd == 1 else t  # (torch: an unsqueeze, (0,) -> (1, 0))


def atleast_3d(t: Tensor) -> Tensor:
    nd = t._array.ndim
    if nd == 0:
        return t.reshape(1, 1, 1)
    if nd == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    if nd == 2:
        return t.unsqueeze(-1)
    return t


class Split(Op):
    """Views along ``axis``; missing output gradients arrive as zeros."""
    node_name = "SplitWithSizesBackward0"
    is_view = True
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, sizes: tuple[int, ...], axis: int) -> tuple[Array, ...]:
        ctx.axis = axis
        out = []
        start = 0
        pre = (slice(None),) * axis
        for n in sizes:
            out.append(a[pre + (slice(start, start + n),)])
            start += n
        return tuple(out)

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        return ns.concatenate(list(grads), axis=ctx.axis), None, None


class SplitEq(Split):
    """split by an int size (torch's split.Tensor overload)."""
    node_name = "SplitBackward0"


class Unbind(Op):
    is_view = True
    multi_output = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int) -> tuple[Array, ...]:
        ctx.axis = axis
        return tuple(a[(slice(None),) * axis + (i, Ellipsis)] for i in range(a.shape[axis]))

    @staticmethod
    def backward(ctx: Ctx, grads: OutGrads, ns: Namespace) -> Grads:
        return ns.stack(list(grads), axis=ctx.axis), None


def split(tensor: Tensor, split_size_or_sections: int | Sequence[int],
          dim: int = 0) -> tuple[Tensor, ...]:
    axis = wrap_dim(dim, tensor._array.ndim)
    n = tensor._array.shape[axis]
    if isinstance(split_size_or_sections, int):
        s = split_size_or_sections
        if s <= 0 and n > 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        # torch: at least one piece (an empty dim gives one empty piece)
        sizes = ([s] * (n // s) + ([n % s] if n % s else [])) or [0] if s > 0 else [0]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {axis}), but got "
                               f"split_sizes={sizes}")
    cls = SplitEq if isinstance(split_size_or_sections, int) else Split
    return _apply(cls, (tensor, tuple(sizes), axis), {}, None)


def tensor_split(input: Tensor, indices_or_sections: int | Sequence[int] | Tensor,
                 dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces as separate slices (torch: one SliceBackward0 view each, not a multi-output
    op, so each may be written in place)."""
    axis = wrap_dim(dim, input._array.ndim)
    n = input._array.shape[axis]
    if isinstance(indices_or_sections, Tensor):
        # an index tensor's tolist() is an int or a list of ints
        indices_or_sections = indices_or_sections.tolist()  # type: ignore[assignment]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        bounds, start = [], 0
        for sz in sizes:
            bounds.append((start, start + sz))
            start += sz
    else:
        idx = [0] + [i + n if i < 0 else i for i in indices_or_sections] + [n]
        bounds = [(min(max(a, 0), n), min(max(b, 0), n)) for a, b in zip(idx[:-1], idx[1:])]
    pre = (slice(None),) * axis
    return tuple(_apply_view(Slice, input, pre + (slice(a, max(a, b)),)) for a, b in bounds)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    axis = wrap_dim(dim, input._array.ndim)
    n = input._array.shape[axis]
    if n == 0:  # torch: `chunks` empty pieces
        return split(input, [0] * chunks, axis)
    return split(input, -(-n // chunks), axis)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    return _apply(Unbind, (input, wrap_dim(dim, input._array.ndim)), {}, None)


class Slice(Op):
    """A basic-index view; backward writes the gradient into zeros at the same place."""
    node_name = "SliceBackward0"
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, idx: tuple[int | slice | None, ...]) -> Array:
        ctx.shape, ctx.idx = a.shape, idx
        out = a[idx]
        if out.__class__ is not ndarray:  # a full integer index: NumPy's scalar is a copy
            out = a[idx + (Ellipsis,)]
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.put_at(ctx.shape, ctx.idx, g), None


class Select(Slice):
    node_name = "SelectBackward0"


def narrow(input: Tensor, dim: int, start: int | Tensor, length: int) -> Tensor:
    axis = wrap_dim(dim, input._array.ndim)
    n = input._array.shape[axis]
    if isinstance(start, Tensor):
        start = int(start)
    if start < 0:
        start += n
    if not (0 <= start <= n and start + length <= n):
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    idx = (slice(None),) * axis + (slice(start, start + length),)
    return _apply_view(Slice, input, idx)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    axis = wrap_dim(dim, input._array.ndim)
    n = input._array.shape[axis]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{shape_str(input._array.shape)} at dimension {axis}")
    idx = (slice(None),) * axis + (index,)
    return _apply_view(Select, input, idx)


class Flip(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, axes: tuple[int, ...]) -> Array:
        ctx.axes = axes
        return xp.flip(a, axes).copy()

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.flip(g, ctx.axes), None


def flip(input: Tensor, *dims: int | Size, **kw: Any) -> Tensor:
    if kw:  # flip(x, dims=...)
        if dims or set(kw) != {"dims"}:
            raise TypeError(f"flip() got an unexpected keyword argument '{next(iter(kw))}'")
        dims = (kw["dims"],)
    given = _shape_args(dims)
    axes = wrap_dims(given, input._array.ndim) if len(given) else ()  # flip(t, ()): no flip
    return _apply(Flip, (input, axes), {}, None)


def fliplr(input: Tensor) -> Tensor:
    if input._array.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    if input._array.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


class Roll(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, shifts: int | tuple[int, ...],
                axes: tuple[int, ...] | None) -> Array:
        ctx.shifts, ctx.axes = shifts, axes
        return xp.roll(a, shifts, axes)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return ns.roll(g, neg, ctx.axes), None, None


def roll(input: Tensor, shifts: int | Sequence[int],
         dims: int | Sequence[int] | None = None) -> Tensor:
    if dims is None:  # roll the flattened tensor (NumPy's axis=None does the same)
        return _apply(Roll, (input, shifts, None), {}, None)
    if isinstance(shifts, int):
        shifts = (shifts,)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if input._array.ndim == 0 and len(dims):
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    dims = tuple(wrap_dim(d, input._array.ndim) for d in dims)
    return _apply(Roll, (input, tuple(shifts), dims), {}, None)


class Tril(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, k: int) -> Array:
        ctx.k = k
        return xp.tril(a, k)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.tril(g, ctx.k), None


class Triu(Op):
    @staticmethod
    def forward(ctx: Ctx, a: Array, k: int) -> Array:
        ctx.k = k
        return xp.triu(a, k)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.triu(g, ctx.k), None


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    if input._array.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return _apply(Tril, (input, diagonal), {}, None)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    if input._array.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return _apply(Triu, (input, diagonal), {}, None)


class Diag(Op):
    """1-D -> diagonal matrix (torch: diag_embed), 2-D -> its diagonal (a copy)."""
    node_name = "DiagEmbedBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, k: int) -> Array:
        ctx.k, ctx.shape = k, a.shape
        return xp.diag(a, k).copy()

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        if len(ctx.shape) == 1:
            return ns.diag(g, ctx.k), None
        return ns.put_at(ctx.shape, _diag_index(ctx.shape, ctx.k), g), None


class DiagCopy(Diag):
    node_name = "DiagonalBackward0_copy"


def _diag_index(shape, k):
    n = min(shape[0], shape[1] - k) if k >= 0 else min(shape[0] + k, shape[1])
    n = max(n, 0)
    r = xp.arange(n)
    return (r, r + k) if k >= 0 else (r - k, r)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    nd = input._array.ndim
    if nd not in (1, 2):
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + str(nd) + "D")
    return _apply(Diag if nd == 1 else DiagCopy, (input, diagonal), {}, None)


class Diagonal(Op):
    """A view (as in torch): NumPy's diagonal is a read-only view of writable memory."""
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, offset: int, d1: int, d2: int) -> Array:
        ctx.shape, ctx.args = a.shape, (offset, d1, d2)
        out = xp.diagonal(a, offset, d1, d2)
        if a.flags.writeable:
            out.flags.writeable = True
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        offset, d1, d2 = ctx.args
        shape = ctx.shape
        moved = tuple(s for i, s in enumerate(shape) if i not in (d1, d2)) + (shape[d1],
                                                                               shape[d2])
        idx = (Ellipsis,) + _diag_index((shape[d1], shape[d2]), offset)
        full = ns.put_at(moved, idx, g)
        return ns.moveaxis(full, (-2, -1), (d1, d2)), None, None, None


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    nd = input._array.ndim
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _apply_view(Diagonal, input, offset, d1, d2)


class DiagEmbed(Op):
    """A new zero tensor with the input's last dim on the ``offset`` diagonal of the planes
    (d1, d2): out[..., i (at d1), i + offset (at d2), ...] = a[..., i].  Backward reads that
    diagonal back (torch.diagonal with the same arguments)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, offset: int, d1: int, d2: int) -> Array:
        n = a.shape[-1] + abs(offset)
        out = xp.zeros(a.shape[:-1] + (n, n), a.dtype)
        out[(Ellipsis,) + _diag_index((n, n), offset)] = a
        ctx.args = (offset, d1, d2)
        return xp.ascontiguousarray(xp.moveaxis(out, (-2, -1), (d1, d2)))

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        offset, d1, d2 = ctx.args
        return ns.apply(Diagonal, g, offset, d1, d2)

    @staticmethod
    def fast_backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        # (a copy: not a view of the incoming gradient)
        offset, d1, d2 = ctx.args
        return ns.diagonal(g, offset, d1, d2).copy()


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    nd = input._array.ndim + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _apply(DiagEmbed, (input,), {"offset": int(offset), "d1": d1, "d2": d2}, None)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """torch.diagflat: the flattened input on the ``offset`` diagonal of a square matrix."""
    return diag_embed(input.contiguous().view(-1), offset)


class Trace(Op):
    """torch.trace (TraceBackward0): the sum of a matrix's main diagonal; integer and bool
    matrices sum to int64, as sum does.  Backward puts the gradient on that diagonal."""

    @staticmethod
    def forward(ctx: Ctx, a: Array) -> Array:
        ctx.shape = a.shape
        dt = a.dtype if a.dtype.kind in "fc" else _INT64
        return xp.asarray(xp.trace(a, dtype=dt))

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        shape = ctx.shape
        ar = _xp.arange(min(shape))
        return (ns.put_at(shape, (ar, ar), ns.broadcast_to(g, (min(shape),))),)


_INT64 = xp.dtype("int64")


def trace(input: Tensor) -> Tensor:
    if _ac.on:  # (on torch's autocast float32 list)
        (input,) = _ac.fp32(input)
    a = input._array
    if a.dtype.kind == "b":  # torch dispatches on the dtype before it checks the rank
        raise not_implemented("trace", a.dtype)
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    return _apply(Trace, (input,), {}, None)


def flatten_dims(input: Tensor, dims: Sequence[int]) -> Tensor:
    return flatten(input, dims[0], dims[-1])
