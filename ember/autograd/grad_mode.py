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


class InferenceVersion(list):
    """The version counter of an inference tensor (made inside ``inference_mode``; views share
    it).  torch keeps none: reading it outside inference mode is what saving such a tensor for
    backward or writing it in place does, so this raises torch's errors there; a plain tensor's
    counter is a plain list, so nothing on the usual paths changes."""

    __slots__ = ()

    def __getitem__(self, i):  # type: ignore[override]
        import sys
        caller = sys._getframe(1).f_code.co_name
        if caller == "_version":
            raise RuntimeError("Inference tensors do not track version counter.")
        if not _state.inference:
            if caller in ("bump", "bump_version"):
                raise RuntimeError(
                    "Inplace update to inference tensor outside InferenceMode is not allowed."
                    "You can make a clone to get a normal tensor before doing inplace update."
                    "See https://github.com/pytorch/rfcs/pull/17 for more details.")
            raise RuntimeError(
                "Inference tensors cannot be saved for backward. Please do not use Tensors "
                "created in inference mode in computation tracked by autograd. To work around "
                "this, you can make a clone to get a normal tensor and use it in autograd, or "
                "use `torch.no_grad()` instead of `torch.inference_mode()`.")
        return list.__getitem__(self, i)


_inference_lock = threading.Lock()
_inference_depth = [0]  # enabled inference_mode blocks open in any thread
_plain_make: list = []  # the code of ember._tensor._make outside inference mode


def _make_inference(arr, req, grad_fn, output_nr, vc):  # pragma: no cover - code donor
    t = _new(Tensor)  # type: ignore[name-defined]  # noqa: F821 (names of ember._tensor)
    t._array = arr
    t._requires_grad = req
    t.grad_fn = grad_fn
    t._output_nr = output_nr
    t._version_counter = ([0] if not _grad_state.inference  # type: ignore[name-defined]  # noqa: F821
                          else _InferenceVersion([0])) if vc is None else vc  # type: ignore[name-defined]  # noqa: F821,E501
    t._grad = None
    t._retains = False
    t._hooks = None
    t._acc = None
    t._base = None
    return t


def _inference_tensors(on: bool) -> None:
    """While any enabled inference_mode block is open, ``_make`` (every new tensor) runs the
    variant above, which gives tensors made in inference mode an ``InferenceVersion``
    counter; outside, ``_make`` is untouched (no cost on the hot path)."""
    from .. import _tensor
    with _inference_lock:
        if on:
            _inference_depth[0] += 1
            if _inference_depth[0] == 1:
                if not _plain_make:
                    _plain_make.append(_tensor._make.__code__)
                    _tensor._grad_state = _state  # type: ignore[attr-defined]
                    _tensor._InferenceVersion = InferenceVersion  # type: ignore[attr-defined]
                _tensor._make.__code__ = _make_inference.__code__
        else:
            _inference_depth[0] -= 1
            if _inference_depth[0] == 0:
                _tensor._make.__code__ = _plain_make[0]


class inference_mode(_DecoratorContextManager):
    """Like no_grad, and tensors made inside are inference tensors (``is_inference()``): they
    cannot be saved for backward or changed in place once the block is left, as in torch."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode
        self.prev = True
        self.prev_inf = False

    def __enter__(self):
        self.prev, self.prev_inf = _state.enabled, _state.inference
        if self.mode:
            _inference_tensors(True)
        _state.enabled = not self.mode  # (torch's InferenceMode(False): grad mode on, as torch)
        _state.inference = self.mode

    def __exit__(self, *exc):
        _state.enabled, _state.inference = self.prev, self.prev_inf
        if self.mode:
            _inference_tensors(False)
        return False

    def clone(self) -> inference_mode:
        return inference_mode(self.mode)
