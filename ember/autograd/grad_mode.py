"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode (thread-local)."""
from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    _F = TypeVar("_F", bound=Callable[..., Any])

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]


class _State(threading.local):
    enabled = True  # class attribute: every new thread starts with grad mode on
    inference = False


_state = _State()


def is_grad_enabled() -> bool:
    """Returns True if gradients are being recorded in this thread (grad mode is on)."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """Returns True inside an enabled ``inference_mode`` block in this thread."""
    return _state.inference


class _DecoratorContextManager:
    """Usable as ``with no_grad():`` and as ``@no_grad()`` (and bare ``@no_grad``)."""

    def __new__(cls, *args, **kwargs):
        if cls is not set_grad_enabled and len(args) == 1 and callable(args[0]) and not kwargs:
            return cls()(args[0])  # bare decorator: @no_grad
        return super().__new__(cls)

    def __call__(self, fn: _F) -> _F:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return cast("_F", wrapper)

    def clone(self) -> _DecoratorContextManager:
        return self.__class__()


class no_grad(_DecoratorContextManager):
    """Context manager (and decorator) that turns gradient recording off: results made inside
    do not require grad, whatever their inputs."""

    def __init__(self) -> None:
        self.prev = True

    def __enter__(self):
        self.prev = _state.enabled
        _state.enabled = False

    def __exit__(self, *exc):
        _state.enabled = self.prev
        return False


class enable_grad(_DecoratorContextManager):
    """Context manager (and decorator) that turns gradient recording on, e.g. inside a
    ``no_grad`` block."""

    def __init__(self) -> None:
        self.prev = True

    def __enter__(self):
        self.prev = _state.enabled
        _state.enabled = True

    def __exit__(self, *exc):
        _state.enabled = self.prev
        return False


class set_grad_enabled(_DecoratorContextManager):
    """Sets grad mode at construction (like torch) and restores it on exit."""

    def __init__(self, mode: bool) -> None:
        self.prev = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def __enter__(self):
        _state.enabled = self.mode

    def __exit__(self, *exc):
        _state.enabled = self.prev
        return False

    def clone(self) -> set_grad_enabled:
        return set_grad_enabled(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like no_grad (ember has no separate inference tensors)."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode
        self.prev = True
        self.prev_inf = False

    def __enter__(self):
        self.prev, self.prev_inf = _state.enabled, _state.inference
        if self.mode:
            _state.enabled = False
            _state.inference = True

    def __exit__(self, *exc):
        _state.enabled, _state.inference = self.prev, self.prev_inf
        return False

    def clone(self) -> inference_mode:
        return inference_mode(self.mode)
