"""RMSprop (``torch.optim.RMSprop``)."""
from __future__ import annotations

from .._backend import xp
from ._functional import inplace, real_views, addcmul_, bump, lerp_, prep_grad
from .optimizer import (Optimizer, _check_differentiable, _new_step, _run_closure, _step_array,
                        _to_scalar, _use_grad, _zeros_like)

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    """Implements the RMSprop algorithm."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
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

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)

    @_use_grad
    def step(self, closure=None):
        """Perform a single optimization step."""
        loss = _run_closure(closure)
        for group in self.param_groups:
            momentum, centered = group["momentum"], group["centered"]
            params, arrays, grads, square_avgs, bufs, grad_avgs, steps = ([] for _ in range(7))
            for p in group["params"]:
                if p._grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step()
                    state["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        state["grad_avg"] = _zeros_like(p)
                params.append(p)
                arrays.append(p._array)
                grads.append(p._grad._array)
                square_avgs.append(state["square_avg"]._array)
                steps.append(_step_array(state))
                if momentum > 0:
                    bufs.append(state["momentum_buffer"]._array)
                if centered:
                    grad_avgs.append(state["grad_avg"]._array)
            rmsprop(arrays, grads, square_avgs, grad_avgs, bufs, steps,
                    lr=_to_scalar(group["lr"]), alpha=group["alpha"], eps=group["eps"],
                    weight_decay=group["weight_decay"], momentum=momentum, centered=centered,
                    maximize=group["maximize"])
            bump(params)
        return loss


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr,
            alpha, eps, weight_decay, momentum, centered, maximize):
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
