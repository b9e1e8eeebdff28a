"""``torch.autograd.set_multithreading_enabled`` (issue 13, h13-utils)."""
from __future__ import annotations

import threading
from typing import Any

from .grad_mode import _DecoratorContextManager

__all__ = ["set_multithreading_enabled"]

_local = threading.local()


def _is_multithreading_enabled() -> bool:
    """Whether backward may use one thread per device (this thread's setting)."""
    return getattr(_local, "enabled", True)


class set_multithreading_enabled(_DecoratorContextManager):
    """Context manager (and decorator) switching multithreaded backward on or off in this
    thread, set at construction and restored on exit, as torch's. ember's engine runs backward
    on the calling thread (it has one device, the CPU, where torch does so too), so the switch
    changes no result; its state is what torch reports."""

    def __init__(self, mode: bool) -> None:
        self.prev = _is_multithreading_enabled()
        _local.enabled = bool(mode)
        self.mode = mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        _local.enabled = self.prev

    def clone(self) -> set_multithreading_enabled:
        """A copy of this context manager."""
        return self.__class__(self.mode)
