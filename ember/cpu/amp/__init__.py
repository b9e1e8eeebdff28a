"""``torch.cpu.amp``: deprecated spellings of ``torch.amp.autocast('cpu', ...)`` and
``torch.amp.GradScaler('cpu', ...)`` (each warns ``FutureWarning`` as torch 2.13 does)."""
from __future__ import annotations

import warnings
from typing import Any

from ... import _dtype as D
from ...amp import autocast_mode as _am
from ...amp import grad_scaler as _gs

__all__ = ["GradScaler", "autocast"]


class autocast(_am.autocast):
    """``torch.autocast('cpu', dtype=..., enabled=..., cache_enabled=...)``, deprecated."""

    def __init__(self, enabled: bool = True, dtype: Any = D.bfloat16,
                 cache_enabled: bool = True) -> None:
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(_gs.GradScaler):
    """``torch.amp.GradScaler('cpu', ...)``, deprecated."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000,
                 enabled: bool = True) -> None:
        warnings.warn("`torch.cpu.amp.GradScaler(args...)` is deprecated. Please use "
                      "`torch.amp.GradScaler('cpu', args...)` instead.", FutureWarning,
                      stacklevel=2)
        super().__init__("cpu", init_scale=init_scale, growth_factor=growth_factor,
                         backoff_factor=backoff_factor, growth_interval=growth_interval,
                         enabled=enabled)
