"""Parameter: a leaf Tensor that modules register automatically."""
from __future__ import annotations

from .._tensor import Tensor, _make

__all__ = ["Parameter", "Buffer", "UninitializedParameter"]


class Parameter(Tensor):
    """``nn.Parameter(data, requires_grad=True)``: shares ``data``'s storage."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .._creation import empty
            data = empty(0)
        t = _make(data._array, False, None, 0, data._version_counter)
        t.__class__ = cls  # same layout: Parameter adds no slots
        if requires_grad:
            t.requires_grad = True
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._array, self._requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(_make(self._array.copy(), False, None, 0, None), self._requires_grad)
        if self._grad is not None:
            p._grad = _make(self._grad._array.copy(), False, None, 0, None)
        memo[id(self)] = p
        return p


def _rebuild_parameter(arr, req):
    return Parameter(_make(arr, False, None, 0, None), req)


class Buffer(Tensor):
    """``nn.Buffer(data, persistent=True)``: marks a tensor to register as a buffer."""

    def __new__(cls, data=None, *, persistent=True):
        from .._creation import empty
        data = empty(0) if data is None else data
        t = _make(data._array, False, None, 0, data._version_counter)
        t.__class__ = Buffer
        t.persistent = persistent
        return t

    def __init__(self, data=None, *, persistent=True):
        pass


class UninitializedParameter(Parameter):
    pass
