"""``torch.backends.mkldnn``: oneDNN's flags (torch's defaults); ember has no oneDNN, so
``is_available()`` is False."""
from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["is_available", "flags", "set_flags", "enabled", "deterministic", "allow_tf32",
           "fp32_precision", "VERBOSE_OFF", "VERBOSE_ON", "VERBOSE_ON_CREATION", "verbose"]

VERBOSE_OFF, VERBOSE_ON, VERBOSE_ON_CREATION = 0, 1, 2
enabled = True
deterministic = False
allow_tf32 = False
fp32_precision = "none"


def is_available() -> bool:
    """False: ember computes with NumPy, not oneDNN."""
    return False


def set_flags(_enabled: Any = None, _deterministic: Any = None, _allow_tf32: Any = None,
              _fp32_precision: Any = "none") -> tuple:
    """Sets the flags given (not None); returns the previous ones."""
    global enabled, deterministic, allow_tf32, fp32_precision
    orig = (enabled, deterministic, allow_tf32, fp32_precision)
    if _enabled is not None:
        enabled = _enabled
    if _deterministic is not None:
        deterministic = _deterministic
    if _allow_tf32 is not None:
        if _allow_tf32:
            warnings.warn("TF32 acceleration on top of oneDNN is available for Intel GPUs. The "
                          "current Torch version does not have Intel GPU Support.", UserWarning,
                          stacklevel=3)
        allow_tf32 = _allow_tf32
    if _fp32_precision is not None:
        fp32_precision = _fp32_precision
    return orig


@contextmanager
def flags(enabled: bool = False, deterministic: bool = False, allow_tf32: bool = True,
          fp32_precision: str = "none") -> Iterator[None]:
    """Context manager: sets the flags, restores them on exit."""
    orig = set_flags(enabled, deterministic, allow_tf32, fp32_precision)
    try:
        yield
    finally:
        set_flags(*orig)


class verbose:
    """On-demand oneDNN verbosity (a context manager): nothing to print without oneDNN."""

    def __init__(self, level: int) -> None:
        self.level = level

    def __enter__(self) -> verbose:
        return self

    def __exit__(self, *exc: Any) -> bool:
        return False
