"""``torch.amp.autocast``: mixed precision regions, as a context manager or a decorator.

Inside ``autocast('cpu')`` the ops on PyTorch's CPU lower-precision list (matmul, mm, bmm,
addmm, baddbmm, addbmm, linear, conv*, conv_transpose*, prelu, scaled_dot_product_attention,
einsum contractions) cast their float32 inputs to the autocast dtype (bfloat16 by default,
or float16) and return that dtype; the losses on the float32 list cast float16/bfloat16 inputs
up to float32.  Gradients flow back through the casts, so float32 parameters get float32
gradients.  The state lives in ``ember/_autocast.py``, read by the ops.
"""
from __future__ import annotations

import collections.abc
import functools
import warnings
from typing import Any, Callable

from .. import _autocast as _ac
from .. import _dtype as D

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can be used on ``device_type`` ('cpu', 'cuda', 'xpu', 'mps', ...)."""
    return device_type in _ac._DEVICES


class autocast:
    """A region where the ops on torch's autocast lists run in lower precision::

        with torch.autocast("cpu"):            # bfloat16; dtype=torch.float16 also works
            out = model(x)                      # linear/conv/matmul outputs are bfloat16
            loss = loss_fn(out, y)              # the losses compute in float32
        loss.backward()                         # float32 parameters get float32 gradients

    ``device_type`` 'cuda' (and the other GPU types) warns and disables itself when the device
    is absent, as torch does; CPU autocast takes bfloat16 or float16 only (anything else warns
    and disables).  ``enabled=False`` switches autocast off inside an enabled region.
    ``cache_enabled``: cast each float32 leaf weight once per outermost region."""

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.fast_dtype = _ac.get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(self.device):
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{self.device}'")
        self.custom_backend_name = "privateuseone"
        self._cache_enabled = (_ac.is_autocast_cache_enabled() if cache_enabled is None
                               else cache_enabled)
        supported = [d for d in (D.bfloat16, D.float16) if d is not None]
        name = self.device.upper()
        if enabled:
            if self.device == "cuda":  # no GPU backend: torch's warning for a missing CUDA
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                              "autocast.", stacklevel=2)
                enabled = False
            elif self.device == "cpu" and self.fast_dtype is None and D.bfloat16 is None:
                raise RuntimeError("CPU autocast to bfloat16 needs the ml_dtypes package "
                                   "(pip install ml_dtypes), or use dtype=torch.float16")
            elif self.fast_dtype not in supported:
                warnings.warn(
                    f"In {name} autocast, but the target dtype is not supported. Disabling "
                    f"autocast.\n{name} Autocast only supports dtypes of torch.bfloat16, "
                    "torch.float16 currently.", stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self) -> autocast:
        self.prev_cache_enabled = _ac.is_autocast_cache_enabled()
        self.prev = _ac.is_autocast_enabled(self.device)
        self.prev_fastdtype = _ac.get_autocast_dtype(self.device)
        _ac.set_autocast_enabled(self.device, self._enabled)
        _ac.set_autocast_dtype(self.device, self.fast_dtype)
        _ac.autocast_increment_nesting()
        _ac.set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> bool:
        if _ac.autocast_decrement_nesting() == 0:
            _ac.clear_autocast_cache()
        _ac.set_autocast_enabled(self.device, self.prev)
        _ac.set_autocast_dtype(self.device, self.prev_fastdtype)
        _ac.set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. Did you "
                "mean to use autocast as a context manager? For example:\n    with "
                "torch.autocast(device_type=...):\n        output = model(input)")

        @functools.wraps(func)
        def decorate_autocast(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)
        decorate_autocast.__script_unsupported = (  # type: ignore[attr-defined]
            "@autocast() decorator is not supported in script mode")
        return decorate_autocast


def _cast(value: Any, device_type: str, dtype: Any) -> Any:
    """Casts floating (not float64) tensors, also inside lists, tuples and dicts, to ``dtype``."""
    from .._tensor import Tensor
    if isinstance(value, Tensor):
        k = value._array.dtype.kind  # (f: float16/32/64, V: bfloat16)
        ok = k in "fV" and value.dtype is not D.float64
        return value.to(dtype) if ok else value
    if isinstance(value, (str, bytes)) or hasattr(value, "__array_interface__"):
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype)
                for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        it = (_cast(v, device_type, dtype) for v in value)
        return type(value)(it) if isinstance(value, (list, tuple)) else it
    return value


def custom_fwd(fwd: Any = None, *, device_type: str, cast_inputs: Any = None) -> Any:
    """Decorator for a custom ``autograd.Function.forward``: with ``cast_inputs``, inside an
    autocast region the floating inputs are cast to it and ``forward`` runs without autocast."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args: Any, **kwargs: Any) -> Any:
        args[0]._dtype = _ac.get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = _ac.is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        inside = _ac.is_autocast_enabled(device_type)
        args[0]._fwd_used_autocast = False
        if inside:
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast(args, device_type, cast_inputs),
                           **_cast(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd: Any = None, *, device_type: str) -> Any:
    """Decorator for a custom ``autograd.Function.backward``: runs it with the autocast state
    its ``forward`` (decorated with ``custom_fwd``) saw."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args: Any, **kwargs: Any) -> Any:
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast,
                      dtype=args[0]._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd
