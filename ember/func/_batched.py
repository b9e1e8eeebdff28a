"""Batched tensors and batching rules: how ``vmap`` runs each op once over the whole batch.

A ``BatchedTensor`` (level ``L``) is a Tensor whose ``_bvalue`` is a Tensor with the batch
dimension of level ``L`` in front: its *physical* form.  The BatchedTensor itself looks like one
sample: ``_array`` is a read-only stand-in of the *logical* (per-sample) shape and dtype (the
values of sample 0), so ``shape``/``size()``/``dim()`` and every argument check of the public
functions see the logical shape.  ``_bvalue`` may itself be a BatchedTensor of a lower level
(nested vmap): its physical array then has one batch dimension per level, the lowest first.

While a vmap (or a transform that batches: ``jacrev``) runs, ``ember.autograd.function``'s op
entries hand every op with a batched argument to ``_hook``: the op's batching rule rewrites the
call on the physical values (align the batch dimension for elementwise ops, shift the dim
arguments of reductions/softmax/cat/views, fold the batch into the leading dimension of conv
and pooling, ...), runs the op once, and wraps the result back.  Ops without a rule run
``_loop``: the op once per sample, then stacked; it warns once per op, as torch warns about its
slow fallback.  Autograd sees the physical ops, so ``grad`` under vmap yields per-sample
gradients.
"""
from __future__ import annotations

import warnings
import weakref
from typing import Any, NoReturn

from .. import _random
from .._backend import ndarray, xp
from .._tensor import Tensor, _new
from ..autograd import function as _fn

__all__: list[str] = []

# the dynamic stack of batching levels: [level, batch size, randomness]
_LEVELS: list[list[Any]] = []
_SIZE: dict[int, int] = {}
_RANDOMNESS: dict[int, str] = {}
_counter = [0]


def push_level(size: int, randomness: str) -> int:
    """Open a batching level of ``size`` samples; returns its number."""
    _counter[0] += 1
    lv = _counter[0]
    _LEVELS.append([lv, size, randomness])
    _SIZE[lv] = size
    _RANDOMNESS[lv] = randomness
    _fn._VMAP = True
    _fn._VMAP_HOOK = _hook
    _random._VMAP_CHECK[0] = check_random
    return lv


def pop_level(lv: int) -> None:
    """Close batching level ``lv`` (the innermost one)."""
    _LEVELS.pop()
    _SIZE.pop(lv, None)
    _RANDOMNESS.pop(lv, None)
    _fn._VMAP = bool(_LEVELS)
    if not _LEVELS:
        _random._VMAP_CHECK[0] = None


class _StandIn(ndarray):
    """The logical-shape array a BatchedTensor shows (a view of sample 0).  Arrays NumPy derives
    from it keep the class without the back-reference: values computed from one sample outside
    a batching rule, which ``_hook`` refuses rather than returning them for every sample."""

    _bt: Any = None


_RANDOM_ERR = ("vmap: called random operation while in randomness error mode. Please either "
               "use the 'same' or 'different' randomness flags on vmap or perform the randomness "
               "operation out of vmap")


def check_random() -> None:
    """Called by every draw of ember's generator while a vmap runs (``Generator.u32/u64``)."""
    for lv, _size, mode in _LEVELS:
        if mode == "error":
            raise RuntimeError(_RANDOM_ERR)


class BatchedTensor(Tensor):
    """A tensor inside ``vmap``: one sample's view of a batch (see the module doc)."""

    __module__ = "ember"
    _bvalue: Any  # the physical tensor (batch dimension in front)
    _blevel: int  # the vmap level

    @property  # type: ignore[misc]
    def requires_grad(self) -> bool:  # type: ignore[override]
        return self._bvalue.requires_grad

    def __repr__(self, *, tensor_contents: Any = None) -> str:  # type: ignore[override]
        return (f"BatchedTensor(lvl={self._blevel}, bdim=0, value=\n"
                f"{self._bvalue!r}\n)")

    def detach(self) -> Tensor:
        return wrap(self._bvalue.detach(), self._blevel)

    @property  # type: ignore[misc]
    def data(self) -> Tensor:  # type: ignore[override]
        return wrap(self._bvalue.data, self._blevel)

    def _no_data(self, *a: Any, **k: Any) -> Any:
        raise RuntimeError(
            "vmap: It looks like you're calling .item() on a Tensor. We don't support vmap "
            "over calling .item() on a Tensor, please try to rewrite what you're doing with "
            "other operations. If error is occurring somewhere inside PyTorch internals, "
            "please file a bug report.")

    item = _no_data  # type: ignore[assignment]

    def _data_dependent(self, *a: Any, **k: Any) -> Any:
        raise RuntimeError(
            "vmap: It looks like you're attempting to use a Tensor in some data-dependent "
            "control flow. We don't support that yet, please shout over at "
            "https://github.com/pytorch/functorch/issues/257 .")

    __bool__ = _data_dependent  # type: ignore[assignment]
    __int__ = _data_dependent  # type: ignore[assignment]
    __float__ = _data_dependent  # type: ignore[assignment]
    __index__ = _data_dependent  # type: ignore[assignment]
    tolist = _data_dependent  # type: ignore[assignment]

    def numpy(self, *, force: bool = False) -> Any:
        raise RuntimeError("vmap: numpy() is not supported on a batched tensor: the NumPy "
                           "array would hold one sample")

    def backward(self, *a: Any, **k: Any) -> None:
        raise RuntimeError("backward() called inside a functorch transform. This is not "
                           "supported, please use functorch.grad or functorch.vjp instead or "
                           "call backward() outside of functorch transforms.")

    def contiguous(self, memory_format: object = None) -> Tensor:
        return wrap(self._bvalue.contiguous(), self._blevel)

    def __setitem__(self, idx: Any, value: Any) -> None:
        _setitem(self, idx, value)


def _inplace_method(name: str) -> Any:
    base = name[:-1]

    def method(self: BatchedTensor, *args: Any, **kwargs: Any) -> Any:
        res = getattr(self, base)(*args, **kwargs)
        _assign(self, res, name)
        return self

    method.__name__ = name
    method.__doc__ = f"In-place ``{name}`` under vmap: computed out of place, then assigned."
    return method


def _assign(self: BatchedTensor, res: Any, name: str) -> None:
    """Give BatchedTensor ``self`` the values of ``res`` (an in-place op under vmap; views of
    ``self`` made before do not see the change)."""
    lv = self._blevel
    if not isinstance(res, Tensor):
        from .._creation import tensor
        res = tensor(res, dtype=self.dtype)
    if tuple(res.shape) != tuple(self.shape) and name not in _SHAPE_INPLACE:
        if tuple(res.shape) and len(res.shape) >= len(self.shape) and res.numel() > self.numel():
            raise RuntimeError(
                f"vmap: {name}(self, *extra_args) is not possible because there exists a "
                f"Tensor `other` in extra_args that has more elements than `self`. This "
                f"happened due to `other` being vmapped over but `self` not being vmapped over "
                f"in a vmap. Please try to use out-of-place operators instead of {name}. If "
                f"said operator is being called inside the PyTorch framework, please file a "
                f"bug report instead.")
        res = res.expand(self.shape)
    if res.dtype != self.dtype:
        res = res.to(self.dtype)
    v = physical(res, lv)
    if name in _SHAPE_INPLACE or name == "__setitem__":
        self._bvalue = v  # (a new shape: the tensor takes the result's value)
        self._array = _stand_in(v, self)
    else:  # a real write into the physical tensor: views of it (and their bases) see it
        self._bvalue.copy_(v)
    self._requires_grad = self._bvalue._requires_grad


# in-place ops that change the shape (not the values): the result's shape is kept
_SHAPE_INPLACE = {"t_", "transpose_", "swapdims_", "swapaxes_", "squeeze_", "unsqueeze_",
                  "as_strided_"}
_SKIP_INPLACE = {"requires_grad_", "detach_", "share_memory_", "retain_grad_", "resize_",
                 "resize_as_", "set_", "storage_"}


def _install_inplace() -> None:
    for name in dir(Tensor):
        if name.endswith("_") and not name.startswith("_") and name not in _SKIP_INPLACE \
                and hasattr(Tensor, name[:-1]) and callable(getattr(Tensor, name[:-1])):
            setattr(BatchedTensor, name, _inplace_method(name))
    BatchedTensor.copy_ = _copy_  # type: ignore[method-assign,assignment]
    BatchedTensor.zero_ = _zero_  # type: ignore[method-assign,assignment]
    BatchedTensor.fill_ = _fill_  # type: ignore[method-assign,assignment]


def _copy_(self: BatchedTensor, src: Any, non_blocking: bool = False) -> Tensor:
    """``copy_`` under vmap."""
    _assign(self, src.to(self.dtype) if isinstance(src, Tensor) else src, "copy_")
    return self


def _zero_(self: BatchedTensor) -> Tensor:
    """``zero_`` under vmap."""
    _assign(self, self * 0, "zero_")
    return self


def _fill_(self: BatchedTensor, value: Any) -> Tensor:
    """``fill_`` under vmap."""
    _assign(self, self * 0 + value, "fill_")
    return self


def _setitem(self: BatchedTensor, idx: Any, value: Any) -> None:
    """``self[idx] = value`` under vmap: the write on a copy of the physical value (a batch
    slice in front of the index), then assigned to ``self`` (views made before do not see it)."""
    lv = self._blevel
    v = self._bvalue
    idx_t = idx if isinstance(idx, tuple) else (idx,)
    if any(isinstance(i, Tensor) and i.__class__ is BatchedTensor for i in idx_t) or \
            any(isinstance(i, Tensor) and i.dtype.is_floating_point for i in idx_t):
        raise RuntimeError("vmap: indexed assignment with a batched index tensor is not "
                           "supported by ember; use torch.where or scatter instead")
    adv = [k for k, i in enumerate(idx_t) if isinstance(i, (Tensor, list, ndarray))]
    if adv and adv != list(range(adv[0], adv[-1] + 1)):
        raise RuntimeError("vmap: indexed assignment with advanced indices that are not next "
                           "to each other is not supported by ember; use index_put or where")
    region = self[idx]  # the logical shape of the written region (batching rules)
    if isinstance(value, Tensor):
        val = value.to(self.dtype)
        val = val.expand(tuple(region.shape)) if tuple(val.shape) != tuple(region.shape) \
            else val
        val = physical(val, lv) if level_of(val) == lv else val
        if level_of(value) != lv and val.__class__ is not BatchedTensor:
            pass  # unbatched: broadcasts over the batch slice
    else:
        val = value
    v[(slice(None),) + idx_t] = val
    self._requires_grad = v._requires_grad


def _stand_in(v: Tensor, bt: BatchedTensor) -> ndarray:
    arr = v._array
    if arr.shape[0]:
        s = arr[0, ...].view(_StandIn)
    else:
        s = xp.zeros(arr.shape[1:], arr.dtype).view(_StandIn)
    s.flags.writeable = False
    s._bt = weakref.ref(bt)
    return s


def wrap(v: Tensor, level: int) -> BatchedTensor:
    """A BatchedTensor of ``level`` over ``v`` (batch dimension in front)."""
    bt = _new(BatchedTensor)
    bt._requires_grad = v._requires_grad
    bt.grad_fn = None
    bt._output_nr = 0
    bt._version_counter = v._version_counter
    bt._grad = None
    bt._retains = False
    bt._hooks = None
    bt._acc = None
    bt._base = None
    bt._bvalue = v
    bt._blevel = level
    bt._array = _stand_in(v, bt)
    return bt


def level_of(t: Any) -> int:
    """The batching level of ``t`` (0: not batched)."""
    return t._blevel if t.__class__ is BatchedTensor else 0


def physical(t: Tensor, level: int) -> Tensor:
    """``t`` with level ``level``'s batch dimension in front (expanded when ``t`` is not batched
    at that level)."""
    if t.__class__ is BatchedTensor and t._blevel == level:
        return t._bvalue
    if t.__class__ is BatchedTensor and t._blevel > level:
        raise RuntimeError("vmap: a tensor batched at an inner level escaped its vmap")
    n = _SIZE[level]
    return t.unsqueeze(0).expand((n,) + tuple(t.shape))


def unwrap_to(t: Any, level: int) -> Any:
    """For the outputs: ``t`` at ``level`` as a Tensor with the batch dimension in front."""
    return physical(t, level)


# --------------------------------------------------------------------------------------------
# dispatch
# --------------------------------------------------------------------------------------------

_RULES: dict[Any, Any] = {}
_WARNED: set[str] = set()


def _scan(args: Any) -> int:
    level = 0
    for a in args:
        c = a.__class__
        if c is BatchedTensor:
            if a._blevel > level:
                level = a._blevel
        elif c is tuple or c is list:
            for x in a:
                if x.__class__ is BatchedTensor:
                    if x._blevel > level:
                        level = x._blevel
                elif x.__class__ is _StandIn:
                    bt = x._bt() if x._bt is not None else None
                    if bt is None:
                        _tainted()
                    if bt._blevel > level:
                        level = bt._blevel
        elif c is _StandIn:
            bt = a._bt() if a._bt is not None else None
            if bt is None:
                _tainted()
            if bt._blevel > level:
                level = bt._blevel
        elif c is Tensor and a._array.__class__ is _StandIn:
            _tainted()
    return level


def _tainted() -> NoReturn:
    raise RuntimeError(
        "vmap: an op received values computed from one sample of a batched tensor outside a "
        "batching rule (a NumPy computation on the tensor's data inside vmap); ember cannot "
        "batch this call")


def _hook(cls: Any, args: tuple[Any, ...], kwargs: dict[str, Any], cast: Any) -> Any:
    level = _scan(args)
    if kwargs:
        lk = _scan(kwargs.values())
        if lk > level:
            level = lk
    if level == 0:
        return NotImplemented
    rule = _RULES.get(cls[0] if cls.__class__ is tuple else cls)
    if rule is None:
        return _loop(cls, args, kwargs, cast, level)
    return rule(cls, args, kwargs, cast, level)


def _apply(cls: Any, args: Any, kwargs: Any, cast: Any) -> Any:
    if cls.__class__ is tuple:  # a pseudo-op: ("name", callable on the arguments)
        return cls[1](*args, **kwargs)
    return _fn._apply(cls, tuple(args), kwargs, cast)


def _op_name(cls: Any) -> str:
    return cls[0] if cls.__class__ is tuple else cls.__name__


def _wrap_out(out: Any, level: int) -> Any:
    if isinstance(out, tuple):
        return tuple(wrap(o, level) for o in out)
    return wrap(out, level)


def _sample(a: Any, i: int, level: int) -> Any:
    c = a.__class__
    if c is BatchedTensor:
        return a._bvalue[i] if a._blevel == level else _sample_inner(a, i, level)
    if c is _StandIn:
        bt = a._bt()
        return _sample(bt, i, level)._array if bt._blevel == level else a
    if c is tuple or c is list:
        return c(_sample(x, i, level) for x in a)
    return a


def _sample_inner(a: BatchedTensor, i: int, level: int) -> Any:
    return a  # batched only at another level: the same for every sample of ``level``


class NoBatchRule(RuntimeError):
    """Raised instead of the per-sample loop while ``NO_LOOP[0]`` is set (jacrev's batched
    backward pass then takes its other way)."""


NO_LOOP = [False]


def _loop(cls: Any, args: Any, kwargs: Any, cast: Any, level: int) -> Any:
    """The slow fallback: the op once per sample, results stacked (warns once per op)."""
    name = _op_name(cls)
    if NO_LOOP[0]:
        raise NoBatchRule(name)
    if name not in _WARNED:
        _WARNED.add(name)
        warnings.warn(
            f"There is a performance drop because we have not yet implemented the batching "
            f"rule for {name}. Please file us an issue on GitHub so that we can prioritize "
            f"its implementation.", UserWarning, stacklevel=4)
    from .._ops.shape import stack
    n = _SIZE[level]
    outs = [_apply(cls, [_sample(a, i, level) for a in args],
                   {k: _sample(v, i, level) for k, v in kwargs.items()}, cast)
            for i in range(n)]
    if isinstance(outs[0], tuple):
        return tuple(wrap(stack([o[k] for o in outs]), level) for k in range(len(outs[0])))
    return wrap(stack(outs), level)


def loop_fallback_ops() -> list[str]:
    """The ops that ran the slow per-sample fallback so far in this process."""
    return sorted(_WARNED)


_install_inplace()
