"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty(+_like), ranges, eye."""
from __future__ import annotations

import builtins as _builtins
import math
import os
import sys
import warnings

from . import _dtype as D
from ._backend import check_usable, ndarray, xp
from ._tensor import Tensor, _make

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "arange", "range", "linspace",
           "logspace", "eye", "scalar_tensor", "empty_strided"]


def _check_device(device, pin_memory=False, moving=False):
    check_usable(device, moving)  # the CPU passes; others raise as CPU torch (ember._backend)
    if pin_memory:
        raise RuntimeError("pin_memory=True requires a CUDA or other accelerator backend; no "
                           "pinned memory allocator is available on this system.")


def _infer_array(data):
    """Data -> ndarray with torch's dtype inference (floats -> default, ints -> int64)."""
    if isinstance(data, Tensor):
        return data._array.copy(), True
    if isinstance(data, ndarray):
        if data.dtype.kind not in "biufc":
            raise TypeError(f"can't convert np.ndarray of type {data.dtype}. The only supported "
                            "types are: float64, float32, float16, complex64, complex128, int64, "
                            "int32, int16, int8, uint8, and bool.")
        return data.copy(), True
    if isinstance(data, xp.generic):
        return xp.asarray(data), True
    kinds = None
    if isinstance(data, (list, tuple)):
        data, kinds = _unwrap_nested(data)
    try:
        arr = xp.array(data)
    except ValueError as e:
        raise _ragged(data) or ValueError(f"expected sequence of equal-length lists: {e}") \
            from None
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if arr.dtype.kind in "US":
        raise TypeError("new(): invalid data type 'str'")
    if kinds:  # tensors inside the lists: torch promotes their dtypes with the numbers' kinds
        return arr.astype(_nested_dtype(kinds).np, copy=False), True
    return arr, False


def _nested_dtype(kinds):
    """torch's inferred dtype for lists holding tensors: their dtypes promoted with the default
    dtypes of the Python numbers beside them (int64, the default float, complex)."""
    default = {bool: D.bool, int: D.int64, float: D.get_default_dtype(),
               complex: D.complex128 if D.get_default_dtype() is D.float64 else D.complex64}
    out = None
    for k in kinds:
        dt = default.get(k, k) if isinstance(k, type) else \
            D.from_numpy_dtype(k) if isinstance(k, xp.dtype) else k
        out = dt if out is None else D.promote_types(out, dt)
    return out


def _ragged(data):
    """torch's error for nested lists of unequal lengths: the first sequence (depth first)
    whose length differs from the first element's at its depth."""
    def seq(x):
        return isinstance(x, (list, tuple)) or (isinstance(x, ndarray) and x.ndim > 0)

    shape, x = [], data
    while seq(x):
        shape.append(len(x))
        if len(x) == 0:
            break
        x = x[0]
    stack = [(data, 0)]
    while stack:
        x, d = stack.pop()
        if d == len(shape):
            continue
        if not seq(x):
            return TypeError("not a sequence")
        if len(x) != shape[d]:
            return ValueError(f"expected sequence of length {shape[d]} at dim {d} (got {len(x)})")
        stack.extend((y, d + 1) for y in reversed(x))
    return None


_PY_NUMBERS = frozenset((bool, int, float, complex))


def _unwrap_nested(data):
    """Replace Tensors inside (nested) lists by Python numbers, iteratively: torch reads each
    such tensor as a scalar (one of more than one element is refused). Returns the data and,
    when tensors, ndarrays or NumPy scalars were met, the kinds to infer the dtype from (their
    dtypes and the Python number types beside them: torch promotes them all); otherwise None."""
    if not any(isinstance(x, (Tensor, list, tuple, ndarray, xp.generic)) for x in data):
        return data, None
    out, kinds, exact = [], set(), False
    stack = [(data, out)]
    while stack:
        src, dst = stack.pop()
        for x in src:
            if isinstance(x, Tensor):
                if x._array.size != 1:
                    raise ValueError("only one element tensors can be converted to Python "
                                     "scalars")
                exact = True
                kinds.add(x.dtype)
                dst.append(x._array.reshape(()).item())
            elif isinstance(x, (list, tuple)):
                sub = []
                dst.append(sub)
                stack.append((x, sub))
            else:
                tx = type(x)
                if tx in _PY_NUMBERS:
                    kinds.add(tx)
                elif isinstance(x, (ndarray, xp.generic)):  # (before float: np.float64 is one)
                    if isinstance(x, ndarray) and not _WARNED_NDARRAY_LIST:
                        _warn_ndarray_list()
                    if x.dtype.kind in "biufc":
                        exact = True
                        kinds.add(x.dtype)
                elif isinstance(x, (bool, int, float, complex)):
                    kinds.add(float)
                dst.append(x)
    return out, (kinds if exact else None)


_WARNED_NDARRAY_LIST = []  # torch warns once per process (TORCH_WARN_ONCE)


def _warn_ndarray_list():
    _WARNED_NDARRAY_LIST.append(True)
    level, f, home = 2, sys._getframe(1), os.path.dirname(__file__)
    while f is not None and f.f_code.co_filename.startswith(home):  # point at the user's line
        level, f = level + 1, f.f_back
    warnings.warn("Creating a tensor from a list of numpy.ndarrays is extremely slow. Please "
                  "consider converting the list to a single numpy.ndarray with numpy.array() "
                  "before converting to a tensor.", UserWarning, stacklevel=level)


_FACTORY_GRAD = "Only Tensors of floating point and complex dtype can require gradients"


def require_grad(t):
    """``requires_grad=True`` given to a factory (or ``nn.Parameter``): torch's factory text
    for an integer or bool dtype (``requires_grad_()`` on an existing tensor has its own)."""
    if t._array.dtype.kind not in "fc":
        raise RuntimeError(_FACTORY_GRAD)
    t.requires_grad = True
    return t


def _finish(arr, exact, dtype, requires_grad):
    if dtype is not None:
        arr = arr.astype(D.to_dtype(dtype).np, copy=False)
    elif not exact:
        k = arr.dtype.kind
        if k == "f":
            arr = arr.astype(D.get_default_dtype().np, copy=False)
        elif k in "iu":
            arr = arr.astype(xp.int64, copy=False)
        elif k == "c":
            arr = arr.astype(xp.complex128 if D.get_default_dtype() is D.float64
                             else xp.complex64, copy=False)
    t = _make(arr, False, None, 0, None)
    return require_grad(t) if requires_grad else t


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """``ember.tensor``: always copies; Python floats -> float32 (default), ints -> int64."""
    _check_device(device, pin_memory, moving=True)
    arr, exact = _infer_array(data)
    return _finish(arr, exact, dtype, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Shares memory with a Tensor/ndarray of the same dtype; converts otherwise."""
    _check_device(device, moving=True)
    if isinstance(data, Tensor):
        return data if dtype is None or D.to_dtype(dtype).np == data._array.dtype else \
            data.to(dtype)
    if isinstance(data, ndarray):
        arr = data if dtype is None else data.astype(D.to_dtype(dtype).np, copy=False)
        return _make(arr, False, None, 0, None)
    return tensor(data, dtype=dtype)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        t = t.clone()
    if requires_grad:
        require_grad(t)
    return t


def from_numpy(ndarray_):
    """A Tensor sharing memory with ``ndarray_`` (writes show through both ways)."""
    if not isinstance(ndarray_, ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray_).__name__})")
    D.from_numpy_dtype(ndarray_.dtype)
    return _make(ndarray_, False, None, 0, None)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)) or \
            len(size) == 1 and hasattr(size[0], "__iter__") and not isinstance(size[0], int):
        size = tuple(size[0])
    try:
        shape = tuple(int(s) for s in size)
    except TypeError:
        raise TypeError(f"size must be a tuple of ints, but got {size}") from None
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    return shape


def _dt(dtype):
    return D.to_dtype(dtype).np if dtype is not None else D.get_default_dtype().np


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    _check_device(device, pin_memory)
    return _finish(xp.zeros(_size(size), _dt(dtype)), True, None, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    _check_device(device, pin_memory)
    return _finish(xp.ones(_size(size), _dt(dtype)), True, None, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    _check_device(device, pin_memory)
    return _finish(xp.zeros(_size(size), _dt(dtype)), True, None, requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False):
    return empty(size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    _check_device(device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype = D.bool
        elif isinstance(fill_value, int):
            dtype = D.int64
        elif isinstance(fill_value, _builtins.complex):
            dtype = D.complex64
        else:
            dtype = D.get_default_dtype()
    return _finish(xp.full(_size((size,)), fill_value, _dt(dtype)), True, None, requires_grad)


def _like(t, dtype):
    return D.to_dtype(dtype).np if dtype is not None else t._array.dtype


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    if device is not None:
        check_usable(device)
    return _finish(xp.zeros(input._array.shape, _like(input, dtype)), True, None, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    if device is not None:
        check_usable(device)
    return _finish(xp.ones(input._array.shape, _like(input, dtype)), True, None, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    if device is not None:
        check_usable(device)
    return _finish(xp.full(input._array.shape, fill_value, _like(input, dtype)), True, None,
                   requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    _check_device(device)
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = D.get_default_dtype() if is_float else D.int64
    dt = D.to_dtype(dtype)
    n = max(int(math.ceil((end - start) / step)), 0)
    if dt.is_floating_point:
        arr = (start + step * xp.arange(n, dtype=xp.float64)).astype(dt.np)
    else:
        arr = xp.arange(start, start + n * step, step)[:n].astype(dt.np)
    return _finish(arr, True, None, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):  # noqa
    """Deprecated torch.range: includes ``end``."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    arr = (start + step * xp.arange(n, dtype=xp.float64)).astype(dt.np)
    return _finish(arr, True, None, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    _check_device(device)
    start, end = _num(start), _num(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    # torch fills the first half from start and the second half from end
    i = xp.arange(steps, dtype=xp.float64)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    half = steps // 2
    arr = xp.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if steps == 1:
        arr = xp.asarray([start], dtype=xp.float64)
    if not dt.is_floating_point:
        arr = xp.trunc(arr)
    return _finish(arr.astype(dt.np), True, None, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    lin = linspace(start, end, steps, dtype=D.float64)._array
    return _finish((base ** lin).astype(dt.np), True, None, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(xp.eye(n, n if m is None else m, dtype=_dt(dtype)), True, None,
                   requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _finish(xp.asarray(s, dtype=dt.np), True, None, requires_grad)
