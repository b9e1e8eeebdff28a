"""Adadelta (``torch.optim.Adadelta``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from ._functional import inplace, real_views, addcmul_, bump, prep_grad
from .optimizer import Optimizer, _check_differentiable, _run_closure, _to_scalar, _use_grad

__all__ = ["Adadelta", "adadelta"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray

    from .._tensor import Tensor
    from .optimizer import ParamsT, _T


class Adadelta(Optimizer):
    """Implements the Adadelta algorithm."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    _group_setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                                "capturable": False}

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, (square_avgs, acc_deltas), steps = self._gather(
                group, ("square_avg", "acc_delta"))
            adadelta(arrays, grads, square_avgs, acc_deltas, steps, lr=_to_scalar(group["lr"]),
                     rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                     maximize=group["maximize"])
            bump(params)
        return loss


def adadelta(params: list[ndarray], grads: list[ndarray], square_avgs: list[ndarray],
             acc_deltas: list[ndarray], state_steps: list[ndarray], *, lr: float, rho: float,
             eps: float, weight_decay: float, maximize: bool) -> None:
    """Adadelta on arrays, in place."""
    params, grads, square_avgs, acc_deltas = real_views(params, grads, square_avgs,
                                                        acc_deltas)
    for i, p in enumerate(params):
        step_t = state_steps[i]
        step_t += 1
        g = prep_grad(grads[i], p, maximize, weight_decay)
        square_avg, acc_delta = square_avgs[i], acc_deltas[i]
        square_avg *= rho
        addcmul_(square_avg, g, g, 1 - rho)
        std = xp.add(square_avg, eps)
        std = inplace(xp.sqrt, std)
        delta = xp.add(acc_delta, eps)
        delta = inplace(xp.sqrt, delta)
        delta /= std
        delta *= g
        acc_delta *= rho
        addcmul_(acc_delta, delta, delta, 1 - rho)
        p -= lr * delta
