"""Parameter: a leaf Tensor that modules register automatically."""
from __future__ import annotations

from .._tensor import Tensor, _make

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


class Parameter(Tensor):
    """``nn.Parameter(data, requires_grad=True)``: shares ``data``'s storage."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .._creation import empty
            data = empty(0)
        t = _make(data._array, False, None, 0, data._version_counter)
        t.__class__ = cls  # same layout: Parameter adds no slots
        if requires_grad:
            from .._creation import require_grad
            require_grad(t)
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


class UninitializedTensorMixin:
    """What ``UninitializedParameter`` and ``UninitializedBuffer`` share (torch's mixin): no
    shape until ``materialize(shape)`` gives them storage and turns them into their
    ``cls_to_become``."""

    cls_to_become: type

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the tensor ``shape`` (uninitialised memory, as ``torch.empty``) and turn it
        into a regular Parameter / Tensor, keeping its identity."""
        from .._creation import empty
        if dtype is None:
            dtype = self.data.dtype
        self.data = empty(shape, dtype=dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        """Raises: an uninitialized tensor has no shape yet (torch's message)."""
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. "
            "This error usually happens in `load_state_dict` when trying to load "
            "an uninitialized parameter into an initialized one. "
            "Call `forward` to initialize the parameters before accessing their attributes.")

    def share_memory_(self):
        """Raises, as torch: an uninitialized tensor has no memory to share."""
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. "
            "Call `forward` to initialize the parameters before calling "
            "`module.share_memory()`.")

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    def __reduce_ex__(self, proto):
        return (self.__class__, (self.requires_grad,))


def is_lazy(param) -> bool:
    """Whether ``param`` is an ``UninitializedParameter`` or ``UninitializedBuffer``."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter without a shape yet (what lazy modules hold until their first call)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from .._creation import empty
        t = Parameter.__new__(cls, empty(0, dtype=dtype), requires_grad)
        t.__class__ = cls
        return t

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, None, self.data.dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer without a shape yet (lazy norm layers' running statistics)."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        from .._creation import empty
        t = _make(empty(0, dtype=dtype)._array, False, None, 0, None)
        t.__class__ = cls
        if requires_grad:
            t.requires_grad = True
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass
