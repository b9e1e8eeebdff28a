"""Scratch arrays for the fused ops: one per-thread pool, one byte budget, one eviction rule.

Why: the fused conv / pooling / recurrent ops need multi-MB temporaries (padded inputs, im2col
columns, GEMM results, gate activations, states).  Fresh arrays of that size cost page faults
that rival the arithmetic (glibc serves them from new pages: mmap, or heap growth and trimming;
a fresh LSTM call took thousands of faults, a third of its time), so they are kept and handed out
again.  Two kinds of request, with different contracts:

``workspace(tag, shape, dtype, owner=None)`` -- a transient workspace.
    Keyed by (tag, shape, dtype): the same key gets the same array back on every call.  Contents
    are garbage; the array must not escape the op that asks for it (never returned, saved for the
    backward or aliased by an output), since the next request for the key overwrites it.
    ``owner`` (any token, compared by identity) marks who writes it now;
    ``owned_workspace(tag, shape, dtype, owner)`` returns the array if nobody has asked for that
    key since, else None -- so a backward can reuse its forward's im2col columns when no other
    conv of the same geometry ran in between.

``buffer(shape, dtype)`` -- a reusable buffer.
    An uninitialised array that MAY escape (a layer output, an array saved for the backward).
    The pool keeps a reference and hands the array out again (to any request of the same shape
    and dtype) only when ``sys.getrefcount`` shows that nothing but the pool references it, views
    included (a view holds its base).  Buffers under ``BUFFER_MIN_BYTES`` are plain fresh arrays:
    malloc serves small sizes from its free lists, cheaper than the pool's lookup.  Returned
    gradients are fresh arrays, not buffers: the engine adopts a gradient as ``.grad`` without a
    copy only when nothing else (the pool included) references it.

One pool per thread (a ``threading.local``: no locks, and the refcount test cannot race), one
byte budget for both kinds, ``MAX_BYTES`` per thread, and one eviction rule: when keeping a new
array would pass the budget, entries are dropped least recently used first -- workspaces always,
buffers only when free (dropping an in-use buffer would not release its memory).  An array that
still does not fit is handed out without being kept.  The budget counts arrays the pool
references, in use or not; dropping one only forgets it (its owner keeps a valid array).

glibc note: a kept array is never freed, so glibc never sees the large temporary it replaces and
keeps its dynamic mmap/trim thresholds low (every multi-MB output array is then a fresh mmap,
~1 ms of page faults per 4 MB).  Freeing one untouched block of the same size when a large array
is first kept gives malloc the signal uncached code gives (``ember._malloc`` sets the thresholds
at import; this keeps the pool fast with ``EMBER_MALLOC_TUNE=0`` too).

This module imports only the array seam, so it is cheap at ``import ember``.
"""
from __future__ import annotations

import itertools
import sys
import threading
from typing import Any

from ._backend import ndarray, xp

__all__ = ["workspace", "owned_workspace", "buffer", "held_bytes", "clear",
           "MAX_BYTES", "BUFFER_MIN_BYTES"]

MAX_BYTES = 256 << 20         # scratch kept between calls, per thread, both kinds together
BUFFER_MIN_BYTES = 1 << 16    # smaller reusable buffers are not pooled
_MALLOC_HINT_BYTES = 1 << 17  # arrays from this size get the glibc hint when first kept

_getrc = sys.getrefcount


class _Pool(threading.local):
    """This thread's slots: a workspace slot is ``(tag, shape, dtype) -> [stamp, array, owner]``,
    a buffer slot ``(shape, dtype) -> [stamp, [array, ...]]``; ``stamp`` is the tick of the
    slot's last use (the eviction order).  ``nbytes`` is the total the slots reference."""

    def __init__(self) -> None:
        self.slots: dict[tuple, list] = {}
        self.nbytes = 0


_pool = _Pool()
_tick = itertools.count().__next__  # use stamps: cheaper than reordering a dict on every hit


def _free_rc() -> int:
    s: list[Any] = [0, [xp.empty(1)]]
    for a in s[1]:
        return _getrc(a)
    raise AssertionError


# refcount of a pooled buffer that nothing else references, seen from a ``for a in s[1]`` loop
# (the slot's list, the loop variable, getrefcount's argument): measured by the same code shape
# so that it holds on any CPython version
_FREE = _free_rc()


def workspace(tag: str, shape: tuple, dtype: Any, owner: object = None) -> ndarray:
    """A transient scratch array for key (tag, shape, dtype): garbage contents, must not escape
    the op.  ``owner`` (any token) marks who writes it now (see ``owned_workspace``)."""
    key = (tag, shape, dtype)
    s = _pool.slots.get(key)
    if s is None:
        a = xp.empty(shape, dtype)
        if _admit(_pool, a.nbytes):
            _pool.slots[key] = [_tick(), a, owner]
        return a
    s[0] = _tick()
    s[2] = owner
    return s[1]


def owned_workspace(tag: str, shape: tuple, dtype: Any, owner: object) -> ndarray | None:
    """The workspace last requested under ``owner`` if nobody has requested its key since (its
    contents are still what ``owner`` wrote), else None."""
    s = _pool.slots.get((tag, shape, dtype))
    if s is None or owner is None or s[2] is not owner:
        return None
    return s[1]


def buffer(shape: tuple, dtype: Any) -> ndarray:
    """An uninitialised array that may escape the op; reused only once nothing but the pool
    references it."""
    key = (shape, dtype)
    s = _pool.slots.get(key)
    if s is not None:
        for a in s[1]:
            if _getrc(a) == _FREE:
                s[0] = _tick()
                return a
    a = xp.empty(shape, dtype)  # (rebinding ``a`` drops the loop's extra reference)
    n = a.nbytes
    if n >= BUFFER_MIN_BYTES and _admit(_pool, n):
        s = _pool.slots.get(key)  # (eviction may have dropped it)
        if s is None:
            _pool.slots[key] = [_tick(), [a]]
        else:
            s[0] = _tick()
            s[1].append(a)
    return a


def _admit(p: _Pool, n: int) -> bool:
    """Make room for a new array of ``n`` bytes; whether it may be kept (then it is counted)."""
    if n > MAX_BYTES:
        return False
    if p.nbytes + n > MAX_BYTES:
        _evict(p, p.nbytes + n - MAX_BYTES)
        if p.nbytes + n > MAX_BYTES:
            return False
    if n >= _MALLOC_HINT_BYTES:
        xp.empty(n, xp.uint8)  # the glibc hint (module doc)
    p.nbytes += n
    return True


def _evict(p: _Pool, need: int) -> None:
    """Drop at least ``need`` bytes, least recently used first: workspaces, and free buffers."""
    slots = p.slots
    freed = 0
    for key in sorted(slots, key=lambda k: slots[k][0]):
        s = slots[key]
        if len(s) == 3:  # a workspace
            freed += s[1].nbytes
            del slots[key]
        else:
            keep = []
            for a in s[1]:
                if _getrc(a) == _FREE:
                    freed += a.nbytes
                else:
                    keep.append(a)
            if keep:
                s[1] = keep
            else:
                del slots[key]
        if freed >= need:
            break
    p.nbytes -= freed


def held_bytes() -> int:
    """Bytes this thread's pool references (in use or not)."""
    return _pool.nbytes


def clear() -> None:
    """Forget this thread's scratch arrays (those in use stay valid for their holders)."""
    _pool.slots.clear()
    _pool.nbytes = 0
