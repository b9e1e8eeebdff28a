"""``torch.cuda.amp``: deprecated spellings of ``torch.amp.autocast('cuda', ...)`` and
``torch.amp.GradScaler('cuda', ...)``.  ember has no CUDA, so, as torch does on a machine
without it, both warn and disable themselves: ``autocast`` regions change nothing and the
scaler passes losses and steps through."""
from __future__ import annotations

import functools
import warnings
from typing import Any

from .. import _dtype as D
from ..amp import autocast_mode as _am
from ..amp import grad_scaler as _gs

__all__ = ["GradScaler", "amp_definitely_not_available", "autocast", "custom_bwd",
           "custom_fwd"]


def _future(old: str, new: str) -> None:
    warnings.warn(f"`torch.cuda.amp.{old}(args...)` is deprecated. Please use {new} instead.",
                  FutureWarning, stacklevel=3)


def amp_definitely_not_available() -> bool:
    """True: there is no CUDA."""
    return True


class autocast(_am.autocast):
    """``torch.autocast('cuda', ...)``, deprecated: warns that CUDA is unavailable and does
    nothing."""

    def __init__(self, enabled: bool = True, dtype: Any = D.float16,
                 cache_enabled: bool = True) -> None:
        _future("autocast", "`torch.amp.autocast('cuda', args...)`")
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(_gs.GradScaler):
    """``torch.amp.GradScaler('cuda', ...)``, deprecated: warns and disables itself."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        _future("GradScaler", "`torch.amp.GradScaler('cuda', args...)`")
        super().__init__("cuda", init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval,
                         enabled=enabled)


def custom_fwd(fwd: Any = None, *, cast_inputs: Any = None) -> Any:
    """Deprecated: ``torch.amp.custom_fwd(fwd, device_type='cuda', cast_inputs=...)``."""
    _future("custom_fwd", "`torch.amp.custom_fwd(args..., device_type='cuda')`")
    return functools.partial(_am.custom_fwd, device_type="cuda")(fwd=fwd,
                                                                 cast_inputs=cast_inputs)


def custom_bwd(bwd: Any) -> Any:
    """Deprecated: ``torch.amp.custom_bwd(bwd, device_type='cuda')``."""
    _future("custom_bwd", "`torch.amp.custom_bwd(args..., device_type='cuda')`")
    return functools.partial(_am.custom_bwd, device_type="cuda")(bwd)


def _restore_device_module() -> None:
    """Until ember/cuda/ is a package (its ``__init__.py`` comes with the ``ember.cuda`` device
    module), importing this file makes ``ember/cuda/`` a namespace package that Python binds
    over ``ember.cuda``: put the device object back, with this module as its ``amp``."""
    import sys

    import ember
    parent = sys.modules.get("ember.cuda")
    if parent is None or getattr(parent, "__file__", None) is not None:
        return  # the real package: nothing to mend
    device_cls = ember.__dict__.get("_Cuda")
    if device_cls is not None:
        ember.cuda = device_cls()
        ember.cuda.amp = sys.modules[__name__]


_restore_device_module()
