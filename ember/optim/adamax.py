"""Adamax (``torch.optim.Adamax``): Adam with the infinity norm."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from ._functional import real_views, bump, lerp_, prep_grad
from .optimizer import Optimizer, _check_differentiable, _run_closure, _to_scalar, _use_grad
from .adam import _check_adam_args

__all__ = ["Adamax", "adamax"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray

    from .._tensor import Tensor
    from .optimizer import ParamsT, _T


class Adamax(Optimizer):
    """Implements the Adamax algorithm (a variant of Adam based on the infinity norm)."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 2e-3,
                 betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    _group_setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                                "capturable": False}

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, (exp_avgs, exp_infs), steps = self._gather(
                group, ("exp_avg", "exp_inf"))
            beta1, beta2 = group["betas"]
            adamax(arrays, grads, exp_avgs, exp_infs, steps, eps=group["eps"], beta1=beta1,
                   beta2=beta2, lr=_to_scalar(group["lr"]), weight_decay=group["weight_decay"],
                   maximize=group["maximize"])
            bump(params)
        return loss


def adamax(params: list[ndarray], grads: list[ndarray], exp_avgs: list[ndarray],
           exp_infs: list[ndarray], state_steps: list[ndarray], *, eps: float, beta1: float,
           beta2: float, lr: float, weight_decay: float, maximize: bool) -> None:
    """Adamax on arrays, in place."""
    params, grads, exp_avgs, exp_infs = real_views(params, grads, exp_avgs, exp_infs)
    for i, p in enumerate(params):
        step_t = state_steps[i]
        step_t += 1
        g = prep_grad(grads[i], p, maximize, weight_decay)
        exp_avg, exp_inf = exp_avgs[i], exp_infs[i]
        lerp_(exp_avg, g, 1 - beta1)
        exp_inf *= beta2
        norm = xp.abs(g)
        norm += eps
        xp.maximum(exp_inf, norm, out=exp_inf)
        clr = lr / (1 - beta1 ** float(step_t))
        upd = xp.multiply(exp_avg, -clr)
        upd /= exp_inf
        p += upd
