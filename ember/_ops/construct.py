"""Creation and shape helpers real programs use: meshgrid, repeat_interleave, finfo/iinfo,
ravel, tril_indices/triu_indices, block_diag, cartesian_prod, combinations, as_strided,
Tensor.unfold, frombuffer, the window functions, rot90, vander, Tensor.nbytes/itemsize.

The views (as_strided, unfold, meshgrid's expands) alias the input's memory as torch's do;
their backward scatters the gradient back through the flat positions the view reads.
"""
from __future__ import annotations

import itertools
import math
import warnings
from typing import TYPE_CHECKING

from .. import _dtype as D
from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply, _apply_view
from ._utils import not_implemented, shape_str, wrap, wrap_dim

if TYPE_CHECKING:  # names for annotations only: nothing here is imported at runtime
    from collections.abc import Sequence
    from typing import Any

    from ._types import Array, Ctx, DType, Grads, Namespace, Value

_st = xp.lib.stride_tricks.as_strided


def _check_tensor(fn: str, x: Any, arg: str = "input", pos: int = 1) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def _tensor_list(args: Any) -> list[Tensor]:
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        return list(args[0])
    return list(args)


# ------------------------------------------------------------------------------ meshgrid

_MESHGRID_WARNING = ("torch.meshgrid: in an upcoming release, it will be required to pass the "
                     "indexing argument.")


def meshgrid(*tensors: Tensor | Sequence[Tensor],
             indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids of 0-D/1-D tensors: with ``indexing='ij'`` output i varies along dim i;
    ``'xy'`` swaps the first two dims (Cartesian). Each grid is an expanded view of its input.
    Without ``indexing`` torch's deprecation warning is given and ``'ij'`` is used."""
    ts = _tensor_list(tensors)
    if indexing is None:
        warnings.warn(_MESHGRID_WARNING, UserWarning, stacklevel=2)
        indexing = "ij"
    if not ts:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    for t in ts:
        _check_tensor("meshgrid", t, "tensors")
        if t._array.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {_cpp_repr(t)}")
    if any(t._array.dtype != ts[0]._array.dtype for t in ts):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    n = len(ts)
    order = list(range(n))
    if indexing == "xy" and n >= 2:
        order[0], order[1] = 1, 0
    sizes = [t._array.size for t in ts]
    grid = tuple(sizes[order[i]] for i in range(n))
    from .shape import expand
    out = []
    for i, t in enumerate(ts):
        pos = order.index(i)
        view = t.reshape(tuple(-1 if j == pos else 1 for j in range(n)))
        out.append(expand(view, grid))
    return tuple(out)


def _cpp_repr(t: Tensor) -> str:
    """A tensor as torch's C++ ``operator<<`` prints it in error messages (roughly: one value
    a line, then ``[ torch.DoubleTensor{3,1} ]``)."""
    a = t._array
    vals = "\n".join(f"{v:.4f}" if a.dtype.kind == "f" else str(v) for v in a.reshape(-1))
    kind = D.spelling(a.dtype)
    return f"{vals}\n[ torch.{kind}Tensor{{{','.join(str(s) for s in a.shape)}}} ]"


# ------------------------------------------------------------------------------ repeat_interleave


def _repeats_index(rep: Array, output_size: int | None) -> Array:
    if rep.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    if rep.dtype.kind not in "iu":
        raise not_implemented("repeat_interleave_cpu", rep.dtype)
    if rep.size and rep.min() < 0:
        raise RuntimeError("repeats can not be negative")
    idx = xp.repeat(xp.arange(rep.size, dtype=xp.int64), rep.reshape(-1))
    if output_size is not None and idx.size != output_size:
        raise RuntimeError("allocated size does not match required size")
    return idx


def repeat_interleave(input: Tensor, repeats: int | Tensor | None = None, dim: int | None = None,
                      *, output_size: int | None = None) -> Tensor:
    """Repeats each element (each slice along ``dim``; all elements flattened when ``dim`` is
    None) ``repeats`` times (an int, or a tensor of one count per element). With one tensor
    argument, ``repeat_interleave(repeats)``: the indices 0, 1, ... each repeated its count."""
    _check_tensor("repeat_interleave", input)
    if repeats is None:
        return wrap(_repeats_index(input._array, output_size))
    if dim is None:
        input = input.reshape(-1)
        ax = 0
    else:
        ax = wrap_dim(dim, input._array.ndim)
        if input._array.ndim == 0:
            if isinstance(repeats, Tensor):
                raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
            wrap_dim(ax + 1, 0)  # torch's unsqueeze(dim + 1) error
    n = input._array.shape[ax]
    if isinstance(repeats, Tensor):
        rep = repeats._array
        if rep.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if rep.ndim == 0 or rep.size == 1 and n != 1:
            rep = xp.full(n, int(rep.reshape(-1)[0]) if rep.size else 0, rep.dtype)
        elif rep.ndim == 1 and rep.shape[0] != n:
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {rep.shape[0]} and input.size({ax}) = {n}")
        from .indexing import index_select
        return index_select(input, ax, wrap(_repeats_index(rep, output_size)))
    r = int(repeats)
    if r < 0:
        raise RuntimeError("Repeats must be non-negative")
    if output_size is not None and output_size != n * r:
        raise RuntimeError("allocated size does not match required size")
    from .shape import expand, unsqueeze
    sh = input._array.shape
    x = expand(unsqueeze(input, ax + 1), sh[:ax + 1] + (r,) + sh[ax + 1:]).clone()
    return x.view(sh[:ax] + (n * r,) + sh[ax + 1:])


# ------------------------------------------------------------------------------ finfo, iinfo


def _fmt_float(v: float) -> str:
    return f"{v:.6g}"


class finfo:  # noqa: N801 - torch's name
    """Machine limits of a floating dtype (default: the default dtype): ``bits``, ``eps``,
    ``max``, ``min``, ``tiny``, ``smallest_normal``, ``resolution``, ``dtype``."""

    bits: int
    eps: float
    max: float
    min: float
    tiny: float
    smallest_normal: float
    resolution: float
    dtype: str

    def __init__(self, type: DType | None = None) -> None:  # noqa: A002 - torch's name
        dt = D.get_default_dtype() if type is None else D.to_dtype(type)
        if not (dt.is_floating_point or dt.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        name = dt.name
        if name == "bfloat16":
            self.bits, self.eps, self.max = 16, 0.0078125, 3.3895313892515355e+38
            self.tiny = self.smallest_normal = 1.1754943508222875e-38
            self.resolution = 0.01
        else:
            npd = dt.np
            if npd.kind == "c":
                npd = xp.dtype(npd.char.lower())
            fi = xp.finfo(npd)
            self.bits, self.eps, self.max = int(fi.bits), float(fi.eps), float(fi.max)
            self.tiny = self.smallest_normal = float(fi.smallest_normal)
            self.resolution = 10.0 ** -int(fi.precision)
            name = npd.name
        self.min = -self.max
        self.dtype = name

    def __repr__(self) -> str:
        return (f"finfo(resolution={_fmt_float(self.resolution)}, min={_fmt_float(self.min)}, "
                f"max={_fmt_float(self.max)}, eps={_fmt_float(self.eps)}, "
                f"smallest_normal={_fmt_float(self.smallest_normal)}, "
                f"tiny={_fmt_float(self.tiny)}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - torch's name
    """Machine limits of an integer (or bool) dtype: ``bits``, ``max``, ``min``, ``dtype``."""

    bits: int
    max: int
    min: int
    dtype: str

    def __init__(self, type: DType) -> None:  # noqa: A002 - torch's name
        dt = D.to_dtype(type)
        if dt.is_floating_point or dt.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        npd = dt.np
        if npd.kind == "b":
            self.bits, self.min, self.max = 8, 0, 1
        else:
            ii = xp.iinfo(npd)
            self.bits, self.min, self.max = int(ii.bits), int(ii.min), int(ii.max)
        self.dtype = dt.name

    def __repr__(self) -> str:
        return (f"iinfo(min={_fmt_float(float(self.min))}, max={_fmt_float(float(self.max))}, "
                f"dtype={self.dtype})")


# ------------------------------------------------------------------------------ small helpers


def ravel(input: Tensor) -> Tensor:
    """``input`` flattened to 1-D (a view when its memory allows, else a copy)."""
    _check_tensor("ravel", input)
    return input.contiguous().view(-1)  # (torch: a copy only when not contiguous)


def _nbytes(self: Tensor) -> int:
    """The bytes the tensor's elements take: ``numel() * element_size()``."""
    return int(self._array.size * self._array.itemsize)


def _itemsize(self: Tensor) -> int:
    """The size in bytes of one element (as ``element_size()``)."""
    return int(self._array.itemsize)


def _tri_indices(name: str, row: int, col: int, offset: int, dtype: DType | None,
                 lower: bool) -> Tensor:
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    dt = D.int64 if dtype is None else D.to_dtype(dtype)
    npd = dt.np
    if npd.kind not in "iu":
        raise NotImplementedError(f"\"{name}\" not implemented for '{dt.scalar_name}'")
    fn = xp.tril_indices if lower else xp.triu_indices
    r, c = fn(row, offset, col)
    return wrap(xp.stack([r, c]).astype(dt.np).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: DType | None = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The (2, N) coordinates of the lower triangle of a row x col matrix (``offset``: which
    diagonal bounds it), row by row."""
    return _tri_indices("tril_indices", row, col, offset, dtype, True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: DType | None = None,
                 device: Any = None, layout: Any = None) -> Tensor:
    """The (2, N) coordinates of the upper triangle of a row x col matrix, row by row."""
    return _tri_indices("triu_indices", row, col, offset, dtype, False)


class BlockDiag(Op):
    """The 2-D inputs along the diagonal of a zero matrix; backward slices each block out."""

    @staticmethod
    def forward(ctx: Ctx, dtype: Any, *arrays: Array) -> Array:
        rows = sum(a.shape[0] for a in arrays)
        cols = sum(a.shape[1] for a in arrays)
        out = xp.zeros((rows, cols), dtype)
        spans, r, c = [], 0, 0
        for a in arrays:
            out[r:r + a.shape[0], c:c + a.shape[1]] = a
            spans.append((r, a.shape[0], c, a.shape[1]))
            r, c = r + a.shape[0], c + a.shape[1]
        ctx.spans = spans
        return out

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return (None,) + tuple(g[r:r + h, c:c + w] for r, h, c, w in ctx.spans)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix of the 0-D, 1-D (a row) and 2-D tensors, in order."""
    blocks = []
    for i, t in enumerate(tensors):
        _check_tensor("block_diag", t, "tensors")
        nd = t._array.ndim
        if nd > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {nd} dimensions")
        blocks.append(t.reshape(1, 1) if nd == 0 else t.reshape(1, -1) if nd == 1 else t)
    if not blocks:
        return wrap(xp.zeros((1, 0), D.get_default_dtype().np))
    dt = blocks[0].dtype
    for b in blocks[1:]:
        dt = D.promote_types(dt, b.dtype)
    npd = dt.np
    return _apply(BlockDiag, (npd, *blocks), {}, npd)


def _vectors(name: str, tensors: Sequence[Tensor]) -> None:
    for t in tensors:
        _check_tensor(name, t, "tensors")
        if t._array.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {shape_str(t._array.shape)}")


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All combinations of one element from each 1-D tensor, as rows (N1*N2*... x k); one
    tensor is returned as it is."""
    _vectors("cartesian_prod", tensors)
    if len(tensors) == 1:
        return tensors[0]
    from .shape import stack
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-``r`` combinations of the 1-D ``input``'s elements, as rows (Python's
    itertools.combinations order; ``with_replacement``: combinations_with_replacement)."""
    _vectors("combinations", (input,))
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return wrap(xp.zeros((0,), input._array.dtype))
    n = input._array.shape[0]
    fn = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = xp.asarray(list(fn(range(n), r)), dtype=xp.int64).reshape(-1, r)
    from .indexing import index_select
    from .shape import stack
    if idx.shape[0] == 0:
        return wrap(xp.zeros((0, r), input._array.dtype))
    return stack([index_select(input, 0, wrap(xp.ascontiguousarray(idx[:, k])))
                  for k in range(r)], 1)


# ------------------------------------------------------------------------------ as_strided, unfold


def _storage(t: Tensor) -> tuple[Array, int]:
    """(a flat view of the memory of ``t``'s storage, ``t``'s offset in it, in elements)."""
    base = t if t._base is None else t._base
    ba = base._array
    if "_ustorage" in base.__dict__ or ba.dtype != t._array.dtype:  # (storage, set_, dtype views)
        from ..storage import storage_of, typed_view
        st = storage_of(t)
        flat = typed_view(st, t._array.dtype)
        return flat, (t._array.__array_interface__["data"][0] - st.data_ptr()) // flat.itemsize
    isz = ba.itemsize
    span = 0 if ba.size == 0 else 1 + sum((n - 1) * s // isz
                                          for n, s in zip(ba.shape, ba.strides) if n > 0)
    flat = _st(ba, (span,), (isz,), writeable=ba.flags.writeable)
    off = (t._array.__array_interface__["data"][0] - ba.__array_interface__["data"][0]) // isz
    return flat, int(off)


def _storage_offset(self: Tensor) -> int:
    """Offset of the tensor's first element in its storage, in elements."""
    return _storage(self)[1]


def _positions(span: int, shape: Sequence[int], strides: Sequence[int], off: int) -> Array:
    """The flat storage positions an (shape, strides, offset) view reads."""
    ids = xp.arange(max(span, 1), dtype=xp.int64)
    return _st(ids[off:], tuple(shape), tuple(s * 8 for s in strides)).copy()


class AsStridedView(Op):
    """A view of the input's storage with the given sizes/strides (elements)/offset."""
    is_view = True
    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx: Ctx, a: Array, flat: Array, size: tuple[int, ...],
                stride: tuple[int, ...], off: int, in_off: int) -> Array:
        isz = flat.itemsize
        ctx.args = (flat.shape[0], a.shape, tuple(s // isz for s in a.strides), in_off, size,
                    stride, off)
        return _st(flat[off:], size, tuple(s * isz for s in stride),
                   writeable=flat.flags.writeable)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        span, ashape, astr, in_off, size, stride, off = ctx.args
        pos = _positions(span, size, stride, off).reshape(-1)
        storage = ns.add_at((max(span, 1),), pos, ns.reshape(g, (-1,)))
        inpos = _positions(span, ashape, astr, in_off)
        return storage[inpos], None, None, None, None, None


def as_strided(input: Tensor, size: Sequence[int], stride: Sequence[int],
               storage_offset: int | None = None) -> Tensor:
    """A view of ``input``'s storage with the given ``size``, ``stride`` (in elements) and
    ``storage_offset`` (default: ``input``'s own), sharing its memory."""
    _check_tensor("as_strided", input)
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {shape_str(stride)}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={shape_str(size)} "
                           f"and strides={shape_str(stride)}")
    flat, in_off = _storage(input)
    off = in_off if storage_offset is None else int(storage_offset)
    if off < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {off}")
    isz = flat.itemsize
    need = 0 if 0 in size else off + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if need > flat.shape[0]:
        raise RuntimeError(f"setStorage: sizes {shape_str(size)}, strides {shape_str(stride)}, "
                           f"storage offset {off}, and itemsize {isz} requiring a storage size "
                           f"of {need * isz} are out of bounds for storage of size "
                           f"{flat.shape[0] * isz}")
    return _apply_view(AsStridedView, input, flat, size, stride, off, in_off)


class Unfold(Op):
    """The windows of ``size`` elements, ``step`` apart, along ``dim``, as a new last dim: a
    view (overlapping when step < size); backward sums each window's gradient back."""
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, axis: int, size: int, step: int) -> Array:
        ctx.shape = a.shape
        shape, strides = _unfold_geometry(a.shape, a.strides, axis, size, step)
        ctx.geom = (axis, size, step)
        return _st(a, shape, strides, writeable=a.flags.writeable)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        shape = ctx.shape
        n = math.prod(shape)
        ids = xp.arange(n, dtype=xp.int64).reshape(shape)
        axis, size, step = ctx.geom
        gshape, gstrides = _unfold_geometry(shape, ids.strides, axis, size, step)
        pos = _st(ids, gshape, gstrides).reshape(-1)
        return ns.reshape(ns.add_at((n,), pos, ns.reshape(g, (-1,))), shape), None, None, None


def _unfold_geometry(shape, strides, axis, size, step):
    if len(shape) == 0:
        return (1,), (0,)
    n = (shape[axis] - size) // step + 1
    return (shape[:axis] + (n,) + shape[axis + 1:] + (size,),
            strides[:axis] + (strides[axis] * step,) + strides[axis + 1:] + (strides[axis],))


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Tensor.unfold: the slices of ``size`` elements every ``step`` along ``dimension``, as a
    new last dimension (a view)."""
    _check_tensor("unfold", input)
    nd = input._array.ndim
    ax = wrap_dim(dimension, nd)
    n = input._array.shape[ax] if nd else 1
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {ax} is {n} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return _apply_view(Unfold, input, ax, int(size), int(step))


# ------------------------------------------------------------------------------ frombuffer

_FROMBUFFER_WARNING = (
    "The given buffer is not writable, and PyTorch does not support non-writable tensors. This "
    "means you can write to the underlying (supposedly non-writable) buffer using the tensor. "
    "You may want to copy the buffer to protect its data or make it writable before converting "
    "it to a tensor. This type of warning will be suppressed for the rest of this program.")


def frombuffer(buffer: Any, *, dtype: DType, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-D tensor over the memory of an object with the buffer protocol (shared: writes to
    either show in the other); ``count`` elements (-1: all) from byte ``offset``."""
    dt = D.to_dtype(dtype)
    mv = memoryview(buffer)
    nbytes = mv.nbytes
    npd = dt.np
    isz = npd.itemsize
    if nbytes <= 0:
        raise ValueError(f"both buffer length ({nbytes}) and count ({count}) must not be 0")
    if not 0 <= offset < nbytes:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({nbytes} bytes) minus 1")
    if count < 0:
        if (nbytes - offset) % isz:
            raise ValueError(f"buffer length ({nbytes - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({isz})")
        count = (nbytes - offset) // isz
    elif count == 0:
        raise ValueError(f"both buffer length ({nbytes}) and count ({count}) must not be 0")
    elif offset + count * isz > nbytes:
        raise ValueError(f"requested buffer length ({count} * {isz} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({nbytes} bytes)")
    arr = xp.frombuffer(buffer, dtype=dt.np, count=count, offset=offset)
    if not arr.flags.writeable:
        warnings.warn(_FROMBUFFER_WARNING, UserWarning, stacklevel=2)
        arr = arr.copy()
    return _make(arr, bool(requires_grad), None, 0, None)


# ------------------------------------------------------------------------------ windows


def _window(name: str, n: int, periodic: bool, dtype: DType | None, fn: Any,
            requires_grad: bool) -> Tensor:
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if not dt.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: TensorOptions(dtype="
                           f"{dt.cpp_name}, device=cpu, layout=Strided (default), "
                           "requires_grad=false (default), pinned_memory=false, "
                           "memory_format=(nullopt))")
    if n < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={n}")
    if n == 0:
        return _make(xp.zeros(0, dt.np), requires_grad, None, 0, None)
    if n == 1:
        return _make(xp.ones(1, dt.np), requires_grad, None, 0, None)
    m = n + 1 if periodic else n
    k = xp.arange(m, dtype=xp.float64)
    w = fn(k, m)[:n]
    return _make(xp.ascontiguousarray(w.astype(dt.np)), requires_grad, None, 0, None)


def hann_window(window_length: int, periodic: bool = True, *, dtype: DType | None = None,
                layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The Hann window ``0.5 - 0.5 cos(2 pi n / (N - 1))`` (periodic: of N + 1, last dropped)."""
    return _window("hann_window", window_length, periodic, dtype,
                   lambda k, m: 0.5 - 0.5 * xp.cos(2 * math.pi * k / (m - 1)), requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: DType | None = None, layout: Any = None,
                   device: Any = None, requires_grad: bool = False) -> Tensor:
    """The Hamming window ``alpha - beta cos(2 pi n / (N - 1))``."""
    return _window("hamming_window", window_length, periodic, dtype,
                   lambda k, m: alpha - beta * xp.cos(2 * math.pi * k / (m - 1)), requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype: DType | None = None,
                    layout: Any = None, device: Any = None,
                    requires_grad: bool = False) -> Tensor:
    """The Blackman window ``0.42 - 0.5 cos(2 pi n/(N-1)) + 0.08 cos(4 pi n/(N-1))``."""
    return _window("blackman_window", window_length, periodic, dtype,
                   lambda k, m: 0.42 - 0.5 * xp.cos(2 * math.pi * k / (m - 1)) +
                   0.08 * xp.cos(4 * math.pi * k / (m - 1)), requires_grad)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: DType | None = None,
                    layout: Any = None, device: Any = None,
                    requires_grad: bool = False) -> Tensor:
    """The Bartlett (triangular) window ``1 - |2n/(N-1) - 1|``."""
    return _window("bartlett_window", window_length, periodic, dtype,
                   lambda k, m: 1 - xp.abs(2 * k / (m - 1) - 1), requires_grad)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: DType | None = None, layout: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
    """The Kaiser window ``I0(beta sqrt(1 - (2n/(N-1) - 1)^2)) / I0(beta)``."""
    return _window("kaiser_window", window_length, periodic, dtype,
                   lambda k, m: xp.i0(beta * xp.sqrt(xp.clip(1 - (2 * k / (m - 1) - 1) ** 2,
                                                             0, None))) / xp.i0(beta),
                   requires_grad)


# ------------------------------------------------------------------------------ rot90, vander


class Rot90(Op):
    """``input`` rotated k quarter turns in the plane ``dims`` (a copy)."""

    @staticmethod
    def forward(ctx: Ctx, a: Array, k: int, dims: tuple[int, int]) -> Array:
        ctx.k, ctx.dims = k, dims
        return xp.ascontiguousarray(xp.rot90(a, k, dims))

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.apply(Rot90, g, -ctx.k, ctx.dims), None, None


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """``input`` rotated by 90 degrees ``k`` times, from the first towards the second of
    ``dims``."""
    _check_tensor("rot90", input)
    dims = tuple(dims)
    nd = input._array.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    return _apply(Rot90, (input, int(k) % 4, (d0, d1)), {}, None)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of the 1-D ``x``: columns x^(N-1), ..., x^0 (``increasing``:
    x^0 first); integer and bool input give int64."""
    _check_tensor("vander", x, "x")
    if x._array.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._array.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if x._array.dtype.kind in "biu":
        x = x.to(D.int64)
    from .._creation import ones
    from .shape import cat, flip
    from .reduction import cumprod
    cols = [ones((x._array.shape[0], 1), dtype=x.dtype)]
    if n > 1:
        from .shape import expand, unsqueeze
        cols.append(cumprod(expand(unsqueeze(x, 1), (x._array.shape[0], n - 1)), 1))
    res = cat(cols, 1)[:, :n] if n else wrap(xp.zeros((x._array.shape[0], 0),
                                                     x._array.dtype))
    return res if increasing else flip(res, 1)


__all__ = ["meshgrid", "repeat_interleave", "finfo", "iinfo", "ravel", "tril_indices",
           "triu_indices", "block_diag", "cartesian_prod", "combinations", "as_strided",
           "frombuffer", "hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window", "rot90", "vander"]
TENSOR_METHODS: tuple[str, ...] = ("repeat_interleave", "ravel", "as_strided", "unfold", "rot90",
                                   "storage_offset")
NO_INPLACE = TENSOR_METHODS  # (torch's as_strided_ restrides in place: not here)
TENSOR_PROPERTIES = {"nbytes": _nbytes, "itemsize": _itemsize}
storage_offset = _storage_offset
