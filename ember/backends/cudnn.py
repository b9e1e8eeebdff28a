"""``torch.backends.cudnn``: cuDNN's flags (torch's defaults); cuDNN is not available."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["is_available", "version", "is_acceptable", "flags", "set_flags", "enabled",
           "benchmark", "benchmark_limit", "deterministic", "allow_tf32", "fp32_precision"]

enabled = True
benchmark = False
benchmark_limit = None
deterministic = False
allow_tf32 = True
fp32_precision = "none"


def is_available() -> bool:
    """False: ember has no cuDNN."""
    return False


def version() -> None:
    """cuDNN's version: None (not available)."""
    return None


def is_acceptable(tensor: Any) -> bool:
    """Whether cuDNN could run on ``tensor``: never."""
    return False


def set_flags(_enabled: Any = None, _benchmark: Any = None, _benchmark_limit: Any = None,
              _deterministic: Any = None, _allow_tf32: Any = None,
              _fp32_precision: Any = "none") -> tuple:
    """Sets the flags given (not None); returns the previous ones."""
    global enabled, benchmark, deterministic, allow_tf32, fp32_precision
    orig = (enabled, benchmark, None, deterministic, allow_tf32, fp32_precision)
    if _enabled is not None:
        enabled = _enabled
    if _benchmark is not None:
        benchmark = _benchmark
    if _deterministic is not None:
        deterministic = _deterministic
    if _allow_tf32 is not None:
        allow_tf32 = _allow_tf32
    if _fp32_precision is not None:
        fp32_precision = _fp32_precision
    return orig


@contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10,
          deterministic: bool = False, allow_tf32: bool = True,
          fp32_precision: str = "none") -> Iterator[None]:
    """Context manager: sets the flags (torch's defaults for those not given), restores them
    on exit."""
    orig = set_flags(enabled, benchmark, benchmark_limit, deterministic, allow_tf32,
                     fp32_precision)
    try:
        yield
    finally:
        set_flags(*orig)
