"""``ember.futures``: torch's ``Future`` (``torch.futures``), thread-safe, on Python threading.

A ``Future`` is completed once, by ``set_result`` or ``set_exception``; ``wait`` blocks until
then (another thread may complete it) and returns the value or raises the exception;
callbacks added with ``then``/``add_done_callback`` run when it completes (inline when it
already has). ``torch.jit.fork`` and ``torch.fork`` run the call at once (ember has no
inter-op thread pool) and return a completed ``Future``, as eager torch's ``fork`` does.
"""
from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

__all__ = ["Future", "collect_all", "wait_all"]

T = TypeVar("T")
S = TypeVar("S")


def _callback_error(exc: BaseException) -> RuntimeError:
    """torch's wrapping of an error raised inside a ``then`` callback."""
    where = "".join(f"  {f.filename}({f.lineno}): {f.name}\n"
                    for f in reversed(traceback.extract_tb(exc.__traceback__)))
    return RuntimeError(f"Got the following error when running the callback: "
                        f"{type(exc).__name__}: {exc}\n\nAt:\n{where}")


class Future(Generic[T]):
    """The result of an asynchronous computation: completed once (``set_result`` /
    ``set_exception``), then ``wait()``/``value()`` give the value or raise the error."""

    def __init__(self, *, devices: list[Any] | None = None) -> None:
        """Creates an unset ``Future``; ``devices`` (CUDA devices for tensor values) must be
        empty on ember, which has CPU tensors only."""
        for d in devices or []:
            raise ValueError(f"Expected devices to have indices, got {d}")
        self._cond = threading.Condition()
        self._done = False
        self._value: Any = None
        self._error: BaseException | None = None
        self._callbacks: list[Callable[[Future[T]], None]] = []

    def done(self) -> bool:
        """True once the future has a result or an exception."""
        return self._done

    def wait(self) -> T:
        """Blocks until the future is completed; returns its value or raises its exception."""
        with self._cond:
            while not self._done:
                self._cond.wait()
        return self.value()

    def value(self) -> T:
        """The value of a completed future (its exception is raised instead, if it has one)."""
        if not self._done:
            raise RuntimeError("Future.value(): the Future is not completed yet (call wait() "
                               "first or read it inside a callback)")
        if self._error is not None:
            raise self._error
        return self._value

    def then(self, callback: Callable[[Future[T]], S]) -> Future[S]:
        """Runs ``callback(self)`` when this future completes (at once if it has) and returns
        a new future holding its return value, or its error wrapped in torch's
        ``RuntimeError("Got the following error when running the callback: ...")``."""
        child: Future[S] = Future()

        def run(fut: Future[T]) -> None:
            try:
                out = callback(fut)
            except Exception as exc:  # noqa: BLE001 - the child future carries it
                child.set_exception(_callback_error(exc))
            else:
                child.set_result(out)
        self.add_done_callback(run)
        return child

    def add_done_callback(self, callback: Callable[[Future[T]], None]) -> None:
        """Runs ``callback(self)`` when this future completes (at once if it has); an error in
        the callback is printed to stderr and otherwise ignored, as torch logs it."""
        with self._cond:
            if not self._done:
                self._callbacks.append(callback)
                return
        self._run(callback)

    def _run(self, callback: Callable[[Future[T]], None]) -> None:
        try:
            callback(self)
        except Exception as exc:  # noqa: BLE001 - torch logs it and goes on
            print(str(_callback_error(exc)), file=sys.stderr)

    def _complete(self, value: Any, error: BaseException | None) -> None:
        with self._cond:
            if self._done:
                raise RuntimeError("Attempting to mark a completed Future as complete again. "
                                   "Note that a Future can only be marked completed once.")
            self._value, self._error, self._done = value, error, True
            callbacks, self._callbacks = self._callbacks, []
            self._cond.notify_all()
        for cb in callbacks:
            self._run(cb)

    def set_result(self, result: T) -> None:
        """Completes the future with ``result`` and runs its callbacks (a future can be
        completed only once: RuntimeError otherwise)."""
        self._complete(result, None)

    def set_exception(self, result: BaseException) -> None:
        """Completes the future with the exception ``result``: ``wait``/``value`` raise it."""
        if not isinstance(result, Exception):
            raise AssertionError(f"{result} is of type {type(result)}, not an Exception.")
        self._complete(None, result)


def collect_all(futures: list[Future[Any]]) -> Future[list[Future[Any]]]:
    """A future completed when all of ``futures`` are, holding the list of them (its
    ``wait`` raises the first sub-future's error, as torch's does)."""
    out: Future[list[Future[Any]]] = Future()
    pending = [len(futures)]
    lock = threading.Lock()

    def one_done(_: Future[Any]) -> None:
        with lock:
            pending[0] -= 1
            last = pending[0] == 0
        if last:
            first_error = next((f._error for f in futures if f._error is not None), None)
            if first_error is not None:
                out.set_exception(first_error)  # type: ignore[arg-type]
            else:
                out.set_result(list(futures))
    if not futures:
        out.set_result([])
    for f in futures:
        f.add_done_callback(one_done)
    return out


def wait_all(futures: list[Future[Any]]) -> list[Any]:
    """Waits for all ``futures`` and returns their values (raising the first error)."""
    return [f.wait() for f in collect_all(futures).wait()]


def fork(func: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
    """Runs ``func(*args, **kwargs)`` now and returns a completed ``Future`` holding its
    result (eager torch runs forked calls inline too); an error from ``func`` propagates."""
    fut: Future[T] = Future()
    fut.set_result(func(*args, **kwargs))
    return fut


def wait(future: Future[T]) -> T:
    """Returns the value of ``future`` (waiting for it), as ``torch.wait`` does."""
    if not isinstance(future, Future):
        raise TypeError("wait(): incompatible function arguments. The following argument types "
                        "are supported:\n    1. (arg0: torch._C.Future) -> object\n\nInvoked "
                        f"with: {future!r}")
    return future.wait()
