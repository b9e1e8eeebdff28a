"""Adagrad (``torch.optim.Adagrad``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from ._functional import real_views, addcmul_, bump, prep_grad
from .optimizer import (Optimizer, _check_differentiable, _full_like, _new_step, _run_closure,
                        _to_scalar, _use_grad)

__all__ = ["Adagrad", "adagrad"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray

    from .._tensor import Tensor
    from .optimizer import ParamsT, _T


class Adagrad(Optimizer):
    """Implements the Adagrad algorithm."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0, eps: float = 1e-10,
                 foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(self.state[p], p, group)

    @staticmethod
    def _init_state(state, p, group):
        state["step"] = _new_step()
        v = group["initial_accumulator_value"]
        state["sum"] = _full_like(p, complex(v, v) if p._array.dtype.kind == "c" else v)

    _group_setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                                "fused": None}

    def share_memory(self) -> None:
        """Moves every parameter's ``sum`` state to shared memory (Hogwild with Adagrad)."""
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["sum"].share_memory_()

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            params, arrays, grads, (sums,), steps = self._gather(group, ("sum",),
                                                                     self._init_state)
            adagrad(arrays, grads, sums, steps, lr=_to_scalar(group["lr"]),
                    weight_decay=group["weight_decay"], lr_decay=group["lr_decay"],
                    eps=group["eps"], maximize=group["maximize"])
            bump(params)
        return loss


def adagrad(params: list[ndarray], grads: list[ndarray], state_sums: list[ndarray],
            state_steps: list[ndarray], *, lr: float, weight_decay: float, lr_decay: float,
            eps: float, maximize: bool) -> None:
    """Adagrad on arrays, in place."""
    params, grads, state_sums = real_views(params, grads, state_sums)
    for i, p in enumerate(params):
        step_t = state_steps[i]
        step_t += 1
        step = float(step_t)
        g = prep_grad(grads[i], p, maximize, weight_decay)
        clr = lr / (1 + (step - 1) * lr_decay)
        state_sum = state_sums[i]
        addcmul_(state_sum, g, g, 1)
        std = xp.sqrt(state_sum)
        std += eps
        upd = xp.multiply(g, -clr)
        upd /= std
        p += upd
