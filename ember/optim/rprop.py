"""Rprop (``torch.optim.Rprop``): resilient backpropagation."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from .._tensor import _make
from ._functional import bump, real_views
from .optimizer import (Optimizer, _check_differentiable, _new_step, _run_closure, _to_scalar,
                        _use_grad, _zeros_like)

__all__ = ["Rprop", "rprop"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray

    from .._tensor import Tensor
    from .optimizer import ParamsT, _T


def _init_state(state, p, group):
    state["step"] = _new_step()
    state["prev"] = _zeros_like(p)
    lr = _to_scalar(group["lr"])
    v = complex(lr, lr) if p._array.dtype.kind == "c" else lr
    state["step_size"] = _make(xp.full_like(p._grad._array, v), False, None, 0, None)


class Rprop(Optimizer):
    """Implements the resilient backpropagation algorithm."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    _group_setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                                "capturable": False}

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, (prevs, step_sizes), steps = self._gather(
                group, ("prev", "step_size"), _init_state)
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            rprop(arrays, grads, prevs, step_sizes, steps, step_size_min=step_size_min,
                  step_size_max=step_size_max, etaminus=etaminus, etaplus=etaplus,
                  maximize=group["maximize"])
            bump(params)
        return loss


def rprop(params: list[ndarray], grads: list[ndarray], prevs: list[ndarray],
          step_sizes: list[ndarray], state_steps: list[ndarray], *, step_size_min: float,
          step_size_max: float, etaminus: float, etaplus: float, maximize: bool) -> None:
    """Rprop on arrays, in place."""
    params, grads, prevs, step_sizes = real_views(params, grads, prevs, step_sizes)
    for i, p in enumerate(params):
        step_t = state_steps[i]
        step_t += 1
        g = xp.negative(grads[i]) if maximize else grads[i]
        prev, step_size = prevs[i], step_sizes[i]
        sign = xp.sign(g * prev)
        factor = xp.where(sign > 0, etaplus, xp.where(sign < 0, etaminus, 1)).astype(p.dtype)
        step_size *= factor
        xp.clip(step_size, step_size_min, step_size_max, out=step_size)
        g = xp.where(factor == xp.asarray(etaminus, p.dtype), 0, g).astype(p.dtype)
        p -= xp.sign(g) * step_size
        prev[...] = g
