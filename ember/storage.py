"""``torch.storage``: the memory behind tensors, as PyTorch's CPU build exposes it.

An ``UntypedStorage`` is a flat run of bytes: a 1-D ``uint8`` NumPy array (``_bytes``) that
*views* the memory of the tensor it came from, so a write through one shows in the other and
``data_ptr()`` is the tensor's address.  A tensor's storage is the memory spanned by its base
tensor's array (``t._base`` or ``t``; views share their base's storage, as in torch); the
storage object is cached on that base (``__dict__['_ustorage']``: the storage and the array it
was made for), so ``x.untyped_storage() is y.untyped_storage()`` for views of one tensor.
``Tensor.set_(storage, offset, size, stride)`` points a tensor into a storage and records it
there.  ``TypedStorage`` (``t.storage()``, ``torch.FloatStorage`` ...) is torch's deprecated
typed wrapper over an ``UntypedStorage`` and a dtype; it warns once, as torch does.

Where ember differs: NumPy cannot move memory under a live array, so ``resize_`` works only on
a storage that owns its memory and that no tensor lives in yet (torch's "not resizable" error
otherwise; torch also resizes a tensor's own storage, ``t.untyped_storage().resize_(0)``).
"""
from __future__ import annotations

import collections.abc
import copy
import warnings
from typing import Any

import numpy as np

from . import _dtype as D
from ._backend import Device, check_usable

__all__ = ["TypedStorage", "UntypedStorage"]

_CPU = Device("cpu")


def _span(arr: np.ndarray) -> np.ndarray:
    """The bytes ``arr`` spans, lowest address first, as a 1-D uint8 view of its memory."""
    if arr.flags.c_contiguous or arr.flags.f_contiguous:  # (a view whose .base leads home)
        return (arr if arr.flags.c_contiguous else arr.T).reshape(-1).view(np.uint8)
    if any(s < 0 for s in arr.strides):
        arr = arr[tuple(slice(None, None, -1) if s < 0 else slice(None) for s in arr.strides)]
    isz = arr.itemsize
    nb = 0 if arr.size == 0 else isz + sum((n - 1) * s for n, s in zip(arr.shape, arr.strides))
    return np.lib.stride_tricks.as_strided(arr, (nb // isz,), (isz,),
                                           writeable=arr.flags.writeable).view(np.uint8)


def _addr(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def _inside(arr: np.ndarray, st: UntypedStorage) -> bool:
    """Does the memory of ``arr`` lie inside ``st``'s bytes?"""
    lo = _addr(st._bytes)
    p = _addr(arr)
    if arr.size == 0:
        return lo <= p <= lo + st._bytes.shape[0]
    neg = sum((n - 1) * s for n, s in zip(arr.shape, arr.strides) if s < 0)
    pos = sum((n - 1) * s for n, s in zip(arr.shape, arr.strides) if s > 0)
    return lo <= p + neg and p + pos + arr.itemsize <= lo + st._bytes.shape[0]


class _Cached(tuple):
    """(storage, array it was made for) on a tensor's ``__dict__``; not copied by deepcopy."""

    def __deepcopy__(self, memo):
        return None


def storage_of(t: Any) -> UntypedStorage:
    """The ``UntypedStorage`` that tensor ``t`` lives in (one object per base tensor)."""
    base = t if t._base is None else t._base
    d = base.__dict__
    ba = base._array
    ent = d.get("_ustorage")
    st = None
    if ent is not None:
        st = ent[0]
        if ent[1] is not ba:
            st = st if _inside(ba, st) else None
    if st is None:
        st = UntypedStorage._wrap(_span(ba))
    if ent is None or ent[0] is not st or ent[1] is not ba:
        d["_ustorage"] = _Cached((st, ba))
    if base is not t and not _inside(t._array, st):  # (a view whose base moved away)
        return UntypedStorage._wrap(_span(t._array))
    return st


def typed_view(st: UntypedStorage, npd: np.dtype) -> np.ndarray:
    """``st``'s bytes seen as elements of ``npd`` (a trailing partial element dropped)."""
    b = st._bytes
    isz = npd.itemsize
    return b[: b.shape[0] - b.shape[0] % isz].view(npd)


def _ckdevice(device: Any) -> None:
    if device is not None:
        check_usable(device if isinstance(device, Device) else Device(device))


def _index_error(idx: int, n: int) -> IndexError:
    return IndexError(f"index {idx} out of range for storage of size {n}")


class _StorageBase:
    """What the untyped and typed storages share (torch's ``_StorageBase`` methods)."""

    is_sparse = False
    is_sparse_csr = False

    def __repr__(self) -> str:
        from ._infra import typename
        data = " " + "\n ".join(str(self[i]) for i in range(self.size()))
        return data + f"\n[{typename(self)}(device=cpu) of size {len(self)}]"

    __str__ = __repr__

    def __iter__(self):
        return iter(self[i] for i in range(self.size()))

    def __copy__(self):
        return self.clone()

    def __deepcopy__(self, memo):
        memo = memo.setdefault("torch", {})
        if id(self._bytes) in memo:
            return memo[id(self._bytes)][0]
        new = self.clone()
        memo[id(self._bytes)] = (new, self._bytes)
        return new

    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + self.size()

    def tolist(self) -> list:
        """A list of the storage's elements."""
        return list(self)

    def cpu(self):
        """The storage itself (it is on the CPU)."""
        return self

    def to(self, *, device: Any, non_blocking: bool = False):
        """The storage on ``device`` (only the CPU exists)."""
        check_usable(device if isinstance(device, Device) else Device(device), moving=True)
        return self

    def get_device(self) -> int | None:
        """The device index: None on the CPU (as torch's storages answer)."""
        return None

    @property
    def device(self) -> Device:
        """The storage's device (the CPU)."""
        return _CPU

    @property
    def is_cuda(self) -> bool:
        """False: ember's storages live on the CPU."""
        return False

    @property
    def is_hpu(self) -> bool:
        """False."""
        return False

    def is_pinned(self, device: Any = None) -> bool:
        """False (no accelerator)."""
        return False

    def pin_memory(self, device: Any = None):
        """Raises as torch's CPU build does: no accelerator to pin for."""
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def is_shared(self) -> bool:
        """Whether the memory is in shared memory (``Tensor.share_memory_``)."""
        from ._shm import _find_map
        return _find_map(self.untyped()._bytes) is not None

    def share_memory_(self):
        """Kept in place (ember shares tensors, not bare storages, across processes)."""
        return self

    def double(self):
        """The storage cast to float64 (a new TypedStorage)."""
        return self._to(D.float64)

    def float(self):
        """The storage cast to float32 (a new TypedStorage)."""
        return self._to(D.float32)

    def half(self):
        """The storage cast to float16 (a new TypedStorage)."""
        return self._to(D.float16)

    def long(self):
        """The storage cast to int64 (a new TypedStorage)."""
        return self._to(D.int64)

    def int(self):
        """The storage cast to int32 (a new TypedStorage)."""
        return self._to(D.int32)

    def short(self):
        """The storage cast to int16 (a new TypedStorage)."""
        return self._to(D.int16)

    def char(self):
        """The storage cast to int8 (a new TypedStorage)."""
        return self._to(D.int8)

    def byte(self):
        """The storage cast to uint8 (a new TypedStorage)."""
        return self._to(D.uint8)

    def bool(self):
        """The storage cast to bool (a new TypedStorage)."""
        return self._to(D.bool)

    def bfloat16(self):
        """The storage cast to bfloat16 (needs ml_dtypes)."""
        return self._to(D._load_bfloat16())

    def complex_double(self):
        """The storage cast to complex128 (a new TypedStorage)."""
        return self._to(D.complex128)

    def complex_float(self):
        """The storage cast to complex64 (a new TypedStorage)."""
        return self._to(D.complex64)


class UntypedStorage(_StorageBase):
    """torch.UntypedStorage: a flat, byte-addressed run of CPU memory (a uint8 NumPy view)."""

    __module__ = "torch.storage"

    def __init__(self, *args: Any, allocator: Any = None, device: Any = None) -> None:
        _ckdevice(device)
        self._filename = None
        self._used = False
        if len(args) > 1 or (args and not isinstance(args[0], (int, np.integer,
                                                                collections.abc.Sequence))):
            if len(args) == 1:
                raise RuntimeError("torch.UntypedStorage(): Expected a sequence type, but got "
                                   f"{type(args[0]).__name__}")
            raise TypeError("torch.UntypedStorage() received an invalid combination of "
                            "arguments")
        if not args:
            self._bytes = np.zeros(0, np.uint8)
        elif isinstance(args[0], (int, np.integer)):
            n = int(args[0])
            if n < 0:
                raise RuntimeError("[enforce fail at alloc_cpu.cpp:98] ((ptrdiff_t)nbytes) >= 0. "
                                   "alloc_cpu() seems to have been called with negative number: "
                                   f"{n % 2 ** 64}")
            self._bytes = np.zeros(n, np.uint8)
        else:
            self._bytes = (np.array([int(v) for v in args[0]], np.int64) & 255).astype(np.uint8)

    @classmethod
    def _wrap(cls, b: np.ndarray, filename: str | None = None) -> UntypedStorage:
        st = object.__new__(cls)
        st._bytes, st._filename, st._used = b, filename, False
        return st

    def __eq__(self, other: object) -> bool:  # torch compares the storages' identity
        return self is other

    __hash__ = object.__hash__

    @property
    def filename(self) -> str | None:
        """The file a shared ``from_file`` storage maps, else None."""
        return self._filename

    def __len__(self) -> int:
        return self._bytes.shape[0]

    def nbytes(self) -> int:
        """Size in bytes."""
        return self._bytes.shape[0]

    def size(self) -> int:
        """Size in bytes (an untyped storage's elements are bytes)."""
        return self._bytes.shape[0]

    def element_size(self) -> int:
        """1 (bytes)."""
        return 1

    def data_ptr(self) -> int:
        """The address of the first byte."""
        return _addr(self._bytes)

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """``'torch.storage.UntypedStorage'``; with a name, a copy cast to that storage type."""
        if dtype is None:
            return "torch.storage.UntypedStorage"
        name = dtype if isinstance(dtype, str) else dtype.__module__ + "." + dtype.__name__
        cls = _LEGACY.get(name.rsplit(".", 1)[-1]) if name.startswith("torch.") else None
        if cls is None:
            raise RuntimeError(f"Invalid type: {name}")
        return cls(self.size()).copy_(self)  # (torch's _type: size() counts bytes here)

    def untyped(self) -> UntypedStorage:
        """The storage itself."""
        return self

    def _check_index(self, idx: Any) -> Any:
        n = self._bytes.shape[0]
        if isinstance(idx, slice):
            if idx.step not in (None, 1):
                raise RuntimeError(f"Trying to slice with a step of {idx.step}, but only a step "
                                   "of 1 is supported")
            return idx
        if isinstance(idx, (int, np.integer)) and not isinstance(idx, bool):
            i = int(idx)
            if i >= n or i < -n:
                raise _index_error(i, n)
            return i % n
        raise TypeError(f"can't index a torch.UntypedStorage with {type(idx).__name__}")

    def __getitem__(self, idx: Any) -> Any:
        idx = self._check_index(idx)
        if isinstance(idx, slice):
            return UntypedStorage._wrap(self._bytes[idx])
        return int(self._bytes[idx])

    def __setitem__(self, idx: Any, value: Any) -> None:
        if isinstance(idx, (int, np.integer)) and not isinstance(idx, bool) and \
                not 0 <= idx < self._bytes.shape[0]:
            raise RuntimeError("out of bounds")  # (torch's setter takes no negative index)
        idx = self._check_index(idx)
        if not isinstance(value, (int, np.integer)):
            raise RuntimeError("can only set storage content with a int types, but got "
                               f"{type(value).__name__} instead")
        self._bytes[idx] = int(value) & 255

    def copy_(self, source: Any, non_blocking: bool | None = None) -> UntypedStorage:
        """Copy ``source``'s bytes into this storage (equal sizes in bytes)."""
        if isinstance(source, TypedStorage):
            source = source._untyped_storage
        if not isinstance(source, UntypedStorage):
            raise TypeError("copy_(): argument 'src' (position 1) must be torch.Storage, not "
                            f"{type(source).__name__}")
        if source.nbytes() != self.nbytes():
            raise RuntimeError(f"size does not match, self was {self.nbytes()} bytes but src "
                               f"was {source.nbytes()} bytes")
        self._bytes[...] = source._bytes
        return self

    def fill_(self, value: Any) -> UntypedStorage:
        """Set every byte to ``value``."""
        self._bytes[...] = int(value) & 255
        return self

    def clone(self) -> UntypedStorage:
        """A copy of the storage in new memory."""
        return UntypedStorage._wrap(self._bytes.copy())

    def new(self) -> UntypedStorage:
        """A new empty storage."""
        return UntypedStorage()

    def resizable(self) -> bool:
        """Whether ``resize_`` can change the size (a storage that owns its memory)."""
        return self._filename is None and self._bytes.base is None

    def resize_(self, size: int) -> UntypedStorage:
        """Change the size in bytes, keeping the first bytes (new ones are zeros).  ember can
        only resize a storage that owns its memory and that no tensor lives in yet (NumPy
        cannot move the memory under a live tensor): otherwise torch's refusal for storages
        it cannot resize."""
        size = int(size)
        if size == self._bytes.shape[0]:
            return self
        if not self.resizable() or getattr(self, "_used", False):
            raise RuntimeError("Trying to resize storage that is not resizable")
        new = np.zeros(size, np.uint8)
        k = min(size, self._bytes.shape[0])
        new[:k] = self._bytes[:k]
        self._bytes = new
        return self

    def _to(self, dtype: Any) -> TypedStorage:
        if not isinstance(dtype, D.dtype):
            raise TypeError(f"Argument 'dtype' must be torch.dtype, not {type(dtype)}")
        src = typed_view(self, np.dtype(np.uint8))
        return TypedStorage(wrap_storage=UntypedStorage._wrap(
            _span(src.astype(dtype.np))), dtype=dtype, _internal=True)

    def byteswap(self, dtype: Any) -> None:
        """Swap the byte order of every ``dtype`` element in place."""
        isz = dtype.itemsize
        if self.nbytes() % isz:
            raise RuntimeError(f"the length of data is not a multiple of {isz}")
        if isz > 1:
            a = self._bytes.reshape(-1, isz)
            a[...] = a[:, ::-1].copy()

    def __reduce__(self):
        return (_rebuild_untyped, (self._bytes.tobytes(),))

    @classmethod
    def from_buffer(cls, buffer: Any, byte_order: str | None = None, count: int = -1,
                    offset: int = 0, *, dtype: Any = None) -> Any:
        """A storage holding a copy of ``buffer``'s bytes; with ``dtype`` (as ``byte_order``
        'native', 'little' or 'big'), a TypedStorage of that dtype."""
        if dtype is None:
            raise RuntimeError("argument 'dtype' cannot be None")
        return _from_buffer(buffer, byte_order, count, offset, dtype)._untyped_storage

    @classmethod
    def from_file(cls, filename: str, shared: bool = False, nbytes: int = 0) -> UntypedStorage:
        """A storage of ``nbytes`` bytes mapped from ``filename``: with ``shared`` writes go to
        the file (and the file grows to ``nbytes``), else the mapping is private."""
        return _from_file(filename, shared, int(nbytes))


def _rebuild_untyped(b: bytes) -> UntypedStorage:
    return UntypedStorage._wrap(np.frombuffer(b, np.uint8).copy())


def _from_file(filename: str, shared: bool, nbytes: int) -> UntypedStorage:
    import os
    filename = os.fspath(filename)
    if shared:
        with open(filename, "ab") as f:  # torch grows a shorter file (O_CREAT, ftruncate)
            if f.tell() < nbytes:
                f.truncate(nbytes)
    else:
        try:
            have = os.path.getsize(filename)
        except OSError as e:
            raise RuntimeError(f"unable to open file <{filename}> in read-only mode: "
                               f"No such file or directory (2)") from e
        if have < nbytes:
            raise RuntimeError(f"file <{filename}> size <{have}> is smaller than the required "
                               f"mapping size <{nbytes}>")
    name = filename if shared else None
    if nbytes == 0:
        return UntypedStorage._wrap(np.zeros(0, np.uint8)[:0], name)
    m = np.memmap(filename, np.uint8, "r+" if shared else "c", shape=(nbytes,))
    return UntypedStorage._wrap(m.view(np.ndarray), name)


def _from_buffer(buffer: Any, byte_order: str | None, count: int, offset: int,
                 dtype: Any) -> TypedStorage:
    if byte_order not in ("native", "little", "big"):
        raise ValueError("invalid byteorder given: must be one of 'native', 'little', or 'big'")
    npd = np.dtype(dtype.np)
    raw = np.frombuffer(buffer, np.uint8)[offset:]
    isz = npd.itemsize
    if count < 0:
        if raw.shape[0] % isz:
            raise ValueError(f"buffer size ({raw.shape[0]}) must be a multiple of element size "
                             f"({isz})")
        count = raw.shape[0] // isz
    order = {"native": "=", "little": "<", "big": ">"}[byte_order]
    vals = raw[: count * isz].view(npd.newbyteorder(order) if isz > 1 else npd).astype(npd)
    return TypedStorage(wrap_storage=UntypedStorage._wrap(_span(vals) if vals.size else
                                                          np.zeros(0, np.uint8)),
                        dtype=dtype, _internal=True)


_always_warn_typed_storage_removal = False


def _get_always_warn_typed_storage_removal() -> bool:
    return _always_warn_typed_storage_removal


def _set_always_warn_typed_storage_removal(always_warn: bool) -> None:
    global _always_warn_typed_storage_removal
    _always_warn_typed_storage_removal = always_warn


def _warn_typed_storage_removal(stacklevel: int = 2) -> None:
    """torch's one-time deprecation warning for TypedStorage use."""
    if _always_warn_typed_storage_removal or not _warn_typed_storage_removal.__dict__.get(
            "has_warned", False):
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and "
                      "UntypedStorage will be the only storage class. This should only matter "
                      "to you if you are using storages directly.  To access UntypedStorage "
                      "directly, use tensor.untyped_storage() instead of tensor.storage()",
                      UserWarning, stacklevel=stacklevel + 1)
        _warn_typed_storage_removal.__dict__["has_warned"] = True


def _reset_warn_typed_storage_removal() -> None:
    _warn_typed_storage_removal.__dict__["has_warned"] = False


def _isint(x: Any) -> bool:
    return isinstance(x, (int, np.integer))


class TypedStorage:
    """torch.TypedStorage (deprecated in torch): an ``UntypedStorage`` read as ``dtype``
    elements; what ``tensor.storage()`` returns."""

    is_sparse = False
    __module__ = "torch.storage"
    dtype: Any

    def __new__(cls, *args: Any, wrap_storage: Any = None, dtype: Any = None,
                device: Any = None, _internal: bool = False):
        if not _internal:
            _warn_typed_storage_removal()
        if cls is _LegacyStorage:
            raise RuntimeError("Only child classes of _LegacyStorage can be instantiated")
        if cls is TypedStorage:
            return super().__new__(cls)
        msg = (f"{cls}.__new__ received an invalid combination of arguments. Expected one of:\n"
               " * no arguments\n * (int size)\n * (Sequence data)\n"
               " * (*, UntypedStorage wrap_storage)")
        if getattr(cls, "_cuda", False):
            check_usable(Device("cuda"))
        if device is not None:
            raise RuntimeError(msg + "\nKeyword argument 'device' cannot be specified")
        if dtype is not None:
            raise RuntimeError(msg + "\nKeyword argument 'dtype' cannot be specified")
        if wrap_storage is None:
            if len(args) > 1:
                raise RuntimeError(msg + "\nToo many positional arguments")
            if len(args) == 1 and not _isint(args[0]) and \
                    not isinstance(args[0], collections.abc.Sequence):
                raise TypeError(msg + f"\nArgument type not recognized: {type(args[0])}")
            return TypedStorage(*args, dtype=cls.dtype, _internal=True)
        if args:
            raise RuntimeError(msg + "\nNo positional arguments should be given when using "
                               "'wrap_storage'")
        if not isinstance(wrap_storage, UntypedStorage):
            raise TypeError(msg + "\nArgument 'wrap_storage' must be UntypedStorage, but got "
                            f"{type(wrap_storage)}")
        return TypedStorage(wrap_storage=wrap_storage, dtype=cls.dtype, _internal=True)

    def __init__(self, *args: Any, device: Any = None, dtype: Any = None,
                 wrap_storage: Any = None, _internal: bool = False) -> None:
        if not _internal:
            _warn_typed_storage_removal()
        msg = ("TypedStorage.__init__ received an invalid combination of arguments. Expected "
               "one of:\n * (*, torch.device device, torch.dtype dtype)\n"
               " * (int size, *, torch.device device, torch.dtype dtype)\n"
               " * (Sequence data, *, torch.device device, torch.dtype dtype)\n"
               " * (*, UntypedStorage wrap_storage, torch.dtype dtype)")
        if wrap_storage is not None:
            if args:
                raise RuntimeError(msg + "\nNo positional arguments should be given when using "
                                   "'wrap_storage'")
            if dtype is None:
                raise RuntimeError(msg + "\nArgument 'dtype' must be specified")
            if not isinstance(dtype, D.dtype):
                raise TypeError(msg + f"\nArgument 'dtype' must be torch.dtype, not "
                                f"{type(dtype)}")
            if device is not None:
                raise RuntimeError(msg + "\nArgument 'device' should not be specified when "
                                   "'wrap_storage' is given")
            self.dtype = dtype
            if not isinstance(wrap_storage, UntypedStorage):
                raise TypeError(msg + "\nArgument 'wrap_storage' must be UntypedStorage, but "
                                f"got {type(wrap_storage)}")
            self._untyped_storage = wrap_storage
            return
        self.dtype = D.get_default_dtype() if dtype is None else dtype
        _ckdevice(device)
        if not args:
            self._untyped_storage = UntypedStorage()
        elif len(args) == 1 and _isint(args[0]):
            self._untyped_storage = UntypedStorage(int(args[0]) * self._element_size())
        elif len(args) == 1 and isinstance(args[0], collections.abc.Sequence):
            from ._creation import tensor
            t = tensor(args[0], dtype=self.dtype)
            self._untyped_storage = storage_of(t)
        elif len(args) == 1:
            raise TypeError(msg + f"\nArgument type not recognized: {type(args[0])}")
        else:
            raise RuntimeError(msg + "\nToo many positional arguments")

    # -- what torch computes through a tensor view, here through a NumPy view of the bytes
    def _array(self) -> np.ndarray:
        return typed_view(self._untyped_storage, np.dtype(self.dtype.np))

    @property
    def _dtype(self) -> Any:
        return self.dtype

    @property
    def filename(self) -> str | None:
        """The file a ``from_file`` storage maps, else None."""
        return self._untyped_storage.filename

    @property
    def device(self) -> Device:
        """The storage's device (the CPU)."""
        return _CPU

    @property
    def is_cuda(self) -> bool:
        """False."""
        _warn_typed_storage_removal()
        return False

    @property
    def is_hpu(self) -> bool:
        """False."""
        _warn_typed_storage_removal()
        return False

    def untyped(self) -> UntypedStorage:
        """The internal UntypedStorage."""
        _warn_typed_storage_removal()
        return self._untyped_storage

    def _new_wrapped_storage(self, untyped: UntypedStorage) -> TypedStorage:
        return TypedStorage(wrap_storage=untyped, dtype=self.dtype, _internal=True)

    def __len__(self) -> int:
        _warn_typed_storage_removal()
        return self._size()

    def _size(self) -> int:
        return self._untyped_storage.nbytes() // self._element_size()

    def size(self) -> int:
        """The number of ``dtype`` elements."""
        _warn_typed_storage_removal()
        return self._size()

    def _element_size(self) -> int:
        return np.dtype(self.dtype.np).itemsize

    def element_size(self) -> int:
        """Bytes per element."""
        _warn_typed_storage_removal()
        return self._element_size()

    def nbytes(self) -> int:
        """Size in bytes."""
        _warn_typed_storage_removal()
        return self._untyped_storage.nbytes()

    def _nbytes(self) -> int:
        return self._untyped_storage.nbytes()

    def data_ptr(self) -> int:
        """The address of the first element."""
        _warn_typed_storage_removal()
        return self._untyped_storage.data_ptr()

    def _data_ptr(self) -> int:
        return self._untyped_storage.data_ptr()

    def get_device(self) -> int | None:
        """The device index: None on the CPU."""
        _warn_typed_storage_removal()
        return None

    def _maybe_wrap_index(self, idx: Any) -> int:
        if type(idx) is not int:
            raise TypeError(f"can't index a {type(self)} with {type(idx)}")
        n = self._size()
        if idx >= n or idx < -n:
            raise IndexError(f"index {idx} out of range for storage of size {n}")
        return idx % n

    def __getitem__(self, idx: Any) -> Any:
        _warn_typed_storage_removal()
        return self._getitem(idx)

    def _getitem(self, idx: Any) -> Any:
        if isinstance(idx, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        if not isinstance(idx, int):
            raise RuntimeError(f"can't index a {type(self)} with {type(idx)}")
        return self._array()[self._maybe_wrap_index(idx)].item()

    def __setitem__(self, idx: Any, value: Any) -> None:
        _warn_typed_storage_removal()
        self._setitem(idx, value)

    def _setitem(self, idx: Any, value: Any) -> None:
        if not isinstance(idx, (int, slice)):
            raise RuntimeError(f"can't index a {type(self)} with {type(idx)}")
        if is_storage(value):
            raise RuntimeError(f"cannot set item with value type {type(value)}")
        from ._creation import from_numpy
        t = from_numpy(self._array())
        t[idx] = value

    def __iter__(self):
        _warn_typed_storage_removal()
        return iter(self._getitem(i) for i in range(self._size()))

    def tolist(self) -> list:
        """A list of the elements."""
        _warn_typed_storage_removal()
        return self._array().tolist()

    def __repr__(self) -> str:
        _warn_typed_storage_removal()
        data = " " + "\n ".join(str(self._getitem(i)) for i in range(self._size()))
        return data + (f"\n[{type(self).__module__}.{type(self).__name__}(dtype={self.dtype}, "
                       f"device=cpu) of size {self._size()}]")

    __str__ = __repr__

    def __copy__(self) -> TypedStorage:
        return self._new_wrapped_storage(copy.copy(self._untyped_storage))

    def __deepcopy__(self, memo: dict) -> TypedStorage:
        return self._new_wrapped_storage(copy.deepcopy(self._untyped_storage, memo))

    def __sizeof__(self) -> int:
        _warn_typed_storage_removal()
        return object.__sizeof__(self) + self._nbytes()

    def fill_(self, value: Any) -> TypedStorage:
        """Set every element to ``value``."""
        _warn_typed_storage_removal()
        self._setitem(slice(0, self._size()), value)
        return self

    def copy_(self, source: Any, non_blocking: bool | None = None) -> TypedStorage:
        """Copy ``source``'s bytes into this storage."""
        _warn_typed_storage_removal()
        if isinstance(source, TypedStorage):
            source = source._untyped_storage
        self._untyped_storage.copy_(source, non_blocking)
        return self

    def clone(self) -> TypedStorage:
        """A copy in new memory."""
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.clone())

    def cpu(self) -> TypedStorage:
        """The storage itself (on the CPU)."""
        _warn_typed_storage_removal()
        return self

    def to(self, *, device: Any, non_blocking: bool = False) -> TypedStorage:
        """The storage on ``device`` (only the CPU exists)."""
        _warn_typed_storage_removal()
        check_usable(device if isinstance(device, Device) else Device(device), moving=True)
        return self

    def is_pinned(self, device: Any = None) -> bool:
        """False (no accelerator)."""
        _warn_typed_storage_removal()
        return False

    def pin_memory(self, device: Any = None) -> TypedStorage:
        """Raises as torch's CPU build does."""
        _warn_typed_storage_removal()
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def share_memory_(self) -> TypedStorage:
        """Kept in place."""
        _warn_typed_storage_removal()
        return self

    def is_shared(self) -> bool:
        """Whether the memory is in shared memory."""
        _warn_typed_storage_removal()
        return self._untyped_storage.is_shared()

    def resizable(self) -> bool:
        """Whether ``resize_`` can change the size."""
        _warn_typed_storage_removal()
        return self._untyped_storage.resizable()

    def resize_(self, size: int) -> None:
        """Change the number of elements (see ``UntypedStorage.resize_``)."""
        _warn_typed_storage_removal()
        self._untyped_storage.resize_(int(size) * self._element_size())

    def pickle_storage_type(self) -> str:
        """The legacy storage class name checkpoints record (``FloatStorage`` ...)."""
        _warn_typed_storage_removal()
        return _STORAGE_NAME[self.dtype.name]

    def _pickle_storage_type(self) -> str:
        return _STORAGE_NAME[self.dtype.name]

    def __reduce__(self):
        return (_rebuild_typed, (self._untyped_storage, self.dtype.name))

    def _get_legacy_storage_class(self) -> Any:
        return _LEGACY.get(_STORAGE_NAME.get(self.dtype.name, ""))

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """The legacy class name (``'torch.FloatStorage'``); with a name, a cast copy."""
        _warn_typed_storage_removal()
        if dtype is None:
            legacy = self._get_legacy_storage_class()
            if legacy is not None:
                return legacy.__module__ + "." + legacy.__name__
            return ".".join([type(self).__module__, type(self).__name__])
        return self._untyped_storage.type(dtype, non_blocking)

    def _to(self, dtype: Any) -> TypedStorage:
        if not isinstance(dtype, D.dtype):
            raise TypeError(f"Argument 'dtype' must be torch.dtype, not {type(dtype)}")
        out = self._array().astype(dtype.np)
        return TypedStorage(wrap_storage=UntypedStorage._wrap(_span(out) if out.size else
                                                              np.zeros(0, np.uint8)),
                            dtype=dtype, _internal=True)

    double = _StorageBase.double
    float = _StorageBase.float
    half = _StorageBase.half
    long = _StorageBase.long
    int = _StorageBase.int
    short = _StorageBase.short
    char = _StorageBase.char
    byte = _StorageBase.byte
    bool = _StorageBase.bool
    bfloat16 = _StorageBase.bfloat16
    complex_double = _StorageBase.complex_double
    complex_float = _StorageBase.complex_float

    @classmethod
    def from_buffer(cls, *args: Any, dtype: Any = None, device: Any = None,
                    **kwargs: Any) -> TypedStorage:
        """A storage holding a copy of a buffer's elements (``byte_order`` 'native', 'little'
        or 'big'); the class's dtype, or ``dtype`` on TypedStorage."""
        _warn_typed_storage_removal()
        if cls is TypedStorage:
            if dtype is None:
                dtype = D.get_default_dtype()
        elif dtype is not None or device is not None:
            raise RuntimeError("from_buffer: 'dtype' can only be specified in "
                               "UntypedStorage.from_buffer and TypedStorage.from_buffer")
        else:
            dtype = cls.dtype
        buf, rest = args[0], list(args[1:])
        order = rest.pop(0) if rest else kwargs.pop("byte_order", "native")
        count = rest.pop(0) if rest else kwargs.pop("count", -1)
        offset = rest.pop(0) if rest else kwargs.pop("offset", 0)
        return _from_buffer(buf, order, count, offset, dtype)

    @classmethod
    def from_file(cls, filename: str, shared: bool = False, size: int = 0) -> TypedStorage:
        """A storage of ``size`` elements mapped from ``filename`` (see
        ``UntypedStorage.from_file``)."""
        _warn_typed_storage_removal()
        if cls is TypedStorage:
            raise RuntimeError("from_file can only be called on derived classes")
        isz = np.dtype(cls.dtype.np).itemsize
        return TypedStorage(wrap_storage=_from_file(filename, shared, int(size) * isz),
                            dtype=cls.dtype, _internal=True)


def _rebuild_typed(untyped: UntypedStorage, name: str) -> TypedStorage:
    return TypedStorage(wrap_storage=untyped, dtype=D._NAMES[name] if name in D._NAMES
                        else D._load_bfloat16(), _internal=True)


class _LegacyStorageMeta(type):
    """``isinstance(s, torch.FloatStorage)``: a TypedStorage of float32."""

    dtype: Any

    def __instancecheck__(cls, instance: Any) -> bool:
        if type(instance) is TypedStorage:
            return not getattr(cls, "_cuda", False) and instance.dtype == cls.dtype
        return False


class _LegacyStorage(TypedStorage, metaclass=_LegacyStorageMeta):
    """The base of ``torch.FloatStorage`` and the other legacy storage classes."""

    @classmethod
    def _new_shared(cls, size: int) -> TypedStorage:
        return cls(size)


_STORAGE_NAME = {d.name: d.scalar_name + "Storage" for d in D._ALL}  # float32 -> FloatStorage
_STORAGE_NAME.setdefault("bfloat16", "BFloat16Storage")
_STORAGE_DTYPE = {v: k for k, v in _STORAGE_NAME.items()}


class _classproperty:
    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __get__(self, obj: Any, cls: Any) -> Any:
        return self.fn(cls)


def _legacy_class(name: str, dtype_name: str, cuda: bool) -> type:
    def dtype(cls: Any) -> Any:
        return D._NAMES.get(dtype_name) or D._load_bfloat16()
    ns = {"dtype": _classproperty(dtype), "_cuda": cuda,
          "__module__": "torch.cuda" if cuda else "torch",
          "__doc__": f"torch{'.cuda' if cuda else ''}.{name}: the legacy typed storage of "
                     f"{dtype_name}" + (" (constructing one raises: no CUDA)." if cuda else ".")}
    return _LegacyStorageMeta(name, (_LegacyStorage,), ns)


_LEGACY = {name: _legacy_class(name, dn, False) for name, dn in _STORAGE_DTYPE.items()}
CUDA_LEGACY = {name: _legacy_class(name, dn, True) for name, dn in _STORAGE_DTYPE.items()}


def is_storage(obj: Any) -> bool:
    """True if ``obj`` is a storage (untyped or typed)."""
    return type(obj) in (TypedStorage, UntypedStorage)


def __getattr__(name: str) -> Any:
    if name in _LEGACY:
        return _LEGACY[name]
    raise AttributeError(f"module 'ember.storage' has no attribute '{name}'")
