"""``torch.cuda.nvtx``: NVTX profiler ranges; without CUDA every call raises torch's error."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["range_push", "range_pop", "range_start", "range_end", "mark", "range"]

_NO_NVTX = "NVTX functions not installed. Are you sure you have a CUDA build?"


def range_push(msg: str) -> int:
    """Pushes a range onto the stack of nested ranges: raises (no NVTX)."""
    raise RuntimeError(_NO_NVTX)


def range_pop() -> int:
    """Pops a range off the stack of nested ranges: raises (no NVTX)."""
    raise RuntimeError(_NO_NVTX)


def range_start(msg: str) -> int:
    """Starts a range (not nested): raises (no NVTX)."""
    raise RuntimeError(_NO_NVTX)


def range_end(range_id: int) -> None:
    """Ends a range: raises (no NVTX)."""
    raise RuntimeError(_NO_NVTX)


def mark(msg: str) -> None:
    """Marks an instant event: raises (no NVTX)."""
    raise RuntimeError(_NO_NVTX)


@contextmanager
def range(msg: str, *args: Any, **kwargs: Any) -> Iterator[None]:  # noqa: A001 - torch's name
    """Context manager around ``range_push``/``range_pop``: raises on entry (no NVTX)."""
    range_push(msg.format(*args, **kwargs))
    try:
        yield
    finally:
        range_pop()
