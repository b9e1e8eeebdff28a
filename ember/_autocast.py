"""Autocast state (``torch.autocast``) and the casts the ops on PyTorch's CPU autocast lists do.

The ops on the lower-precision list (matmul, mm, bmm, addmm, baddbmm, addbmm, linear, conv*,
conv_transpose*, prelu, scaled_dot_product_attention, einsum/tensordot contractions) start with
``if _ac.on: args = _ac.lower(*args)``: one module-attribute read when autocast is off.  ``on``
is True only while CPU autocast is enabled (ember's tensors are all on the CPU; the other device
types keep their own flags, which change nothing).  The ops on the float32 list (the losses,
prod, trace...) go through ``fp32``, which casts float16/bfloat16 tensors up.  The public class
is ``ember.amp.autocast``; the functions below are torch's top-level ``*_autocast_*`` names.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import _dtype as D

on = False  # CPU autocast enabled: the one flag the ops read

_DEVICES = ("cpu", "cuda", "xpu", "mps", "hpu", "ipu", "xla", "mtia", "maia", "privateuseone")
_DEFAULT = {"cpu": "bfloat16", "hpu": "bfloat16", "xla": "bfloat16", "maia": "bfloat16"}
_enabled = {d: False for d in _DEVICES}
_dtype: dict[str, Any] = {}  # device -> the ember dtype set by set_autocast_dtype
_cache_on = True
_nesting = 0
_cache: dict[int, tuple[Any, Any]] = {}  # id(leaf weight) -> (weight, its cast)
_target = None  # the NumPy dtype CPU autocast casts to (set with ``on``)
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)

_DEVICE_ERR = ("Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
               "fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type "
               "at start of device string: ")


def _device(device_type: Any) -> str:
    if device_type not in _DEVICES:
        dev = str(device_type).split(":")[0]
        if dev in _DEVICES:
            return dev
        if dev in ("mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "lazy", "vulkan",
                   "meta"):
            raise RuntimeError(f"unsupported scalarType (autocast has no state for '{dev}')")
        raise RuntimeError(_DEVICE_ERR + str(device_type))
    return device_type


def _low_dtypes() -> tuple:
    return tuple(d.np for d in (D.float16, D.bfloat16) if d is not None)


def _refresh() -> None:
    """Recompute ``on`` and the target dtype from the CPU state."""
    global on, _target
    dt = get_autocast_dtype("cpu")
    on = _enabled["cpu"] and dt is not None
    _target = dt.np if on else None


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` (without it: CUDA's state, as in torch)."""
    return _enabled[_device("cuda" if device_type is None else device_type)]


def set_autocast_enabled(device_type: Any, enabled: Any = None) -> None:
    """Turns autocast on or off for ``device_type`` (``set_autocast_enabled(flag)``: CUDA)."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    if not isinstance(enabled, bool):
        raise TypeError("set_autocast_enabled(): argument 'enabled' (position 1) must be bool, "
                        f"not {type(enabled).__name__}")
    _enabled[_device(device_type)] = enabled
    _refresh()


def get_autocast_dtype(device_type: str) -> Any:
    """The dtype autocast casts to on ``device_type`` (CPU: bfloat16 unless set)."""
    dev = _device(device_type)
    if dev in _dtype:
        return _dtype[dev]
    return getattr(D, _DEFAULT.get(dev, "float16"))


def set_autocast_dtype(device_type: str, dtype: Any) -> None:
    """Sets the dtype autocast casts to on ``device_type``."""
    _dtype[_device(device_type)] = dtype
    _refresh()


def is_autocast_cache_enabled() -> bool:
    """Whether autocast keeps the casts of leaf weights for the region (default True)."""
    return _cache_on


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Turns the autocast weight-cast cache on or off."""
    global _cache_on
    _cache_on = enabled


def clear_autocast_cache() -> None:
    """Drops the cached casts of leaf weights (done when the outermost autocast region exits)."""
    _cache.clear()


def autocast_increment_nesting() -> int:
    """Counts one more entered autocast region; returns the depth."""
    global _nesting
    _nesting += 1
    return _nesting


def autocast_decrement_nesting() -> int:
    """Counts one autocast region left; returns the depth."""
    global _nesting
    _nesting -= 1
    return _nesting


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"torch.{old}() is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled() -> bool:
    """Deprecated: ``is_autocast_enabled('cpu')``."""
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return _enabled["cpu"]


def set_autocast_cpu_enabled(enabled: bool) -> None:
    """Deprecated: ``set_autocast_enabled('cpu', enabled)``."""
    _deprecated("set_autocast_cpu_enabled", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype() -> Any:
    """Deprecated: ``get_autocast_dtype('cpu')``."""
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype: Any) -> None:
    """Deprecated: ``set_autocast_dtype('cpu', dtype)``."""
    _deprecated("set_autocast_cpu_dtype", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype() -> Any:
    """Deprecated: ``get_autocast_dtype('cuda')``."""
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


def set_autocast_gpu_dtype(dtype: Any) -> None:
    """Deprecated: ``set_autocast_dtype('cuda', dtype)``."""
    _deprecated("set_autocast_gpu_dtype", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


def _cast(t: Any, target: Any) -> Any:
    from ._ops.pointwise import to_copy
    return to_copy(t, D.from_numpy_dtype(target))


def lower(*args: Any) -> tuple:
    """The arguments of an op on the lower-precision list: float16/32 and bfloat16 tensors cast
    to the autocast dtype (float64 and integer tensors and non-tensors pass); a float32 leaf
    that requires grad is cast once per autocast region (torch's weight cache)."""
    target = _target
    out = []
    for t in args:
        a = getattr(t, "_array", None)
        if a is None or a.dtype == target or a.dtype == _F64 or a.dtype.kind not in "fV":
            out.append(t)
            continue
        if _cache_on and a.dtype == _F32 and t.requires_grad and t.grad_fn is None:
            hit = _cache.get(id(t))
            if hit is None or hit[0] is not t:
                hit = _cache[id(t)] = (t, _cast(t, target))
            out.append(hit[1])
        else:
            out.append(_cast(t, target))
    return tuple(out)


def fp32(*args: Any) -> tuple:
    """The arguments of an op on the float32 list: float16/bfloat16 tensors cast to float32."""
    low = _low_dtypes()
    return tuple(_cast(t, _F32) if getattr(t, "_array", None) is not None
                 and t._array.dtype in low else t for t in args)


class suspended:
    """``with suspended():`` runs a composite that torch does not autocast (its internals call
    ops on the lower-precision list) with CPU autocast off."""

    def __enter__(self) -> None:
        global on
        self._prev = on
        on = False

    def __exit__(self, *exc: Any) -> None:
        global on
        on = self._prev
