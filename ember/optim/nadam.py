"""NAdam (``torch.optim.NAdam``): Adam with Nesterov momentum."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from ._functional import inplace, real_views, addcmul_, bump, lerp_, prep_grad
from .optimizer import (Optimizer, _check_differentiable, _new_step, _run_closure, _to_scalar,
                        _use_grad, _zeros_like)
from .adam import _check_adam_args

__all__ = ["NAdam", "nadam"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray

    from .._tensor import Tensor
    from .optimizer import ParamsT, _T


def _init_state(state, p, group):
    state["step"] = _new_step()
    state["mu_product"] = _new_step(1.0)
    state["exp_avg"] = _zeros_like(p)
    state["exp_avg_sq"] = _zeros_like(p)


class NAdam(Optimizer):
    """Implements the NAdam algorithm."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 2e-3,
                 betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam_args(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    _group_setstate_defaults = {"maximize": False, "foreach": None, "capturable": False,
                                "differentiable": False, "decoupled_weight_decay": False}

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, (exp_avgs, exp_avg_sqs, mu_products), steps = (
                self._gather(group, ("exp_avg", "exp_avg_sq", "mu_product"), _init_state))
            beta1, beta2 = group["betas"]
            nadam(arrays, grads, exp_avgs, exp_avg_sqs, mu_products, steps, beta1=beta1,
                  beta2=beta2, lr=_to_scalar(group["lr"]), weight_decay=group["weight_decay"],
                  momentum_decay=group["momentum_decay"], eps=group["eps"],
                  decoupled_weight_decay=group["decoupled_weight_decay"],
                  maximize=group["maximize"])
            bump(params)
        return loss


def nadam(params: list[ndarray], grads: list[ndarray], exp_avgs: list[ndarray],
          exp_avg_sqs: list[ndarray], mu_products: list[ndarray], state_steps: list[ndarray], *,
          beta1: float, beta2: float, lr: float, weight_decay: float, momentum_decay: float,
          eps: float, decoupled_weight_decay: bool, maximize: bool) -> None:
    """NAdam on arrays, in place (``mu_products`` are 0-d arrays updated in place)."""
    params, grads, exp_avgs, exp_avg_sqs = real_views(params, grads, exp_avgs, exp_avg_sqs)
    for i, p in enumerate(params):
        step_t = state_steps[i]
        step_t += 1
        step = float(step_t)
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0 and decoupled_weight_decay:
            p *= 1 - lr * weight_decay
            g = prep_grad(grads[i], p, maximize, 0)
        else:
            g = prep_grad(grads[i], p, maximize, weight_decay)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product = mu_products[i]
        mu_product *= mu
        exp_avg, exp_avg_sq = exp_avgs[i], exp_avg_sqs[i]
        lerp_(exp_avg, g, 1 - beta1)
        exp_avg_sq *= beta2
        addcmul_(exp_avg_sq, g, g, 1 - beta2)
        denom = xp.divide(exp_avg_sq, bias_correction2)
        denom = inplace(xp.sqrt, denom)
        denom += eps
        mp = float(mu_product)
        mu_product_next = mp * mu_next
        upd = xp.multiply(g, -lr * (1.0 - mu) / (1.0 - mp))
        upd /= denom
        p += upd
        upd = xp.multiply(exp_avg, (-lr * mu_next) / (1.0 - mu_product_next))
        upd /= denom
        p += upd
