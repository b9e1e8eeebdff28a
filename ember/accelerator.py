"""``ember.accelerator``: ``torch.accelerator`` on a machine without one.

``is_available()`` is False, ``current_accelerator()`` None and ``device_count()`` 0, so the
device-agnostic idiom ``torch.accelerator.current_accelerator() or torch.device('cpu')``
picks the CPU; the calls that need an accelerator raise torch's ``RuntimeError``.
"""
from __future__ import annotations

import warnings
from typing import Any

from ._backend import NO_ACCELERATOR, Device, unavailable

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "current_device_idx", "set_device_index", "set_device_idx", "current_stream",
           "set_stream", "synchronize", "device_index", "empty_cache", "empty_host_cache",
           "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "memory_stats", "reset_peak_memory_stats",
           "reset_accumulated_memory_stats", "get_memory_info", "get_device_capability",
           "Graph"]  # h13-utils: Graph


class Graph:
    """An accelerator graph (capture and replay): needs an accelerator, so making one raises
    torch's RuntimeError."""

    def __init__(self, keep_graph: bool = False, *, pool: Any = None,
                 capture_error_mode: str = "default") -> None:
        raise RuntimeError("Cannot access accelerator device when none is available.")


def is_available() -> bool:
    """False: no accelerator (ember computes on the CPU)."""
    return False


def current_accelerator(check_available: bool = False) -> Device | None:
    """The accelerator's device type: None (there is none)."""
    return None


def device_count() -> int:
    """0: no accelerator devices."""
    return 0


def _raise(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError(NO_ACCELERATOR)


def current_device_index() -> int:
    """The current accelerator device's index: raises (no accelerator)."""
    return _raise()


def set_device_index(device: Any, /) -> None:
    """Selects an accelerator device: raises (no accelerator)."""
    if device is None or isinstance(device, str):
        d = device if device is None else Device(device)
        raise ValueError(f"Expected a torch.device with a specified index or an integer, but "
                         f"got:{d}")
    _raise()


def current_device_idx() -> int:
    """Deprecated name of ``current_device_index``."""
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    return current_device_index()


def set_device_idx(device: Any, /) -> None:
    """Deprecated name of ``set_device_index``."""
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    set_device_index(device)


def current_stream(device: Any = None, /) -> Any:
    """The accelerator's current stream: raises (no accelerator)."""
    return _raise()


def set_stream(stream: Any) -> None:
    """Sets the current stream: raises (no accelerator)."""
    _raise()


def synchronize(device: Any = None, /) -> None:
    """Waits for the accelerator: raises (no accelerator)."""
    _raise()


def _no_accelerator() -> None:
    raise RuntimeError(NO_ACCELERATOR)


def _needs(name: str, doc: str):
    return unavailable(name, doc, _no_accelerator, "``RuntimeError`` (no accelerator)")


empty_cache = _needs("empty_cache", "Releases the accelerator's cached memory.")
empty_host_cache = _needs("empty_host_cache", "Releases cached pinned host memory.")
memory_allocated = _needs("memory_allocated", "Bytes of accelerator memory held by tensors.")
max_memory_allocated = _needs("max_memory_allocated", "Peak bytes held by tensors.")
memory_reserved = _needs("memory_reserved", "Bytes reserved by the caching allocator.")
max_memory_reserved = _needs("max_memory_reserved", "Peak bytes reserved.")
memory_stats = _needs("memory_stats", "The caching allocator's statistics.")
reset_peak_memory_stats = _needs("reset_peak_memory_stats", "Resets the peak counters.")
reset_accumulated_memory_stats = _needs("reset_accumulated_memory_stats",
                                        "Resets the accumulated counters.")
get_memory_info = _needs("get_memory_info", "The accelerator's (free, total) memory.")
get_device_capability = _needs("get_device_capability", "The accelerator's capabilities.")


class device_index:
    """Context manager selecting an accelerator device index; ``None`` does nothing, an
    index raises (no accelerator)."""

    def __init__(self, device: int | None, /) -> None:
        self.idx = device
        self.prev_idx = -1

    def __enter__(self) -> None:
        if self.idx is not None:
            _raise()

    def __exit__(self, *exc_info: object) -> None:
        return None
