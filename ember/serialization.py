"""``ember.save`` / ``ember.load``: PyTorch's checkpoint format.

Files are PyTorch's own zip checkpoints (``<name>/data.pkl`` + one raw record per storage), so
``torch.load(path, weights_only=True)`` reads what ember writes and ``ember.load`` reads what
``torch.save`` writes.  As in PyTorch, ``load`` is safe by default (``weights_only=True``): an
allow-list unpickler accepts only tensor/storage rebuild functions, dtypes,
``torch.Size``/``torch.device``, plain containers and numbers and the globals added with
``add_safe_globals``, and refuses anything else with PyTorch's "Weights only load failed"
:class:`pickle.UnpicklingError` naming the global.  ``weights_only=False`` is the caller's
statement of trust: the file is unpickled in full (whole models, optimizers, your classes).
Saves are atomic (temporary file, fsync, rename).  ``save_safetensors`` / ``load_safetensors``
use the safetensors library.
"""
from __future__ import annotations

import collections
import errno
import io
import os
import pickle
import re
import secrets
import stat
import struct
import sys
import tempfile
import warnings
import zipfile
from typing import Any

import numpy as np

from . import _dtype as D

__all__ = ["save", "load", "save_safetensors", "load_safetensors", "add_safe_globals",
           "get_safe_globals", "clear_safe_globals", "safe_globals",
           "get_unsafe_globals_in_checkpoint"]

# torch's legacy storage class names <-> dtype names
_STORAGE_TO_DTYPE = {
    "HalfStorage": "float16", "FloatStorage": "float32", "DoubleStorage": "float64",
    "BFloat16Storage": "bfloat16", "CharStorage": "int8", "ShortStorage": "int16",
    "IntStorage": "int32", "LongStorage": "int64", "ByteStorage": "uint8",
    "BoolStorage": "bool", "ComplexFloatStorage": "complex64",
    "ComplexDoubleStorage": "complex128",
}
_DTYPE_TO_STORAGE = {v: k for k, v in _STORAGE_TO_DTYPE.items()}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_ALIGN = 64


def _np_dtype(name: str):
    """The NumPy dtype for an ember dtype name; None for bfloat16 without ml_dtypes."""
    if name == "bfloat16":
        return None if D.bfloat16 is None else D.bfloat16.np
    return np.dtype(name)


def _dtype_name(npd: np.dtype) -> str:
    try:
        return D.from_numpy_dtype(npd).name
    except TypeError:
        raise TypeError(f"ember.save: can't save an array of dtype {npd}") from None


def _tensor_cls():
    from ._tensor import Tensor
    return Tensor


def _parameter_cls():
    try:
        from .nn.parameter import Parameter
    except Exception:  # nn not there yet
        return None
    return Parameter


# ====================================================================================== save
class _Global:
    """A marker pickled as ``GLOBAL module name`` without importing anything."""

    __slots__ = ("module", "name")
    _cache: dict = {}

    def __new__(cls, module: str, name: str):
        key = (module, name)
        obj = cls._cache.get(key)
        if obj is None:
            obj = object.__new__(cls)
            obj.module, obj.name = module, name
            cls._cache[key] = obj
        return obj

    def __call__(self, *args):  # pickle insists that a reduce function be callable
        raise TypeError(f"{self.module}.{self.name} is a pickle marker, not a function")


class _Reduce:
    """A nested ``callable(*args)`` in the pickle (a Parameter's inner tensor)."""

    __slots__ = ("func", "args")

    def __init__(self, func, args):
        self.func, self.args = func, args


class _StorageRef:
    __slots__ = ("key", "cls", "numel")

    def __init__(self, key, cls, numel):
        self.key, self.cls, self.numel = key, cls, numel


class _Pickler(pickle._Pickler):  # the pure-Python pickler lets us emit torch's globals
    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages: dict = {}   # (id(root), dtype str) -> _StorageRef
        self.records: list = []    # (_StorageRef, root array), kept alive so ids stay unique
        self._tensor = _tensor_cls()
        self._param = _parameter_cls()
        from ._backend import Device
        from ._tensor import Size
        self._device, self._size = Device, Size

    def _save_marker(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    dispatch[_Global] = _save_marker

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return ("storage", obj.cls, obj.key, "cpu", obj.numel)
        st = sys.modules.get("ember.storage")  # issue 13 (h13-storage): storage objects
        if st is not None and st.is_storage(obj):
            return self._storage_id(obj, st)
        return None

    def _storage_id(self, obj, st):
        """A storage object as torch saves one: a record of its bytes (shared with the tensors
        that live in it), its legacy class (``torch.ByteStorage`` for an untyped one)."""
        typed = type(obj) is st.TypedStorage
        arr = st.typed_view(obj._untyped_storage, np.dtype(obj.dtype.np)) if typed \
            else obj._bytes
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        if arr.nbytes != root.nbytes or _view_offset(arr, root) != 0:
            arr = arr.copy()  # (a record is a whole buffer from its start)
        ref, _, _ = self._storage_for(arr)
        return ("storage", ref.cls, ref.key, "cpu", ref.numel)

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, np.generic):  # NumPy scalars would need numpy globals: use Python's
            obj = obj.item()
        elif type(obj) is D.dtype:
            obj = _Global("torch", obj.name)
        super().save(obj, save_persistent_id)

    def reducer_override(self, obj):
        if isinstance(obj, self._tensor):
            return self._reduce_tensor(obj)
        t = type(obj)
        if t is _Reduce:
            return obj.func, obj.args
        if t is self._size:
            return _Global("torch", "Size"), (tuple(int(s) for s in obj),)
        if t is self._device:
            return _Global("torch", "device"), (str(obj),)
        return NotImplemented

    def _reduce_tensor(self, t):
        ref, offset, stride = self._storage_for(t._array)
        shape = tuple(int(s) for s in t._array.shape)
        req = bool(getattr(t, "_requires_grad", False))
        hooks = collections.OrderedDict()
        if self._param is not None and isinstance(t, self._param):
            inner = _Reduce(_Global("torch._utils", "_rebuild_tensor_v2"),
                            (ref, offset, shape, stride, False, hooks))
            return _Global("torch._utils", "_rebuild_parameter"), (inner, req, hooks)
        return _Global("torch._utils", "_rebuild_tensor_v2"), (ref, offset, shape, stride, req,
                                                               hooks)

    def _storage_for(self, arr: np.ndarray):
        """Share one storage record between views of one buffer, like torch does."""
        arr = np.asarray(arr)
        if not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        name = _dtype_name(arr.dtype)
        isz = arr.dtype.itemsize
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        start = _view_offset(arr, root)
        if start is None:
            arr = root = np.ascontiguousarray(arr)
            start = 0
        key = (id(root), arr.dtype.str)
        ref = self.storages.get(key)
        if ref is None:
            ref = _StorageRef(str(len(self.records)), _Global("torch", _DTYPE_TO_STORAGE[name]),
                              root.nbytes // isz)
            self.storages[key] = ref
            self.records.append((ref, root))
        return ref, start // isz, tuple(s // isz for s in arr.strides)


def _view_offset(arr: np.ndarray, root: np.ndarray):
    """Byte offset of ``arr`` inside the contiguous buffer ``root``, or None if not expressible."""
    isz = arr.dtype.itemsize
    if arr.size == 0 or not (root.flags.c_contiguous or root.flags.f_contiguous):
        return None
    if root.nbytes % isz or any(s < 0 or s % isz for s in arr.strides):
        return None
    start = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    if start < 0 or start % isz:
        return None
    end = start + isz + sum((n - 1) * s for n, s in zip(arr.shape, arr.strides))
    return start if end <= root.nbytes else None


def _raw_bytes(root: np.ndarray) -> memoryview:
    flat = root if root.flags.c_contiguous else root.T  # F-contiguous: .T is C-contiguous
    return memoryview(flat.reshape(-1).view(np.uint8))


def _write_record(zf: zipfile.ZipFile, name: str, data) -> None:
    """One stored (uncompressed) record whose data starts on a 64-byte boundary, like torch."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    size = memoryview(data).nbytes
    header = 30 + len(name.encode("utf-8")) + 4
    if size * 1.05 > zipfile.ZIP64_LIMIT:  # zipfile then adds a 20-byte zip64 extra field
        header += 20
    pad = (-(zf.fp.tell() + header)) % _ALIGN
    info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    zf.writestr(info, data)


def _write_zip(fh, archive: str, pickled: bytes, records) -> None:
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        _write_record(zf, f"{archive}/data.pkl", pickled)
        _write_record(zf, f"{archive}/.format_version", "1")
        _write_record(zf, f"{archive}/.storage_alignment", str(_ALIGN))
        _write_record(zf, f"{archive}/byteorder", sys.byteorder)
        for ref, root in records:
            _write_record(zf, f"{archive}/data/{ref.key}", _raw_bytes(root))
        _write_record(zf, f"{archive}/version", "3\n")
        sid = "".join(str(secrets.randbelow(10)) for _ in range(40))
        _write_record(zf, f"{archive}/.data/serialization_id", sid)


def _check_save_path(path: str) -> None:
    """torch's checks on a path to save to, with its error texts (RuntimeError)."""
    if not path or path.endswith(("/", os.sep)):
        raise RuntimeError(f"invalid file name: {path}")
    parent = path.rpartition("/")[0] if "/" in path else os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")
    if os.path.isdir(path):
        raise RuntimeError(f"open file failed with strerror: {os.strerror(errno.EISDIR)}: "
                           f"{path}")


class _Shifted:
    """A file seen from ``start`` on: zipfile writes offsets from the start of the stream, and
    torch's reader wants them from the start of the archive (a checkpoint after a header)."""

    def __init__(self, f, start):
        self._f, self._start = f, start

    def write(self, b):
        return self._f.write(b)

    def tell(self):
        return self._f.tell() - self._start

    def seek(self, pos, whence=0):
        return self._f.seek(pos + self._start if whence == 0 else pos, whence) - self._start

    def seekable(self):
        return True

    def flush(self):
        return self._f.flush()


def _atomic_write(path, write) -> None:
    """Write through ``write(fh)`` into a temp file next to ``path``, fsync, then rename.

    A path that exists and is not a regular file (``/dev/null``, a FIFO) is written directly:
    renaming over it would replace the device or pipe with a file."""
    path = os.fsdecode(os.fspath(path))
    _check_save_path(path)
    if os.path.islink(path):
        path = os.path.realpath(path)
    try:
        special = not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        special = False
    if special:
        with open(path, "wb") as fh:
            write(fh)
        return
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                                   dir=folder)
    except OSError as e:
        raise RuntimeError(f"open file failed with strerror: {e.strerror}: {path}") from e
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            mode = os.stat(path).st_mode & 0o7777
        except OSError:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def save(obj: Any, f, pickle_protocol: int = 2, _use_new_zipfile_serialization: bool = True
         ) -> None:
    """Save ``obj`` in PyTorch's zip checkpoint format (``torch.load`` reads it).

    ``f`` is a path (written atomically: temporary file in the same folder, fsync, rename, so
    an interrupted save leaves any previous file intact) or a binary file-like object.
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember.save writes only the zip checkpoint format "
                                  "(_use_new_zipfile_serialization=True)")
    buf = io.BytesIO()
    pickler = _Pickler(buf, pickle_protocol)
    pickler.dump(obj)
    pickled, records = buf.getvalue(), pickler.records
    if isinstance(f, (str, bytes, os.PathLike)):
        stem = os.path.splitext(os.path.basename(os.fsdecode(f)))[0]
        archive = stem if stem and stem.isprintable() else "archive"
        _atomic_write(f, lambda fh: _write_zip(fh, archive, pickled, records))
    elif hasattr(f, "write"):
        try:
            start = f.tell() if f.seekable() else 0
        except (AttributeError, OSError):
            start = 0
        _write_zip(_Shifted(f, start) if start else f, "archive", pickled, records)
        if hasattr(f, "flush"):
            f.flush()
    else:
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a "
                             "'write' attribute")


# ====================================================================================== load
class _Refused(pickle.UnpicklingError):
    """The allow-list said no (re-raised by ``load`` as torch's "Weights only load failed")."""


class _TorchObject(pickle.UnpicklingError):
    """A whole PyTorch object (not a tensor) in a file loaded with weights_only=False."""


# torch.serialization's texts, so that what users search for is the same
UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source.")
_DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default "
    "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")


def _wo_message(message: str) -> str:
    """torch.load's wrapping of a weights-only unpickler error (``_get_wo_message``)."""
    if re.search(r"GLOBAL (\S+) was not an allowed global by default.", message):
        return ("Weights only load failed. This file can still be loaded, to do so you have two "
                "options, \033[1mdo those steps only if you trust the source of the "
                f"checkpoint\033[0m. \n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load "
                "with `weights_only=True` please check the recommended steps in the following "
                "error message.\n\tWeightsUnpickler error: " + message + _DOCS_MESSAGE)
    msg = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
    if not re.search(r"whose module (\S+) is blocked", message):
        msg += ("Please file an issue with the following so that we can make "
                "`weights_only=True` compatible with your use case: WeightsUnpickler error: ")
    return msg + "\n\n" + message + _DOCS_MESSAGE


def _refuse_global(module: str, name: str):
    full = f"{module}.{name}"
    if module in _BLOCKED_MODULES:
        raise _Refused(f"Trying to load unsupported GLOBAL {full} whose module {module} is "
                       "blocked.")
    if full.startswith("builtins."):
        full = full[len("builtins."):]
    raise _Refused(
        f"Unsupported global: GLOBAL {full} was not an allowed global by default. Please use "
        f"`torch.serialization.add_safe_globals([{full}])` or the "
        f"`torch.serialization.safe_globals([{full}])` context manager to allowlist this global "
        "if you trust this class/function.")


# ---------------------------------------------------------------- user-allowed globals (torch's)
_marked_safe_globals_set: set = set()


def add_safe_globals(safe_globals: list) -> None:
    """Mark globals (classes, functions, or ``(obj, "module.qualname")`` pairs) as safe for
    ``load(weights_only=True)``: they may then be called and have their state set."""
    global _marked_safe_globals_set
    _marked_safe_globals_set = _marked_safe_globals_set.union(set(safe_globals))


def get_safe_globals() -> list:
    """The globals added with :func:`add_safe_globals` (or inside :class:`safe_globals`)."""
    return list(_marked_safe_globals_set)


def clear_safe_globals() -> None:
    """Forget every global added with :func:`add_safe_globals`."""
    global _marked_safe_globals_set
    _marked_safe_globals_set = set()


class safe_globals:  # noqa: N801 - torch's name
    """Context manager: ``with safe_globals([MyClass]): load(f)`` allows ``MyClass`` inside."""

    def __init__(self, safe_globals: list):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):  # noqa: A002
        global _marked_safe_globals_set
        _marked_safe_globals_set = _marked_safe_globals_set - set(self.safe_globals)


def _user_allowed() -> dict:
    rc = {}
    for f in _marked_safe_globals_set:
        if isinstance(f, tuple):
            if len(f) != 2:
                raise ValueError("Expected tuple of length 2 (global, str of callable full path), "
                                 f"but got tuple of length: {len(f)}")
            if type(f[1]) is not str:
                raise TypeError("Expected second item in tuple to be str of callable full path, "
                                f"but got: {type(f[1])}")
            rc[f[1]] = f[0]
        else:
            rc[f"{f.__module__}.{f.__qualname__}"] = f
    return rc


class _Corrupt(Exception):
    pass


class _StorageType:
    """What ``torch.FloatStorage`` etc. unpickle to: only a dtype name."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype  # None: UntypedStorage (bytes; the dtype comes from _rebuild_v3)


class _TypeMarker:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class _LoadedStorage:
    """A storage's raw bytes plus typed views of them (one per dtype, cached)."""

    __slots__ = ("raw", "dtype", "vc", "big", "_typed", "_pending")

    def __init__(self, raw: np.ndarray, dtype):
        self.raw, self.dtype, self.vc = raw, dtype, [0]
        self._typed: dict = {}
        self._pending: list = []   # conversions to redo once legacy data arrives
        self.big = False

    def typed(self, name: str) -> np.ndarray:
        arr = self._typed.get(name)
        if arr is None:
            arr = self._typed[name] = self._convert(name)
        return arr

    def _convert(self, name: str) -> np.ndarray:
        npd = _np_dtype(name)
        isz = 2 if npd is None else npd.itemsize
        raw = self.raw[: len(self.raw) - len(self.raw) % isz]
        if npd is None:  # bfloat16 without ml_dtypes: widen to float32 (exact)
            warnings.warn("ember.load: bfloat16 tensors load as float32 (install ml_dtypes for "
                          "bfloat16)", stacklevel=4)
            bits = raw.view("<u2" if not self.big else ">u2").astype(np.uint32) << 16
            out = bits.view(np.float32)
            self._pending.append((out, name))
            return out
        if self.big and isz > 1:
            out = raw.view(npd.newbyteorder(">")).astype(npd)
            self._pending.append((out, name))
            return out
        return raw.view(npd)

    def refresh(self) -> None:
        """Legacy files deliver bytes after the tensors exist: redo any converted copies."""
        for out, name in self._pending:
            self._typed.pop(name, None)
            out[...] = self._convert(name)


def _ints(x, what) -> tuple:
    if not isinstance(x, (tuple, list)) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in x):
        raise _Corrupt(f"bad tensor {what}: {x!r}")
    return tuple(x)


def _view(typed: np.ndarray, offset, size, stride) -> np.ndarray:
    """``typed[offset]`` seen with ``size``/``stride`` (in elements), bounds-checked."""
    size, stride = _ints(size, "size"), _ints(stride, "stride")
    if not isinstance(offset, int) or offset < 0 or len(size) != len(stride) or len(size) > 64:
        raise _Corrupt(f"bad tensor geometry: offset={offset!r} size={size} stride={stride}")
    if any(n < 0 for n in size) or any(s < 0 for s in stride):
        raise _Corrupt(f"negative size or stride: size={size} stride={stride}")
    if 0 in size:
        return np.zeros(size, typed.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if last >= typed.shape[0]:
        raise _Corrupt(f"tensor of size {size} and stride {stride} at offset {offset} runs past "
                       f"the end of its storage of {typed.shape[0]} elements")
    isz = typed.dtype.itemsize
    return np.ndarray(size, typed.dtype, buffer=typed, offset=offset * isz,
                      strides=tuple(s * isz for s in stride))


def _tensor(arr: np.ndarray, storage, requires_grad):
    from ._tensor import _make
    t = _make(arr, False, None, 0, storage.vc if storage is not None else None)
    if requires_grad is True and arr.dtype.kind in "fc":
        t._requires_grad = True
    return t


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    if type(storage) is not _LoadedStorage or storage.dtype is None:
        raise _Corrupt("a tensor without a typed storage")
    return _tensor(_view(storage.typed(storage.dtype), storage_offset, size, stride), storage,
                   requires_grad)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    if type(storage) is not _LoadedStorage or type(dtype) is not D.dtype:
        raise _Corrupt("a tensor without a storage or dtype")
    return _tensor(_view(storage.typed(dtype.name), storage_offset, size, stride), storage,
                   requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks, state=None):
    if not isinstance(data, _tensor_cls()):
        raise _Corrupt("a Parameter without a tensor")
    req = requires_grad is True and data._array.dtype.kind in "fc"
    param = _parameter_cls()
    if param is None:
        data._requires_grad = req
        return data
    try:
        return param(data, requires_grad=req)
    except TypeError:
        return param(data, req)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _rebuild_parameter(data, requires_grad, backward_hooks)


_REBUILDERS = (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter,
               _rebuild_parameter_with_state)


def _rebuild_from_type_v2(func, new_type, args, state):
    if func not in _REBUILDERS or type(new_type) is not _TypeMarker or \
            not isinstance(args, tuple):
        raise _Corrupt("bad _rebuild_from_type_v2 call")
    ret = func(*args)
    if new_type.name == "Parameter" and type(ret) is _tensor_cls():
        ret = _rebuild_parameter(ret, ret._requires_grad, None)
    return ret  # extra Python attributes (state) are not restored


def _encode(obj, encoding="utf-8", errors="strict"):
    if not isinstance(obj, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8",
                                                    "ascii") or errors != "strict":
        raise _Corrupt("bad _codecs.encode call")
    return obj.encode(encoding)


def _device(*args):
    from ._backend import Device
    try:
        return Device(*args)
    except (RuntimeError, ValueError, TypeError):
        return Device("cpu")  # ember loads everything onto the CPU


def _size(*args):
    from ._tensor import Size
    return Size(*args)


def _allowed() -> dict:
    rc = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "builtins.set": set, "builtins.frozenset": frozenset,
        "builtins.bytearray": bytearray, "builtins.complex": complex,
        "_codecs.encode": _encode,
        "torch.Size": _size, "torch.device": _device,
        "torch.Tensor": _TypeMarker("Tensor"),
        "torch.nn.parameter.Parameter": _TypeMarker("Parameter"),
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.storage.UntypedStorage": _StorageType(None),
        "torch.UntypedStorage": _StorageType(None),
    }
    for f in _REBUILDERS:
        rc["torch._utils." + f.__name__] = f
    for cls, name in _STORAGE_TO_DTYPE.items():
        rc["torch." + cls] = rc["torch.cuda." + cls] = _StorageType(name)
    for name, dt in D._NAMES.items():
        rc["torch." + name] = dt
    return rc


_ALLOWED = _allowed()
_ALLOWED_IDS = frozenset(id(v) for v in _ALLOWED.values())
_OTHER_DTYPES = {"bfloat16", "uint16", "uint32", "uint64", "complex32", "chalf",
                 "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "bits8",
                 "bits16", "quint8", "qint8", "qint32"}


class _Unpickler(pickle._Unpickler):
    """The weights-only unpickler: pure Python (so that every opcode that calls or sets state
    can be checked) with an allow-list, plus the globals added with ``add_safe_globals``."""

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, storage_loader, **kw):
        super().__init__(file, **kw)
        self._load_storage = storage_loader
        self._user = _user_allowed()
        self._callable = {id(v) for v in self._user.values()} | _ALLOWED_IDS

    def find_class(self, module, name):
        if module == "__builtin__":
            module = "builtins"
        obj = _ALLOWED.get(f"{module}.{name}")
        if obj is not None:
            return obj
        if module == "torch" and name in _OTHER_DTYPES:
            raise _Corrupt(f"ember has no dtype torch.{name}" + (
                " (bfloat16 needs the ml_dtypes package)" if name == "bfloat16" else ""))
        if module not in _BLOCKED_MODULES:
            obj = self._user.get(f"{module}.{name}")
            if obj is not None:
                return obj
        _refuse_global(module, name)

    def persistent_load(self, pid):
        return _persistent_load(self._load_storage, pid)

    def _load_reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        if id(func) not in self._callable:
            msg = f"Trying to call reduce for unrecognized function {func}"
            if hasattr(func, "__self__"):
                msg += f" which belongs to {func.__self__}"
            raise _Refused(msg)
        self.stack[-1] = func(*args)

    def _load_newobj(self, kwargs=None):
        if kwargs is None:
            kwargs = {}
        args = self.stack.pop()
        cls = self.stack.pop()
        if id(cls) not in self._callable or not isinstance(cls, type):
            raise _Refused("Can only create new object for nn.Parameter or classes allowlisted "
                           f"via `add_safe_globals` but got {cls}")
        self.append(cls.__new__(cls, *args, **kwargs))

    def _load_newobj_ex(self):
        kwargs = self.stack.pop()
        self._load_newobj(kwargs)

    def _load_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if type(inst) in (collections.OrderedDict, collections.Counter) and \
                isinstance(state, dict):
            for k, v in state.items():  # e.g. a state dict's _metadata
                if isinstance(k, str) and not k.startswith("__"):
                    inst.__dict__[k] = v
            return
        if id(type(inst)) in self._callable and type(inst) in self._user.values():
            setstate = getattr(inst, "__setstate__", None)
            if setstate is not None:
                setstate(state)
                return
            slotstate = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slotstate = state
            if state:
                inst.__dict__.update(state)
            if slotstate:
                for k, v in slotstate.items():
                    setattr(inst, k, v)
            return
        raise _Refused("Can only build Tensor, Parameter, OrderedDict or types allowlisted via "
                       f"`add_safe_globals`, but got {type(inst)}")

    dispatch[pickle.REDUCE[0]] = _load_reduce
    dispatch[pickle.NEWOBJ[0]] = _load_newobj
    dispatch[pickle.NEWOBJ_EX[0]] = _load_newobj_ex
    dispatch[pickle.BUILD[0]] = _load_build


class _FullUnpickler(pickle.Unpickler):
    """``weights_only=False``: Python's own unpickler (the caller trusts the file), with
    torch's tensor, storage, dtype, Size and device globals rebuilt as ember objects.  Any other
    global of PyTorch itself (a whole ``torch.nn`` module, a PyTorch optimizer) is refused with
    what to do instead; globals of ember and of your own code load as pickle loads them."""

    def __init__(self, file, storage_loader, **kw):
        super().__init__(file, **kw)
        self._load_storage = storage_loader

    def find_class(self, module, name):
        if module == "__builtin__":
            module = "builtins"
        if module == "torch" or module.startswith("torch."):
            obj = _ALLOWED.get(f"{module}.{name}")
            if obj is not None:
                return obj
            if module == "torch" and name in _OTHER_DTYPES:
                raise _Corrupt(f"ember has no dtype torch.{name}")
            raise _TorchObject(
                f"ember.load: the file holds {module}.{name}, an object of PyTorch itself "
                "(a whole model or optimizer saved with torch.save(model)), which ember cannot "
                "rebuild: only PyTorch's tensors, dtypes, Size and device map onto ember's. Save "
                "its state dict with PyTorch instead (torch.save(model.state_dict(), path)), "
                "then build the model with ember and call "
                "model.load_state_dict(ember.load(path)).")
        return super().find_class(module, name)

    def persistent_load(self, pid):
        return _persistent_load(self._load_storage, pid)


def _persistent_load(load_storage, pid):
    if not isinstance(pid, tuple) or not pid or pid[0] not in ("storage", b"storage"):
        raise _Corrupt(f"unsupported persistent id {pid!r:.80}")
    return load_storage(pid[1:])


def _storage_args(args, n):
    if len(args) != n:
        raise _Corrupt(f"bad storage reference {args!r:.80}")
    stype, key, numel = args[0], args[1], args[3]
    if type(stype) is not _StorageType or not isinstance(key, (str, bytes)) or \
            not isinstance(numel, int) or numel < 0:
        raise _Corrupt(f"bad storage reference {args!r:.80}")
    return stype.dtype, key.decode("ascii") if isinstance(key, bytes) else key, numel


def _itemsize(name) -> int:
    if name is None:
        return 1
    npd = _np_dtype(name)
    return 2 if npd is None else npd.itemsize


def _read_into(src, buf: np.ndarray) -> None:
    view, pos, n = memoryview(buf), 0, buf.nbytes
    while pos < n:
        got = src.readinto(view[pos:])
        if not got:
            raise _Corrupt("unexpected end of data")
        pos += got


def _load_zip(fh, size: int, kw, unpickler=None, trusted=None):
    zf = zipfile.ZipFile(fh)
    names = zf.namelist()
    pkl = next((n for n in names if n == "data.pkl" or n.endswith("/data.pkl")), None)
    if pkl is None:
        raise _Corrupt("no data.pkl record (a zip file, but not a torch checkpoint)")
    prefix = pkl[: -len("data.pkl")]
    big = False
    if prefix + "byteorder" in names:
        order = zf.read(prefix + "byteorder").strip()
        if order not in (b"little", b"big"):
            raise _Corrupt(f"unknown byteorder {order!r}")
        big = order == b"big"
    storages: dict = {}

    def load_storage(args):
        dtype, key, numel = _storage_args(args, 4)
        st = storages.get(key)
        if st is None:
            try:
                info = zf.getinfo(f"{prefix}data/{key}")
            except KeyError:
                raise _Corrupt(f"missing storage record data/{key}") from None
            if info.compress_type == zipfile.ZIP_STORED and info.file_size > size:
                raise _Corrupt(f"record data/{key} is larger than the file")
            raw = np.empty(info.file_size, np.uint8)
            with zf.open(info) as src:
                _read_into(src, raw)
            st = storages[key] = _LoadedStorage(raw, dtype)
            st.big = big
        if numel * _itemsize(dtype) > st.raw.nbytes:
            raise _Corrupt(f"storage data/{key} is shorter than its {numel} elements")
        if dtype is not None and st.dtype != dtype:
            st = _alias(st, dtype)
        return st

    data = zf.read(pkl)
    return _run_pickle((unpickler or _Unpickler)(io.BytesIO(data), load_storage, **kw), trusted)


def _alias(st: _LoadedStorage, dtype) -> _LoadedStorage:
    """The same bytes seen as another dtype (shares the version counter)."""
    new = _LoadedStorage(st.raw, dtype)
    new.vc, new.big, new._typed, new._pending = st.vc, st.big, st._typed, st._pending
    return new


def _load_legacy(fh, kw, unpickler=None, trusted=None):
    """torch's pre-1.6 format: magic, protocol, sys info, object pickle, keys, raw storages."""
    def plain():
        return _Unpickler(fh, _no_storage, **kw).load()

    if plain() != _LEGACY_MAGIC:
        raise _Corrupt("not a torch checkpoint (bad magic number)")
    if plain() != 1001:
        raise _Corrupt("unsupported legacy protocol version")
    info = plain()
    if isinstance(info, dict) and info.get("little_endian") is False:
        raise _Corrupt("big-endian legacy checkpoints are not supported")
    storages: dict = {}

    def load_storage(args):
        if len(args) == 5 and args[4] is not None:
            raise _Corrupt("legacy storage views are not supported")
        dtype, key, numel = _storage_args(args[:4], 4)
        if dtype is None:
            raise _Corrupt("untyped storage in a legacy checkpoint")
        st = storages.get(key)
        if st is None:
            st = storages[key] = _LoadedStorage(np.zeros(numel * _itemsize(dtype), np.uint8),
                                                dtype)
        return st

    result = _run_pickle((unpickler or _Unpickler)(fh, load_storage, **kw), trusted)
    keys = plain()
    if not isinstance(keys, list):
        raise _Corrupt("bad storage key list")
    for key in keys:
        st = storages.get(key)
        if st is None:
            raise _Corrupt(f"unknown storage key {key!r:.40}")
        head = fh.read(8)
        if len(head) != 8:
            raise _Corrupt("unexpected end of data")
        numel = struct.unpack("<q", head)[0]
        if numel * _itemsize(st.dtype) != st.raw.nbytes:
            raise _Corrupt(f"storage {key} has {numel} elements, expected a different size")
        _read_into(fh, st.raw)
        st.refresh()
    return result


def _no_storage(args):
    raise _Corrupt("unexpected storage reference")


def _check_map_location(m) -> None:
    if m is None or callable(m) or isinstance(m, dict):
        return
    if isinstance(m, str) or type(m).__name__ in ("device", "Device"):
        from ._backend import Device
        d = Device(str(m))
        if d.type == "cuda":  # ember is CPU-only: any other device is an error (torch's text)
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
                "is False. If you are running on a CPU-only machine, please use torch.load with "
                "map_location=torch.device('cpu') to map your storages to the CPU.")
        if d.type != "cpu":
            raise RuntimeError(f"torch.UntypedStorage(): Storage device not recognized: {d.type}")
        return
    raise TypeError(f"ember.load: map_location should be a str, device, dict or callable, "
                    f"got {type(m).__name__}")


_TRUE = ("1", "y", "yes", "true")


def _resolve_weights_only(weights_only, pickle_module) -> bool:
    """torch.load's rule: the default is the safe loader unless a pickle_module is given;
    TORCH_FORCE_WEIGHTS_ONLY_LOAD forces it, TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD lifts the
    default (not an explicit weights_only=True)."""
    not_set = weights_only is None
    if not_set:
        weights_only = pickle_module is None
    force = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    force_no = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    if force and force_no:
        raise RuntimeError("Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or "
                           "`TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` should be set, but both were set.")
    if force:
        weights_only = True
    elif force_no and not_set:
        warnings.warn("Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since the"
                      "`weights_only` argument was not explicitly passed to `torch.load`, forcing "
                      "weights_only=False.", UserWarning, stacklevel=3)
        weights_only = False
    return bool(weights_only)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args) -> Any:
    """Load an object saved by ``torch.save`` or ``ember.save`` (tensors load on the CPU).

    As in PyTorch, the default (``weights_only=None`` or ``True``) is the safe loader: only
    tensors, storages, dtypes, ``Size``/``device``, plain containers and numbers, and the
    globals added with :func:`add_safe_globals` are rebuilt, and any other global raises
    :class:`pickle.UnpicklingError` ("Weights only load failed ...") naming it.
    ``weights_only=False`` says you trust the file: it is unpickled in full, which runs any
    code the file asks for, so whole objects load (a model saved with ``ember.save(model)``,
    an optimizer, your own classes).  PyTorch's own classes cannot be rebuilt by ember
    (a whole ``torch.nn`` model saved by PyTorch): that raises an error saying to save the
    state dict instead.  ``TORCH_FORCE_WEIGHTS_ONLY_LOAD`` / ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``
    act as in PyTorch.  ``map_location`` is validated and otherwise ignored; ``mmap`` is
    accepted and ignored.  A truncated or corrupt file raises ``RuntimeError``.
    """
    _check_map_location(map_location)
    weights_only = _resolve_weights_only(weights_only, pickle_module)
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    bad = set(pickle_load_args) - {"encoding", "errors"}
    if bad:
        raise TypeError(f"ember.load got unexpected keyword argument(s) {sorted(bad)}")
    if pickle_load_args and weights_only:
        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
    kw = {"encoding": "utf-8", **pickle_load_args}
    unpickler = _Unpickler if weights_only else _FullUnpickler
    try:
        if isinstance(f, (str, bytes, os.PathLike)):
            name = repr(os.fsdecode(f))
            with open(f, "rb") as fh:
                return _load_from(fh, name, kw, unpickler)
        if not hasattr(f, "read"):
            raise TypeError(f"ember.load: expected a path or a readable binary file, got "
                            f"{type(f).__name__}")
        if not (hasattr(f, "seekable") and f.seekable()):
            f = io.BytesIO(f.read())
        return _load_from(f, "the file", kw, unpickler)
    except _Refused as e:
        raise pickle.UnpicklingError(_wo_message(str(e))) from None


def get_unsafe_globals_in_checkpoint(f) -> list:
    """The globals in a zip checkpoint that ``load(weights_only=True)`` would refuse (neither
    in ember's allow-list nor added with :func:`add_safe_globals`), read without unpickling."""
    import pickletools
    if isinstance(f, (str, bytes, os.PathLike)):
        with open(f, "rb") as fh:
            return get_unsafe_globals_in_checkpoint(io.BytesIO(fh.read()))
    if not zipfile.is_zipfile(f):
        raise ValueError("Expected input to be a checkpoint returned by torch.save")
    f.seek(0)
    zf = zipfile.ZipFile(f)
    pkl = next((n for n in zf.namelist() if n == "data.pkl" or n.endswith("/data.pkl")), None)
    if pkl is None:
        raise ValueError("Expected input to be a checkpoint returned by torch.save")
    found, strings = set(), []
    for op, arg, _ in pickletools.genops(zf.read(pkl)):
        if op.name == "GLOBAL":
            found.add(arg.replace(" ", "."))
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            found.add(f"{strings[-2]}.{strings[-1]}")
        elif isinstance(arg, str) and "UNICODE" in op.name:
            strings.append(arg)
    safe = set(_ALLOWED) | set(_user_allowed())
    return sorted(g.replace("__builtin__.", "builtins.", 1) for g in found
                  if g.replace("__builtin__.", "builtins.", 1) not in safe)


class _InPickle:
    """Marks an exception raised while a trusted (weights_only=False) pickle runs: it is the
    file's own code or classes speaking, so it propagates unchanged."""

    __slots__ = ("active",)

    def __init__(self):
        self.active = False


def _load_from(fh, name: str, kw, unpickler):
    trusted = _InPickle() if unpickler is _FullUnpickler else None
    try:
        start = fh.tell()
        size = fh.seek(0, 2) - start
        fh.seek(start)
        magic = fh.read(4)
        fh.seek(start)
        if len(magic) < 4:
            raise _Corrupt("the file is empty or truncated")
        if magic == b"PK\x03\x04":
            if start:
                fh = io.BytesIO(fh.read())
            return _load_zip(fh, size, kw, unpickler, trusted)
        if magic[:1] == b"\x80":
            return _load_legacy(fh, kw, unpickler, trusted)
        raise _Corrupt("unknown format (neither a zip checkpoint nor a legacy torch pickle)")
    except (_Refused, _TorchObject):
        raise
    except _Corrupt as e:
        raise RuntimeError(f"ember.load: {name} is not a valid checkpoint ({e})") from None
    except (OSError, MemoryError) as e:
        if isinstance(e, (FileNotFoundError, PermissionError, IsADirectoryError)) or \
                trusted is not None and trusted.active:
            raise
        raise RuntimeError(f"ember.load: {name} is not a valid checkpoint ({e})") from e
    except Exception as e:  # zipfile, struct, pickle opcode errors from damaged bytes
        if trusted is not None and trusted.active:
            raise
        raise RuntimeError(f"ember.load: {name} is not a valid checkpoint (truncated or "
                           f"corrupt: {type(e).__name__}: {e})") from e


def _run_pickle(up, trusted):
    if trusted is None:
        return _storages_out(up.load())
    trusted.active = True
    result = up.load()
    trusted.active = False
    return _storages_out(result)


def _storages_out(obj):
    """Storages a checkpoint holds as objects (``torch.save(t.storage())``) come back as
    ``TypedStorage`` (as torch loads them), also inside dicts, lists and tuples."""
    if type(obj) is _LoadedStorage:
        return _typed_storage(obj)
    if not isinstance(obj, (dict, list, tuple)) or not obj:
        return obj
    todo = [obj]
    seen: set = set()
    fixes = []
    while todo:
        c = todo.pop()
        if id(c) in seen:
            continue
        seen.add(id(c))
        items = c.items() if isinstance(c, dict) else enumerate(c)
        for k, v in items:
            if type(v) is _LoadedStorage:
                fixes.append((c, k, v))
            elif isinstance(v, (dict, list, tuple)) and v:
                todo.append(v)
    if not fixes:
        return obj
    done: dict = {}
    for c, k, v in fixes:
        if isinstance(c, tuple):
            continue  # (tuples of storages are rare: left as they are)
        c[k] = done.get(id(v)) or done.setdefault(id(v), _typed_storage(v))
    return obj


def _typed_storage(ls: _LoadedStorage):
    from .storage import TypedStorage, UntypedStorage, _span
    name = ls.dtype or "uint8"
    arr = ls.typed(name)
    b = _span(arr) if arr.size else np.zeros(0, np.uint8)
    return TypedStorage(wrap_storage=UntypedStorage._wrap(b), dtype=D._by_name(name)
                        if name != "bfloat16" else D._load_bfloat16(), _internal=True)


# ================================================================================= safetensors
def save_safetensors(tensors: dict, path, metadata: dict | None = None) -> None:
    """Write ``{name: Tensor}`` as a ``.safetensors`` file (atomically), readable by
    ``safetensors.torch.load_file``."""
    from safetensors.numpy import save as st_save
    if not isinstance(tensors, dict):
        raise TypeError("save_safetensors expects a dict of name -> Tensor")
    arrays = {}
    Tensor = _tensor_cls()
    for k, v in tensors.items():
        if not isinstance(k, str):
            raise TypeError(f"save_safetensors: keys must be str, got {type(k).__name__}")
        arr = v._array if isinstance(v, Tensor) else v
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"save_safetensors: {k!r} is not a Tensor")
        arrays[k] = np.ascontiguousarray(arr)  # safetensors 0.8 mis-writes strided arrays
    data = st_save(arrays, metadata=metadata)
    _atomic_write(path, lambda fh: fh.write(data))


def load_safetensors(path) -> dict:
    """Read a ``.safetensors`` file into ``{name: Tensor}`` (on the CPU)."""
    from safetensors.numpy import load as st_load
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        arrays = st_load(data)
    except Exception as e:
        raise RuntimeError(f"load_safetensors: {os.fsdecode(path)!r} is not a valid "
                           f"safetensors file ({e})") from e
    out = {}
    for k, arr in arrays.items():
        if not arr.flags.writeable:
            arr = arr.copy()
        out[k] = _tensor(arr, None, False)
    return out
