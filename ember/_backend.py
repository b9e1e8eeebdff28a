"""The array seam.

Every array call in ember's op code goes through ``xp`` (NumPy today).  Backward formulas receive
either ``nx`` (NumPy plus a few helpers that NumPy lacks) in first-order mode, or ember's own
NumPy-named namespace (``ember._ops.gx``) under ``create_graph=True`` so the same formula records
a graph.
"""
from __future__ import annotations

import types

import numpy as xp  # the one place ember names NumPy directly

ndarray = xp.ndarray

__all__ = ["xp", "nx", "ndarray", "asnumpy", "Device", "device", "check_usable",
           "set_default_device", "get_default_device", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "OutOfMemoryError"]


# torch computes inf and NaN silently; NumPy warns (divide by zero, invalid value, overflow).
# The op entry points (autograd/function.py) and the backward engine run NumPy with those
# warnings off, leaving the user's own NumPy state as it was: NumPy >= 2.0 keeps that state in
# a context variable, and one set/reset of it costs ~0.1-0.2 us (np.errstate: ~2 us).
_fp_state = getattr(getattr(getattr(xp, "_core", None), "_ufunc_config", None),
                    "_extobj_contextvar", None)
if _fp_state is not None:
    with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
        FP_QUIET = _fp_state.get()
    fp_set, fp_reset = _fp_state.set, _fp_state.reset
else:  # pragma: no cover - a NumPy that keeps its error state elsewhere
    FP_QUIET = {"divide": "ignore", "invalid": "ignore", "over": "ignore"}

    def fp_set(state):
        return xp.seterr(**state)

    def fp_reset(old):
        xp.seterr(**old)


def asnumpy(a):
    return a


_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                 "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")
NO_ACCELERATOR = "Cannot access accelerator device when none is available."


def _device_args_error(args):
    got = ", ".join(type(a).__name__ for a in args)
    bad = ("\n      didn't match because some of the arguments have invalid types: (!"
           + got + "!)") if len(args) == 1 else ""
    return TypeError(f"device() received an invalid combination of arguments - got ({got}), "
                     f"but expected one of:\n * (torch.device device){bad}\n"
                     " * (str type, int index = -1)\n")


class Device:
    """``ember.device``: a device's type and index, as torch parses them (``'cuda:0'``,
    ``('cuda', 1)``).  Any of torch's device types can be named; ember computes on the CPU
    only, so using another device (``t.to('cuda')``, ``zeros(2, device='cuda')``) raises
    what a CPU build of torch raises."""

    __slots__ = ("type", "index", "_prev")
    __module__, __qualname__ = "ember", "device"  # prints as <class 'ember.device'>

    def __init__(self, *args, **kwargs):
        type, index = _parse_device(args, kwargs)  # noqa: A001 - torch's name
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if not isinstance(other, Device):
            return NotImplemented
        return other.type == self.type and other.index == self.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (Device, (self.type,) if self.index is None else (self.type, self.index))

    def __enter__(self):
        self._prev = _default_device[0]
        set_default_device(self)

    def __exit__(self, *exc):
        _default_device[0] = self._prev


def _parse_device(args, kwargs):
    """(type, index) of ``torch.device``'s arguments, with torch's errors."""
    if "type" in kwargs:
        args = (kwargs.pop("type"),) + args
    if "index" in kwargs:
        args = args + (kwargs.pop("index"),)
    if kwargs or not args or len(args) > 2:
        raise _device_args_error(args)
    a = args[0]
    if isinstance(a, Device) and len(args) == 1:
        return a.type, a.index
    if isinstance(a, int) and not isinstance(a, bool) and len(args) == 1:
        raise RuntimeError("Device index must not be negative" if a < 0 else NO_ACCELERATOR)
    if not isinstance(a, str):
        raise _device_args_error(args)
    index = args[1] if len(args) == 2 else None
    if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
        raise TypeError("device(): argument 'index' (position 2) must be int, not "
                        f"{type(index).__name__}")
    type_, sep, idx = a.partition(":")
    if type_ not in _DEVICE_TYPES:
        if not type_.isalpha():
            raise RuntimeError(f"Invalid device string: '{a}'")
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start "
                           f"of device string: {a}")
    if sep:
        if not idx.isdigit() or not idx.isascii() or (len(idx) > 1 and idx[0] == "0"):
            raise RuntimeError(f"Invalid device string: '{a}'")
        if index is not None:
            raise RuntimeError("type (string) must not include an index because index was "
                               f"passed explicitly: {a}")
        index = int(idx)
    if index is not None and index < 0:
        raise RuntimeError("Device index must not be negative")
    return type_, index


Device.__name__ = "device"
device = Device
CPU = Device("cpu")


class OutOfMemoryError(RuntimeError):
    """``torch.OutOfMemoryError`` (also ``torch.cuda.OutOfMemoryError``): a device ran out of
    memory.  ember never raises it; code that catches it runs unchanged."""

    __module__ = "ember"
_default_device = [None]  # set_default_device's device (None: the CPU)


def unavailable(name, doc, fail, raises):
    """A public function of a device namespace that a CPU build cannot serve: it calls
    ``fail()`` (which raises what CPU torch raises) whatever its arguments; ``raises`` ends
    its docstring (e.g. "``RuntimeError`` (no accelerator)")."""
    def fn(*args, **kwargs):
        fail()
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{doc} Raises {raises}, as torch does on a CPU."
    return fn


def check_usable(dev, moving=False):
    """Raise what a CPU build of torch raises for a tensor made on (``moving``: moved to)
    ``dev``; None means the default device.  The CPU passes."""
    if dev is None:
        dev = _default_device[0]
        if dev is None:
            return
    if dev.__class__ is not Device:
        if dev == "cpu":
            return
        dev = Device(dev)
    t = dev.type
    if t == "cpu":
        return
    if t == "cuda" or t == "xpu":
        raise AssertionError(f"Torch not compiled with {t.upper()} enabled")
    if t == "meta":
        raise NotImplementedError("ember has no meta device (tensors without data): "
                                  "only the CPU exists")
    if moving:
        raise RuntimeError(f"PyTorch is not linked with support for {t} devices")
    raise NotImplementedError(
        f"Could not run 'aten::empty.memory_format' with arguments from the '{t.upper()}' "
        "backend. This could be because the operator doesn't exist for this backend, or was "
        "omitted during the selective/custom build process (if using custom build).")


def set_default_device(device) -> None:
    """Sets the device that factory functions (``zeros``, ``tensor`` ...) use when no
    ``device=`` is given; ``None`` restores the CPU.  A non-CPU default makes them raise as a
    CPU build of torch does."""
    _default_device[0] = None if device is None else Device(device)


def get_default_device() -> Device:
    """The device factory functions use by default (``set_default_device``)."""
    dev = _default_device[0]
    if dev is None or dev.type == "cpu" and dev.index is None:
        return CPU
    if dev.index is None:
        check_usable(dev, moving=True)
    return dev



_matmul_precision = ["highest"]  # torch's float32 matmul precision (cuda.matmul.allow_tf32)


def set_float32_matmul_precision(precision: str) -> None:
    """Sets the internal precision of float32 matrix multiplications: ``'highest'``,
    ``'high'`` or ``'medium'``.  ember's CPU kernels always compute in full float32 (as CPU
    torch does); the setting is recorded for ``get_float32_matmul_precision`` and
    ``backends.cuda.matmul.allow_tf32``."""
    if precision not in ("highest", "high", "medium"):
        import warnings
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _matmul_precision[0] = precision


def get_float32_matmul_precision() -> str:
    """The float32 matmul precision set by ``set_float32_matmul_precision``."""
    return _matmul_precision[0]

def _sum_to(g, shape, ns):
    """Reduce a broadcast gradient back to ``shape`` (Chainer's sum_to).  Leading axes are
    summed away without keepdims, so the result is a fresh array, not a reshaped view."""
    gshape = g.shape
    lead = len(gshape) - len(shape)
    red = xp.add.reduce if g.__class__ is ndarray else ns.sum  # (add.reduce: no dispatch layer)
    if lead:
        g = red(g, axis=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    if axes:
        g = red(g, axis=axes, keepdims=True)
    return g


_ALL = slice(None)


def _add_at(shape, index, g, dtype=None):
    """zeros(shape) with ``g`` added at ``index`` (duplicates accumulate): index backward.

    ``add.at`` with a tuple of index arrays is NumPy's slow per-element loop, so the common
    index forms go elsewhere: an integer array on axis 0, or on one axis after full slices, to
    ``_add_rows``; one integer array per dimension to flat positions and a 1-D ``add.at``."""
    dt = g.dtype if dtype is None else dtype
    rows = index[0] if index.__class__ is tuple and len(index) == 1 else index
    if rows.__class__ is ndarray and rows.dtype.kind in "iu" and rows.size > 16 and \
            g.shape == rows.shape + tuple(shape[1:]):
        return _add_rows(shape, rows, g, dt)
    if index.__class__ is tuple and g.size > 16:
        k = len(index) - 1
        last = index[-1] if index else None
        if k > 0 and last.__class__ is ndarray and last.ndim == 1 and \
                last.dtype.kind in "iu" and \
                all(i.__class__ is slice and i == _ALL for i in index[:-1]) and \
                g.shape == tuple(shape[:k]) + last.shape + tuple(shape[k + 1:]):
            # (:, ..., :, idx): index_select / nearest-upsampling backward, along axis k
            moved = (shape[k],) + tuple(shape[:k]) + tuple(shape[k + 1:])
            out = _add_rows(moved, last, xp.moveaxis(g, k, 0), dt)
            return xp.ascontiguousarray(xp.moveaxis(out, 0, k))
        if len(index) == len(shape) and len(shape) > 1 and \
                all(i.__class__ is ndarray and i.dtype.kind in "iu" for i in index) and \
                xp.broadcast_shapes(*[i.shape for i in index]) == g.shape:
            # one integer array per dimension (ix_, ogrid): flat positions
            return _flat_add(shape, xp.broadcast_to(_flat_positions(shape, index), g.shape),
                             g, dt)
    out = xp.zeros(shape, dtype=dt)
    xp.add.at(out, index, g)
    return out


def _flat_add(shape, flat_index, g, dt, out=None):
    """``out`` (default zeros(shape)) with ``g`` added at C-order flat positions
    ``flat_index`` (same shape as g).  ``add.at`` on a 1-D target with a 1-D index takes
    NumPy's fast path (~7x faster than the same scatter through a tuple of index arrays, and
    than a weighted bincount)."""
    if out is None:
        out = xp.zeros(shape, dtype=dt)
    xp.add.at(out.reshape(-1), flat_index.reshape(-1), g.reshape(-1))
    return out


def _add_rows(shape, rows, g, dt):
    """``_add_at`` for an integer array indexing axis 0 (x[idx], embeddings), without
    ``add.at``'s slow per-element loop.  The rows of ``g`` are sorted by target row (stably,
    so repeats keep their order); then, when no row repeats more than a few times, the k-th
    occurrences of all rows are added in one fancy-indexed assignment per k (the targets are
    distinct within a round); with many repeats, sorted segments are summed by add.reduceat."""
    n = shape[0]
    flat = rows.reshape(-1)
    if flat.dtype.kind == "i" and flat.min() < 0:
        flat = xp.where(flat < 0, flat + n, flat)
    g2 = g.reshape(flat.size, -1)
    order = xp.argsort(flat, kind="stable")
    s = flat[order]
    first = xp.empty(s.shape, bool)
    first[0] = True
    xp.not_equal(s[1:], s[:-1], out=first[1:])
    starts = xp.flatnonzero(first)
    out = xp.zeros((n, g2.shape[1]), dt)
    gs = g2[order]
    rank = xp.arange(s.size) - starts[xp.cumsum(first) - 1]  # occurrence number of each row
    top = int(rank.max())
    if top < 16:
        out[s[starts]] = gs[starts]
        for k in range(1, top + 1):
            m = rank == k
            out[s[m]] += gs[m]
    else:
        out[s[starts]] = xp.add.reduceat(gs, starts, axis=0)
    return out.reshape(shape)


def _put_at(shape, index, g):
    """zeros(shape) with ``g`` written at a basic (view) ``index``."""
    out = xp.zeros(shape, dtype=g.dtype)
    out[index] = g
    return out


def _flat_positions(shape, parts, nonneg=False):
    """C-order flat positions in an array of ``shape`` from one (broadcastable) integer array
    per dimension; negative entries count from the end unless ``nonneg`` (known >= 0)."""
    flat, stride = None, 1
    for d in range(len(shape) - 1, -1, -1):
        i = parts[d]
        if not nonneg and i.dtype.kind == "i":
            i = xp.where(i < 0, i + shape[d], i)
        term = i.astype(xp.int64, copy=False) * stride
        flat = term if flat is None else flat + term
        stride *= shape[d]
    return xp.zeros((), xp.int64) if flat is None else flat


def _along_positions(shape, index, axis, nonneg=False):
    """Flat positions of (..., index[..., j, ...], ...) for each position of ``index`` (its
    other dimensions no longer than shape's): broadcastable to index.shape."""
    if not nonneg and index.dtype.kind == "i":
        index = xp.where(index < 0, index + shape[axis], index)
    nd = index.ndim
    parts = [index if d == axis else
             xp.arange(index.shape[d], dtype=xp.int64).reshape((-1,) + (1,) * (nd - 1 - d))
             for d in range(nd)]
    return _flat_positions(shape, parts, nonneg=True)


def _scatter_add_along(shape, index, g, axis, out=None):
    """``out`` (default zeros(shape)) with g added along ``axis`` at ``index`` (gather
    backward, scatter_add): element (..., j, ...) of g lands at (..., index[..., j, ...], ...)."""
    flat = _along_positions(shape, index, axis)
    return _flat_add(shape, xp.broadcast_to(flat, g.shape), g, g.dtype, out)


def _take_along(a, index, axis, nonneg=False):
    """``take_along_axis`` as one 1-D ``take`` at flat positions (NumPy's builds a tuple of
    index arrays: several times slower); ``nonneg``: the caller knows index >= 0."""
    if a.ndim != index.ndim or a.ndim == 0 or any(
            index.shape[d] != a.shape[d] for d in range(a.ndim) if d != axis):
        return xp.take_along_axis(a, index, axis)  # (broadcast index dimensions)
    flat = xp.broadcast_to(_along_positions(a.shape, index, axis, nonneg), index.shape)
    return xp.take(a.reshape(-1), flat)


_F32 = xp.dtype(xp.float32)
_F64 = xp.dtype(xp.float64)
_transposer = None  # lazily (_blas_setup): OpenBLAS's somatcopy, or False
_swap_nt = None     # lazily: whether matmul2 reorders x @ w.t() (OpenBLAS SkylakeX kernels)


def _blas_setup():
    global _transposer, _swap_nt
    from ._blas import corename, float32_transposer
    _transposer = float32_transposer() or False
    _swap_nt = bool(_transposer) and corename() == b"SkylakeX"


def matmul2(a, b):
    """``a @ b`` for 2-D arrays, C-contiguous result.

    ``x @ w.t()`` (b a transposed row-major weight) with a few rows is 1.1-2x slower in OpenBLAS's
    SkylakeX sgemm kernels than the same product computed as ``(w @ x.T)`` and transposed back
    (measured over M x K x N grids, one and two threads: wins for 4 <= M <= 64, N >= 256,
    K >= 96; losses outside, and for float64 everywhere).  There, and only where OpenBLAS
    (with those kernels) is found, the product is computed that way and transposed into a
    C-contiguous result with OpenBLAS's ``somatcopy``.  Anything else is plain ``matmul``."""
    M, K = a.shape
    N = b.shape[1]
    if 4 <= M <= 64 and N >= 256 and K >= 96 and a.dtype is _F32 and b.dtype is _F32 \
            and b.strides == (4, 4 * K) and a.flags.c_contiguous:
        if _swap_nt is None:
            _blas_setup()
        if _swap_nt:
            r = xp.matmul(b.T, a.T)  # (N, M)
            out = xp.empty((M, N), _F32)
            _transposer(r, out)
            return out
    return xp.matmul(a, b)


def max_last(a):
    """``amax(a, axis=-1, keepdims=True)``.  NumPy reduces each row in its own inner-loop call,
    so many short rows (attention scores, class logits) cost ~1 ns an element; transposed
    (OpenBLAS's somatcopy) the rows become columns and one vectorised reduce covers them all:
    3-6x faster for rows of 10-64 float32 values."""
    L = a.shape[-1]
    R = a.size // L if L else 0
    if a.dtype is _F32 and 2 <= L <= 256 and 512 <= R and a.size <= 1 << 24 \
            and a.flags.c_contiguous:  # (the transposed copy is a temporary of a's size)
        if _swap_nt is None:
            _blas_setup()
        if _transposer:
            t = xp.empty((L, R), _F32)
            _transposer(a.reshape(R, L), t)
            return xp.maximum.reduce(t, axis=0).reshape(a.shape[:-1] + (1,))
    return xp.maximum.reduce(a, axis=-1, keepdims=True)


def sum_last(a):
    """``sum(a, axis=-1, keepdims=True)``; rows of up to 1024 floats as one BLAS matrix-vector
    product with ones (5x faster than NumPy's per-row reduce on short rows; BLAS sums in SIMD
    lanes, so the rounding is that of a pairwise sum of similar depth)."""
    L = a.shape[-1]
    if (a.dtype is _F32 or a.dtype is _F64) and 2 <= L <= 1024 and a.size >= 4096 \
            and a.flags.c_contiguous:
        return xp.matmul(a.reshape(-1, L), xp.ones(L, a.dtype)).reshape(a.shape[:-1] + (1,))
    return xp.add.reduce(a, axis=-1, keepdims=True)


# nx: NumPy plus the helpers above, used as ``xp`` by first-order backward formulas.
nx = types.ModuleType("ember._backend.nx")
nx.__dict__.update({k: v for k, v in xp.__dict__.items() if not k.startswith("__")})
nx.sum_to = lambda g, shape: _sum_to(g, shape, xp)
nx.add_at = _add_at
nx.put_at = _put_at
nx.scatter_add_along = _scatter_add_along
nx.take_along_axis = _take_along
nx.graph = False
nx.connect = lambda r, src, name=None: r  # gx.connect: the graph edge only matters there
nx.no_double_backward = lambda r, src, fn: r
nx.cut = lambda r, *srcs: r  # gx.cut: only the graph differs
nx.detach = lambda a: a  # gx.detach: a constant (no graph edge) is all an array is


def _torch_sign(a):
    """torch's sign: (x > 0) - (x < 0) for real floats, so sign(NaN) = 0 (NumPy keeps NaN);
    the gradients written with ``ns.sign`` (abs, L1 norms, ...) are 0 at NaN, as torch's."""
    a = xp.asarray(a)
    if a.dtype.kind == "f":
        return xp.subtract(a > 0, a < 0, dtype=a.dtype)
    return xp.sign(a)


nx.sign = _torch_sign


def _forward_of(cls, *args, **kwargs):
    """gx.apply on arrays: op ``cls``'s forward alone (no node), as NumPy would compute it."""
    from .autograd.function import _NOGRAD
    return cls.forward(_NOGRAD, *args, **kwargs)


nx.apply = _forward_of
