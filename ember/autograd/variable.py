"""``ember.autograd.variable``: torch's legacy ``Variable`` and the engine handle it carries.

Since PyTorch 0.4 every Tensor is a Variable: ``isinstance(t, Variable)`` is True for any
Tensor, and ``Variable(t, requires_grad=...)`` returns a new Tensor (``t.detach()``) sharing
``t``'s data.  ``Variable._execution_engine`` is what torch code reaches for on the engine
(``queue_callback`` for final callbacks: DistributedDataParallel and Horovod use it)."""
from __future__ import annotations

import warnings
from typing import Any, Callable

from .._tensor import Tensor

__all__ = ["Variable"]


class VariableMeta(type):
    """``isinstance(x, Variable)`` is ``isinstance(x, Tensor)``."""

    def __instancecheck__(cls, other: Any) -> bool:
        return isinstance(other, Tensor)


class _EngineBase:
    """``Variable._execution_engine``: the backward engine's Python entry points."""

    @staticmethod
    def queue_callback(callback: Callable[[], Any]) -> None:
        """Run ``callback()`` once when the backward pass now running has finished (after
        every gradient is accumulated); RuntimeError outside a backward pass."""
        from .engine import queue_callback
        queue_callback(callback)

    @staticmethod
    def is_checkpoint_valid() -> bool:
        """False inside ``autograd.grad`` or ``backward(inputs=...)``: the passes a reentrant
        checkpoint cannot run in."""
        from .engine import is_checkpoint_valid
        return is_checkpoint_valid()

    @staticmethod
    def run_backward(tensors: Any, grad_tensors: Any, keep_graph: Any, create_graph: bool,
                     inputs: Any = (), allow_unreachable: bool = True,
                     accumulate_grad: bool = True) -> tuple[Any, ...]:
        """The engine call behind ``backward`` and ``grad`` (torch's signature)."""
        from . import run_backward
        res = run_backward(tuple(tensors), tuple(grad_tensors), keep_graph, create_graph,
                           inputs=tuple(inputs) or None, allow_unused=allow_unreachable,
                           accumulate=accumulate_grad)
        return tuple(res) if res is not None else ()


class Variable(metaclass=VariableMeta):
    """torch's pre-0.4 ``Variable``: every Tensor is one; ``Variable(t, requires_grad=...)``
    returns ``t.detach()`` with ``requires_grad`` set, ``Variable()`` an empty tensor."""

    _execution_engine = _EngineBase()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = False,  # type: ignore[misc]
                volatile: bool = False) -> Tensor:
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():`"
                          " instead.", UserWarning, stacklevel=2)
        if data is None:
            from .._creation import empty
            t = empty(0)
        elif isinstance(data, Tensor):
            t = data.detach()
        else:
            raise TypeError("Variable data has to be a tensor, but got " + type(data).__name__)
        if requires_grad and not (t.dtype.is_floating_point or t.dtype.is_complex):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t.requires_grad = bool(requires_grad)
        return t
