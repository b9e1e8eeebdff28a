"""``ember.mps``: ``torch.mps`` as a build without the Metal (MPS) backend has it.

``is_available()`` is False and ``device_count()`` 0; ``manual_seed`` returns quietly (torch
calls it from ``torch.manual_seed``); everything that needs the backend raises torch's
``RuntimeError`` ("Cannot execute ...() without MPS backend.", "MPS is not available")."""
from __future__ import annotations

from typing import Any

from ._tensor import Tensor

__all__ = ["Event", "Tensor", "compile_shader", "current_allocated_memory", "device_count",
           "driver_allocated_memory", "empty_cache", "get_rng_state", "is_available",
           "load_metallib", "manual_seed", "recommended_max_memory", "seed",
           "set_per_process_memory_fraction", "set_rng_state", "synchronize"]


def _no_backend(what: str) -> RuntimeError:
    return RuntimeError(f"Cannot execute {what}() without MPS backend.")


def is_available() -> bool:
    """False: ember has no MPS backend."""
    return False


def device_count() -> int:
    """0: there is no MPS device."""
    return 0


def synchronize() -> None:
    """Wait for the MPS device: there is none (RuntimeError)."""
    raise _no_backend("deviceSynchronize")


def manual_seed(seed: int) -> None:
    """Seed the MPS generator: without the backend it returns at once, as torch's."""


def seed() -> None:
    """Seed the MPS generator randomly: there is none (RuntimeError)."""
    raise _no_backend("getDefaultGenerator")


def get_rng_state(device: Any = "mps") -> Tensor:
    """The MPS generator's state: there is none (RuntimeError)."""
    raise _no_backend("getDefaultGenerator")


def set_rng_state(new_state: Tensor, device: Any = "mps") -> None:
    """Set the MPS generator's state (a copy of ``new_state``): there is none (RuntimeError)."""
    new_state.clone()
    raise _no_backend("getDefaultGenerator")


def empty_cache() -> None:
    """Release the MPS allocator's cached memory: there is none (RuntimeError)."""
    raise _no_backend("emptyCache")


def set_per_process_memory_fraction(fraction: Any) -> None:
    """Cap the MPS allocator's memory: a float is required (TypeError), and there is no
    backend (RuntimeError)."""
    if not isinstance(fraction, float):
        raise TypeError("Invalid type for fraction argument, must be `float`")
    raise _no_backend("setMemoryFraction")


def current_allocated_memory() -> int:
    """Memory held by MPS tensors: there is no backend (RuntimeError)."""
    raise _no_backend("getCurrentAllocatedMemory")


def driver_allocated_memory() -> int:
    """Memory the Metal driver holds: there is no backend (RuntimeError)."""
    raise _no_backend("getDriverAllocatedMemory")


def recommended_max_memory() -> int:
    """The Metal driver's recommended working-set size: there is no backend (RuntimeError)."""
    raise _no_backend("getRecommendedMaxMemory")


def compile_shader(source: str) -> Any:
    """Compile Metal shader source: MPS is not available (RuntimeError)."""
    raise RuntimeError("MPS is not available")


def load_metallib(source: Any) -> Any:
    """Load a compiled Metal library: MPS is not available (RuntimeError)."""
    raise RuntimeError("MPS is not available")


class Event:
    """An MPS event: acquiring one needs the backend (RuntimeError)."""

    def __init__(self, enable_timing: bool = False) -> None:
        raise _no_backend("acquireEvent")
