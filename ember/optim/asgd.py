"""ASGD (``torch.optim.ASGD``): averaged stochastic gradient descent."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ._functional import bump, prep_grad, real_views
from .optimizer import (Optimizer, _check_differentiable, _new_step, _run_closure, _to_scalar,
                        _use_grad, _zeros_like)

__all__ = ["ASGD", "asgd"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray

    from .._tensor import Tensor
    from .optimizer import ParamsT, _T


def _init_state(state, p, group):
    state["step"] = _new_step()
    state["eta"] = _new_step(_to_scalar(group["lr"]))
    state["mu"] = _new_step(1.0)
    state["ax"] = _zeros_like(p)


class ASGD(Optimizer):
    """Implements averaged stochastic gradient descent."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    _group_setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                                "capturable": False}

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, (mus, axs, etas), steps = self._gather(
                group, ("mu", "ax", "eta"), _init_state)
            asgd(arrays, grads, axs, mus, etas, steps, lambd=group["lambd"],
                 lr=_to_scalar(group["lr"]), t0=group["t0"], alpha=group["alpha"],
                 weight_decay=group["weight_decay"], maximize=group["maximize"])
            bump(params)
        return loss


def asgd(params: list[ndarray], grads: list[ndarray], axs: list[ndarray], mus: list[ndarray],
         etas: list[ndarray], state_steps: list[ndarray], *, lambd: float, lr: float, t0: float,
         alpha: float, weight_decay: float, maximize: bool) -> None:
    """ASGD on arrays, in place (``mus``/``etas`` are 0-d arrays)."""
    params, grads, axs = real_views(params, grads, axs)
    for i, p in enumerate(params):
        step_t = state_steps[i]
        step_t += 1
        g = prep_grad(grads[i], p, maximize, weight_decay)
        eta, mu, ax = etas[i], mus[i], axs[i]
        eta_value = float(eta)
        p *= 1 - lambd * eta_value
        p -= eta_value * g
        if float(mu) != 1:
            d = p - ax
            d *= mu[()]
            ax += d
        else:
            ax[...] = p
        step = float(step_t)
        eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
        mu[...] = 1 / max(1, step - t0)
