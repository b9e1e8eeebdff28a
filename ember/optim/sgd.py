"""Stochastic gradient descent (``torch.optim.SGD``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from .._tensor import _make
from ._functional import bump, prep_grad
from .optimizer import Optimizer, _check_differentiable, _run_closure, _to_scalar, _use_grad

__all__ = ["SGD", "sgd"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray

    from .._tensor import Tensor
    from .optimizer import ParamsT, _T


class SGD(Optimizer):
    """Implements stochastic gradient descent (optionally with momentum)."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    _group_setstate_defaults = {"nesterov": False, "maximize": False, "foreach": None,
                                "differentiable": False, "fused": False}

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            momentum = group["momentum"]
            params, arrays, grads, bufs = [], [], [], []
            for p in group["params"]:
                if p._grad is not None:
                    params.append(p)
                    arrays.append(p._array)
                    grads.append(p._grad._array)
                    if momentum != 0:
                        buf = self.state[p].get("momentum_buffer")
                        bufs.append(None if buf is None else buf._array)
            sgd(arrays, grads, bufs, weight_decay=group["weight_decay"], momentum=momentum,
                lr=_to_scalar(group["lr"]), dampening=group["dampening"],
                nesterov=group["nesterov"], maximize=group["maximize"])
            bump(params)
            if momentum != 0:
                for p, buf in zip(params, bufs):
                    state = self.state[p]
                    old = state.get("momentum_buffer")
                    if old is None or old._array is not buf:
                        state["momentum_buffer"] = _make(buf, False, None, 0, None)
        return loss


def sgd(params: list[ndarray], grads: list[ndarray], momentum_buffer_list: list[ndarray | None], *,
        weight_decay: float, momentum: float, lr: float, dampening: float, nesterov: bool,
        maximize: bool) -> None:
    """SGD on arrays, in place; new momentum buffers are stored into ``momentum_buffer_list``."""
    for i, p in enumerate(params):
        g = prep_grad(grads[i], p, maximize, weight_decay)
        if momentum != 0:
            buf = momentum_buffer_list[i]
            if buf is None:
                buf = momentum_buffer_list[i] = xp.array(g, copy=True)
            else:
                buf *= momentum
                if dampening == 0:
                    buf += g
                else:
                    buf += (1 - dampening) * g
            if nesterov:
                g = g + momentum * buf
            else:
                g = buf
        p -= lr * g
