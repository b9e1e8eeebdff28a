"""RMSprop (``torch.optim.RMSprop``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .._backend import xp
from ._functional import inplace, real_views, addcmul_, bump, lerp_, prep_grad
from .optimizer import Optimizer, _check_differentiable, _run_closure, _to_scalar, _use_grad

__all__ = ["RMSprop", "rmsprop"]

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._backend import ndarray

    from .._tensor import Tensor
    from .optimizer import ParamsT, _T


class RMSprop(Optimizer):
    """Implements the RMSprop algorithm."""

    def __init__(self, params: ParamsT, lr: float | Tensor = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _check_differentiable(differentiable)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    _group_setstate_defaults = {"momentum": 0, "centered": False, "foreach": None,
                                "maximize": False, "differentiable": False, "capturable": False}

    @_use_grad
    def step(self, closure: Callable[[], _T] | None = None) -> _T | None:
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            momentum, centered = group["momentum"], group["centered"]
            keys = (("square_avg",) + (("momentum_buffer",) if momentum > 0 else ())
                    + (("grad_avg",) if centered else ()))
            params, arrays, grads, cols, steps = self._gather(group, keys)
            square_avgs = cols[0]
            bufs = cols[1] if momentum > 0 else []
            grad_avgs = cols[-1] if centered else []
            rmsprop(arrays, grads, square_avgs, grad_avgs, bufs, steps,
                    lr=_to_scalar(group["lr"]), alpha=group["alpha"], eps=group["eps"],
                    weight_decay=group["weight_decay"], momentum=momentum, centered=centered,
                    maximize=group["maximize"])
            bump(params)
        return loss


def rmsprop(params: list[ndarray], grads: list[ndarray], square_avgs: list[ndarray],
            grad_avgs: list[ndarray], momentum_buffer_list: list[ndarray],
            state_steps: list[ndarray], *, lr: float, alpha: float, eps: float, weight_decay: float,
            momentum: float, centered: bool, maximize: bool) -> None:
    """RMSprop on arrays, in place."""
    params, grads, square_avgs, grad_avgs, momentum_buffer_list = real_views(
        params, grads, square_avgs, grad_avgs, momentum_buffer_list)
    for i, p in enumerate(params):
        step_t = state_steps[i]
        step_t += 1
        g = prep_grad(grads[i], p, maximize, weight_decay)
        square_avg = square_avgs[i]
        square_avg *= alpha
        addcmul_(square_avg, g, g, 1 - alpha)
        if centered:
            grad_avg = grad_avgs[i]
            lerp_(grad_avg, g, 1 - alpha)
            avg = xp.multiply(grad_avg, -1)
            avg *= grad_avg
            avg += square_avg
            avg = inplace(xp.sqrt, avg)
        else:
            avg = xp.sqrt(square_avg)
        avg += eps
        if momentum > 0:
            buf = momentum_buffer_list[i]
            buf *= momentum
            buf += g / avg
            p -= lr * buf
        else:
            upd = xp.multiply(g, -lr)
            upd /= avg
            p += upd
