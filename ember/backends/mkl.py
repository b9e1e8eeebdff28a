"""``torch.backends.mkl``: ember has no MKL (``is_available()`` is False)."""
from __future__ import annotations

from typing import Any

__all__ = ["is_available", "verbose", "VERBOSE_OFF", "VERBOSE_ON"]

VERBOSE_OFF, VERBOSE_ON = 0, 1


def is_available() -> bool:
    """False: ember computes with NumPy, not torch's MKL build."""
    return False


class verbose:
    """On-demand MKL verbosity (a context manager): nothing to print without MKL."""

    def __init__(self, enable: int) -> None:
        self.enable = enable

    def __enter__(self) -> verbose:
        return self

    def __exit__(self, *exc: Any) -> bool:
        return False
