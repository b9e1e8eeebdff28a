"""torch.nn.attention: choose the backends ``F.scaled_dot_product_attention`` may use.

On CPU torch has two: the flash kernel (one ``_ScaledDotProductFlashAttentionForCpuBackward0``
node, where its conditions hold) and the math composition.  ``sdpa_kernel`` restricts the set as
torch does: only MATH gives the math graph, only FLASH_ATTENTION raises where the flash kernel
cannot run, and the CUDA-only backends alone leave no viable backend (RuntimeError)."""
from __future__ import annotations

import contextlib
from enum import IntEnum

from ..._ops import attention as _A

__all__ = ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(IntEnum):
    """The scaled-dot-product-attention backends (torch's enum values)."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __str__(self) -> str:
        return f"SDPBackend.{self.name}"

    __format__ = object.__format__


_NAMES = {SDPBackend.CUDNN_ATTENTION: "cudnn", SDPBackend.FLASH_ATTENTION: "flash",
          SDPBackend.EFFICIENT_ATTENTION: "mem_efficient", SDPBackend.MATH: "math",
          SDPBackend.OVERRIDEABLE: "overrideable"}


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority: bool = False):
    """Context manager: within it ``scaled_dot_product_attention`` uses only ``backends`` (an
    ``SDPBackend`` or a list of them); the previous set is restored on exit."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of SDPBackend "
                             f"instances, got {type(backends).__name__}")
    if isinstance(backends, SDPBackend):
        backends = [backends]
    previous = set(_A.SDP_ENABLED)
    try:
        _A.SDP_ENABLED.clear()
        _A.SDP_ENABLED.update(_NAMES[b] for b in backends if b in _NAMES)
        yield {}
    finally:
        _A.SDP_ENABLED.clear()
        _A.SDP_ENABLED.update(previous)
