"""``torch.backends.mps``: Apple's Metal backend, not available in ember."""
from __future__ import annotations

__all__ = ["is_available", "is_built", "is_macos13_or_newer", "is_macos_or_newer"]


def is_available() -> bool:
    """False: ember has no MPS backend."""
    return False


def is_built() -> bool:
    """False: ember is not built with MPS."""
    return False


def is_macos_or_newer(major: int, minor: int) -> bool:
    """Raises without MPS, as CPU torch."""
    raise RuntimeError("Cannot execute isOnMacOSorNewer() without MPS backend.")


def is_macos13_or_newer(minor: int = 0) -> bool:
    """Raises without MPS, as CPU torch."""
    return is_macos_or_newer(13, minor)
