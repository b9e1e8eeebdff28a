"""Tensors in shared memory: ``Tensor.share_memory_``/``is_shared`` and the pickling that sends
a shared tensor between processes as a handle, without copying its data.

A shared tensor's array lives in an anonymous shared mapping (a Linux ``memfd``; elsewhere an
unlinked temporary file), held by a ``_ShmMap`` (an ``mmap`` that keeps its file descriptor).
A forked child inherits the mapping itself. Through ``multiprocessing``'s pickler (queues,
pipes, the arguments of a spawned ``Process``) a shared tensor travels as the descriptor
(``multiprocessing.reduction.DupFd``, torch's ``file_descriptor`` strategy), its dtype,
shape, strides and offset; the receiver maps the same memory, so in-place updates (Hogwild
training) are seen by every process. Plain ``pickle``/``ember.save`` still copy the data.
Memory is freed when the last process unmaps it. This module is imported by
``ember/__init__.py``; it imports ``mmap`` and ``multiprocessing`` only when first used.
"""
from __future__ import annotations

import os
import weakref

__all__ = ["share_memory_", "is_shared", "register_reducers", "install"]

_ShmMap = None  # the mmap subclass, made on first use
_by_inode: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
_registered = [False]


def _map_class():
    global _ShmMap
    if _ShmMap is None:
        import mmap

        class _ShmMapCls(mmap.mmap):
            """A shared mapping that keeps its file descriptor (to send it on)."""

            def __del__(self):
                fd = getattr(self, "fd", -1)
                if fd >= 0:
                    os.close(fd)
                    self.fd = -1
        _ShmMap = _ShmMapCls
    return _ShmMap


def _new_fd(nbytes: int) -> int:
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("ember-shm", getattr(os, "MFD_CLOEXEC", 0))
    else:  # pragma: no cover - non-Linux: an unlinked file (in /dev/shm where it exists)
        import tempfile
        fd, path = tempfile.mkstemp(prefix="ember-shm-",
                                    dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        os.unlink(path)
    os.ftruncate(fd, nbytes)
    return fd


def _mapping(fd: int, nbytes: int):
    """The process's mapping of ``fd`` (one per file: two tensors sent from one storage stay
    views of one memory in the receiver too)."""
    import numpy as np
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino)
    m = _by_inode.get(key)
    if m is not None and len(m) >= nbytes:
        os.close(fd)
        return m
    m = _map_class()(fd, max(nbytes, 1))
    m.fd = fd
    m.addr = np.frombuffer(m, dtype=np.uint8).__array_interface__["data"][0]
    _by_inode[key] = m
    return m


def _array_in(m, dtype, shape, strides, offset):
    import numpy as np
    buf = np.frombuffer(m, dtype=np.uint8)
    return np.ndarray(shape, dtype=dtype, buffer=buf, offset=offset, strides=strides)


def _find_map(arr):
    """The ``_ShmMap`` that ``arr``'s memory belongs to, or None."""
    if _ShmMap is None:
        return None
    b = arr
    while b is not None:
        if isinstance(b, _ShmMap):
            return b
        b = b.obj if isinstance(b, memoryview) else getattr(b, "base", None)
    return None


def is_shared(self) -> bool:
    """Returns True if this tensor's storage is in shared memory (after ``share_memory_``, or
    received from another process as a shared tensor)."""
    return _find_map(self._array) is not None


def share_memory_(self):
    """Moves this tensor's data to shared memory (a no-op if it is there already) and returns
    it. Sent to another process through ``ember.multiprocessing`` (queues, ``Process`` and
    ``spawn`` arguments), the tensor is then passed as a handle to the same memory: in-place
    changes on either side are seen by both.

    ember's views each hold their own array: views taken before this call keep the old,
    private memory; take them afterwards to share."""
    arr = self._array
    if _find_map(arr) is not None:
        return self
    import numpy as np
    register_reducers()
    nbytes = arr.nbytes
    m = _mapping(_new_fd(max(nbytes, 1)), nbytes)
    new = _array_in(m, arr.dtype, arr.shape, None, 0)
    np.copyto(new, arr)
    self._array = new
    return self


def _reduce_tensor(t):
    """ForkingPickler's reduction: a shared tensor as (descriptor, layout); any other tensor
    as plain pickling does it (a copy)."""
    m = _find_map(t._array)
    if m is None:
        return t.__reduce_ex__(2)
    from multiprocessing.reduction import DupFd
    a = t._array
    offset = a.__array_interface__["data"][0] - m.addr
    from .nn.parameter import Buffer, Parameter
    kind = "parameter" if isinstance(t, Parameter) else "buffer" if isinstance(t, Buffer) \
        else "tensor"
    return _rebuild_shared, (DupFd(m.fd), len(m), a.dtype.str, a.shape, a.strides, offset,
                             t.requires_grad, kind)


def _rebuild_shared(df, nbytes, dtype, shape, strides, offset, requires_grad, kind):
    from ._tensor import _make
    register_reducers()
    arr = _array_in(_mapping(df.detach(), nbytes), dtype, shape, strides, offset)
    t = _make(arr, False, None, 0, None)
    if kind == "parameter":
        from .nn.parameter import Parameter
        return Parameter(t, requires_grad)
    if kind == "buffer":
        from .nn.parameter import Buffer
        t = Buffer(t)
    return t.requires_grad_(requires_grad) if requires_grad else t


def register_reducers() -> None:
    """Teach ``multiprocessing``'s pickler to send shared tensors as handles (once)."""
    if _registered[0]:
        return
    from multiprocessing.reduction import ForkingPickler

    from ._tensor import Tensor
    from .nn.parameter import Buffer, Parameter
    for cls in (Tensor, Parameter, Buffer):
        ForkingPickler.register(cls, _reduce_tensor)
    _registered[0] = True


def install(tensor_cls) -> None:
    """Puts ``share_memory_`` and ``is_shared`` on the Tensor class."""
    tensor_cls.share_memory_ = share_memory_
    tensor_cls.is_shared = is_shared
