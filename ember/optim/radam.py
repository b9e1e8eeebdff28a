"""RAdam (``torch.optim.RAdam``): rectified Adam."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from ._functional import inplace, real_views, addcmul_, bump, lerp_, prep_grad
from .optimizer import Optimizer, _check_differentiable, _run_closure, _to_scalar, _use_grad
from .adam import _check_adam_args

__all__ = ["RAdam", "radam"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray

    from .._tensor import Tensor
    from .optimizer import ParamsT, _T


class RAdam(Optimizer):
    """Implements the RAdam algorithm."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-3,
                 betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    _group_setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                                "decoupled_weight_decay": False, "capturable": False}

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, (exp_avgs, exp_avg_sqs), steps = self._gather(
                group, ("exp_avg", "exp_avg_sq"))
            beta1, beta2 = group["betas"]
            radam(arrays, grads, exp_avgs, exp_avg_sqs, steps, beta1=beta1, beta2=beta2,
                  lr=_to_scalar(group["lr"]), weight_decay=group["weight_decay"],
                  eps=group["eps"], decoupled_weight_decay=group["decoupled_weight_decay"],
                  maximize=group["maximize"])
            bump(params)
        return loss


def radam(params: list[ndarray], grads: list[ndarray], exp_avgs: list[ndarray],
          exp_avg_sqs: list[ndarray], state_steps: list[ndarray], *, beta1: float, beta2: float,
          lr: float, weight_decay: float, eps: float, decoupled_weight_decay: bool,
          maximize: bool) -> None:
    """RAdam on arrays, in place."""
    rho_inf = 2 / (1 - beta2) - 1
    params, grads, exp_avgs, exp_avg_sqs = real_views(params, grads, exp_avgs, exp_avg_sqs)
    for i, p in enumerate(params):
        step_t = state_steps[i]
        step_t += 1
        step = float(step_t)
        if weight_decay != 0 and decoupled_weight_decay:
            p *= 1 - lr * weight_decay
            g = prep_grad(grads[i], p, maximize, 0)
        else:
            g = prep_grad(grads[i], p, maximize, weight_decay)
        exp_avg, exp_avg_sq = exp_avgs[i], exp_avg_sqs[i]
        lerp_(exp_avg, g, 1 - beta1)
        exp_avg_sq *= beta2
        addcmul_(exp_avg_sq, g, g, 1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        upd = xp.divide(exp_avg, bias_correction1)
        upd *= lr
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        if rho_t > 5.0:
            adaptive = xp.sqrt(exp_avg_sq)
            adaptive += eps
            adaptive = inplace(xp.reciprocal, adaptive)
            adaptive *= bias_correction2 ** 0.5
            upd *= adaptive
            upd *= ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
        p -= upd
