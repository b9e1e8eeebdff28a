"""Tensor methods real programs reach for beyond the math: storages (``untyped_storage``,
``storage``, ``storage_type``, ``torch.from_file``, ``torch.is_storage``), inference tensors
(``is_inference``), ``as_strided_``, ``as_subclass``, the deprecated ``resize``/``resize_as``,
``map_``/``map2_``, ``const_data_ptr``, ``dim_order``, ``hash_tensor``, ``slice_inverse`` and
the removed ``Tensor.solve``.  The storage classes live in ``ember/storage.py`` (loaded on
first use)."""
from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .._backend import xp
from .._tensor import Tensor, _make
from ..autograd.function import Op, _apply_view
from ._utils import wrap_dim
from .construct import AsStridedView, _check_tensor, _storage, as_strided

if TYPE_CHECKING:  # names for annotations only
    from ._types import Array, Ctx, Grads, Namespace, Value

__all__ = ["from_file", "is_storage", "is_inference", "as_strided_", "slice_inverse"]


# ------------------------------------------------------------------------------------ storages

def untyped_storage(self: Tensor) -> Any:
    """The ``UntypedStorage`` (bytes) this tensor's data lives in, shared with its views."""
    from ..storage import storage_of
    return storage_of(self)


def _typed_storage(self: Tensor) -> Any:
    from ..storage import TypedStorage, storage_of
    return TypedStorage(wrap_storage=storage_of(self), dtype=self.dtype, _internal=True)


def storage(self: Tensor) -> Any:
    """The tensor's storage as a ``TypedStorage`` of its dtype (deprecated in torch: warns
    once)."""
    from ..storage import _warn_typed_storage_removal
    _warn_typed_storage_removal(stacklevel=3)
    return _typed_storage(self)


def storage_type(self: Tensor) -> type:
    """The legacy storage class of the tensor's dtype (``torch.FloatStorage`` ...)."""
    from ..storage import _warn_typed_storage_removal
    _warn_typed_storage_removal(stacklevel=3)
    return _typed_storage(self)._get_legacy_storage_class()


def is_storage(obj: Any) -> bool:
    """True if ``obj`` is a storage object (``UntypedStorage`` or ``TypedStorage``)."""
    st = sys.modules.get("ember.storage")  # (no storage exists before the module loads)
    return st is not None and st.is_storage(obj)


def from_file(filename: str, shared: bool | None = None, size: int | None = 0, *,
              dtype: Any = None, layout: Any = None, device: Any = None,
              pin_memory: bool | None = False, requires_grad: bool | None = False) -> Tensor:
    """A 1-D tensor of ``size`` elements memory-mapped from ``filename``.  With ``shared``
    writes go to the file (created or grown as needed); otherwise the mapping is private
    (copy-on-write) and the file must hold ``size`` elements."""
    from .. import _dtype as D
    from .._backend import Device, check_usable
    from ..storage import _from_file
    if device is not None:
        check_usable(device if isinstance(device, Device) else Device(device))
    dt = D.get_default_dtype() if dtype is None else dtype
    n = int(size or 0)
    isz = xp.dtype(dt.np).itemsize
    st = _from_file(filename, bool(shared), n * isz)
    t = _make(xp.zeros(0, dt.np), False, None, 0, None)
    set_storage(t, st, 0, (n,), (1,))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _set_error(args: tuple, kwargs: dict) -> TypeError:
    def name(v: Any) -> str:
        return ("torch.storage." if is_storage(v) else "") + type(v).__name__
    got = ", ".join([name(a) for a in args] + [f"{k}={name(v)}" for k, v in kwargs.items()])
    return TypeError(f"set_() received an invalid combination of arguments - got ({got}), but "
                     "expected one of:\n * ()\n * (torch.Storage source)\n"
                     " * (torch.Storage source, int storage_offset, tuple of ints size, tuple "
                     "of ints stride = None)\n * (Tensor source)\n"
                     " * (Tensor source, int storage_offset, tuple of ints size, tuple of ints "
                     "stride = None)\n")


def parse_set_args(args: tuple, kwargs: dict) -> tuple:
    """(source, storage_offset, size, stride) of ``set_``'s overloads (TypeError as torch)."""
    names = ("source", "storage_offset", "size", "stride")
    vals: list[Any] = list(args) + [None] * (4 - len(args))
    if len(args) > 4 or any(k not in names for k in kwargs):
        raise _set_error(args, kwargs)
    for k, v in kwargs.items():
        i = names.index(k)
        if i < len(args):
            raise _set_error(args, kwargs)
        vals[i] = v
    src, off, size, stride = vals
    if src is None and (off is not None or size is not None or stride is not None):
        raise _set_error(args, kwargs)
    if (off is None) != (size is None):
        raise _set_error(args, kwargs)
    if src is not None and not isinstance(src, Tensor) and not is_storage(src):
        raise _set_error(args, kwargs)
    return src, off, size, stride


def ctype_name(npd: Any) -> str:
    """The C++ type name torch's storage messages print for a dtype (``float``, ``long int``)."""
    from .. import _dtype as D
    return D.spelling(npd, "cpp_name")


def set_storage(t: Tensor, st: Any, offset: int | None, size: Sequence[int] | None,
                stride: Sequence[int] | None) -> None:
    """Point ``t`` at ``st`` (an UntypedStorage) with the given geometry (in elements)."""
    from ..storage import _Cached
    npd = t._array.dtype
    isz = npd.itemsize
    if size is None:
        offset, size, stride = 0, (st.nbytes() // isz,), (1,)
    size = tuple(int(s) for s in size)
    offset = int(offset or 0)
    if stride is None:
        acc, st_ = 1, []
        for n in reversed(size):
            st_.append(acc)
            acc *= max(n, 1)
        stride = tuple(reversed(st_))
    stride = tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"unequal size length ({len(size)}) and stride length ({len(stride)})")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    nb = st.nbytes()
    need = 0 if 0 in size else (offset + 1 + sum((n - 1) * s for n, s in zip(size, stride)))
    if need * isz > nb:  # torch grows the storage: ember can only while no tensor uses it
        st.resize_(need * isz)
        nb = st.nbytes()
    st._used = True
    arr = xp.ndarray(size, npd, buffer=st._bytes, offset=min(offset * isz, nb),
                     strides=tuple(s * isz for s in stride))
    t._array = arr
    t._base = None
    t.__dict__["_ustorage"] = _Cached((st, arr))


# ------------------------------------------------------------------------------------ inference

def is_inference(input: Tensor) -> bool:
    """True if ``input`` is an inference tensor: made inside ``torch.inference_mode()`` (or a
    view of one)."""
    if not isinstance(input, Tensor):
        raise TypeError("is_inference(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    from ..autograd.grad_mode import InferenceVersion
    return input._version_counter.__class__ is InferenceVersion


# ------------------------------------------------------------------------------------ views

class AsStridedInplace(AsStridedView):
    node_name = "AsStridedBackward1"


def as_strided_(input: Tensor, size: Sequence[int], stride: Sequence[int],
                storage_offset: int | None = None) -> Tensor:
    """``input`` restrided in place to ``size``/``stride``/``storage_offset`` over its own
    storage (see :func:`as_strided`)."""
    from ..storage import storage_of
    from .inplace import view_
    _check_tensor("as_strided_", input)
    storage_of(input)  # (recorded on the base, so the storage outlives the new geometry)
    as_strided(input.detach(), size, stride, storage_offset)  # (its checks and errors)
    flat, in_off = _storage(input)
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    off = in_off if storage_offset is None else int(storage_offset)
    return view_(input, AsStridedInplace, flat, size, stride, off, in_off)


def as_subclass(self: Tensor, cls: type) -> Tensor:
    """A ``cls`` instance sharing this tensor's data and staying in its autograd graph."""
    from .._tensor import _adopt
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError("Creating a Tensor subclass from a class that does not inherit from "
                        "Tensor is not possible. Make sure your class inherits from Tensor.")
    from .._tensor_legacy import Alias
    v = _apply_view(Alias, self, self._array.shape)
    return v if cls is Tensor else _adopt(cls.__new__(cls), v)


class Resize(Op):
    """The deprecated out-of-place ``resize``: a reshape that keeps the element count."""
    node_name = "ResizeBackward"
    no_forward_ad = ("You must implement the jvp function for custom autograd.Function to use "
                     "it with forward mode AD.")  # (torch's Resize is a Python Function)

    @staticmethod
    def forward(ctx: Ctx, a: Array, shape: tuple[int, ...]) -> Array:
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return ns.reshape(g, ctx.shape), None


def resize(self: Tensor, *sizes: Any) -> Tensor:
    """Deprecated: a tensor of the given size sharing this one's memory (warns as torch)."""
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=3)
    return _resize(self, sizes)


def resize_as(self: Tensor, tensor: Tensor) -> Tensor:
    """Deprecated: ``resize`` to ``tensor``'s size (warns as torch)."""
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=3)
    return _resize(self, tuple(tensor.shape))


def _resize(self: Tensor, sizes: tuple) -> Tensor:
    import functools
    import operator
    numel = functools.reduce(operator.mul, sizes, 1)  # (torch's Resize: sizes as passed)
    if self._array.size != numel:
        raise RuntimeError(
            f"requested resize to {'x'.join(map(str, sizes))} ({numel} elements in total), "
            f"but the given tensor has a size of {'x'.join(map(str, self._array.shape))} "
            f"({self._array.size} elements). autograd's resize can only change the shape "
            "of a given tensor, while preserving the number of elements. ")
    from ..autograd.function import _apply
    out = _apply(Resize, (self, tuple(int(s) for s in sizes)), {}, None)
    if out.grad_fn is None and xp.shares_memory(out._array, self._array):
        out._version_counter = self._version_counter
        out._base = self if self._base is None else self._base
    return out


# ------------------------------------------------------------------------------------ misc

def map_(self: Tensor, tensor: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:
    """``self[i] = callable(self[i], tensor[i])`` for every element (``tensor`` broadcast to
    ``self``'s shape); in place."""
    return _map(self, (tensor,), callable)


def map2_(self: Tensor, x: Tensor, y: Tensor, callable: Callable[..., Any]) -> Tensor:
    """``self[i] = callable(self[i], x[i], y[i])`` for every element; in place."""
    return _map(self, (x, y), callable)


def _map(self: Tensor, others: tuple, fn: Callable[..., Any]) -> Tensor:
    from .shape import expand
    from .._tensor import bump_version
    arrs = [expand(o, self.shape)._array.reshape(-1) for o in others]
    a = self._array
    flat = a.reshape(-1) if a.flags.c_contiguous else a.ravel()
    for i in range(flat.size):
        flat[i] = fn(flat[i].item(), *(o[i].item() for o in arrs))
    if flat.base is None or not xp.shares_memory(flat, a):
        a[...] = flat.reshape(a.shape)
    bump_version(self)
    return self


def const_data_ptr(self: Tensor) -> int:
    """The address of the first element (as ``data_ptr``; ember has no copy-on-write)."""
    return self.data_ptr()


def _contiguous_in(shape: Sequence[int], strides: Sequence[int], fmt: Any) -> bool:
    """``is_contiguous(memory_format=fmt)`` by torch's rule: the dims of size > 1, innermost
    first in the format's order, have packed strides."""
    from .._layout import CONSTANTS
    nd = len(shape)
    if fmt is CONSTANTS["channels_last"]:
        if nd != 4:
            return False
        order: Sequence[int] = (1, 3, 2, 0)
    elif fmt is CONSTANTS["channels_last_3d"]:
        if nd != 5:
            return False
        order = (1, 4, 3, 2, 0)
    else:
        order = range(nd - 1, -1, -1)
    if 0 in shape:
        return True
    expected = 1
    for d in order:
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def _physical_order(shape: Sequence[int], strides: Sequence[int]) -> tuple[list[int], bool]:
    """torch's logical-to-physical permutation of one tensor (``_prims_common``'s insertion
    sort, ties broken by size) and whether some neighbouring pair stays unordered."""
    from .._layout import CONSTANTS
    nd = len(shape)
    if nd == 0:
        return [], False
    if nd == 1:
        return [0], False
    cont = _contiguous_in(shape, strides, CONSTANTS["contiguous_format"])
    last = _contiguous_in(shape, strides, CONSTANTS["channels_last"])
    if cont and not last:
        return list(range(nd)), False
    if last and not cont:
        return [0, *range(2, nd), 1], False

    def ge(a: int, b: int) -> bool:
        return b == 0 or (a != 0 and (a >= b or a % b == 0))

    def swap(ia: int, ib: int) -> int:
        sa, sb = strides[ia], strides[ib]
        if sa == 0 or sb == 0:
            return 0
        if sa == sb:
            return 0 if ge(shape[ib], shape[ia]) else 1
        if ge(sb, sa):
            return -1
        return 1 if ge(sa, sb) else 0

    perm = list(range(nd - 1, -1, -1))
    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            c = swap(perm[d0], perm[d1])
            if c > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif c < 0:
                break
    ambiguous = any(swap(perm[i], perm[i + 1]) != -1 for i in range(nd - 1))
    return perm[::-1], ambiguous


def dim_order(self: Tensor, *, ambiguity_check: bool | list = False) -> tuple[int, ...]:
    """The dims from outermost to innermost in memory (``(0, 1, ..., n-1)`` when contiguous);
    with ``ambiguity_check`` (True, or a list of memory formats the tensor may match exactly
    one of) raises when that order is not unique."""
    from .._layout import memory_format
    bad = TypeError("The ambiguity_check argument must be a bool or a list of memory formats.")
    if not isinstance(ambiguity_check, bool):
        if not isinstance(ambiguity_check, list) or \
                any(not isinstance(f, memory_format) for f in ambiguity_check):
            raise bad
    shape, strides = tuple(self.shape), self.stride()
    formats = ambiguity_check if isinstance(ambiguity_check, list) else []
    check = ambiguity_check if isinstance(ambiguity_check, bool) else True
    multiple = any(a == b for a, b in zip(strides, strides[1:])) or any(n == 1 for n in shape)
    if check and multiple and sum(_contiguous_in(shape, strides, f) for f in formats) != 1:
        raise RuntimeError("The tensor does not have unique dim order, or cannot map to exact "
                           "one of the given memory formats.")
    perm, ambiguous = _physical_order(shape, strides)
    if ambiguity_check and ambiguous:
        raise RuntimeError("The tensor does not have unique dim order.")
    return tuple(perm)


class SliceInverse(Op):
    """``input``'s storage seen with the base ``src``'s geometry (a view of ``input``); the
    gradient of ``input`` is the slice of the incoming one that it was, that of ``src`` the
    rest (torch's two edges)."""
    is_view = True

    @staticmethod
    def forward(ctx: Ctx, a: Array, b: Array, flat: Array, size: tuple[int, ...],
                stride: tuple[int, ...], off: int, key: tuple) -> Array:
        ctx.key = key
        mask = xp.ones(size, flat.dtype)
        mask[key] = 0
        ctx.mask = mask
        isz = flat.itemsize
        return xp.lib.stride_tricks.as_strided(flat[off:], size, tuple(s * isz for s in stride),
                                               writeable=flat.flags.writeable)

    @staticmethod
    def backward(ctx: Ctx, g: Value, ns: Namespace) -> Grads:
        return g[ctx.key], g * ctx.mask, None, None, None, None, None


def slice_inverse(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    """The inverse of ``src.slice(dim, start, end, step)`` (torch's functionalization helper):
    ``input`` (that slice) viewed with the base ``src``'s size, stride and storage offset."""
    _check_tensor("slice_inverse", input)
    size, stride = tuple(src.shape), src.stride()
    off = src.storage_offset()  # type: ignore[attr-defined]
    as_strided(input.detach(), size, stride, off)  # (its checks and errors)
    flat, _ = _storage(input)
    d = wrap_dim(dim, len(size))
    key = (slice(None),) * d + (slice(start, end, step),)
    from ..autograd.function import _apply
    return _apply(SliceInverse, (input, src, flat, size, stride, off, key), {}, None)


def solve(self: Tensor, A: Tensor) -> Tensor:
    """Removed in torch 1.9: raises as torch does (use ``torch.linalg.solve``)."""
    raise RuntimeError(
        "This function was deprecated since version 1.9 and is now removed. `torch.solve` is "
        "deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments "
        "reversed and does not return the LU factorization.\n\nTo get the LU factorization see "
        "`torch.lu`, which can be used with `torch.lu_solve` or `torch.lu_unpack`.\n"
        "X = torch.solve(B, A).solution should be replaced with:\n"
        "X = torch.linalg.solve(A, B)")


# ------------------------------------------------------------------------------------ grad_dtype

_UNSET = object()


def _grad_dtype_get(self: Tensor) -> Any:
    """The dtype gradients of this leaf are cast to (default: its dtype); None: any dtype."""
    if self.grad_fn is not None:
        raise RuntimeError("grad_dtype can only be accessed on leaf tensors.")
    gd = self.__dict__.get("_grad_dtype", _UNSET)
    return self.dtype if gd is _UNSET else gd


def _grad_dtype_set(self: Tensor, value: Any) -> None:
    from .. import _dtype as D
    if self.grad_fn is not None:
        raise RuntimeError("grad_dtype can only be set on leaf tensors.")
    if value is not None and not isinstance(value, D.dtype):
        raise RuntimeError(f"grad_dtype must be a torch.dtype or None, but got "
                           f"{type(value).__name__}")
    g = self._grad
    if g is not None and value is not None and g._array.dtype != value.np:
        raise RuntimeError(
            f"Cannot set grad_dtype to '{value.scalar_name}' because there is already a gradient "
            f"with dtype '{D.spelling(g._array.dtype, 'cpp_name')}'. Please clear the gradient "
            "(.grad = None) before changing grad_dtype, or ensure the new grad_dtype matches the "
            "existing gradient's dtype.")
    if value is not None and value.np == self._array.dtype:
        self.__dict__.pop("_grad_dtype", None)  # (the default: nothing for the engine to do)
    else:
        self.__dict__["_grad_dtype"] = value


def check_grad_dtype(t: Tensor, value: Tensor) -> None:
    """Raise torch's error for ``t.grad = value`` whose dtype ``t.grad_dtype`` refuses."""
    from .. import _dtype as D
    gd = t.__dict__.get("_grad_dtype", _UNSET)
    if gd is _UNSET:
        gd = t.dtype
    if gd is None or gd.np == value._array.dtype:
        return
    raise RuntimeError(
        f"attempting to assign a gradient with dtype '{D.spelling(value._array.dtype, 'cpp_name')}'"
        f" to a tensor with grad_dtype '{gd.scalar_name}'. The gradient must match the tensor's "
        "grad_dtype (defaults to the tensor's dtype). You can set the tensor's grad_dtype "
        "attribute with a specific dtype, or None to allow any dtype. Set grad_dtype with "
        "caution. Diverging the dtypes of a tensor and its gradient may break downstream "
        "systems that assume they match.")


def bfloat16(self: Tensor, memory_format: Any = None) -> Tensor:
    """The tensor as bfloat16 (needs the ml_dtypes package, as ember's bfloat16 does)."""
    from .. import _dtype as D
    bf = D._load_bfloat16()
    if bf is None:
        raise RuntimeError("ember: bfloat16 needs the ml_dtypes package (pip install ml_dtypes)")
    return self.to(bf)


def install(tensor_cls: type) -> None:
    """The Tensor attributes that are not methods: ``grad_dtype`` (a property with a setter)
    and ``name`` (torch's named-tensor slot: None)."""
    tensor_cls.grad_dtype = property(  # type: ignore[attr-defined]
        _grad_dtype_get, _grad_dtype_set, doc=_grad_dtype_get.__doc__)
    tensor_cls.name = None  # type: ignore[attr-defined]


TENSOR_METHODS = ["untyped_storage", "storage", "_typed_storage", "storage_type",
                  "is_inference", "as_strided_", "as_subclass", "resize", "resize_as", "map_",
                  "map2_", "const_data_ptr", "dim_order", "slice_inverse",
                  "solve", "bfloat16"]
NO_INPLACE = TENSOR_METHODS
METHOD_IMPLS: dict[str, Callable[..., Any]] = {}
